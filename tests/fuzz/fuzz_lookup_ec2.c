/* fuzz_lookup_ec2: EC2 DescribeInstances answers → instance IDs, Name tags
 * and [enrich] tags (lookup_wire.h), then into the name cache.
 *
 * Besides crashes, leaks and undefined behaviour it checks the contract of
 * the callback: an ID and every value are NUL-terminated within their
 * bounds, and the parse returns 0 or one of the documented errors. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "lookup_wire.h"
#include "name_cache.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = { "Environment", "Team" };

static int found(void *userdata, const char *id, const char *name, const char *const *tags) {
        struct name_cache *c = userdata;
        CHECK(id && strnlen(id, LOOKUP_ID_MAX) < LOOKUP_ID_MAX);
        CHECK(!name || (name[0] && strnlen(name, LOOKUP_VALUE_MAX) < LOOKUP_VALUE_MAX));
        for (size_t i = 0; i < 2; i++)
                CHECK(!tags[i] || (tags[i][0] && strnlen(tags[i], LOOKUP_VALUE_MAX) < LOOKUP_VALUE_MAX));
        int r = name_cache_put(c, "210987654321", "us-east-1", id, name, keys, tags, 2, 1000);
        CHECK(r == 0 || r == -ENOMEM);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char account[] = "210987654321", region[] = "us-east-1", target[] = "i-0123456789abcdef0";
        struct ssm_event ev = { .account_id = account, .region = region, .target = target };
        struct name_cache *c;

        if (name_cache_new(4, 3600, &c) < 0)
                return 0;
        int r = lookup_ec2_parse((const char *)data, size, keys, 2, found, c);
        CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
        if (name_cache_fill(c, &ev, 1001) == 0) {
                CHECK(!ev.target_name || ev.target_name[0]);
                CHECK(ev.n_target_tags <= 2);
        }
        free(ev.target_name);
        for (size_t i = 0; i < ev.n_target_tags; i++) {
                free(ev.target_tags[i].key);
                free(ev.target_tags[i].value);
        }
        free(ev.target_tags);
        name_cache_free(c);
        return 0;
}
