#include "textsafe.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Decodes one UTF-8 character of s[0..n). Returns its length (1-4) and sets
 * *cp, or 0 for an invalid sequence (overlong, surrogate, beyond U+10FFFF,
 * truncated, stray continuation byte). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
        uint32_t c = s[0], min;
        size_t len;

        if (c < 0x80) {
                *cp = c;
                return 1;
        }
        if (c >= 0xc2 && c <= 0xdf) {
                len = 2, c &= 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
                len = 3, c &= 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4, c &= 0x07, min = 0x10000;
        } else {
                return 0;
        }
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        *cp = c;
        return len;
}

/* Characters that move or hide text, or break lines in some reader:
 * C1 controls (NEL), the soft hyphen, the Arabic letter mark, the
 * Mongolian vowel separator, zero-width and direction marks, line and
 * paragraph separators, bidi embeddings/overrides/isolates, word joiners,
 * variation selectors, BOM, interlinear annotations, tag characters (they
 * can spell hidden ASCII) and the supplementary variation selectors. */
static bool is_invisible(uint32_t cp) {
        if (cp < 0x80 || (cp > 0x2069 && cp < 0xfe00)) /* ASCII, CJK, kana: asked first */
                return false;
        return (cp >= 0x80 && cp <= 0x9f) || cp == 0xad || cp == 0x61c || cp == 0x180e ||
               (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
               (cp >= 0x2060 && cp <= 0x2069) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff ||
               (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f) ||
               (cp >= 0xe0100 && cp <= 0xe01ef);
}

/* The length of the longest prefix of s of at most cap bytes that ends on a
 * character boundary; *cut tells whether anything was left out. */
static size_t capped_len(const char *s, size_t n, size_t cap, bool *cut) {
        *cut = n > cap;
        if (!*cut)
                return n;
        n = cap;
        /* back up over the continuation bytes (3 at most) of a character the
         * cap splits; a longer run is invalid UTF-8 and cut anywhere */
        for (int i = 0; i < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; i++)
                n--;
        return n;
}

int textsafe_escape(struct buf *out, const char *s, size_t cap, enum textsafe_mode mode) {
        return textsafe_escape_len(out, s, strlen(s), cap, mode);
}

/* Whether the character cp (of a valid sequence) is shown as it is. */
static bool shown_as_is(uint32_t cp, enum textsafe_mode mode) {
        return cp >= 0x20 && cp != 0x7f && cp != '\\' && !(cp == '`' && mode == TEXTSAFE_MARKDOWN) &&
               !is_invisible(cp);
}

/* shown_as_is() for ASCII, by mode: printable but for '\\', and '`' in a
 * code span. */
static const bool ASCII_AS_IS[2][0x80] = {
        [TEXTSAFE_TEXT] = { [' ' ... '['] = true, [']' ... '~'] = true },
        [TEXTSAFE_MARKDOWN] = { [' ' ... '['] = true, [']' ... '_'] = true, ['a' ... '~'] = true },
};

/* The bytes from s[0] on, of n, that are shown as they are: whole characters. */
static size_t as_is_run(const unsigned char *s, size_t n, enum textsafe_mode mode) {
        const bool *ascii = ASCII_AS_IS[mode == TEXTSAFE_MARKDOWN];
        size_t i = 0;

        while (i < n) {
                uint32_t cp;
                size_t clen;

                /* ASCII, most of every value, by table: no decode, and no
                 * range tests meant for the rest of Unicode */
                if (s[i] < 0x80) {
                        if (!ascii[s[i]])
                                break;
                        i++;
                        continue;
                }
                clen = utf8_decode(s + i, n - i, &cp);
                if (clen == 0 || !shown_as_is(cp, mode))
                        break;
                i += clen;
        }
        return i;
}

int textsafe_escape_len(struct buf *out, const char *s, size_t len, size_t cap, enum textsafe_mode mode) {
        const unsigned char *p = (const unsigned char *)s;
        bool cut;
        size_t n = capped_len(s, len, cap, &cut), i = 0;
        int r = 0;

        while (i < n && r >= 0) {
                uint32_t cp;
                /* Most of a value needs no escape: appended a run at a time,
                 * not a character at a time. */
                size_t clen = as_is_run(p + i, n - i, mode);

                if (clen) {
                        r = buf_append(out, p + i, clen);
                        i += clen;
                        continue;
                }
                clen = utf8_decode(p + i, n - i, &cp);
                if (clen == 0) {
                        r = buf_printf(out, "\\x%02x", p[i]);
                        i++;
                        continue;
                }
                if (cp == '\\')
                        r = buf_puts(out, "\\\\");
                else if (cp == '\n')
                        r = buf_puts(out, "\\n");
                else if (cp == '\r')
                        r = buf_puts(out, "\\r");
                else if (cp == '\t')
                        r = buf_puts(out, "\\t");
                else if (cp < 0x20 || cp == 0x7f)
                        r = buf_printf(out, "\\x%02x", (unsigned)cp);
                else if (is_invisible(cp))
                        r = buf_printf(out, cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)cp);
                else /* '`' in a code span: what as_is_run() stopped at is one of these */
                        r = buf_putc(out, '\'');
                i += clen;
        }
        if (r >= 0 && cut)
                r = buf_puts(out, TEXTSAFE_MARK);
        return r;
}

