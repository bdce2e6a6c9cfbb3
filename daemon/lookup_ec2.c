/* lookup_ec2: EC2 DescribeInstances, by an instance-id filter, read for the
 * Name tag and the [enrich] tags of each instance (lookup_wire.h). */
#include "lookup_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_service.h"
#include "urlenc.h"
#include "xmltext.h"

/* Filter.1.Value.10 */
#define PARAM_NAME_MAX 32

static bool is_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

/* EC2: i- and 8 or 17 lower-case hex digits; SSM hybrid nodes: mi- and 17. */
enum lookup_kind lookup_kind_of(const char *target) {
        size_t n;

        if (!target)
                return LOOKUP_NONE;
        n = strlen(target);
        if (strncmp(target, "i-", 2) == 0 && (n == 10 || n == 19) && is_hex(target + 2, n - 2))
                return LOOKUP_EC2;
        if (strncmp(target, "mi-", 3) == 0 && n == 20 && is_hex(target + 3, n - 3))
                return LOOKUP_SSM;
        return LOOKUP_NONE;
}

int lookup_ec2_request(const char *const *ids, size_t n, struct buf *ret) {
        struct form_param p[3 + LOOKUP_IDS_MAX];
        char names[LOOKUP_IDS_MAX][PARAM_NAME_MAX];
        struct buf b;
        int r;

        if (!ids || n == 0 || n > LOOKUP_IDS_MAX || !ret)
                return -EINVAL;
        p[0] = (struct form_param){ "Action", "DescribeInstances" };
        p[1] = (struct form_param){ "Version", aws_service_ec2.api_version };
        p[2] = (struct form_param){ "Filter.1.Name", "instance-id" };
        for (size_t i = 0; i < n; i++) {
                if (lookup_kind_of(ids[i]) != LOOKUP_EC2)
                        return -EINVAL;
                snprintf(names[i], sizeof(names[i]), "Filter.1.Value.%zu", i + 1);
                p[3 + i] = (struct form_param){ names[i], ids[i] };
        }
        buf_init(&b, LOOKUP_BODY_MAX);
        r = form_encode(p, 3 + n, &b);
        if (r < 0) {
                buf_free(&b);
                return r;
        }
        *ret = b;
        return 0;
}

int lookup_ec2_probe(struct buf *ret) {
        const struct form_param p[] = {
                { "Action", "DescribeInstances" },
                { "Version", aws_service_ec2.api_version },
                { "MaxResults", "5" },
        };
        struct buf b;
        int r;

        if (!ret)
                return -EINVAL;
        buf_init(&b, LOOKUP_BODY_MAX);
        r = form_encode(p, 3, &b);
        if (r < 0) {
                buf_free(&b);
                return r;
        }
        *ret = b;
        return 0;
}

/* The direct children of the element whose extent is el, one per call:
 * *cursor starts NULL; -ENOENT after the last. Comments and processing
 * instructions between them are skipped; a child's name is its local name. */
static int next_child(const char *el, size_t len, const char **cursor, char *ret_name, size_t name_size,
                      const char **ret, size_t *ret_len) {
        const char *end = el + len, *p = *cursor, *c;
        size_t c_len;
        int r;

        if (!p) {
                /* past the element's own start tag; an empty-element tag has no children */
                p = memchr(el, '>', len);
                if (!p)
                        return -EBADMSG;
                if (p > el && p[-1] == '/')
                        return -ENOENT;
                p++;
        }
        for (;;) {
                const char *lt = memchr(p, '<', (size_t)(end - p));
                if (!lt || end - lt < 2 || lt[1] == '/')
                        return lt ? -ENOENT : -EBADMSG;
                if (lt[1] == '!' || lt[1] == '?') {
                        const char *term = lt[1] == '?' ? "?>" : (end - lt >= 4 && memcmp(lt, "<!--", 4) == 0) ? "-->" : ">";
                        const char *t = memmem(lt + 2, (size_t)(end - lt - 2), term, strlen(term));
                        if (!t)
                                return -EBADMSG;
                        p = t + strlen(term);
                        continue;
                }
                const char *q = lt + 1, *local = lt + 1;
                while (q < end && *q != '>' && *q != '/' && *q != ' ' && *q != '\t' && *q != '\r' && *q != '\n') {
                        if (*q == ':')
                                local = q + 1;
                        q++;
                }
                size_t n = (size_t)(q - local);
                if (n == 0 || n >= name_size)
                        return -EBADMSG;
                memcpy(ret_name, local, n);
                ret_name[n] = '\0';
                /* the first element of that name from here is this one */
                r = xml_find_element(lt, (size_t)(end - lt), ret_name, &c, &c_len);
                if (r < 0 || c != lt)
                        return -EBADMSG;
                *cursor = c + c_len;
                *ret = c;
                *ret_len = c_len;
                return 0;
        }
}

/* EC2's element names are short identifiers; a longer one is not its shape. */
#define CHILD_NAME_MAX 64

