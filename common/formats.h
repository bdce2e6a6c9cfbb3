/* formats: the notification formats and languages and their names, defined
 * once for the config file, --render's flags and the renderer. */
#pragma once

enum render_format {
        RENDER_TEXT,
        RENDER_JSON,
        RENDER_CHATBOT,
        RENDER_MULTI,
};

enum render_language {
        RENDER_JA,
        RENDER_EN,
};

/* Indexed by the enum; NULL-terminated. */
extern const char *const render_format_names[];
extern const char *const render_language_names[];

/* 0, or -EINVAL for a name other than text|json|chatbot|multi / ja|en. */
int render_format_parse(const char *name, enum render_format *ret);
int render_language_parse(const char *name, enum render_language *ret);
