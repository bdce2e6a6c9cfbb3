/* fuzz_json_tree: json_tree against json-c on any bytes.
 *
 * Besides crashes, leaks and undefined behaviour on bytes of every kind
 * (valid UTF-8 or not), it checks json_diff's contract (tests/unit/json_diff.h):
 * on valid UTF-8, json_tree accepts exactly what json_parse_whole accepts,
 * with the same error, and yields the same strings, number texts, booleans
 * and shapes. Twice: at the event depth and at a shallow one, where the
 * depth bound decides. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../unit/json_diff.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* libFuzzer hands over a heap copy of exactly size bytes, not
         * NUL-terminated, so reading past the end is caught */
        const char *s = (const char *)data;
        const char *d = json_diff(s, size, 64);

        if (d)
                fprintf(stderr, "depth 64: %s\n", d);
        CHECK(!d);
        d = json_diff(s, size, 3);
        if (d)
                fprintf(stderr, "depth 3: %s\n", d);
        CHECK(!d);
        return 0;
}
