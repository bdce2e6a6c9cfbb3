#include "formats.h"

#include <errno.h>
#include <string.h>

const char *const render_format_names[] = {
        [RENDER_TEXT] = "text", [RENDER_JSON] = "json", [RENDER_CHATBOT] = "chatbot", [RENDER_MULTI] = "multi",
        NULL,
};
const char *const render_language_names[] = { [RENDER_JA] = "ja", [RENDER_EN] = "en", NULL };

static int name_index(const char *const *names, const char *name) {
        for (int i = 0; names[i]; i++)
                if (strcmp(name, names[i]) == 0)
                        return i;
        return -EINVAL;
}

int render_format_parse(const char *name, enum render_format *ret) {
        int i = name_index(render_format_names, name);
        if (i < 0)
                return i;
        *ret = (enum render_format)i;
        return 0;
}

int render_language_parse(const char *name, enum render_language *ret) {
        int i = name_index(render_language_names, name);
        if (i < 0)
                return i;
        *ret = (enum render_language)i;
        return 0;
}
