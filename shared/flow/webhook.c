/*
 * Webhook deliveries (webhook.h): the URL check before the 402, the
 * queue's enqueue, the pump that sends due deliveries, the backoff.
 */
#include <sys/random.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/now.h"
#include "basics/retry_after.h"
#include "flow/webhook.h"
#include "http/http.h"
#include "http/webhook_sig.h"
#include "ledger/ledger.h"
#include "ledger/ledger_webhook.h"
#include "media/urlguard.h"

/* ---- configuration ------------------------------------------------------ */

int
webhook_check_cfg(const struct cfg *c, struct sf_err *err)
{
	if (cfg_check_uint(c, "WEBHOOK_RETRY_HOURS", 1, 168, err) == -1 ||
	    cfg_check_uint(c, "WEBHOOK_TIMEOUT_MS", 100, 60000, err) == -1 ||
	    cfg_check_uint(c, "WEBHOOK_BACKOFF_MS", 10, 3600000, err) == -1 ||
	    cfg_check_uint(c, "WEBHOOK_KEEP_DAYS", 1, 3650, err) == -1)
		return -1;
	return 0;
}

/* A value webhook_check_cfg passed, or def when it is not set. */
static long long
webhook_num(const char *v, long long def)
{
	return v != NULL && *v != '\0' ? strtoll(v, NULL, 10) : def;
}

int
webhook_config_init(struct webhook_config *wc, const struct cfg *c,
    struct sf_err *err)
{
	memset(wc, 0, sizeof(*wc));
	if (webhook_check_cfg(c, err) == -1)
		return -1;
	wc->cfg = c;
	wc->retry_ms = webhook_num(cfg_get(c, "WEBHOOK_RETRY_HOURS"),
	    WEBHOOK_RETRY_HOURS_DEFAULT) * 3600 * 1000;
	wc->timeout_ms = (long)webhook_num(cfg_get(c, "WEBHOOK_TIMEOUT_MS"),
	    WEBHOOK_TIMEOUT_MS_DEFAULT);
	wc->backoff_ms = webhook_num(cfg_get(c, "WEBHOOK_BACKOFF_MS"),
	    WEBHOOK_BACKOFF_MS_DEFAULT);
	wc->keep_ms = webhook_num(cfg_get(c, "WEBHOOK_KEEP_DAYS"),
	    WEBHOOK_KEEP_DAYS_DEFAULT) * 86400 * 1000;
	return 0;
}

int
webhook_prune(struct ledger *l, const struct webhook_config *wc,
    int64_t now_ms, struct sf_err *err)
{
	return ledger_webhook_prune(l, now_ms - wc->keep_ms, err);
}

/* ---- before the 402 ----------------------------------------------------- */

int
webhook_check_url(const struct cfg *c, const char *url, const char *field,
    struct sf_err *err)
{
	const char	*f = field != NULL ? field : WEBHOOK_FIELD;
	char		 msg[sizeof(err->message)];

	if (c != NULL && c->any_mainnet && (url == NULL ||
	    strncasecmp(url, "https://", 8) != 0))
		return sf_err_set(err, 400, "url_refused", f, "%s must be an "
		    "https:// URL: this server takes payments on a mainnet, "
		    "and a job's status is not sent there in clear", f);
	if (urlguard_check(c, url, f, err) == 0)
		return 0;
	/* The guard words a name that does not resolve as a failed fetch;
	   nothing is fetched here: the URL is refused. */
	if (err->status == 400 && strcmp(err->code, "url_refused") != 0) {
		snprintf(msg, sizeof(msg), "%s", err->message);
		sf_err_set(err, 400, "url_refused", f, "%s", msg);
	}
	return -1;
}

/* ---- the queue ---------------------------------------------------------- */

static int
webhook_event_ok(const char *e)
{
	size_t	 i;

	for (i = 0; e != NULL && e[i] != '\0'; i++)
		if (!(islower((unsigned char)e[i]) ||
		    isdigit((unsigned char)e[i]) || e[i] == '.' ||
		    e[i] == '_' || e[i] == '-'))
			return 0;
	return e != NULL && i > 0 && i <= LEDGER_WEBHOOK_EVENT_MAX;
}