/* The first direct child named name of the element el. */
static int child(const char *el, size_t len, const char *name, const char **ret, size_t *ret_len) {
        const char *cursor = NULL;
        char own[CHILD_NAME_MAX];
        int r;

        while ((r = next_child(el, len, &cursor, own, sizeof(own), ret, ret_len)) == 0)
                if (strcmp(own, name) == 0)
                        return 0;
        return r;
}

/* Each direct <item> child of el, in order: *cursor starts NULL. Anything
 * else in a list is not the shape we read. */
static int next_item(const char *el, size_t len, const char **cursor, const char **ret, size_t *ret_len) {
        char own[CHILD_NAME_MAX];
        int r = next_child(el, len, cursor, own, sizeof(own), ret, ret_len);
        if (r == 0 && strcmp(own, "item") != 0)
                return -EBADMSG;
        return r;
}

static int child_text(const char *el, size_t len, const char *name, char *ret, size_t size) {
        const char *c;
        size_t c_len;
        int r = child(el, len, name, &c, &c_len);
        if (r < 0)
                return r;
        return xml_find_text(c, c_len, name, ret, size);
}

struct instance_tags {
        char name[LOOKUP_VALUE_MAX];
        bool has_name;
        char values[LOOKUP_TAGS_MAX][LOOKUP_VALUE_MAX];
        const char *found[LOOKUP_TAGS_MAX];
};

static int read_tags(const char *inst, size_t len, const char *const *keys, size_t n_keys, struct instance_tags *t) {
        const char *set, *item, *cursor = NULL;
        size_t set_len, item_len;
        char key[LOOKUP_KEY_MAX], value[LOOKUP_VALUE_MAX];
        int r;

        r = child(inst, len, "tagSet", &set, &set_len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        while ((r = next_item(set, set_len, &cursor, &item, &item_len)) == 0) {
                if (child_text(item, item_len, "key", key, sizeof(key)) < 0)
                        return -EBADMSG;
                r = child_text(item, item_len, "value", value, sizeof(value));
                if (r == -ENOENT)
                        value[0] = '\0';
                else if (r < 0)
                        return -EBADMSG;
                if (strcmp(key, "Name") == 0 && value[0]) {
                        memcpy(t->name, value, sizeof(value));
                        t->has_name = true;
                }
                for (size_t k = 0; k < n_keys; k++)
                        if (strcmp(key, keys[k]) == 0 && value[0]) {
                                memcpy(t->values[k], value, sizeof(value));
                                t->found[k] = t->values[k];
                        }
        }
        return r == -ENOENT ? 0 : r;
}

/* An empty set is <x/> or <x></x>: no items. */
static int each_item(const char *el, size_t len, int (*fn)(void *, const char *, size_t), void *userdata) {
        const char *item, *cursor = NULL;
        size_t item_len;
        int r;

        while ((r = next_item(el, len, &cursor, &item, &item_len)) == 0) {
                r = fn(userdata, item, item_len);
                if (r < 0)
                        return r;
        }
        return r == -ENOENT ? 0 : r;
}

struct parse_state {
        const char *const *keys;
        size_t n_keys;
        lookup_found_fn found;
        void *userdata;
        struct instance_tags tags;
};

static int on_instance(void *userdata, const char *inst, size_t len) {
        struct parse_state *s = userdata;
        char id[LOOKUP_ID_MAX];
        int r;

        if (child_text(inst, len, "instanceId", id, sizeof(id)) < 0)
                return -EBADMSG;
        memset(&s->tags.found, 0, sizeof(s->tags.found));
        s->tags.has_name = false;
        r = read_tags(inst, len, s->keys, s->n_keys, &s->tags);
        if (r < 0)
                return -EBADMSG;
        return s->found(s->userdata, id, s->tags.has_name ? s->tags.name : NULL, s->tags.found);
}

static int on_reservation(void *userdata, const char *res, size_t len) {
        const char *set;
        size_t set_len;
        int r = child(res, len, "instancesSet", &set, &set_len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return -EBADMSG;
        return each_item(set, set_len, on_instance, userdata);
}

int lookup_ec2_parse(const char *xml, size_t len, const char *const *keys, size_t n_keys, lookup_found_fn found,
                     void *userdata) {
        const char *root, *set;
        size_t root_len, set_len;
        struct parse_state *s;
        int r;

        if (!xml || !found || n_keys > LOOKUP_TAGS_MAX || (n_keys && !keys))
                return -EINVAL;
        r = xml_find_element(xml, len, "DescribeInstancesResponse", &root, &root_len);
        if (r < 0)
                return r == -EINVAL ? r : -EBADMSG;
        r = child(root, root_len, "reservationSet", &set, &set_len);
        if (r < 0)
                return -EBADMSG;
        /* about 11 KiB of tag buffers: off the stack */
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        *s = (struct parse_state){ .keys = keys, .n_keys = n_keys, .found = found, .userdata = userdata };
        r = each_item(set, set_len, on_reservation, s);
        free(s);
        return r;
}
