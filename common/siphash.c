#include "siphash.h"

#include <string.h>

static uint64_t rotl(uint64_t x, unsigned b) {
        return (x << b) | (x >> (64 - b));
}

static uint64_t load_le64(const uint8_t *p) {
        uint64_t v = 0;
        for (unsigned i = 0; i < 8; i++)
                v |= (uint64_t)p[i] << (8 * i);
        return v;
}

static void round_(uint64_t v[4]) {
        v[0] += v[1];
        v[1] = rotl(v[1], 13);
        v[1] ^= v[0];
        v[0] = rotl(v[0], 32);
        v[2] += v[3];
        v[3] = rotl(v[3], 16);
        v[3] ^= v[2];
        v[0] += v[3];
        v[3] = rotl(v[3], 21);
        v[3] ^= v[0];
        v[2] += v[1];
        v[1] = rotl(v[1], 17);
        v[1] ^= v[2];
        v[2] = rotl(v[2], 32);
}

/* Two compression rounds per 8-byte word: the "2" of SipHash-2-4. */
static void compress(uint64_t v[4], uint64_t m) {
        v[3] ^= m;
        round_(v);
        round_(v);
        v[0] ^= m;
}

void siphash_init(struct siphash *st, const uint8_t key[SIPHASH_KEY_LEN]) {
        uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
        /* "somepseudorandomlygeneratedbytes", as the paper's initialisation. */
        st->v[0] = k0 ^ UINT64_C(0x736f6d6570736575);
        st->v[1] = k1 ^ UINT64_C(0x646f72616e646f6d);
        st->v[2] = k0 ^ UINT64_C(0x6c7967656e657261);
        st->v[3] = k1 ^ UINT64_C(0x7465646279746573);
        st->tail = 0;
        st->len = 0;
}

/* Up to 8 bytes of p, little-endian, in the low bytes of a word. */
static uint64_t load_partial(const uint8_t *p, size_t n) {
        uint8_t b[8] = { 0 };
        memcpy(b, p, n);
        return load_le64(b);
}

/* Keys are a few short strings hashed one after the other, so most of the
 * bytes fall into a word a previous piece began: they are taken a word's
 * worth at once, not one by one. */
void siphash_update(struct siphash *st, const void *data, size_t len) {
        const uint8_t *p = data;
        size_t off = st->len % 8;

        st->len += len;
        if (off) {
                size_t take = len < 8 - off ? len : 8 - off;
                st->tail |= load_partial(p, take) << (8 * off);
                p += take;
                len -= take;
                if (off + take < 8)
                        return;
                compress(st->v, st->tail);
                st->tail = 0;
        }
        for (; len >= 8; len -= 8, p += 8)
                compress(st->v, load_le64(p));
        if (len)
                st->tail = load_partial(p, len);
}

uint64_t siphash_final(const struct siphash *st) {
        uint64_t v[4] = { st->v[0], st->v[1], st->v[2], st->v[3] };
        /* The last word carries the length's low byte in its top byte. */
        compress(v, st->tail | ((uint64_t)(st->len & 0xff) << 56));
        v[2] ^= 0xff;
        for (unsigned i = 0; i < 4; i++) /* the "4": finalisation rounds */
                round_(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
}