bool textsafe_utf8_valid(const char *s, size_t len) {
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;

        while (i < len) {
                uint32_t cp;
                size_t clen;
                uint64_t w;
                /* the common case, without a call: ASCII, a word at a time */
                if (len - i >= sizeof(w)) {
                        memcpy(&w, p + i, sizeof(w));
                        if (!(w & 0x8080808080808080u)) {
                                i += sizeof(w);
                                continue;
                        }
                }
                if (p[i] < 0x80) {
                        i++;
                        continue;
                }
                clen = utf8_decode(p + i, len - i, &cp);
                if (clen == 0)
                        return false;
                i += clen;
        }
        return true;
}

int textsafe_utf8(struct buf *out, const char *s, size_t cap) {
        return textsafe_utf8_len(out, s, strlen(s), cap);
}

int textsafe_utf8_len(struct buf *out, const char *s, size_t len, size_t cap) {
        const unsigned char *p = (const unsigned char *)s;
        bool cut;
        size_t n = capped_len(s, len, cap, &cut), i = 0;
        int r = 0;

        while (i < n && r >= 0) {
                /* Valid runs are copied at once; only a bad byte is replaced. */
                size_t run = i, clen;
                uint32_t cp;
                while (run < n && (clen = utf8_decode(p + run, n - run, &cp)) > 0)
                        run += clen;
                if (run > i) {
                        r = buf_append(out, p + i, run - i);
                        i = run;
                } else {
                        r = buf_puts(out, "\xef\xbf\xbd"); /* U+FFFD */
                        i++;
                }
        }
        if (r >= 0 && cut)
                r = buf_puts(out, TEXTSAFE_MARK);
        return r;
}

/* ASCII for U+00C0..U+017F (Latin-1 letters and Latin Extended-A), in order. */
static const char *const LATIN[] = {
        "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",   /* C0 */
        "D", "N", "O", "O", "O", "O", "O", "x", "O", "U", "U", "U", "U", "Y", "Th", "ss",  /* D0 */
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   /* E0 */
        "d", "n", "o", "o", "o", "o", "o", "/", "o", "u", "u", "u", "u", "y", "th", "y",   /* F0 */
        "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d",    /* 100 */
        "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g",    /* 110 */
        "G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i",    /* 120 */
        "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L",  /* 130 */
        "l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o",    /* 140 */
        "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s",  /* 150 */
        "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",    /* 160 */
        "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",    /* 170 */
};

static bool is_space_like(uint32_t cp) {
        return cp <= 0x20 || cp == 0x7f || cp == 0xa0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200a) ||
               is_invisible(cp);
}

int textsafe_ascii(struct buf *out, const char *s, size_t max) {
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s), i = 0, start = out->len;
        enum { RUN_NONE, RUN_SPACE, RUN_UNKNOWN } run = RUN_SPACE; /* drops leading spaces */
        int r = 0;

        while (i < n && r >= 0) {
                uint32_t cp = 0;
                size_t len, ascii = i;

                /* Subjects are mostly printable ASCII: taken a run at a time. */
                while (ascii < n && p[ascii] > 0x20 && p[ascii] < 0x7f)
                        ascii++;
                if (ascii > i) {
                        r = buf_append(out, p + i, ascii - i);
                        run = RUN_NONE;
                        i = ascii;
                        continue;
                }
                len = utf8_decode(p + i, n - i, &cp);
                i += len ? len : 1;
                if (len && is_space_like(cp)) {
                        if (run != RUN_SPACE)
                                r = buf_putc(out, ' ');
                        run = RUN_SPACE;
                } else if (len && cp >= 0xc0 && cp <= 0x17f) {
                        r = buf_puts(out, LATIN[cp - 0xc0]);
                        run = RUN_NONE;
                } else if (len && cp >= 0xff01 && cp <= 0xff5e) {
                        r = buf_putc(out, (char)(cp - 0xfee0)); /* full-width '!'..'~' */
                        run = RUN_NONE;
                } else {
                        if (run != RUN_UNKNOWN)
                                r = buf_putc(out, '?');
                        run = RUN_UNKNOWN;
                }
        }
        if (r < 0)
                return r;
        while (out->len > start && out->data[out->len - 1] == ' ')
                buf_truncate(out, out->len - 1);
        if (max >= 4 && out->len - start > max) {
                buf_truncate(out, start + max - 3);
                while (out->len > start && out->data[out->len - 1] == ' ')
                        buf_truncate(out, out->len - 1);
                r = buf_puts(out, "...");
        }
        return r;
}

static bool is_wide(uint32_t cp) {
        return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
               (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
               (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
               (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
               (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
               (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
}

size_t textsafe_width(const char *s) {
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s), i = 0, w = 0;

        while (i < n) {
                uint32_t cp = 0;
                size_t len = p[i] < 0x80 ? 1 : utf8_decode(p + i, n - i, &cp);
                w += len > 1 && is_wide(cp) ? 2 : 1;
                i += len ? len : 1;
        }
        return w;
}
