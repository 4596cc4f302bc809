/*
 * The free demo's budget (demo.h).  The decision is made here once, on
 * plain values (the client's address, the time); the rows live in a store
 * of the ledger's kind (demo_be.h): a SQLite file for one host, or the
 * shared PostgreSQL database, so the limits hold across every host behind
 * one URL.  The demo's request is read from the query by the flow
 * (flow_demo.c), never here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "ledger/demo.h"
#include "ledger/demo_be.h"
#include "ledger/ledger.h"

#define DEMO_MINUTE	60
#define DEMO_HOUR	3600
/* Admissions the database asked to retry (serialization failures). */
#define DEMO_RETRIES	8

struct demo_limits {
	long	 per_min, per_hour, total, paid;
};

static int
demo_num(const struct cfg *c, const char *key, long def, long *out,
    struct sf_err *err)
{
	const char	*v = cfg_get(c, key);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0') {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 0 || n > 1000000)
		return sf_err_set(err, 500, "config_invalid", key,
		    "%s=\"%.64s\" must be a whole number from 0 to 1000000",
		    key, v);
	*out = n;
	return 0;
}

static int
demo_limits(const struct cfg *c, struct demo_limits *l, struct sf_err *err)
{
	if (demo_num(c, "DEMO_PER_CLIENT_PER_MINUTE", 2, &l->per_min,
	    err) == -1 ||
	    demo_num(c, "DEMO_PER_CLIENT_PER_HOUR", 10, &l->per_hour,
	    err) == -1 ||
	    demo_num(c, "DEMO_PER_HOUR", 300, &l->total, err) == -1 ||
	    demo_num(c, "DEMO_PAID_PER_HOUR", 0, &l->paid, err) == -1)
		return -1;
	return 0;
}

/*
 * Where the budget lives: DEMO_DB; else the ledger's database when DB is
 * a PostgreSQL URI (shared by the hosts); else demo.db in the directory
 * of DB (default var/ledger.db), so a demo flood never contends for the
 * ledger file's write lock.
 */
static int
demo_where(const struct cfg *c, char *buf, size_t sz, struct sf_err *err)
{
	const char	*v, *slash;
	int		 n;

	v = cfg_get(c, "DEMO_DB");
	if (v != NULL && *v != '\0')
		n = snprintf(buf, sz, "%s", v);
	else {
		v = cfg_get_or(c, "DB", "var/ledger.db");
		if (ledger_uri_is_pg(v))
			n = snprintf(buf, sz, "%s", v);
		else if ((slash = strrchr(v, '/')) == NULL)
			n = snprintf(buf, sz, "demo.db");
		else
			n = snprintf(buf, sz, "%.*s/demo.db",
			    (int)(slash - v), v);
	}
	if (n < 0 || (size_t)n >= sz)
		return sf_err_set(err, 500, "config_invalid", "DEMO_DB",
		    "DEMO_DB: the demo database path is too long");
	return 0;
}

static int
demo_unavailable(const char *what, const char *msg, struct sf_err *err)
{
	return sf_err_set(err, 503, "demo_unavailable", NULL,
	    "the free demo is unavailable right now (%s: %.160s); try again "
	    "later, or POST with an x402 payment", what, msg);
}

/*
 * Rows of client (NULL = every client; paid_only = paid rows) newer than
 * since: how many, and when limit >= 1 and count >= limit, the time of
 * the row whose expiry brings the count back under limit.
 */
static int
demo_window(const struct demo_ops *o, struct demo_tx *tx, const char *client,
    int paid_only, time_t since, long limit, long *count, time_t *frees)
{
	int	 rc;

	*frees = 0;
	if ((rc = o->count(tx, client, paid_only, since, count)) != 0)
		return rc;
	if (limit < 1 || *count < limit)
		return 0;
	return o->nth(tx, client, paid_only, since, *count - limit, frees);
}

