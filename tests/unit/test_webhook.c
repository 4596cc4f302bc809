/*
 * Webhook deliveries (flow/webhook.c) against a local receiver
 * (minihttpd.h) on a SQLite ledger: the backoff schedule and the
 * Retry-After rule, the keys, the URL check before the 402 (private
 * addresses, https on a mainnet), idempotent enqueue, a delivery signed
 * as Standard Webhooks says (checked with our verifier; the official
 * package checks it in tests/integ/webhooks.test.mjs), a receiver that
 * fails (5xx, then 429 with Retry-After) and gets it later under the same
 * webhook-id, 410 stops, the retry time runs out, no answer, an address
 * refused at send time, a dead sender's lease taken over, the pump's
 * limits, and the secret in no log line and no recorded outcome.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/now.h"
#include "flow/webhook.h"
#include "http/http.h"
#include "http/webhook_sig.h"
#include "ledger/ledger.h"
#include "ledger/ledger_webhook.h"
#include "minihttpd.h"
#include "tap.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

#define BODY	"{\"id\":\"job_1\",\"status\":\"succeeded\",\"result\":{}}"

static struct mh_route routes[] = {
	{ "/ok", 200, NULL, "ok", 2 },
	{ "/flaky", 503, NULL, "busy", 4 },
	{ "/gone", 410, NULL, "", 0 },
	{ "/down", 500, NULL, "", 0 },
	{ "/moved", 301, "Location: http://127.0.0.1:1/elsewhere\r\n", "", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static struct mh		 m;
static struct ledger		*L;
static struct cfg		 C;
static struct webhook_config	 WC;
static char			 secret[WEBHOOK_SIG_SECRET_STRLEN];

static void
url_of(const char *path, char *out, size_t sz)
{
	snprintf(out, sz, "http://127.0.0.1:%d%s", m.port, path);
}

/* A header of the last request the receiver saw, into out. */
static int
seen_header(const char *name, char *out, size_t sz)
{
	char		 pat[64];
	const char	*p, *e;

	snprintf(pat, sizeof(pat), "\r\n%s:", name);
	pthread_mutex_lock(&m.mu);
	if ((p = strcasestr(m.req, pat)) == NULL) {
		pthread_mutex_unlock(&m.mu);
		out[0] = '\0';
		return -1;
	}
	p += strlen(pat);
	while (*p == ' ')
		p++;
	e = p + strcspn(p, "\r\n");
	snprintf(out, sz, "%.*s", (int)(e - p), p);
	pthread_mutex_unlock(&m.mu);
	return 0;
}

/* The last request verifies as a Standard Webhooks delivery of w. */
static int
seen_verifies(const struct ledger_webhook *w, char id[WEBHOOK_SIG_ID_MAX + 1])
{
	char	 ts[32], sig[256];
	int	 ok;

	if (seen_header("webhook-id", id, WEBHOOK_SIG_ID_MAX + 1) == -1 ||
	    seen_header("webhook-timestamp", ts, sizeof(ts)) == -1 ||
	    seen_header("webhook-signature", sig, sizeof(sig)) == -1)
		return 0;
	pthread_mutex_lock(&m.mu);
	ok = m.bodylen == w->body_len && memcmp(m.body, w->body,
	    w->body_len) == 0 && webhook_sig_verify(secret, id, ts, sig,
	    m.body, m.bodylen, now_wall_ms() / 1000,
	    WEBHOOK_SIG_TOLERANCE) == 1;
	pthread_mutex_unlock(&m.mu);
	return ok && strcmp(id, w->msg_id) == 0;
}

static int64_t
queue(const char *job, const char *path)
{
	struct ledger_webhook	 w;
	struct sf_err		 err;
	char			 url[128];
	int64_t			 id = 0;

	url_of(path, url, sizeof(url));
	if (webhook_enqueue(L, &WC, job, "succeeded", url, secret, BODY,
	    strlen(BODY), &err) == -1)
		printf("# enqueue: %s\n", err.message);
	if (ledger_webhook_find(L, job, "succeeded", &w, &err) == 1)
		id = w.id;
	ledger_webhook_free(&w);
	return id;
}