int
webhook_enqueue(struct ledger *l, const struct webhook_config *wc,
    const char *job, const char *event, const char *url, const char *secret,
    const void *body, size_t len, struct sf_err *err)
{
	struct ledger_webhook	 in;
	uint8_t			 key[WEBHOOK_SIG_KEY_MAX];
	size_t			 keylen;
	int64_t			 now = now_wall_ms();

	memset(&in, 0, sizeof(in));
	if (job == NULL || *job == '\0' ||
	    strlen(job) > LEDGER_WEBHOOK_JOB_MAX)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "webhook_enqueue: job id missing or too long");
	if (!webhook_event_ok(event))
		return sf_err_set(err, 500, "internal_error", NULL,
		    "webhook_enqueue: event must be 1..%d of [a-z0-9._-]",
		    LEDGER_WEBHOOK_EVENT_MAX);
	if (secret == NULL || webhook_sig_secret_decode(secret, key,
	    &keylen) == -1)
		return sf_err_set(err, 500, "webhook_secret_invalid", NULL,
		    "webhook_enqueue: the secret is not a whsec_ secret");
	if (url == NULL || (strncasecmp(url, "https://", 8) != 0 &&
	    strncasecmp(url, "http://", 7) != 0))
		return sf_err_set(err, 500, "internal_error", NULL,
		    "webhook_enqueue: url is not an http(s) URL");
	snprintf(in.job, sizeof(in.job), "%s", job);
	snprintf(in.event, sizeof(in.event), "%s", event);
	if (webhook_sig_id_new(in.msg_id) == -1)
		return sf_err_set(err, 500, "no_entropy", NULL,
		    "webhook_enqueue: getrandom failed");
	in.url = (char *)url;
	in.secret = (char *)secret;
	in.body = (char *)body;
	in.body_len = len;
	in.give_up_ms = now + wc->retry_ms;
	return ledger_webhook_enqueue(l, &in, now, err);
}

/* ---- the schedule ------------------------------------------------------- */

int64_t
webhook_backoff_ms(const struct webhook_config *wc, int attempts)
{
	int64_t	 d = wc->backoff_ms > 0 ? wc->backoff_ms : 1;
	int	 i;

	for (i = 1; i < attempts && d < WEBHOOK_BACKOFF_CAP_MS; i++)
		d *= 4;
	return d < WEBHOOK_BACKOFF_CAP_MS ? d : WEBHOOK_BACKOFF_CAP_MS;
}

int64_t
webhook_next_ms(const struct webhook_config *wc, int attempts, int64_t now_ms,
    int64_t retry_after_ms, int64_t give_up_ms)
{
	int64_t	 wait = webhook_backoff_ms(wc, attempts);

	if (now_ms >= give_up_ms)
		return -1;
	if (retry_after_ms > wait)
		wait = retry_after_ms;
	/* The last attempt is made at the give-up time itself. */
	return now_ms + wait < give_up_ms ? now_ms + wait : give_up_ms;
}

/* ---- one attempt -------------------------------------------------------- */

/* What one attempt came to. */
struct webhook_try {
	enum ledger_webhook_state	 state;
	int				 status;	/* HTTP, 0 none */
	int64_t				 retry_after_ms; /* -1 none */
	char				 error[256];	/* "" when delivered */
};

/* The POST of w's body to its URL, pinned to the address checked now. */
static void
webhook_send(const struct webhook_config *wc, const struct ledger_webhook *w,
    struct webhook_try *t)
{
	struct webhook_sig_headers	 h;
	struct http_req			 q;
	struct http_resp		 r;
	struct sf_err			 e;
	char				 pin[URLGUARD_PIN_LEN];
	char				 hid[160], hts[48], hsig[80];
	const char			*hdrs[5], *ra;

	t->state = LEDGER_WEBHOOK_PENDING;
	t->status = 0;
	t->retry_after_ms = -1;
	t->error[0] = '\0';
	sf_err_clear(&e);
	if (w->secret == NULL || webhook_sig_headers(w->secret, w->msg_id,
	    now_wall_ms() / 1000, w->body, w->body_len, &h, &e) == -1) {
		/* Nothing a retry could mend. */
		t->state = LEDGER_WEBHOOK_ABANDONED;
		snprintf(t->error, sizeof(t->error), "cannot sign: %s",
		    w->secret == NULL ? "no secret" : e.code);
		return;
	}
	if (urlguard_pin(wc->cfg, w->url, WEBHOOK_FIELD, pin, &e) == -1) {
		snprintf(t->error, sizeof(t->error), "%.40s: %.200s", e.code,
		    e.message);
		return;
	}
	snprintf(hid, sizeof(hid), "webhook-id: %s", h.id);
	snprintf(hts, sizeof(hts), "webhook-timestamp: %s", h.timestamp);
	snprintf(hsig, sizeof(hsig), "webhook-signature: %s", h.signature);
	hdrs[0] = hid;
	hdrs[1] = hts;
	hdrs[2] = hsig;
	hdrs[3] = "Accept: */*";
	hdrs[4] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = w->url;
	q.body = w->body;
	q.bodylen = w->body_len;
	q.ctype = "application/json";
	q.headers = hdrs;
	q.total_ms = wc->timeout_ms;
	q.connect_ms = wc->timeout_ms;
	q.max_body = WEBHOOK_ANSWER_MAX;
	q.resolve = pin[0] != '\0' ? pin : NULL;
	q.noproxy = 1;
	q.follow = 0;
	if (http_do(&q, &r, &e) == -1) {
		snprintf(t->error, sizeof(t->error), "no answer: %.200s",
		    e.message);
		http_resp_free(&r);
		return;
	}
	t->status = (int)r.status;
	if (r.status >= 200 && r.status < 300)
		t->state = LEDGER_WEBHOOK_DELIVERED;
	else if (r.status == 410) {
		t->state = LEDGER_WEBHOOK_ABANDONED;
		snprintf(t->error, sizeof(t->error), "HTTP 410 Gone: the "
		    "receiver asked for no more deliveries");
	} else {
		snprintf(t->error, sizeof(t->error), "HTTP %ld%s", r.status,
		    r.status >= 300 && r.status < 400 ? " (redirects are not "
		    "followed)" : "");
		if ((ra = http_header(&r, "retry-after")) != NULL &&
		    retry_after_parse(ra, time(NULL), &t->retry_after_ms) == -1)
			t->retry_after_ms = -1;
	}
	http_resp_free(&r);
}

