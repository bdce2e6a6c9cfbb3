/* fuzz_lookup_sts: STS AssumeRole answers → temporary credentials
 * (lookup_wire.h). Checks that a success has three non-empty,
 * NUL-terminated secrets and that a failure leaves the output untouched. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lookup_wire.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct lookup_credentials *c = malloc(sizeof(*c));
        if (!c)
                return 0;
        memset(c, 0x5a, sizeof(*c));
        int r = lookup_sts_parse((const char *)data, size, c);
        CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
        if (r == 0) {
                CHECK(c->access_key_id[0] && memchr(c->access_key_id, '\0', sizeof(c->access_key_id)));
                CHECK(c->secret_access_key[0] && memchr(c->secret_access_key, '\0', sizeof(c->secret_access_key)));
                CHECK(c->session_token[0] && memchr(c->session_token, '\0', sizeof(c->session_token)));
        } else {
                CHECK(c->access_key_id[0] == 0x5a && c->session_token[100] == 0x5a);
        }
        free(c);
        return 0;
}
