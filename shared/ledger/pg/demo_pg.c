/*
 * The demo budget on the shared PostgreSQL database (demo_be.h): every
 * admission of every host runs in one transaction that first locks the
 * single demo_gate row (SELECT ... FOR UPDATE, a row lock any
 * PostgreSQL-compatible database has), so counting and recording cannot
 * interleave and the limits hold across hosts.  Connections come from
 * the pool the ledger uses for the same URI.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "basics/err.h"
#include "ledger/demo_be.h"
#include "ledger/pg/pgpool.h"

struct demo_tx {
	struct pgpool	*pool;
	PGconn		*c;
	char		 msg[256];
};

/* The pool of the demo's URI, kept for the life of the process. */
static pthread_mutex_t	 dpg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pgpool	*dpg_pool;
static char		*dpg_uri;
static pid_t		 dpg_pid;

static struct pgpool *
dpg_pool_for(const char *uri, struct sf_err *err)
{
	struct pgpool	*p;
	int		 up;

	pthread_mutex_lock(&dpg_mu);
	if (dpg_pool != NULL && (dpg_pid != getpid() ||
	    strcmp(dpg_uri, uri) != 0)) {
		/* Another URI (tests), or a parent's pool after fork. */
		if (dpg_pid == getpid())
			pgpool_put(dpg_pool);
		free(dpg_uri);
		dpg_pool = NULL;
		dpg_uri = NULL;
	}
	if (dpg_pool == NULL && (dpg_uri = strdup(uri)) != NULL) {
		if ((dpg_pool = pgpool_get(uri, &up, err)) == NULL) {
			free(dpg_uri);
			dpg_uri = NULL;
		}
		dpg_pid = getpid();
	}
	p = dpg_pool;
	pthread_mutex_unlock(&dpg_mu);
	return p;
}

/* 0 fine, 1 retry, -1 error (message kept). */
static int
dpg_check(struct demo_tx *tx, PGresult *r)
{
	struct sf_err	 e;
	int		 rc;

	sf_err_clear(&e);
	rc = pgpool_check(tx->c, r, "demo", &e);
	if (rc != 0)
		snprintf(tx->msg, sizeof(tx->msg), "%.200s", e.message);
	return rc;
}

static int
dpg_run(struct demo_tx *tx, const char *sql, int n, const char *const *v,
    PGresult **out)
{
	PGresult	*r;
	int		 rc;

	r = PQexecParams(tx->c, sql, n, NULL, v, NULL, NULL, 0);
	rc = dpg_check(tx, r);
	if (rc == 0 && out != NULL)
		*out = r;
	else
		PQclear(r);
	return rc;
}

static struct demo_tx *
dpg_begin(const char *uri, struct sf_err *err)
{
	struct demo_tx	*tx;
	struct sf_err	 e;
	int		 try, rc = -1;

	sf_err_clear(&e);
	if ((tx = calloc(1, sizeof(*tx))) == NULL ||
	    (tx->pool = dpg_pool_for(uri, &e)) == NULL ||
	    (tx->c = pgpool_conn(tx->pool, &e)) == NULL) {
		free(tx);
		sf_err_set(err, 503, "demo_unavailable", NULL, "the free demo "
		    "is unavailable right now (%.300s); try again later, or "
		    "POST with an x402 payment", e.status ? e.message :
		    "out of memory");
		return NULL;
	}
	for (try = 0; try < 5; try++) {
		if ((rc = dpg_run(tx, "BEGIN", 0, NULL, NULL)) == 0 &&
		    (rc = dpg_run(tx, "SELECT id FROM demo_gate WHERE id = 1"
		    " FOR UPDATE", 0, NULL, NULL)) == 0)
			return tx;
		PQclear(PQexec(tx->c, "ROLLBACK"));
		if (rc != 1)
			break;
	}
	sf_err_set(err, 503, "demo_unavailable", NULL, "the free demo is "
	    "unavailable right now (lock: %.300s); try again later, or POST "
	    "with an x402 payment", tx->msg);
	pgpool_done(tx->pool, tx->c);
	free(tx);
	return NULL;
}

static int
dpg_purge(struct demo_tx *tx, time_t before)
{
	char		 b[24];
	const char	*v[1] = { b };

	snprintf(b, sizeof(b), "%lld", (long long)before);
	return dpg_run(tx, "DELETE FROM demo_hits WHERE t <= $1::bigint", 1,
	    v, NULL);
}

static int
dpg_count(struct demo_tx *tx, const char *client, int paid_only,
    time_t since, long *n)
{
	char		 p[4], s[24];
	const char	*v[3] = { client, p, s };
	PGresult	*r;
	int		 rc;

	*n = 0;
	snprintf(p, sizeof(p), "%d", paid_only ? 1 : 0);
	snprintf(s, sizeof(s), "%lld", (long long)since);
	if ((rc = dpg_run(tx, "SELECT count(*) FROM demo_hits"
	    " WHERE ($1::text IS NULL OR client = $1::text)"
	    " AND ($2::integer = 0 OR paid = 1) AND t > $3::bigint", 3, v,
	    &r)) != 0)
		return rc;
	*n = PQntuples(r) == 1 ? atol(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}

static int
dpg_nth(struct demo_tx *tx, const char *client, int paid_only, time_t since,
    long offset, time_t *t)
{
	char		 p[4], s[24], o[24];
	const char	*v[4] = { client, p, s, o };
	PGresult	*r;
	int		 rc;

	*t = 0;
	snprintf(p, sizeof(p), "%d", paid_only ? 1 : 0);
	snprintf(s, sizeof(s), "%lld", (long long)since);
	snprintf(o, sizeof(o), "%ld", offset);
	if ((rc = dpg_run(tx, "SELECT t FROM demo_hits"
	    " WHERE ($1::text IS NULL OR client = $1::text)"
	    " AND ($2::integer = 0 OR paid = 1) AND t > $3::bigint"
	    " ORDER BY t LIMIT 1 OFFSET $4::bigint", 4, v, &r)) != 0)
		return rc;
	if (PQntuples(r) != 1) {
		snprintf(tx->msg, sizeof(tx->msg), "window row missing");
		PQclear(r);
		return -1;
	}
	*t = (time_t)atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

static int
dpg_insert(struct demo_tx *tx, time_t t, const char *client, int paid)
{
	char		 ts[24], p[4];
	const char	*v[3] = { ts, client, p };

	snprintf(ts, sizeof(ts), "%lld", (long long)t);
	snprintf(p, sizeof(p), "%d", paid ? 1 : 0);
	return dpg_run(tx, "INSERT INTO demo_hits (t, client, paid)"
	    " VALUES ($1::bigint, $2, $3::integer)", 3, v, NULL);
}

static int
dpg_end(struct demo_tx *tx, int commit)
{
	int	 rc = 0;

	if (commit)
		rc = dpg_run(tx, "COMMIT", 0, NULL, NULL);
	/* pgpool_done rolls back whatever is still open. */
	pgpool_done(tx->pool, tx->c);
	free(tx);
	return rc;
}

static const char *
dpg_errmsg(struct demo_tx *tx)
{
	return tx->msg;
}

const struct demo_ops demo_pg_ops = {
	.begin = dpg_begin,
	.purge = dpg_purge,
	.count = dpg_count,
	.nth = dpg_nth,
	.insert = dpg_insert,
	.end = dpg_end,
	.errmsg = dpg_errmsg,
};
