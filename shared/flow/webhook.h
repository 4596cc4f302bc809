/*
 * Webhook deliveries of jobs (issue 25): the job's status POSTed to the
 * webhook_url its payer named, by the Standard Webhooks rules
 * (http/webhook_sig.h: webhook-id, webhook-timestamp, webhook-signature
 * v1 with the job's own "whsec_" secret), durably queued in the ledger
 * (ledger/ledger_webhook.h) and retried with backoff for a bounded time.
 *
 * Who calls what:
 *   - the request flow, before the 402: webhook_check_url() on a
 *     DEF_WEBHOOK input (flow_paid.c's REFUSABLE step);
 *   - the job core, at submit: webhook_sig_secret_new() for the job's
 *     secret (handed to the payer in the 202, stored with the job);
 *   - the job core, at each change of a job's status:
 *     webhook_enqueue() with the status body (idempotent per job and
 *     event, a quick insert: never waits for the receiver);
 *   - a runner thread, in its loop: webhook_pump(), which takes due
 *     deliveries by lease and sends them (any process or host may run
 *     it; a host that dies mid-send leaves the delivery to the next after
 *     the lease).  Never on the settlement path: a slow receiver delays
 *     only the pump.
 *
 * An attempt is an HTTP POST of the body as application/json, to the
 * address the input-URL guard resolved and checked at that moment
 * (media/urlguard.h: pinned, no proxy, no redirect followed), within
 * timeout_ms.  2xx: delivered (the secret is erased from the row).  410
 * Gone: abandoned, no further attempt.  Anything else (another status, a
 * 3xx, a refused address, no answer): retried after
 * webhook_backoff_ms(attempts), or the receiver's Retry-After when that
 * is later, never after the row's give-up time (created + retry_ms): the
 * last attempt is made at that time, then the delivery is abandoned.
 * Each outcome is recorded on the row (status, error, time).
 *
 * Nothing here logs; no error or recorded outcome carries the secret, a
 * signature or a header value.
 */
#ifndef SF_WEBHOOK_H
#define SF_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

struct cfg;
struct ledger;
struct sf_err;

#define WEBHOOK_FIELD			"webhook_url"
#define WEBHOOK_RETRY_HOURS_DEFAULT	24	/* WEBHOOK_RETRY_HOURS */
#define WEBHOOK_TIMEOUT_MS_DEFAULT	10000	/* WEBHOOK_TIMEOUT_MS */
#define WEBHOOK_BACKOFF_MS_DEFAULT	5000	/* WEBHOOK_BACKOFF_MS */
#define WEBHOOK_KEEP_DAYS_DEFAULT	30	/* WEBHOOK_KEEP_DAYS */
/* How often a process deletes the deliveries kept long enough. */
#define WEBHOOK_PRUNE_EVERY_MS		(3600LL * 1000)
/* Longest wait between two attempts (the backoff stops growing). */
#define WEBHOOK_BACKOFF_CAP_MS		(6LL * 3600 * 1000)
/* A sender's lease beyond its timeout: time to record the outcome. */
#define WEBHOOK_LEASE_MARGIN_MS		30000
/* Largest answer read from a receiver (its body is not used). */
#define WEBHOOK_ANSWER_MAX		(1024 * 1024)
/* Most deliveries one webhook_pump() call takes. */
#define WEBHOOK_PUMP_MAX		100

struct webhook_config {
	const struct cfg	*cfg;		/* URL_ALLOW, for the guard */
	int64_t			 retry_ms;	/* attempts stop after created +
						   this (WEBHOOK_RETRY_HOURS) */
	long			 timeout_ms;	/* one attempt, connect to
						   answer (WEBHOOK_TIMEOUT_MS) */
	int64_t			 backoff_ms;	/* the wait after a first failed
						   attempt (WEBHOOK_BACKOFF_MS) */
	int64_t			 keep_ms;	/* a delivery that is over is
						   deleted this long after its
						   last outcome
						   (WEBHOOK_KEEP_DAYS) */
};

/*
 * The keys read here, checked at start-up (serve_check_keys):
 * WEBHOOK_RETRY_HOURS 1..168, WEBHOOK_TIMEOUT_MS 100..60000,
 * WEBHOOK_BACKOFF_MS 10..3600000, WEBHOOK_KEEP_DAYS 1..3650.  0, or -1
 * with err naming the key.
 */
