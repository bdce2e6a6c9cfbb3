#include "dedupe.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* CloudTrail eventIDs are UUIDs (36 bytes); a longer ID is kept whole but
 * anything beyond this is not an eventID and is refused. */
#define DEDUPE_ID_MAX 256

struct dedupe {
        size_t capacity;
        size_t next; /* ring position of the next insert */
        uint64_t *hash;
        char **id;
};

/* FNV-1a: a cheap pre-filter so a lookup compares strings only on a hash match. */
static uint64_t hash_of(const char *s) {
        uint64_t h = 0xcbf29ce484222325u;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 0x100000001b3u;
        return h;
}

int dedupe_new(size_t capacity, struct dedupe **ret) {
        struct dedupe *d = calloc(1, sizeof(*d));
        if (!d || capacity == 0)
                goto fail;
        d->capacity = capacity;
        d->hash = calloc(capacity, sizeof(*d->hash));
        d->id = calloc(capacity, sizeof(*d->id));
        if (!d->hash || !d->id)
                goto fail;
        *ret = d;
        return 0;
fail:
        dedupe_free(d);
        return capacity == 0 ? -EINVAL : -ENOMEM;
}

void dedupe_free(struct dedupe *d) {
        if (!d)
                return;
        if (d->id)
                for (size_t i = 0; i < d->capacity; i++)
                        free(d->id[i]);
        free(d->id);
        free(d->hash);
        free(d);
}

bool dedupe_contains(const struct dedupe *d, const char *id) {
        uint64_t h = hash_of(id);
        for (size_t i = 0; i < d->capacity; i++)
                if (d->hash[i] == h && d->id[i] && strcmp(d->id[i], id) == 0)
                        return true;
        return false;
}

int dedupe_add(struct dedupe *d, const char *id) {
        if (strlen(id) > DEDUPE_ID_MAX)
                return -EINVAL;
        if (dedupe_contains(d, id))
                return 0;
        char *copy = strdup(id);
        if (!copy)
                return -ENOMEM;
        free(d->id[d->next]);
        d->id[d->next] = copy;
        d->hash[d->next] = hash_of(id);
        d->next = (d->next + 1) % d->capacity;
        return 0;
}
