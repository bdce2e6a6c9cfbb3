/* --render: one SQS message body in, what would be published out.
 *
 * The body comes from a file or stdin; the output is "Subject: …", a blank
 * line and the message, or for --format json the DESIGN.md object (with the
 * rule that matched, from -c). Exit codes (cli.h): 0 printed, 1 filtered out
 * or ignored by a rule, 2 bad option value, 65 not JSON or not an event, 66
 * input unreadable, 74 output unwritable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "commands.h"
#include "config_cli.h"
#include "localtime.h"
#include "settings.h"
#include "event.h"
#include "render.h"
#include "rules.h"
#include "textsafe.h"
#include "tz.h"


/* Untrusted values quoted in a diagnostic stay short and on one line. */
#define DIAG_VALUE_MAX 128

/* The command line over base (the [notify] section with -c, else the
 * defaults) → render options. 0, or -EINVAL with the reason in err. */
static int render_options_from_cli(const struct cli_options *opt, const struct render_options *base,
                                   struct render_options *ret, char *err, size_t err_size) {
        struct render_options o = *base;
        if (opt->timezone)
                o.timezone = opt->timezone;

        if (opt->format && render_format_parse(opt->format, &o.format) < 0) {
                snprintf(err, err_size, "--format: '%.64s' is not one of text, json, chatbot, multi", opt->format);
                return -EINVAL;
        }
        if (opt->language && render_language_parse(opt->language, &o.language) < 0) {
                snprintf(err, err_size, "--language: '%.64s' is not one of ja, en", opt->language);
                return -EINVAL;
        }
        if (tz_check(o.timezone) < 0) {
                snprintf(err, err_size, "--timezone: '%.64s' is not a time zone of the tz database "
                         "(e.g. Asia/Tokyo, UTC)", o.timezone);
                return -EINVAL;
        }
        *ret = o;
        return 0;
}

/* Reads all of f into out (capped at EVENT_BODY_MAX): 0, -E2BIG, or the
 * read's negative errno (-EIO when it left none). */
static int read_all(FILE *f, struct buf *out) {
        char chunk[64 * 1024];
        size_t n;
        int r;

        errno = 0;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                if ((r = buf_append(out, chunk, n)) < 0)
                        return r;
        return ferror(f) ? (errno ? -errno : -EIO) : 0;
}

/* fopen() opens a directory for reading; only the read fails. */
static int read_input(const char *path, struct buf *out) {
        FILE *f = stdin;
        struct stat st;
        int r;

        if (path && strcmp(path, "-") != 0) {
                f = fopen(path, "rbe");
                if (!f)
                        return -errno;
                if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
                        fclose(f);
                        return -EISDIR;
                }
        }
        r = read_all(f, out);
        if (f != stdin)
                fclose(f);
        return r;
}

static void print_not_notifiable(const struct ssm_event *ev) {
        struct buf source, name;

        buf_init(&source, TEXTSAFE_ESCAPED_MAX(DIAG_VALUE_MAX));
        buf_init(&name, TEXTSAFE_ESCAPED_MAX(DIAG_VALUE_MAX));
        textsafe_escape(&source, ev->event_source ? ev->event_source : "(none)", DIAG_VALUE_MAX, TEXTSAFE_TEXT);
        textsafe_escape(&name, ev->event_name, DIAG_VALUE_MAX, TEXTSAFE_TEXT);
        if (!ev->event_source || strcmp(ev->event_source, "ssm.amazonaws.com") != 0)
                fprintf(stderr, "ssm-notifyd: not notified: eventSource %s is not ssm.amazonaws.com\n",
                        buf_str(&source));
        else
                fprintf(stderr, "ssm-notifyd: not notified: eventName %s is not one of the notified events\n",
                        buf_str(&name));
        buf_free(&source);
        buf_free(&name);
}