static struct ledger_webhook
row(int64_t id)
{
	struct ledger_webhook	 w;
	struct sf_err		 err;

	if (ledger_webhook_get(L, id, &w, &err) != 1)
		memset(&w, 0, sizeof(w));
	return w;
}

static int
pump(struct webhook_pump_stats *st)
{
	struct sf_err	 err;
	int		 rc;

	if ((rc = webhook_pump(L, &WC, WEBHOOK_PUMP_MAX, 10000, st, &err)) ==
	    -1)
		printf("# pump: %s\n", err.message);
	return rc;
}

/* Push a pending delivery out of the way of the cases after it. */
static void
park(int64_t id)
{
	struct ledger_webhook	 w;
	struct sf_err		 err;
	int64_t			 now = now_wall_ms();

	if (ledger_webhook_take(L, id, "0xparked", now, now + 1, &w,
	    &err) == 1)
		ledger_webhook_record(L, id, "0xparked",
		    LEDGER_WEBHOOK_PENDING, INT64_MAX / 2, 0,
		    "parked by the test", now, &err);
	ledger_webhook_free(&w);
}

static void
test_schedule(void)
{
	struct webhook_config	 wc = { NULL, 86400000, 10000, 5000, 0 };
	static const int64_t	 want[] = { 5000, 20000, 80000, 320000,
	    1280000, 5120000, 20480000, 21600000, 21600000 };
	int64_t			 t = 0;
	size_t			 i;
	int			 ok = 1, n = 1;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (webhook_backoff_ms(&wc, (int)i + 1) != want[i])
			ok = 0;
	T(ok, "backoff: 5 s, 20 s, 80 s, ... times 4, at most 6 h");
	T(webhook_backoff_ms(&wc, 1000) == WEBHOOK_BACKOFF_CAP_MS,
	    "backoff: no overflow after many attempts");
	/* Attempts in the first day with the defaults. */
	while ((t = webhook_next_ms(&wc, n, t, -1, wc.retry_ms)) != -1)
		n++;
	T(n == 11, "the defaults make %d attempts in a day, the last at "
	    "its end", n);
	T(webhook_next_ms(&wc, 1, 1000, -1, 999999) == 6000,
	    "after the first failure: the backoff");
	T(webhook_next_ms(&wc, 1, 1000, 60000, 999999) == 61000,
	    "a later Retry-After wins");
	T(webhook_next_ms(&wc, 3, 1000, 1000, 999999) == 81000,
	    "an earlier Retry-After does not shorten the backoff");
	T(webhook_next_ms(&wc, 1, 1000, 3600000, 50000) == 50000,
	    "never after the give-up time: the last attempt is made then");
	T(webhook_next_ms(&wc, 1, 50000, -1, 50000) == -1 &&
	    webhook_next_ms(&wc, 1, 50001, -1, 50000) == -1,
	    "at or past the give-up time: abandon");
}

