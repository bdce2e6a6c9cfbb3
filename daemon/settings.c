#include "settings.h"

#include <errno.h>
#include <stdlib.h>

#include "tz.h"

int settings_from_config(const struct config *cfg, struct settings *ret) {
        struct render_account *accounts = NULL;
        int r;

        /* resolved here, at load and reload, not at the first message */
        r = tz_select(cfg->timezone);
        if (r < 0)
                return r;

        if (cfg->n_accounts) {
                accounts = calloc(cfg->n_accounts, sizeof(*accounts));
                if (!accounts)
                        return -ENOMEM;
                for (size_t i = 0; i < cfg->n_accounts; i++)
                        accounts[i] = (struct render_account){ cfg->accounts[i].id, cfg->accounts[i].name };
        }
        *ret = (struct settings){
                .relay = {
                        .queue_url = cfg->queue_url,
                        .wait_time_seconds = cfg->wait_time_seconds,
                        .max_messages = cfg->max_messages,
                        .visibility_timeout = cfg->visibility_timeout,
                        .max_receive_count = cfg->max_receive_count,
                        .topic_arn = cfg->topic_arn,
                        .events = cfg->events,
                        .n_events = cfg->n_events,
                        .timezone = cfg->timezone,
                        .unrecognized_keep = cfg->unrecognized == CONFIG_UNRECOGNIZED_KEEP,
                        .rules = cfg->rules,
                        .n_rules = cfg->n_rules,
                        .burst_limit = (unsigned)cfg->burst_limit,
                        .burst_window = (unsigned)cfg->burst_window,
                        .lanes = RELAY_LANES,
                        .render = {
                                .format = cfg->format,
                                .language = cfg->language,
                                .subject_template = cfg->subject,
                                .accounts = accounts,
                                .n_accounts = cfg->n_accounts,
                                .timezone = cfg->timezone,
                        },
                },
                .accounts = accounts,
        };
        return 0;
}

void settings_clear(struct settings *s) {
        if (!s)
                return;
        free(s->accounts);
        *s = (struct settings){ 0 };
}
