/* The daemon: the relay loop under systemd, and --once.
 *
 * Signal handlers only set flags (STYLE.md, habit 7). The loop is never busy:
 * when idle its only activity is the SQS long poll; when AWS fails it backs
 * off with full jitter. The watchdog is pinged from the HTTP progress hook,
 * so it keeps beating during a long poll and during backoff sleeps.
 * The relay is pipelined (relay.h): the next batch's long poll and the
 * previous batch's delete are in flight while a batch is published, and
 * while the queue has a backlog two batches are (RELAY_LANES); before a long
 * poll waits, the publishes in flight end (relay_catch_up).
 * SIGTERM/SIGINT: stop receiving (an in-flight long poll is abandoned, it has
 * nothing in hand yet; one already answered is handled), finish the batches
 * in hand and their deletes, send the digests of held messages (relay_flush), exit
 * 0. SIGHUP: reload the configuration (held messages' digests go out first),
 * keep the old one when the new one is invalid. The long poll ends by the
 * next digest's time (relay_receive_start), and by the session tracker's
 * next check (sessions.h), which runs between receives. After a publish
 * failure the receive already in flight is still taken and handled; no new
 * one starts until the backoff is over. */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "aws_setup.h"
#include "backoff.h"
#include "commands.h"
#include "config.h"
#include "config_cli.h"
#include "http.h"
#include "log.h"
#include "macro.h"
#include "notify.h"
#include "relay.h"
#include "relay_aws.h"
#include "session_file.h"
#include "sessions.h"
#include "settings.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void on_stop(int sig) {
        (void)sig;
        stop_requested = 1;
}

static void on_reload(int sig) {
        (void)sig;
        reload_requested = 1;
}

struct daemon {
        struct config *cfg;
        struct settings settings; /* borrows cfg */
        struct aws_setup aws;
        struct relay *relay;
        struct sessions *sessions; /* NULL until [sessions] track = on */
        uint64_t watchdog_usec; /* ping interval; 0 when systemd does not watch */
        uint64_t last_ping_usec;
        uint64_t receive_usec; /* when the receive in flight started */
        /* from the start of the last batch's receive to the end of its
         * handling: an upper bound of its time in hand; UINT64_MAX before
         * the first */
        uint64_t in_hand_usec;
        bool in_long_poll;
        bool in_check; /* a session check (sessions.h), which a stop or reload may cut short */
        bool notify_warned; /* a dropped notification was logged */
};

/* The relay's clock for burst windows: seconds that never jump. */
static int64_t now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* A notification the service manager did not take is logged once: the loop
 * goes on either way, and a manager that stopped reading will act on the
 * missing watchdog pings itself. */
static void notified(struct daemon *d, int r, const char *what) {
        if (r < 0 && !d->notify_warned) {
                log_warning("could not send %s to NOTIFY_SOCKET (%s); going on without it", what,
                            r == -EAGAIN ? "its queue is full" : strerror(-r));
                d->notify_warned = true;
        }
}

static void watchdog_ping(struct daemon *d) {
        if (!d->watchdog_usec)
                return;
        uint64_t now = now_usec();
        if (now - d->last_ping_usec >= d->watchdog_usec) {
                notified(d, notify_send("WATCHDOG=1"), "WATCHDOG=1");
                d->last_ping_usec = now;
        }
}

/* Called by libcurl about once a second during every request. A stop or a
 * reload abandons only a long poll or a session check in progress: nothing
 * is in hand yet. */
static int on_progress(void *userdata) {
        struct daemon *d = userdata;
        watchdog_ping(d);
        return (stop_requested || reload_requested) && (d->in_long_poll || d->in_check);
}

/* A batch received early waits in hand while the one before is handled, its
 * visibility timeout running: the next receive starts early, and the
 * previous delete overlaps it, only when the last batch was in hand for at
 * most a quarter of that timeout, so that no message is handed to another
 * consumer, or to us again, before it is handled and deleted. Bursts: see
 * relay_pipelined(). */
static bool may_receive_early(const struct daemon *d) {
        return relay_pipelined(d->relay) &&
               d->in_hand_usec <= (uint64_t)d->settings.relay.visibility_timeout * 1000000u / 4;
}

/* Every receive starts after the session tracker's checks that are due,
 * and its long poll ends by the next one. A check sees the sessions after
 * the batches in flight ended, so that it does not tell of an end whose
 * TerminateSession is being published. ahead: see relay_receive_start(). */
