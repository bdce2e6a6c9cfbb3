/* textsafe_escape_len and textsafe_ascii against a copy of themselves as
 * they were before their ASCII fast paths (the ref_ functions below, kept
 * verbatim but for their names), over edge cases and random strings built
 * from the pieces each branch treats apart: the output must not change by
 * a byte. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "textsafe.h"

/* ---- the reference: textsafe.c before its ASCII fast paths ---- */

static size_t ref_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
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

static bool ref_is_invisible(uint32_t cp) {
        if (cp < 0x80 || (cp > 0x2069 && cp < 0xfe00)) /* ASCII, CJK, kana: asked first */
                return false;
        return (cp >= 0x80 && cp <= 0x9f) || cp == 0xad || cp == 0x61c || cp == 0x180e ||
               (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
               (cp >= 0x2060 && cp <= 0x2069) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff ||
               (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f) ||
               (cp >= 0xe0100 && cp <= 0xe01ef);
}

static size_t ref_capped_len(const char *s, size_t n, size_t cap, bool *cut) {
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

static bool ref_shown_as_is(uint32_t cp, enum textsafe_mode mode) {
        return cp >= 0x20 && cp != 0x7f && cp != '\\' && !(cp == '`' && mode == TEXTSAFE_MARKDOWN) &&
               !ref_is_invisible(cp);
}

static size_t ref_as_is_run(const unsigned char *s, size_t n, enum textsafe_mode mode) {
        size_t i = 0;

        while (i < n) {
                uint32_t cp;
                size_t clen = s[i] < 0x80 ? 1 : ref_utf8_decode(s + i, n - i, &cp);
                if (clen == 1)
                        cp = s[i];
                if (clen == 0 || !ref_shown_as_is(cp, mode))
                        break;
                i += clen;
        }
        return i;
}

static int ref_escape_len(struct buf *out, const char *s, size_t len, size_t cap, enum textsafe_mode mode) {
        const unsigned char *p = (const unsigned char *)s;
        bool cut;
        size_t n = ref_capped_len(s, len, cap, &cut), i = 0;
        int r = 0;

        while (i < n && r >= 0) {
                uint32_t cp;
                /* Most of a value needs no escape: appended a run at a time,
                 * not a character at a time. */
                size_t clen = ref_as_is_run(p + i, n - i, mode);

                if (clen) {
                        r = buf_append(out, p + i, clen);
                        i += clen;
                        continue;
                }
                clen = ref_utf8_decode(p + i, n - i, &cp);
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
                else if (ref_is_invisible(cp))
                        r = buf_printf(out, cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)cp);
                else /* '`' in a code span: what ref_as_is_run() stopped at is one of these */
                        r = buf_putc(out, '\'');
                i += clen;
        }
        if (r >= 0 && cut)
                r = buf_puts(out, TEXTSAFE_MARK);
        return r;
}

static const char *const ref_LATIN[] = {
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

static bool ref_is_space_like(uint32_t cp) {
        return cp <= 0x20 || cp == 0x7f || cp == 0xa0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200a) ||
               ref_is_invisible(cp);
}

static int ref_ascii(struct buf *out, const char *s, size_t max) {
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s), i = 0, start = out->len;
        enum { RUN_NONE, RUN_SPACE, RUN_UNKNOWN } run = RUN_SPACE; /* drops leading spaces */
        int r = 0;

        while (i < n && r >= 0) {
                uint32_t cp = 0;
                size_t len = ref_utf8_decode(p + i, n - i, &cp);

                i += len ? len : 1;
                if (len && ref_is_space_like(cp)) {
                        if (run != RUN_SPACE)
                                r = buf_putc(out, ' ');
                        run = RUN_SPACE;
                } else if (len && cp > 0x20 && cp < 0x7f) {
                        r = buf_putc(out, (char)cp);
                        run = RUN_NONE;
                } else if (len && cp >= 0xc0 && cp <= 0x17f) {
                        r = buf_puts(out, ref_LATIN[cp - 0xc0]);
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


/* Pieces: each kind of byte or character the functions tell apart. */
static const char *const PIECES[] = {
        "a", "Z", "0", "~", "!", " ", "  ", "\t", "\n", "\r", "\x01", "\x1f", "\x7f", "\\", "`", "[", "]", "_",
        "hello world", "i-0123456789abcdef0", "\xc3\xa9",     /* é */
        "\xc5\x93",                                            /* œ */
        "\xc5\xbf",                                            /* ſ, the last of LATIN */
        "\xc2\xbf",                                            /* ¿: no transliteration */
        "\xc2\xa0",                                            /* no-break space */
        "\xc2\x85",                                            /* NEL */
        "\xc2\xad",                                            /* soft hyphen */
        "\xe2\x80\x8b",                                        /* zero-width space */
        "\xe2\x80\xae",                                        /* RLO */
        "\xe2\x80\x83",                                        /* em space */
        "\xe3\x80\x80",                                        /* ideographic space */
        "\xef\xbc\xa1",                                        /* full-width A */
        "\xef\xbd\x9e",                                        /* full-width ~ */
        "\xe6\x97\xa5\xe6\x9c\xac",                            /* 日本 */
        "\xf0\x9f\x98\x80",                                    /* emoji */
        "\xf3\xa0\x80\x81",                                    /* tag character */
        "\xef\xbb\xbf",                                        /* BOM */
        "\xff", "\xc3", "\xe2\x80", "\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
};
#define NPIECES (sizeof(PIECES) / sizeof(PIECES[0]))

static uint64_t next_random(uint64_t *x) {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        return *x;
}

/* A random string of up to 40 pieces into b; with_nul: NUL bytes too. */
static void random_string(struct buf *b, uint64_t *x, bool with_nul) {
        size_t n = next_random(x) % 40;

        buf_truncate(b, 0);
        for (size_t i = 0; i < n; i++) {
                uint64_t k = next_random(x) % (NPIECES + 2);
                if (k < NPIECES)
                        assert_int_equal(buf_puts(b, PIECES[k]), 0);
                else if (k == NPIECES && with_nul)
                        assert_int_equal(buf_append(b, "", 1), 0);
                else
                        assert_int_equal(buf_putc(b, (char)(next_random(x) % 255 + 1)), 0);
        }
}

static void same_escape(const char *s, size_t len) {
        static const size_t CAPS[] = { 0, 1, 3, 7, 16, 64, 4096 };
        struct buf want, got;

        for (size_t c = 0; c < sizeof(CAPS) / sizeof(CAPS[0]); c++) {
                for (int mode = TEXTSAFE_TEXT; mode <= TEXTSAFE_MARKDOWN; mode++) {
                        buf_init(&want, 1 << 16);
                        buf_init(&got, 1 << 16);
                        assert_int_equal(ref_escape_len(&want, s, len, CAPS[c], (enum textsafe_mode)mode), 0);
                        assert_int_equal(textsafe_escape_len(&got, s, len, CAPS[c], (enum textsafe_mode)mode), 0);
                        assert_int_equal(got.len, want.len);
                        assert_memory_equal(buf_str(&got), buf_str(&want), want.len + 1);
                        buf_free(&want);
                        buf_free(&got);
                }
        }
}

static void same_ascii(const char *s) {
        static const size_t MAXES[] = { 0, 4, 5, 9, 20, 99, 4096 };
        struct buf want, got;

        for (size_t m = 0; m < sizeof(MAXES) / sizeof(MAXES[0]); m++) {
                buf_init(&want, 1 << 16);
                buf_init(&got, 1 << 16);
                /* after text already there, which must stay as it is */
                assert_int_equal(buf_puts(&want, "x "), 0);
                assert_int_equal(buf_puts(&got, "x "), 0);
                assert_int_equal(ref_ascii(&want, s, MAXES[m]), 0);
                assert_int_equal(textsafe_ascii(&got, s, MAXES[m]), 0);
                assert_string_equal(buf_str(&got), buf_str(&want));
                buf_free(&want);
                buf_free(&got);
        }
}

static void test_edges(void **state) {
        (void)state;
        for (size_t i = 0; i < NPIECES; i++) {
                same_escape(PIECES[i], strlen(PIECES[i]));
                same_ascii(PIECES[i]);
        }
        same_escape("", 0);
        same_ascii("");
        same_escape("a\0b", 3);
        same_ascii("   leading and trailing   ");
        same_ascii("Session started by alice@example.com on i-0123456789abcdef0 (prod-web-01)");
}

static void test_random(void **state) {
        uint64_t x = 0x9e3779b97f4a7c15u;
        struct buf s;

        (void)state;
        buf_init(&s, 1 << 16);
        for (int i = 0; i < 20000; i++) {
                random_string(&s, &x, true);
                same_escape(buf_str(&s), s.len);
                random_string(&s, &x, false);
                same_ascii(buf_str(&s));
        }
        buf_free(&s);
}

/* The tables cover every ASCII byte as the decoding path did. */
static void test_every_ascii_byte(void **state) {
        (void)state;
        for (int c = 0; c < 0x80; c++) {
                char s[3] = { 'a', (char)c, 'b' };
                same_escape(s, sizeof(s));
                if (c) {
                        char z[4] = { 'a', (char)c, 'b', '\0' };
                        same_ascii(z);
                }
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_edges),
                cmocka_unit_test(test_random),
                cmocka_unit_test(test_every_ascii_byte),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