static void
test_config(void)
{
	struct webhook_config	 wc;
	struct sf_err		 err;

	T(webhook_config_init(&wc, &C, &err) == 0 &&
	    wc.retry_ms == 24LL * 3600000 && wc.timeout_ms == 10000 &&
	    wc.backoff_ms == 5000 && wc.keep_ms == 30LL * 86400000 &&
	    wc.cfg == &C, "defaults: 24 h, 10 s, 5 s, kept 30 days");
	setenv("SYNTHFORGE_WEBHOOK_KEEP_DAYS", "0", 1);
	T(webhook_check_cfg(&C, &err) == -1 &&
	    strcmp(err.field, "WEBHOOK_KEEP_DAYS") == 0,
	    "deliveries kept 0 days is refused, naming the key");
	setenv("SYNTHFORGE_WEBHOOK_KEEP_DAYS", "3651", 1);
	T(webhook_check_cfg(&C, &err) == -1 &&
	    strcmp(err.field, "WEBHOOK_KEEP_DAYS") == 0,
	    "more than ten years is refused");
	setenv("SYNTHFORGE_WEBHOOK_KEEP_DAYS", "7", 1);
	T(webhook_config_init(&wc, &C, &err) == 0 &&
	    wc.keep_ms == 7LL * 86400000, "WEBHOOK_KEEP_DAYS is read");
	unsetenv("SYNTHFORGE_WEBHOOK_KEEP_DAYS");
	setenv("SYNTHFORGE_WEBHOOK_TIMEOUT_MS", "50", 1);
	sf_err_clear(&err);
	T(webhook_check_cfg(&C, &err) == -1 &&
	    strcmp(err.field, "WEBHOOK_TIMEOUT_MS") == 0,
	    "a timeout under 100 ms is refused, naming the key (%s)",
	    err.message);
	setenv("SYNTHFORGE_WEBHOOK_TIMEOUT_MS", "2500", 1);
	setenv("SYNTHFORGE_WEBHOOK_RETRY_HOURS", "169", 1);
	T(webhook_config_init(&wc, &C, &err) == -1 &&
	    strcmp(err.field, "WEBHOOK_RETRY_HOURS") == 0,
	    "more than a week of retries is refused");
	setenv("SYNTHFORGE_WEBHOOK_RETRY_HOURS", "48", 1);
	setenv("SYNTHFORGE_WEBHOOK_BACKOFF_MS", "x", 1);
	T(webhook_check_cfg(&C, &err) == -1 &&
	    strcmp(err.field, "WEBHOOK_BACKOFF_MS") == 0,
	    "a backoff that is no number is refused");
	setenv("SYNTHFORGE_WEBHOOK_BACKOFF_MS", "100", 1);
	T(webhook_config_init(&wc, &C, &err) == 0 &&
	    wc.retry_ms == 48LL * 3600000 && wc.timeout_ms == 2500 &&
	    wc.backoff_ms == 100, "the keys are read");
	unsetenv("SYNTHFORGE_WEBHOOK_TIMEOUT_MS");
	unsetenv("SYNTHFORGE_WEBHOOK_RETRY_HOURS");
	unsetenv("SYNTHFORGE_WEBHOOK_BACKOFF_MS");
}

static void
test_check_url(void)
{
	struct cfg	 c;
	struct sf_err	 err;

	memset(&c, 0, sizeof(c));
	unsetenv("SYNTHFORGE_URL_ALLOW");
	sf_err_clear(&err);
	T(webhook_check_url(&c, "http://127.0.0.1:9/hook", "webhook_url",
	    &err) == -1 && err.status == 400 &&
	    strcmp(err.code, "url_refused") == 0 &&
	    strcmp(err.field, "webhook_url") == 0,
	    "a loopback webhook is refused: %s", err.message);
	T(webhook_check_url(&c, "https://10.2.3.4/hook", "webhook_url",
	    &err) == -1 && strcmp(err.code, "url_refused") == 0,
	    "a private one too: %s", err.message);
	T(webhook_check_url(&c, "https://localhost/hook", "webhook_url",
	    &err) == -1 && strcmp(err.code, "url_refused") == 0,
	    "a name of a private address too");
	T(webhook_check_url(&c, "https://no-such-host.invalid/hook",
	    "webhook_url", &err) == -1 && strcmp(err.code, "url_refused") ==
	    0, "a host that does not resolve is refused as url_refused (%s)",
	    err.message);
	T(webhook_check_url(&c, "ftp://8.8.8.8/", "webhook_url", &err) == -1,
	    "only http(s)");
	T(webhook_check_url(&c, "http://8.8.8.8/hook", "webhook_url",
	    &err) == 0, "a public address over http on testnets is taken");
	c.any_mainnet = 1;
	T(webhook_check_url(&c, "http://8.8.8.8/hook", "webhook_url",
	    &err) == -1 && strcmp(err.code, "url_refused") == 0 &&
	    strstr(err.message, "https://") != NULL,
	    "on a mainnet http is refused: %s", err.message);
	T(webhook_check_url(&c, "HTTPS://8.8.8.8/hook", "webhook_url",
	    &err) == 0, "https is taken");
	setenv("SYNTHFORGE_URL_ALLOW", "127.0.0.1", 1);
	T(webhook_check_url(&c, "https://127.0.0.1:9/hook", "webhook_url",
	    &err) == 0, "URL_ALLOW lets a private address in");
}