static void receive_start(struct daemon *d, bool ahead) {
        if (d->sessions) {
                if (sessions_due_in(d->sessions, time(NULL)) == 0)
                        (void)relay_settle(d->relay); /* a failure is logged, and its message comes back */
                d->in_check = true;
                sessions_check(d->sessions, d->relay, time(NULL));
                d->in_check = false;
                long due = sessions_due_in(d->sessions, time(NULL));
                if (due >= 0)
                        relay_limit_wait(d->relay, (int)(due < INT_MAX ? due : INT_MAX));
        }
        d->receive_usec = now_usec();
        relay_receive_start(d->relay, now_seconds(), ahead);
}

static void sleep_ms(struct daemon *d, unsigned ms) {
        /* Wake at least as often as the watchdog wants to hear from us. */
        unsigned slice = d->watchdog_usec && d->watchdog_usec < 1000000u ? (unsigned)(d->watchdog_usec / 1000) : 1000;
        if (slice == 0)
                slice = 1;
        while (ms && !stop_requested && !reload_requested) {
                unsigned chunk = ms < slice ? ms : slice;
                struct timespec ts = { .tv_sec = chunk / 1000, .tv_nsec = (long)(chunk % 1000) * 1000000L };
                nanosleep(&ts, NULL); /* a signal cuts it short, which is what we want */
                ms -= chunk;
                watchdog_ping(d);
        }
}

static void daemon_close(struct daemon *d) {
        relay_free(d->relay);
        sessions_flush(d->sessions); /* the exit's digests, or the last batch's changes */
        sessions_free(d->sessions);
        d->sessions = NULL;
        aws_setup_close(&d->aws);
        settings_clear(&d->settings);
        config_free(d->cfg);
        d->relay = NULL;
        d->cfg = NULL;
}

/* The tracker's state is loaded once, when cfg first turns tracking on. */
static int sessions_load(struct daemon *d, const struct config *cfg) {
        char dir[PATH_MAX];
        if (cfg->sessions_track != CONFIG_ON || d->sessions)
                return 0;
        return sessions_new(session_file_dir(getenv("STATE_DIRECTORY"), dir, sizeof(dir)), time(NULL), &d->sessions);
}

/* The tracker follows [sessions] of the running configuration. */
static void sessions_apply(struct daemon *d) {
        const struct sessions_settings s = {
                .track = d->cfg->sessions_track == CONFIG_ON,
                .check_interval = d->cfg->check_interval,
                .long_session_alert = d->cfg->long_session_alert,
                .region = d->cfg->region,
        };
        if (d->sessions)
                sessions_configure(d->sessions, &s, d->aws.ssm, d->aws.enricher, time(NULL));
        relay_set_hooks(d->relay, s.track ? &sessions_relay_hooks : NULL, d->sessions);
}

/* Takes cfg and builds what it describes; on failure d is untouched (but for
 * the open sessions, once loaded: they are state, not configuration) and cfg
 * is still the caller's. The relay (and its memory of published events) and
 * the open sessions survive a reload. */
static int daemon_open(struct daemon *d, struct config *cfg) {
        struct aws_setup aws = { 0 };
        struct settings settings = { 0 };
        struct config *old_cfg;
        int r = settings_from_config(cfg, &settings);
        if (r < 0)
                goto out;
        r = aws_setup_open(cfg, on_progress, d, &aws);
        if (r < 0)
                goto out;
        r = sessions_load(d, cfg);
        if (r < 0)
                goto out;
        /* The relay reaches AWS through d->aws, which holds the new clients
         * once this function succeeds: a reload's digests of held messages
         * (relay_reconfigure) still go out through the old ones. */
        if (d->relay)
                r = relay_reconfigure(d->relay, &settings.relay);
        else
                r = relay_new(&settings.relay, &relay_aws_ops, &d->aws, &d->relay);
        if (r < 0)
                goto out;
        /* The new ones take the old ones' place; out: frees the old ones. */
        SWAP(d->aws, aws);
        SWAP(d->settings, settings);
        old_cfg = d->cfg;
        d->cfg = cfg;
        config_free(old_cfg);
        sessions_apply(d);
out:
        aws_setup_close(&aws);
        settings_clear(&settings);
        return r;
}

/* "; rules: NAME N, …" for the rules that decided something since the
 * last load, or "". Cut, not grown: STATUS= is a one-line summary. */
static void rule_counts(const struct daemon *d, const struct relay_stats *st, char *out, size_t size) {
        const char *sep = "; rules: ";
        size_t len = 0;

        out[0] = '\0';
        for (size_t i = 0; i < d->settings.relay.n_rules && len < size; i++) {
                if (!st->rule_hits[i])
                        continue;
                int n = snprintf(out + len, size - len, "%s%s %llu", sep, d->settings.relay.rules[i].name,
                                 (unsigned long long)st->rule_hits[i]);
                if (n < 0)
                        break;
                len += (size_t)n;
                sep = ", ";
        }
}