int	webhook_check_cfg(const struct cfg *, struct sf_err *);
/* wc from cfg (defaults for keys not set).  0, or -1 as webhook_check_cfg. */
int	webhook_config_init(struct webhook_config *wc, const struct cfg *,
	    struct sf_err *);

/*
 * A webhook_url given with a request, before the 402: an http(s) URL
 * (https only when cfg takes payments on a mainnet: the job's status and
 * its signature would otherwise cross the network in clear), whose host
 * resolves to public addresses only (urlguard_check; URL_ALLOW lists
 * exceptions).  field names the input in errors.  0, or -1 with a 400
 * url_refused naming field (500 on out of memory).
 */
int	webhook_check_url(const struct cfg *, const char *url,
	    const char *field, struct sf_err *);

/*
 * Queue the delivery of one event of a job: job (its id, 1..128
 * characters), event (what changed, 1..64 of [a-z0-9._-], e.g. the new
 * status "running", "succeeded"), url (the job's webhook_url, checked at
 * submit), secret (the job's "whsec_" secret), body[0..len) (the status
 * body, JSON, 1 byte..1 MiB).  A fresh webhook-id is made for the event
 * and kept for every retry.  Due at once; attempts until now +
 * wc->retry_ms.  Idempotent: the same (job, event) queued again is left
 * as it is (LEDGER_EXISTING), so a state change recorded twice (after a
 * crash) is delivered once.  LEDGER_NEW, LEDGER_EXISTING, or -1 with err
 * (500 for a malformed argument, the ledger's 503 when it is down).
 */
int	webhook_enqueue(struct ledger *, const struct webhook_config *wc,
	    const char *job, const char *event, const char *url,
	    const char *secret, const void *body, size_t len,
	    struct sf_err *);

/*
 * Delete the deliveries that are over (delivered or abandoned) and whose
 * last outcome is older than wc->keep_ms at now_ms (ms since the epoch);
 * pending ones stay.  Run by every process's webhook sender once every
 * WEBHOOK_PRUNE_EVERY_MS (flow_runner.c).  The rows deleted, or -1 with
 * err (the ledger's).
 */
int	webhook_prune(struct ledger *, const struct webhook_config *wc,
	    int64_t now_ms, struct sf_err *);

/* What one webhook_pump() did. */
struct webhook_pump_stats {
	unsigned	 taken;		/* attempts made */
	unsigned	 delivered;	/* answered 2xx */
	unsigned	 retrying;	/* failed, due again later */
	unsigned	 abandoned;	/* 410, or the retry time ran out */
	unsigned	 lost;		/* outcome not recorded: the lease ran
					   out and another sender took over */
	int64_t		 next_ms;	/* earliest pending delivery (ms since
					   the epoch), 0 = none pending */
};

/*
 * Send the deliveries due now, one after another, oldest due first: at
 * most max (1..WEBHOOK_PUMP_MAX), and no new one once budget_ms (> 0) has
 * passed since the call began (an attempt under way ends within
 * wc->timeout_ms).  Each is taken by lease (its attempt counted) so no
 * other sender has it meanwhile.  st (may be NULL) gets what was done
 * and when the next delivery is due, so a runner may sleep until then.
 * 0, or -1 with err when the ledger failed (deliveries already made are
 * recorded; the rest stay due).  Thread-safe: several pumps in threads,
 * processes and hosts share the queue.
 */
int	webhook_pump(struct ledger *, const struct webhook_config *wc,
	    unsigned max, int64_t budget_ms, struct webhook_pump_stats *st,
	    struct sf_err *);

/*
 * The wait after the attempts-th failed attempt (attempts >= 1):
 * wc->backoff_ms * 4^(attempts - 1), at most WEBHOOK_BACKOFF_CAP_MS.  With
 * the defaults: 5 s, 20 s, 80 s, 5 min 20 s, 21 min, 85 min, 5.7 h, then
 * every 6 h: 10 attempts in the first day.
 */
int64_t	webhook_backoff_ms(const struct webhook_config *wc, int attempts);
/*
 * When the attempt after a failed one (attempts-th, at now_ms, the
 * receiver's Retry-After in retry_after_ms, -1 none) is due: now_ms +
 * max(backoff, Retry-After), but never after give_up_ms; -1 when now_ms
 * is at or past give_up_ms (abandon).
 */
int64_t	webhook_next_ms(const struct webhook_config *wc, int attempts,
	    int64_t now_ms, int64_t retry_after_ms, int64_t give_up_ms);

#endif