static void
test_enqueue(void)
{
	struct ledger_webhook	 w;
	struct sf_err		 err;

	T(webhook_enqueue(L, &WC, "job_e", "running", "https://8.8.8.8/h",
	    secret, BODY, strlen(BODY), &err) == LEDGER_NEW,
	    "a state change is queued");
	T(webhook_enqueue(L, &WC, "job_e", "running", "https://8.8.8.8/h",
	    secret, "{}", 2, &err) == LEDGER_EXISTING,
	    "the same state change again is not");
	T(ledger_webhook_find(L, "job_e", "running", &w, &err) == 1 &&
	    webhook_sig_id_ok(w.msg_id) && strncmp(w.msg_id, "msg_", 4) == 0 &&
	    w.give_up_ms == w.created_ms + WC.retry_ms &&
	    w.body_len == strlen(BODY), "  with a webhook-id (%s) and its "
	    "give-up time", w.msg_id);
	ledger_webhook_free(&w);
	sf_err_clear(&err);
	T(webhook_enqueue(L, &WC, "job_e", "Running!", "https://8.8.8.8/h",
	    secret, BODY, strlen(BODY), &err) == -1,
	    "an event name out of [a-z0-9._-] is refused");
	T(webhook_enqueue(L, &WC, "job_e", "x", "https://8.8.8.8/h",
	    "whsec_short", BODY, strlen(BODY), &err) == -1 &&
	    strcmp(err.code, "webhook_secret_invalid") == 0,
	    "a malformed secret is refused");
	T(webhook_enqueue(L, &WC, "", "x", "https://8.8.8.8/h", secret, BODY,
	    strlen(BODY), &err) == -1, "a job id is required");
	T(webhook_enqueue(L, &WC, "job_e", "x", "ftp://8.8.8.8/h", secret,
	    BODY, strlen(BODY), &err) == -1, "an http(s) URL is required");
	if (ledger_webhook_find(L, "job_e", "running", &w, &err) == 1)
		park(w.id);
	ledger_webhook_free(&w);
}

static void
test_deliver(void)
{
	struct webhook_pump_stats	 st;
	struct ledger_webhook		 w;
	int64_t				 id = queue("job_ok", "/ok");
	char				 hid[WEBHOOK_SIG_ID_MAX + 1], ct[64];
	int				 hits = m.hits;

	w = row(id);
	T(pump(&st) == 0 && st.delivered == 1 && m.hits == hits + 1,
	    "a due delivery is sent and delivered (%u taken)", st.taken);
	T(seen_verifies(&w, hid), "  POSTed with the body, signed: the "
	    "signature verifies with the job's secret, webhook-id %s", hid);
	T(seen_header("content-type", ct, sizeof(ct)) == 0 &&
	    strcmp(ct, "application/json") == 0, "  as application/json");
	pthread_mutex_lock(&m.mu);
	T(strncmp(m.req, "POST /ok ", 9) == 0, "  POST to the URL's path");
	pthread_mutex_unlock(&m.mu);
	ledger_webhook_free(&w);
	w = row(id);
	T(w.state == LEDGER_WEBHOOK_DELIVERED && w.secret == NULL &&
	    w.last_status == 200 && w.attempts == 1,
	    "  recorded delivered, the secret erased");
	ledger_webhook_free(&w);
	T(pump(&st) == 0 && st.taken == 0 && m.hits == hits + 1,
	    "  and never sent again");
}

/*
 * A delivery that is over is deleted WEBHOOK_KEEP_DAYS after its last
 * outcome, not before; a pending one never (test_deliver's row is over).
 */