static unsigned
demo_wait(time_t frees, long window, time_t now)
{
	long long	 w = (long long)frees + window - (long long)now;

	/* A clock that went back must not promise a zero wait. */
	if (w < 1)
		return 1;
	if (w > window)
		return (unsigned)window;
	return (unsigned)w;
}

/* Over a limit: 0 with err set and *retry_after. */
static int
demo_refuse(const struct demo_limits *l, int which, time_t frees, time_t now,
    unsigned *retry_after, struct sf_err *err)
{
	*retry_after = demo_wait(frees, which == 0 ? DEMO_MINUTE : DEMO_HOUR,
	    now);
	if (which == 0)
		sf_err_set(err, 429, "demo_rate_limited", NULL,
		    "the free demo allows %ld requests per minute per "
		    "client; try again in %u s, or POST with an x402 "
		    "payment", l->per_min, *retry_after);
	else if (which == 1)
		sf_err_set(err, 429, "demo_rate_limited", NULL,
		    "the free demo allows %ld requests per hour per client; "
		    "try again in %u s, or POST with an x402 payment",
		    l->per_hour, *retry_after);
	else
		sf_err_set(err, 429, "demo_busy", NULL,
		    "the free demo has served its %ld requests for this hour; "
		    "try again in %u s, or POST with an x402 payment",
		    l->total, *retry_after);
	return 0;
}

/*
 * Within the open transaction: 2 admitted, 0 refused (err set), -1 store
 * error, 1 the store asks to retry.
 */
static int
demo_decide(const struct demo_ops *o, struct demo_tx *tx,
    const struct demo_limits *l, const char *client, time_t now,
    int *paid_ok, unsigned *retry_after, struct sf_err *err)
{
	long	 n;
	time_t	 frees;
	int	 rc;

	if ((rc = o->purge(tx, now - DEMO_HOUR)) != 0)
		return rc;
	if (l->per_min > 0) {
		if ((rc = demo_window(o, tx, client, 0, now - DEMO_MINUTE,
		    l->per_min, &n, &frees)) != 0)
			return rc;
		if (n >= l->per_min)
			return demo_refuse(l, 0, frees, now, retry_after, err);
	}
	if ((rc = demo_window(o, tx, client, 0, now - DEMO_HOUR, l->per_hour,
	    &n, &frees)) != 0)
		return rc;
	if (n >= l->per_hour)
		return demo_refuse(l, 1, frees, now, retry_after, err);
	if ((rc = demo_window(o, tx, NULL, 0, now - DEMO_HOUR, l->total, &n,
	    &frees)) != 0)
		return rc;
	if (n >= l->total)
		return demo_refuse(l, 2, frees, now, retry_after, err);
	if (l->paid > 0) {
		if ((rc = demo_window(o, tx, NULL, 1, now - DEMO_HOUR, 0, &n,
		    &frees)) != 0)
			return rc;
		*paid_ok = n < l->paid;
	}
	if ((rc = o->insert(tx, now, client, *paid_ok)) != 0)
		return rc;
	return 2;
}

/* One admission in one transaction: as demo_decide, end included. */
static int
demo_attempt(const struct demo_ops *o, const char *where,
    const struct demo_limits *l, const char *client, time_t now,
    int *paid_ok, unsigned *retry_after, struct sf_err *err)
{
	struct demo_tx	*tx;
	char		 msg[200];
	int		 r, e;

	*paid_ok = 0;
	*retry_after = 0;
	if ((tx = o->begin(where, err)) == NULL)
		return -1;
	r = demo_decide(o, tx, l, client, now, paid_ok, retry_after, err);
	if (r == -1 || r == 1) {
		snprintf(msg, sizeof(msg), "%s", o->errmsg(tx));
		o->end(tx, 0);
		if (r == -1)
			demo_unavailable("query", msg, err);
		return r;
	}
	/* A refusal commits too: it keeps the expired-row purge. */
	if ((e = o->end(tx, 1)) != 0) {
		if (e == -1)
			demo_unavailable("commit", "the transaction did not "
			    "commit", err);
		*retry_after = 0;
		return e;
	}
	return r;
}