static void notify_status(struct daemon *d) {
        const struct relay_stats *st = relay_get_stats(d->relay);
        char rules[256];

        char bursts[64] = "";

        if (st->digests || st->held)
                snprintf(bursts, sizeof(bursts), "; digests %llu, held %llu", (unsigned long long)st->digests,
                         (unsigned long long)st->held);
        rule_counts(d, st, rules, sizeof(rules));
        int r = notify_statusf("published %llu, filtered %llu, failed %llu, unrecognized %llu%s%s%s%s",
                   (unsigned long long)st->published, (unsigned long long)st->filtered,
                   (unsigned long long)st->failed, (unsigned long long)st->unrecognized, bursts, rules,
                   st->last_error[0] ? "; last error: " : "", st->last_error);
        notified(d, r, "STATUS");
}

/* Each error is its own entry; the caller says what follows from them. */
static struct config *load_config(const struct cli_options *opt) {
        struct config *cfg = NULL;
        return config_load_logged(opt->config_path, CONFIG_NEED_ALL, &cfg) < 0 ? NULL : cfg;
}

static void reload(struct daemon *d, const struct cli_options *opt) {
        notified(d, notify_sendf("RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)now_usec()), "RELOADING=1");
        struct config *cfg = load_config(opt);
        if (!cfg) {
                log_fields(LOG_ERR, LOG_MSGID_CONFIG_ERROR, NULL, 0,
                           "reload: the new configuration is invalid; keeping the running one");
        } else {
                int r = daemon_open(d, cfg);
                if (r < 0) {
                        config_free(cfg);
                        log_err("reload: could not apply the new configuration (%s); keeping the running one",
                                strerror(-r));
                } else {
                        log_set_max_level(d->cfg->log_level);
                        log_notice("configuration reloaded from %s", d->cfg->path);
                }
        }
        notified(d, notify_send("READY=1"), "READY=1");
}

/* Waits until credentials can be had, so READY=1 means the relay can work.
 * Returns false when asked to stop first (or, with once, after one try). */
static bool await_credentials(struct daemon *d, bool once) {
        struct backoff b;
        struct aws_error err;
        const struct aws_credentials *cred;

        backoff_init(&b, BACKOFF_RETRY_BASE_MS, BACKOFF_RETRY_CAP_MS);
        while (!stop_requested) {
                if (credentials_get(d->aws.credentials, time(NULL), &cred, &err) == 0) {
                        log_info("using credentials from the %s", credentials_source(d->aws.credentials));
                        return true;
                }
                log_err("no AWS credentials yet: %s", err.message);
                if (once)
                        return false;
                uint32_t rnd = 0;
                (void)!getrandom(&rnd, sizeof(rnd), 0);
                sleep_ms(d, backoff_next_ms(&b, rnd));
        }
        return false;
}

int cmd_run(const struct cli_options *opt) {
        const bool once = opt->mode == CLI_ONCE;
        struct daemon d = { 0 };
        struct backoff b;
        int exit_code = 0;

        struct config *cfg = load_config(opt);
        if (!cfg) {
                /* exit 78: the unit's RestartPreventExitStatus= keeps systemd from retrying a file
                 * that fails the same way every time */
                log_fields(LOG_ERR, LOG_MSGID_CONFIG_ERROR, NULL, 0,
                           "not started: the configuration has errors (each logged above); correct them, "
                           "check with 'ssm-notifyd --check-config', then start the service again");
                return EXIT_CONFIG;
        }
        log_set_max_level(cfg->log_level);
        if (http_global_init() < 0) {
                config_free(cfg);
                log_err("libcurl could not be initialised");
                return EXIT_FAILURE;
        }

        struct sigaction sa = { .sa_handler = on_stop };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sa.sa_handler = on_reload;
        sigaction(SIGHUP, &sa, NULL);

        if (sd_watchdog_enabled(0, &d.watchdog_usec) > 0)
                d.watchdog_usec /= 2;
        else
                d.watchdog_usec = 0;
        int r = daemon_open(&d, cfg);
        if (r < 0) {
                config_free(cfg);
                log_err("could not start: %s", strerror(-r));
                exit_code = EXIT_FAILURE;
                goto out;
        }
        if (!await_credentials(&d, once)) {
                exit_code = once ? EXIT_UNAVAILABLE : EXIT_SUCCESS;
                goto out;
        }
        const struct log_field started[] = { { "SQS_QUEUE_URL", d.cfg->queue_url },
                                             { "SNS_TOPIC_ARN", d.cfg->topic_arn } };
        log_fields(LOG_INFO, LOG_MSGID_STARTED, started, ELEMENTSOF(started), "ssm-notifyd %s relaying %s to %s", SSMN_VERSION,
                   d.cfg->queue_url, d.cfg->topic_arn);
        notified(&d, notify_send("READY=1"), "READY=1");
        notify_status(&d);

        backoff_init(&b, BACKOFF_RETRY_BASE_MS, BACKOFF_RETRY_CAP_MS);
        d.in_hand_usec = UINT64_MAX;
        for (bool healthy = true;;) {
                struct sqs_batch batch = { 0 };
                bool failed = false, received = false;
                if (!relay_receiving(d.relay)) {
                        if (stop_requested)
                                break;
                        if (reload_requested) {
                                reload_requested = 0;
                                /* the calls in flight use the clients a reload replaces */
                                failed = relay_settle(d.relay) != RELAY_OK;
                                reload(&d, opt);
                        }
                        /* Slow batches: their publish and delete first, as a serial
                         * loop has it, so a message whose visibility ran out while it
                         * was handled is deleted before a receive could get it again. */
                        if (!may_receive_early(&d) && relay_settle(d.relay) != RELAY_OK)
                                failed = true;
                        if (!failed)
                                receive_start(&d, may_receive_early(&d));
                }
                if (!failed) {
                        /* nothing waits in hand for a long poll */
                        failed = relay_catch_up(d.relay) != RELAY_OK;
                        /* the state file before the wait: once per cycle, not per change */
                        sessions_flush_paced(d.sessions, relay_backlog(d.relay), now_usec());
                        /* After a stop or reload this takes a receive whose answer is
                         * already in, and abandons one still waiting. */
                        d.in_long_poll = true;
                        r = relay_receive_finish(d.relay, &batch);
                        d.in_long_poll = false;
                        if (r == -ECANCELED)
                                continue; /* stop or reload asked during the long poll */
                        received = r == 0;
                }
                if (received) {
                        /* The pipeline: the next long poll is in flight while this
                         * batch is published, and this batch's delete while the
                         * next one is. Not after a failure: backoff stops receives. */
                        uint64_t since = d.receive_usec;
                        const bool idle = batch.n == 0; /* relay_handle takes the batch */
                        if (!once && healthy && !failed && !stop_requested && !reload_requested &&
                            may_receive_early(&d))
                                receive_start(&d, true);
                        if (relay_handle(d.relay, &batch, now_seconds()) != RELAY_OK)
                                failed = true;
                        /* --once: its exit code tells of this batch's publish */
                        if (once && relay_settle(d.relay) != RELAY_OK)
                                failed = true;
                        d.in_hand_usec = now_usec() - since;
                        /* The queue is idle: the heap a busy spell grew and freed goes
                         * back to the system, which glibc would keep for the next one. */
                        if (idle)
                                malloc_trim(0);
                }
                if (relay_tick(d.relay, now_seconds()) != RELAY_OK)
                        failed = true;
                healthy = received && !failed;
                watchdog_ping(&d);
                notify_status(&d);
                if (once) {
                        if (!healthy)
                                exit_code = EXIT_UNAVAILABLE;
                        break;
                }
                if (healthy) {
                        backoff_reset(&b);
                        continue;
                }
                /* A receive started before this batch failed is taken and
                 * handled first (abandoning it could strand messages SQS already
                 * handed out); the backoff follows with nothing in flight. */
                if (relay_receiving(d.relay))
                        continue;
                relay_settle(d.relay);
                sessions_flush(d.sessions);
                uint32_t rnd = 0;
                (void)!getrandom(&rnd, sizeof(rnd), 0);
                unsigned delay = backoff_next_ms(&b, rnd);
                log_info("backing off for %u ms", delay);
                sleep_ms(&d, delay);
        }
        /* what is in hand is finished: the last delete too */
        relay_settle(d.relay);
        if (stop_requested)
                notified(&d, notify_send("STOPPING=1"), "STOPPING=1");
        /* held messages: their digests now, or (when that fails) they stay in the queue */
        relay_flush(d.relay);
        char rules[256];
        rule_counts(&d, relay_get_stats(d.relay), rules, sizeof(rules));
        log_fields(LOG_INFO, LOG_MSGID_STOPPED, NULL, 0, "ssm-notifyd stopped%s", rules);
out:
        daemon_close(&d);
        http_global_cleanup();
        return exit_code;
}