static void
test_prune(void)
{
	struct ledger_webhook	 w;
	struct sf_err		 err;
	int64_t			 pend = queue("job_prune", "/ok"), done = 0;
	int64_t			 last;

	if (ledger_webhook_find(L, "job_ok", "succeeded", &w, &err) == 1)
		done = w.id;
	ledger_webhook_free(&w);
	w = row(done);
	last = w.last_ms;
	T(w.state == LEDGER_WEBHOOK_DELIVERED && last > 0,
	    "a delivered row (last outcome at %lld)", (long long)last);
	ledger_webhook_free(&w);
	T(webhook_prune(L, &WC, last + WC.keep_ms - 1, &err) == 0,
	    "  not deleted a millisecond before its time");
	T(webhook_prune(L, &WC, last + WC.keep_ms, &err) >= 1,
	    "  deleted when WEBHOOK_KEEP_DAYS have passed");
	T(ledger_webhook_get(L, done, &w, &err) == 0, "  and gone");
	ledger_webhook_free(&w);
	T(webhook_prune(L, &WC, last + 100 * WC.keep_ms, &err) >= 0 &&
	    ledger_webhook_get(L, pend, &w, &err) == 1 &&
	    w.state == LEDGER_WEBHOOK_PENDING, "a pending delivery stays, "
	    "however old");
	ledger_webhook_free(&w);
}

static void
test_retry(void)
{
	struct webhook_pump_stats	 st;
	struct ledger_webhook		 w, w0;
	int64_t				 id = queue("job_flaky", "/flaky");
	char				 id1[WEBHOOK_SIG_ID_MAX + 1];
	char				 id2[WEBHOOK_SIG_ID_MAX + 1];
	char				 id3[WEBHOOK_SIG_ID_MAX + 1];

	w0 = row(id);
	routes[1].status = 503;
	T(pump(&st) == 0 && st.retrying == 1, "a 503: to retry");
	T(seen_verifies(&w0, id1), "  the first attempt was a valid delivery");
	w = row(id);
	T(w.state == LEDGER_WEBHOOK_PENDING && w.attempts == 1 &&
	    w.last_status == 503 && strcmp(w.last_error, "HTTP 503") == 0 &&
	    w.next_ms == w.last_ms + WC.backoff_ms && w.secret != NULL,
	    "  recorded, due again after the backoff (%lld ms)",
	    (long long)(w.next_ms - w.last_ms));
	ledger_webhook_free(&w);
	usleep((useconds_t)(WC.backoff_ms + 30) * 1000);
	routes[1].status = 429;
	routes[1].headers = "Retry-After: 1\r\n";
	T(pump(&st) == 0 && st.retrying == 1, "a 429 with Retry-After: 1 "
	    "(%u taken, %u retrying, %u delivered)", st.taken, st.retrying,
	    st.delivered);
	T(seen_verifies(&w0, id2), "  the second attempt was a valid delivery");
	w = row(id);
	T(w.attempts == 2 && w.last_status == 429 &&
	    w.next_ms - w.last_ms >= 1000 && st.next_ms == w.next_ms,
	    "  due again after the receiver's Retry-After (%lld ms), not the "
	    "backoff (%lld ms)", (long long)(w.next_ms - w.last_ms),
	    (long long)webhook_backoff_ms(&WC, 2));
	T(pump(&st) == 0 && st.taken == 0, "  not sent before then");
	routes[1].status = 200;
	routes[1].headers = NULL;
	usleep((useconds_t)(w.next_ms - now_wall_ms() + 50) * 1000);
	ledger_webhook_free(&w);
	T(pump(&st) == 0 && st.delivered == 1, "then it is delivered");
	T(seen_verifies(&w0, id3), "  the third attempt was a valid delivery");
	T(strcmp(id1, id2) == 0 && strcmp(id2, id3) == 0,
	    "  the same webhook-id on every attempt (%s)", id1);
	w = row(id);
	T(w.state == LEDGER_WEBHOOK_DELIVERED && w.attempts == 3,
	    "  delivered at the third attempt");
	ledger_webhook_free(&w);
	ledger_webhook_free(&w0);
}

static void
test_gone(void)
{
	struct webhook_pump_stats	 st;
	struct ledger_webhook		 w;
	int64_t				 id = queue("job_gone", "/gone");
	int				 hits;

	T(pump(&st) == 0 && st.abandoned == 1, "a 410: abandoned");
	hits = m.hits;
	w = row(id);
	T(w.state == LEDGER_WEBHOOK_ABANDONED && w.last_status == 410 &&
	    strstr(w.last_error, "410") != NULL, "  recorded: %s",
	    w.last_error);
	ledger_webhook_free(&w);
	usleep((useconds_t)(WC.backoff_ms * 4 + 50) * 1000);
	T(pump(&st) == 0 && st.taken == 0 && m.hits == hits,
	    "  and no further attempt");
}

