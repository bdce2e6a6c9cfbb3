/* enrich: the look-ups that name a notification's target, in the event's
 * own account and region (DESIGN.md, "Knowing the target and the session").
 *
 * For a batch of events: every i-… and mi-… target not in the cache is
 * looked up, one DescribeInstances / DescribeInstanceInformation per account,
 * region and service, each call bounded by ENRICH_CALL_TIMEOUT_MS, then the
 * events get target_name and target_tags from the cache. An event of
 * another account than the queue's is looked up with credentials from
 * sts:AssumeRole of [enrich] role_arn (cached until ENRICH_ASSUME_AHEAD
 * seconds before they expire); with no role_arn it is not looked up. A round
 * stops starting calls after ENRICH_ROUND_MAX_MS. A
 * failure leaves the event as it was: the notification goes out without
 * the name. Each kind of failure is logged once until that kind of look-up
 * works again, never per message. */
#pragma once

#include <stddef.h>
#include <time.h>

#include "aws_client.h"
#include "config.h"
#include "credentials.h"

struct ssm_event;

/* DESIGN.md: each look-up bounded (2 s). */
#define ENRICH_CALL_TIMEOUT_MS 2000
/* A receive of ten events from ten accounts could otherwise wait 2 s per
 * AssumeRole and per look-up; once a round has taken this long, the groups
 * not yet asked go unnamed this time (and are asked at the next receive). */
#define ENRICH_ROUND_MAX_MS 5000
/* DESIGN.md: assumed credentials are cached until 5 min before expiry. */
#define ENRICH_ASSUME_AHEAD (5 * 60)

struct enricher;

/* cfg, credentials (the daemon's own) and multi are borrowed and must
 * outlive the enricher; progress/userdata as in http.h (may be NULL). Every
 * client of the enricher is on multi, the daemon's: libcurl keeps one CA
 * store per multi handle, about 0.9 MiB once an HTTPS connection loaded the
 * system bundle, so a multi of their own would cost that per client. */
int enricher_new(const struct config *cfg, struct credentials *credentials, struct http_multi *multi,
                 int (*progress)(void *), void *userdata, struct enricher **ret);
void enricher_free(struct enricher *e);

/* Names the targets of evs[0..n) as far as the look-ups allow. */
void enricher_run(struct enricher *e, struct ssm_event *const *evs, size_t n, time_t now);

/* The client of svc in account and region, for other modules' calls there
 * (the session tracker's DescribeSessions): the daemon's own credentials in
 * its own account, else AssumeRole's, cached as the look-ups' are; borrowed
 * until the next enricher call. 0; -EPERM: another account and role_arn is
 * empty; -EIO: AssumeRole failed (logged once, as for the look-ups);
 * -EINVAL: not a well-formed account or region; -ENOMEM. */
int enricher_client(struct enricher *e, const struct aws_service *svc, const char *account, const char *region,
                    time_t now, struct aws_client **ret);

/* The account the daemon's own credentials are used in: the queue's (its
 * URL's ACCOUNT). ret holds 13 bytes. 0 or -EINVAL. */
int enrich_own_account(const char *queue_url, char *ret);