/* Record t for w; counts it in st. */
static int
webhook_record(struct ledger *l, const struct webhook_config *wc,
    const struct ledger_webhook *w, const char *owner, struct webhook_try *t,
    struct webhook_pump_stats *st, struct sf_err *err)
{
	int64_t	 now = now_wall_ms(), next = 0;
	size_t	 n;
	int	 rc;

	if (t->state == LEDGER_WEBHOOK_PENDING &&
	    (next = webhook_next_ms(wc, w->attempts, now, t->retry_after_ms,
	    w->give_up_ms)) == -1) {
		t->state = LEDGER_WEBHOOK_ABANDONED;
		n = strlen(t->error);
		snprintf(t->error + n, sizeof(t->error) - n, "; given up after "
		    "%d attempts", w->attempts);
	}
	if ((rc = ledger_webhook_record(l, w->id, owner, t->state, next,
	    t->status, t->error, now, err)) == -1)
		return -1;
	if (rc == 0)
		st->lost++;
	else if (t->state == LEDGER_WEBHOOK_DELIVERED)
		st->delivered++;
	else if (t->state == LEDGER_WEBHOOK_ABANDONED)
		st->abandoned++;
	else
		st->retrying++;
	return 0;
}

/* Take id and make one attempt: 0 (taken or not), -1 ledger error. */
static int
webhook_one(struct ledger *l, const struct webhook_config *wc, int64_t id,
    const char *owner, struct webhook_pump_stats *st, struct sf_err *err)
{
	struct ledger_webhook	 w;
	struct webhook_try	 t;
	int64_t			 now = now_wall_ms();
	int			 rc;

	if ((rc = ledger_webhook_take(l, id, owner, now, now +
	    wc->timeout_ms + WEBHOOK_LEASE_MARGIN_MS, &w, err)) != 1)
		return rc;
	if (now > w.give_up_ms + WEBHOOK_LEASE_MARGIN_MS) {
		/* Left behind (every sender was down): too late to send. */
		t.state = LEDGER_WEBHOOK_ABANDONED;
		t.status = 0;
		snprintf(t.error, sizeof(t.error), "not sent: its retry time "
		    "ran out while no sender was running");
	} else {
		st->taken++;
		webhook_send(wc, &w, &t);
	}
	rc = webhook_record(l, wc, &w, owner, &t, st, err);
	ledger_webhook_free(&w);
	return rc;
}

int
webhook_pump(struct ledger *l, const struct webhook_config *wc, unsigned max,
    int64_t budget_ms, struct webhook_pump_stats *st, struct sf_err *err)
{
	struct webhook_pump_stats	 own;
	int64_t				 ids[WEBHOOK_PUMP_MAX], t0;
	uint8_t				 rnd[12];
	char				 owner[2 * sizeof(rnd) + 3];
	size_t				 n, i;
	int				 rc = 0;

	if (st == NULL)
		st = &own;
	memset(st, 0, sizeof(*st));
	if (max == 0 || max > WEBHOOK_PUMP_MAX || budget_ms <= 0)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "webhook_pump: max 1..%d, budget > 0", WEBHOOK_PUMP_MAX);
	/* This call's lease token: its outcomes only while it holds them. */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return sf_err_set(err, 500, "no_entropy", NULL,
		    "webhook_pump: getrandom failed");
	hex_encode(rnd, sizeof(rnd), owner);
	t0 = http_now_ms();
	if (ledger_webhook_due(l, now_wall_ms(), max, ids, &n, err) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		if (http_now_ms() - t0 >= budget_ms)
			break;
		rc = webhook_one(l, wc, ids[i], owner, st, err);
	}
	if (rc == 0 && ledger_webhook_next(l, &st->next_ms, err) == -1)
		rc = -1;
	return rc;
}