int
demo_admit(const struct cfg *c, const char *client_addr, time_t now,
    int *paid_upstream_ok, unsigned *retry_after, struct sf_err *err)
{
	const struct demo_ops	*o;
	struct demo_limits	 l;
	char			 where[1024], client[64];
	int			 r, try;

	*paid_upstream_ok = 0;
	*retry_after = 0;
	if (demo_limits(c, &l, err) == -1 ||
	    demo_where(c, where, sizeof(where), err) == -1)
		return -1;
	if (l.per_hour == 0 || l.total == 0)
		return sf_err_set(err, 403, "demo_disabled", NULL,
		    "the free demo is turned off on this server; POST with "
		    "an x402 payment");
	demo_client_key(client_addr, client, sizeof(client));
	o = ledger_uri_is_pg(where) ? &demo_pg_ops : &demo_sqlite_ops;
	for (try = 0; try < DEMO_RETRIES; try++) {
		r = demo_attempt(o, where, &l, client, now, paid_upstream_ok,
		    retry_after, err);
		if (r != 1)
			break;
		usleep(1000u << (try < 6 ? try : 6));
	}
	if (r == 1)
		demo_unavailable("busy", "too many concurrent admissions",
		    err);
	if (r != 2) {
		*paid_upstream_ok = 0;
		return -1;
	}
	return 0;
}

void
demo_client_key(const char *addr, char *buf, size_t sz)
{
	unsigned char	 a[16];
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (addr != NULL && inet_pton(AF_INET, addr, a) == 1)
		snprintf(buf, sz, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else if (addr != NULL && inet_pton(AF_INET6, addr, a) == 1) {
		if (memcmp(a, mapped, sizeof(mapped)) == 0)
			snprintf(buf, sz, "%u.%u.%u.%u", a[12], a[13], a[14],
			    a[15]);
		else
			snprintf(buf, sz, "%02x%02x:%02x%02x:%02x%02x:"
			    "%02x%02x::/64", a[0], a[1], a[2], a[3], a[4],
			    a[5], a[6], a[7]);
	} else
		/* Unknown callers share one budget rather than escape it. */
		snprintf(buf, sz, "unknown");
}

static int
demo_set(cJSON *body, const char *name, cJSON *v)
{
	if (v == NULL)
		return -1;
	cJSON_DeleteItemFromObjectCaseSensitive(body, name);
	if (!cJSON_AddItemToObject(body, name, v)) {
		cJSON_Delete(v);
		return -1;
	}
	return 0;
}

int
demo_annotate(const struct cfg *c, cJSON *body, int offline)
{
	struct demo_limits	 l;
	char			 notice[512];

	if (demo_limits(c, &l, NULL) == -1)
		l.per_hour = 10;
	snprintf(notice, sizeof(notice), "Free demo: no payment was taken. "
	    "%s Limited to %ld requests per client per hour. For full output "
	    "and every parameter, POST to this endpoint with an x402 payment.",
	    offline ? "The image comes from the offline sample generator, "
	    "not the model." : "The image comes from the model.",
	    l.per_hour);
	if (demo_set(body, "demo", cJSON_CreateTrue()) == -1 ||
	    demo_set(body, "notice", cJSON_CreateString(notice)) == -1)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(body, "price") != NULL &&
	    demo_set(body, "price", cJSON_CreateString("$0.00")) == -1)
		return -1;
	return 0;
}

int
demo_check_cfg(const struct cfg *c, struct sf_err *err)
{
	struct demo_limits	 l;
	char			 where[1024];

	if (demo_limits(c, &l, err) == -1)
		return -1;
	return demo_where(c, where, sizeof(where), err);
}
