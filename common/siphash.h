/* siphash: SipHash-2-4 with a 64-bit result (Aumasson and Bernstein, 2012),
 * the keyed hash of the hash indexes: without the key, nobody can choose
 * inputs that collide, so a queue writer who picks session IDs cannot make
 * every one of them land in one bucket.
 *
 * Pure. Incremental: what siphash_update() is given in pieces hashes as if
 * given at once. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

struct siphash {
        uint64_t v[4];
        uint64_t tail; /* the bytes of an unfinished 8-byte word, little-endian */
        size_t len;    /* bytes taken so far */
};

void siphash_init(struct siphash *st, const uint8_t key[SIPHASH_KEY_LEN]);
void siphash_update(struct siphash *st, const void *data, size_t len);
uint64_t siphash_final(const struct siphash *st);