static int print_rendered(const struct ssm_event *ev, const struct render_local_time *lt,
                          const struct render_options *o) {
        struct rendered rd = {};
        char *json = NULL;
        int r;

        if (o->format == RENDER_JSON) {
                r = render_json_object(ev, lt, o, true, &json);
                if (r >= 0)
                        printf("%s\n", json);
        } else {
                r = render_event(ev, lt, o, &rd);
                if (r >= 0) {
                        size_t n = strlen(rd.message);
                        printf("Subject: %s\n\n%s%s", rd.subject, rd.message,
                               n && rd.message[n - 1] == '\n' ? "" : "\n");
                }
        }
        free(json);
        rendered_free(&rd);
        if (r < 0) {
                fprintf(stderr, "ssm-notifyd: cannot render the event: %s\n", strerror(-r));
                return EXIT_DATAERR;
        }
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "ssm-notifyd: cannot write the output: %s\n", strerror(errno));
                return EXIT_IOERR;
        }
        return 0;
}

int cmd_render(const struct cli_options *opt) {
        struct render_options o, base = {
                .format = RENDER_TEXT,
                .language = RENDER_JA,
                .timezone = TZ_DEFAULT,
        };
        struct render_local_time lt;
        struct ssm_event *ev = NULL;
        struct config *cfg = NULL;
        struct settings settings = { 0 };
        struct buf body = { 0 };
        char err[256];
        int r, code;

        if (opt->config_path) {
                r = config_load_for_cli(opt->config_path, CONFIG_NEED_RENDER, &cfg);
                if (r < 0)
                        return r == -ENOMEM ? EXIT_FAILURE : EXIT_CONFIG;
                if (settings_from_config(cfg, &settings) < 0) {
                        code = EXIT_FAILURE;
                        goto out;
                }
                base = settings.relay.render;
        }
        if (render_options_from_cli(opt, &base, &o, err, sizeof(err)) < 0) {
                fprintf(stderr, "ssm-notifyd: %s\n", err);
                code = EXIT_USAGE;
                goto out;
        }
        buf_init(&body, EVENT_BODY_MAX);
        r = read_input(opt->input, &body);
        if (r == -E2BIG) {
                fprintf(stderr, "ssm-notifyd: input is larger than an SQS message (%d bytes)\n", EVENT_BODY_MAX);
                code = EXIT_DATAERR;
                goto out;
        }
        if (r == -EISDIR) {
                fprintf(stderr, "ssm-notifyd: cannot read %s: it is a directory (--render reads one file)\n",
                        opt->input);
                code = EXIT_NOINPUT;
                goto out;
        }
        if (r < 0) {
                fprintf(stderr, "ssm-notifyd: cannot read %s: %s\n", opt->input ? opt->input : "stdin",
                        strerror(-r));
                code = EXIT_NOINPUT;
                goto out;
        }
        r = event_parse(body.data ? body.data : "", body.len, &ev);
        if (r == -EBADMSG || r == -ENOMSG) {
                fprintf(stderr, "ssm-notifyd: %s\n",
                        r == -ENOMSG ? "input is JSON but not a CloudTrail event (EventBridge, bare or in SNS)"
                                     : "input is not JSON");
                code = EXIT_DATAERR;
                goto out;
        }
        if (r < 0) {
                fprintf(stderr, "ssm-notifyd: cannot parse the input: %s\n", strerror(-r));
                code = EXIT_DATAERR;
                goto out;
        }
        if (!event_is_notifiable(ev, settings.relay.events, settings.relay.n_events)) {
                print_not_notifiable(ev);
                code = EXIT_NOT_NOTIFIABLE;
                goto out;
        }
        int rule = cfg ? rules_first_match(cfg->rules, cfg->n_rules, ev, &o) : -1;
        if (rule >= 0 && cfg->rules[rule].action == CONFIG_RULE_IGNORE) {
                fprintf(stderr, "ssm-notifyd: not notified: ignored by rule %s (line %u)\n", cfg->rules[rule].name,
                        cfg->rules[rule].line);
                code = EXIT_NOT_NOTIFIABLE;
                goto out;
        }
        o.rule = rule >= 0 ? cfg->rules[rule].name : NULL;
        event_local_time(ev, o.timezone, &lt);
        code = print_rendered(ev, &lt, &o);
out:
        event_free(ev);
        buf_free(&body);
        settings_clear(&settings);
        config_free(cfg);
        return code;
}