static void
test_give_up(void)
{
	struct webhook_config		 saved = WC;
	struct webhook_pump_stats	 st;
	struct ledger_webhook		 w;
	int64_t				 id, t0;

	WC.retry_ms = 400;
	id = queue("job_down", "/down");
	WC = saved;
	t0 = now_wall_ms();
	do {
		pump(&st);
		w = row(id);
		ledger_webhook_free(&w);
		usleep(20000);
	} while (w.state == LEDGER_WEBHOOK_PENDING &&
	    now_wall_ms() - t0 < 5000);
	w = row(id);
	T(w.state == LEDGER_WEBHOOK_ABANDONED && w.attempts >= 3 &&
	    w.last_ms >= w.give_up_ms && strstr(w.last_error, "given up") !=
	    NULL, "a receiver down past the retry time: %d attempts, the last "
	    "at the give-up time, then abandoned (%s)", w.attempts,
	    w.last_error);
	ledger_webhook_free(&w);
}

static void
test_failures(void)
{
	struct webhook_pump_stats	 st;
	struct ledger_webhook		 w;
	struct sf_err			 err;
	int64_t				 id;
	int				 hits = m.hits;

	T(webhook_enqueue(L, &WC, "job_closed", "succeeded",
	    "http://127.0.0.1:1/hook", secret, BODY, strlen(BODY), &err) ==
	    LEDGER_NEW && webhook_enqueue(L, &WC, "job_private", "succeeded",
	    "http://10.255.255.1/hook", secret, BODY, strlen(BODY), &err) ==
	    LEDGER_NEW, "two deliveries nobody can take");
	queue("job_moved", "/moved");
	T(pump(&st) == 0 && st.retrying == 3, "all three to retry");
	ledger_webhook_find(L, "job_closed", "succeeded", &w, &err);
	T(w.last_status == 0 && strncmp(w.last_error, "no answer", 9) == 0,
	    "a closed port: %s", w.last_error);
	ledger_webhook_free(&w);
	ledger_webhook_find(L, "job_private", "succeeded", &w, &err);
	T(w.last_status == 0 && strncmp(w.last_error, "url_refused", 11) ==
	    0, "a private address is refused at send time, nothing sent: %s",
	    w.last_error);
	ledger_webhook_free(&w);
	ledger_webhook_find(L, "job_moved", "succeeded", &w, &err);
	T(w.last_status == 301 && strstr(w.last_error, "redirects") != NULL &&
	    m.hits == hits + 1, "a redirect is not followed: %s",
	    w.last_error);
	ledger_webhook_free(&w);
	/* Out of the way of the rest, once due again (park takes them). */
	usleep((useconds_t)(WC.backoff_ms + 30) * 1000);
	for (id = 1; id < 100; id++)
		if (ledger_webhook_get(L, id, &w, &err) == 1) {
			if (w.state == LEDGER_WEBHOOK_PENDING)
				park(id);
			ledger_webhook_free(&w);
		}
}

static void
test_lease(void)
{
	struct webhook_pump_stats	 st;
	struct ledger_webhook		 w;
	struct sf_err			 err;
	int64_t				 id = queue("job_lease", "/ok");
	int64_t				 now = now_wall_ms();

	T(ledger_webhook_take(L, id, "0xdeadsender", now, now + 300, &w,
	    &err) == 1, "a sender takes the delivery, then dies");
	ledger_webhook_free(&w);
	T(pump(&st) == 0 && st.taken == 0, "  no one else sends it under "
	    "its lease");
	usleep(350000);
	T(pump(&st) == 0 && st.delivered == 1, "  after the lease another "
	    "sender does");
	w = row(id);
	T(w.state == LEDGER_WEBHOOK_DELIVERED && w.attempts == 2,
	    "  delivered (the dead sender's attempt counted)");
	ledger_webhook_free(&w);
	T(ledger_webhook_record(L, id, "0xdeadsender",
	    LEDGER_WEBHOOK_PENDING, now, 0, "late", now, &err) == 0,
	    "  the dead sender, back late, cannot overwrite the outcome");
}

