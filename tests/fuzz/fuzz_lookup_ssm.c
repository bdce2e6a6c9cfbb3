/* fuzz_lookup_ssm: SSM DescribeInstanceInformation answers → managed node
 * IDs and computer names (lookup_wire.h). Checks that every ID and name
 * handed on is NUL-terminated, non-empty and within its bound. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lookup_wire.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int found(void *userdata, const char *id, const char *name, const char *const *tags) {
        (void)userdata;
        CHECK(id && id[0] && strnlen(id, LOOKUP_ID_MAX) < LOOKUP_ID_MAX);
        CHECK(!name || (name[0] && strnlen(name, LOOKUP_VALUE_MAX) < LOOKUP_VALUE_MAX));
        CHECK(!tags);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        int r = lookup_ssm_parse((const char *)data, size, found, NULL);
        CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
        return 0;
}
