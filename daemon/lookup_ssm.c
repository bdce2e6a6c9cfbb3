/* lookup_ssm: SSM DescribeInstanceInformation, read for a managed node's
 * computer name (lookup_wire.h). */
#include "lookup_wire.h"

#include <errno.h>
#include <string.h>

#include "json_parse.h"

/* InstanceInformationList entries are flat records with a few small
 * objects (AssociationOverview); 8 levels is more than the shape needs. */
#define SSM_ANSWER_DEPTH 8

int lookup_ssm_request(const char *const *ids, size_t n, struct buf *ret) {
        struct buf b;
        int r;

        if (!ids || n == 0 || n > LOOKUP_IDS_MAX || !ret)
                return -EINVAL;
        buf_init(&b, LOOKUP_BODY_MAX);
        r = buf_puts(&b, "{\"Filters\":[{\"Key\":\"InstanceIds\",\"Values\":[");
        for (size_t i = 0; i < n && r == 0; i++) {
                /* IDs are checked to be [a-z0-9-]: nothing to escape */
                if (lookup_kind_of(ids[i]) != LOOKUP_SSM)
                        r = -EINVAL;
                else
                        r = buf_printf(&b, "%s\"%s\"", i ? "," : "", ids[i]);
        }
        /* SSM: MaxResults of DescribeInstanceInformation is 5..50. */
        if (r == 0)
                r = buf_puts(&b, "]}],\"MaxResults\":50}");
        if (r < 0) {
                buf_free(&b);
                return r;
        }
        *ret = b;
        return 0;
}

int lookup_ssm_probe(struct buf *ret) {
        struct buf b;
        int r;

        if (!ret)
                return -EINVAL;
        buf_init(&b, LOOKUP_BODY_MAX);
        r = buf_puts(&b, "{\"MaxResults\":5}");
        if (r < 0) {
                buf_free(&b);
                return r;
        }
        *ret = b;
        return 0;
}

static const char *string_of(json_object *o, const char *key, size_t max) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        const char *s = json_object_get_string(v);
        size_t n = (size_t)json_object_get_string_len(v);
        /* no NUL inside, not empty, bounded */
        return n && n < max && strlen(s) == n ? s : NULL;
}

int lookup_ssm_parse(const char *json, size_t len, lookup_found_fn found, void *userdata) {
        json_object *root = NULL, *list;
        int r;

        if (!json || !found)
                return -EINVAL;
        r = json_parse_whole(json, len, SSM_ANSWER_DEPTH, &root);
        if (r < 0)
                return r == -ENOMEM ? r : -EBADMSG;
        if (!json_object_is_type(root, json_type_object) ||
            !json_object_object_get_ex(root, "InstanceInformationList", &list) ||
            !json_object_is_type(list, json_type_array)) {
                r = -EBADMSG;
                goto out;
        }
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *item = json_object_array_get_idx(list, i);
                if (!json_object_is_type(item, json_type_object)) {
                        r = -EBADMSG;
                        goto out;
                }
                const char *id = string_of(item, "InstanceId", LOOKUP_ID_MAX);
                const char *name = string_of(item, "ComputerName", LOOKUP_VALUE_MAX);
                if (!name)
                        name = string_of(item, "Name", LOOKUP_VALUE_MAX);
                if (!id) {
                        r = -EBADMSG;
                        goto out;
                }
                r = found(userdata, id, name, NULL);
                if (r < 0)
                        goto out;
        }
        r = 0;
out:
        json_object_put(root);
        return r;
}