static void
test_limits(void)
{
	struct webhook_pump_stats	 st;
	struct sf_err			 err;

	queue("job_m1", "/ok");
	queue("job_m2", "/ok");
	queue("job_m3", "/ok");
	T(webhook_pump(L, &WC, 1, 10000, &st, &err) == 0 && st.taken == 1,
	    "max 1: one attempt");
	T(webhook_pump(L, &WC, 100, 10000, &st, &err) == 0 && st.taken == 2 &&
	    st.delivered == 2 && st.next_ms > now_wall_ms() + 3600000,
	    "then the other two; nothing else due for now (%lld)",
	    (long long)(st.next_ms - now_wall_ms()));
	T(webhook_pump(L, &WC, 0, 10000, &st, &err) == -1 &&
	    webhook_pump(L, &WC, 1, 0, &st, &err) == -1,
	    "max 0 or no time budget: an error");
}

/* No stderr line and no recorded outcome holds the secret. */
static void
test_secret(const char *errfile)
{
	struct ledger_webhook	*rows;
	struct sf_err		 err;
	size_t			 n, i;
	char			 buf[65536];
	ssize_t			 k;
	int			 fd, ok = 1;

	if ((fd = open(errfile, O_RDONLY)) == -1)
		return;
	k = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[k > 0 ? k : 0] = '\0';
	T(strstr(buf, secret) == NULL && strstr(buf, secret + 6) == NULL &&
	    strstr(buf, "whsec_") == NULL,
	    "the secret is in nothing the pumps wrote to stderr (%zd bytes)",
	    k);
	T(ledger_webhook_list(L, -1, NULL, 0, &rows, &n, &err) == 0 && n > 10,
	    "every delivery listed (%zu)", n);
	for (i = 0; i < n; i++)
		if (strstr(rows[i].last_error, "whsec_") != NULL ||
		    strstr(rows[i].last_error, secret + 6) != NULL ||
		    strstr(rows[i].last_error, "v1,") != NULL)
			ok = 0;
	T(ok, "no recorded outcome holds the secret or a signature");
	ledger_webhooks_free(rows, n);
}

int
main(void)
{
	struct sf_err	 err;
	char		 dir[] = "/tmp/sf-webhook-XXXXXX", path[300], cmd[300];
	char		 errfile[300];
	int		 saved, fd;

	http_init();
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/ledger.db", dir);
	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	memset(&C, 0, sizeof(C));
	unsetenv("SYNTHFORGE_WEBHOOK_TIMEOUT_MS");
	unsetenv("SYNTHFORGE_WEBHOOK_RETRY_HOURS");
	unsetenv("SYNTHFORGE_WEBHOOK_BACKOFF_MS");
	T(webhook_sig_secret_new(secret) == 0, "a job's secret");
	TAP_CASE(test_schedule);
	TAP_CASE(test_config);
	TAP_CASE(test_check_url);
	if ((L = ledger_open(path, &err)) == NULL ||
	    mh_start(&m, routes, 0) == -1 ||
	    webhook_config_init(&WC, &C, &err) == -1) {
		TAP_OK(0, "ledger, receiver, configuration");
		return tap_done();
	}
	/* The receiver is on 127.0.0.1; quick retries. */
	setenv("SYNTHFORGE_URL_ALLOW", "127.0.0.1", 1);
	WC.backoff_ms = 60;
	WC.timeout_ms = 3000;
	/* Whatever the sends write to stderr, kept to be searched. */
	fflush(stderr);
	saved = dup(2);
	if ((fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1) {
		dup2(fd, 2);
		close(fd);
	}
	TAP_CASE(test_enqueue);
	TAP_CASE(test_failures);
	TAP_CASE(test_deliver);
	TAP_CASE(test_retry);
	TAP_CASE(test_gone);
	TAP_CASE(test_give_up);
	TAP_CASE(test_lease);
	TAP_CASE(test_limits);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	TAP_CASE_ARGS(test_secret, errfile);
	TAP_CASE(test_prune);	/* last: it deletes what the others made */
	mh_stop(&m);
	ledger_close(L);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return tap_done();
}
