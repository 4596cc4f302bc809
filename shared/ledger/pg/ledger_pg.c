/*
 * The PostgreSQL backend of the ledger (ledger_be.h): every host behind
 * one URL shares it.  Each operation is one statement whose correctness
 * rests on row-level guarantees any PostgreSQL-compatible database gives
 * (no advisory locks, no PostgreSQL-only functions):
 *   - the replay guard: the UNIQUE keys and INSERT ... ON CONFLICT DO
 *     NOTHING RETURNING id (a concurrent insert of the same key waits for
 *     the first to commit, then does nothing);
 *   - state changes and the stale take-over: UPDATE ... WHERE state = $from
 *     [AND updated < $before], a compare-and-set the database re-checks
 *     on the newest row version, so two hosts cannot both win;
 *   - a payer's admission (exposure + in-flight cap, ledger_reserve): one
 *     transaction that first locks the payer's row in payer_locks (an
 *     upsert, which locks the row it finds as SELECT ... FOR UPDATE
 *     does), so admissions for one payer queue across hosts; the whole
 *     transaction is retried on 40001/40P01; two round trips (libpq's
 *     pipeline mode sends BEGIN, the lock and the exposure at once, then
 *     the move with COMMIT);
 *   - statements the server asks to retry (40001) run again (pgpool).
 * Every statement is prepared on the server once per pooled connection
 * (pgpool_stmt): the server parses and plans it once, not at every call.
 * It runs SQL and nothing else: values go as text (bytea as binary), rows
 * come back as cells (ledger_be.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"
#include "ledger/pg/pgpool.h"

/* pg_type.h's BYTEAOID: a server header, not libpq's. */
#define LPG_BYTEA	17

struct ledger_be {
	struct pgpool	*pool;
	int		 id[LEDGER_NSTMT];	/* pgpool_stmt's */
	int		 lock_row, exposure_of, begin, commit;
};

static const char *const lpg_stmts[LEDGER_NSTMT] = {
	/* The payment_id match decides 409 vs replay, so it comes first. */
	[LEDGER_FIND] = "SELECT {cols} FROM payments"
	    " WHERE (payment_id = $1::text AND payer = $4 AND endpoint = $6)"
	    " OR (network = $2 AND asset = $3 AND payer = $4 AND nonce = $5)"
	    " ORDER BY (payment_id IS NOT NULL AND payment_id = $1::text"
	    " AND payer = $4 AND endpoint = $6) DESC"
	    " LIMIT 1",
	[LEDGER_GET] = "SELECT {cols} FROM payments WHERE id = $1",
	[LEDGER_INSERT] = "INSERT INTO payments ({insert}) VALUES ({values})"
	    " ON CONFLICT DO NOTHING RETURNING id",
	[LEDGER_SET_STATE] = "UPDATE payments SET state = $1,"
	    " error = COALESCE($2, error), updated = $3"
	    " WHERE id = $4 AND ($5::text IS NULL OR state = $5::text)",
	[LEDGER_TAKE_STALE] = "UPDATE payments SET state = $1, updated = $2"
	    " WHERE id = $3 AND state = $4 AND updated < $5",
	[LEDGER_LEASE] = "UPDATE payments SET updated = $1"
	    " WHERE id = $2 AND state = $3 AND updated = $4",
	[LEDGER_STORE_RESULT] = "UPDATE payments SET result = $1,"
	    " content_type = $2, updated = $3 WHERE id = $4",
	[LEDGER_SET_SETTLED] = "UPDATE payments SET state = $1, tx = $2,"
	    " error = $3, updated = $4 WHERE id = $5",
	[LEDGER_LIST] = "SELECT {cols} FROM payments"
	    " WHERE ($1::text IS NULL OR state = $1::text)"
	    " ORDER BY id DESC LIMIT $2",
	[LEDGER_PENDING] = "SELECT {cols} FROM payments"
	    " WHERE state IN ({to_settle})"
	    " AND valid_before_s > $1 AND updated <= $2 ORDER BY id",
	[LEDGER_REVENUE] = "SELECT endpoint, asset, network, state, amount"
	    " FROM payments WHERE state IN ({revenue})"
	    " ORDER BY endpoint, asset, network",
	[LEDGER_EXPOSURE] = "SELECT amount, state, tx FROM payments"
	    " WHERE network = $1 AND asset = $2 AND payer = $3"
	    " AND state IN ({exposed}) AND valid_before_s > $4",
	[LEDGER_ADMIT_ROW] = "SELECT network, asset, payer FROM payments"
	    " WHERE id = $1 AND state = $2",
	[LEDGER_UNCLAIM] = "DELETE FROM payments WHERE id = $1 AND state = $2",
	[LEDGER_SET_TX] = "UPDATE payments SET tx = $1, updated = $2"
	    " WHERE id = $3",
	[LEDGER_DELIVER] = "UPDATE payments SET result = $1,"
	    " content_type = $2, updated = $3,"
	    " state = CASE WHEN state = $5::text THEN $4 ELSE state END"
	    " WHERE id = $6",
	[LEDGER_JOB_INSERT] = "INSERT INTO jobs ({jinsert})"
	    " VALUES ({jvalues}) ON CONFLICT DO NOTHING",
	[LEDGER_JOB_GET] = "SELECT {jcols} FROM jobs j"
	    " JOIN payments p ON p.id = j.payment WHERE j.id = $1",
	[LEDGER_JOB_OF_PAYMENT] = "SELECT {jcols} FROM jobs j"
	    " JOIN payments p ON p.id = j.payment WHERE j.payment = $1",
	[LEDGER_JOB_LIST] = "SELECT {jcols} FROM jobs j"
	    " JOIN payments p ON p.id = j.payment"
	    " WHERE ($1::text IS NULL OR j.payer = $1::text)"
	    " AND ($2::bigint IS NULL OR j.seq < $2::bigint)"
	    " ORDER BY j.seq DESC LIMIT $3",
	[LEDGER_JOB_RUNNABLE] = "SELECT {jcols} FROM jobs j"
	    " JOIN payments p ON p.id = j.payment"
	    " WHERE j.open = 1 AND j.lease_until < $1"
	    " AND p.state IN ({inflight})"
	    " AND ($2::text IS NULL OR j.endpoint = $2::text)"
	    " ORDER BY j.seq LIMIT $3",
	/* A compare-and-set on the lease's end, re-checked by the server on
	   the newest row version: one taker wins. */
	[LEDGER_JOB_LEASE] = "UPDATE jobs SET lease_until = $1,"
	    " lease_owner = $2, attempts = attempts + 1, updated = $3"
	    " WHERE seq = $4 AND open = 1 AND lease_until < $3",
	[LEDGER_JOB_RENEW] = "UPDATE jobs SET lease_until = $1, updated = $2"
	    " WHERE seq = $3 AND lease_owner = $4 RETURNING cancel",
	[LEDGER_JOB_RELEASE] = "UPDATE jobs SET lease_until = 0,"
	    " lease_owner = NULL, updated = $1"
	    " WHERE seq = $2 AND lease_owner = $3",
	[LEDGER_JOB_STARTED] = "UPDATE jobs SET started = CASE WHEN started"
	    " = 0 THEN $1 ELSE started END, updated = $1 WHERE seq = $2",
	[LEDGER_JOB_UPSTREAM] = "UPDATE jobs SET upstream = $1, updated = $2"
	    " WHERE seq = $3",
	[LEDGER_JOB_PROGRESS] = "UPDATE jobs SET progress = $1, updated = $2"
	    " WHERE seq = $3",
	[LEDGER_JOB_CLOSE] = "UPDATE jobs SET open = 0,"
	    " message = COALESCE($1, message), lease_until = 0,"
	    " lease_owner = NULL, updated = $2 WHERE seq = $3",
	/* cancel and delivering: one row, so one of the two wins. */
	[LEDGER_JOB_CANCEL] = "UPDATE jobs SET cancel = 1, updated = $1"
	    " WHERE seq = $2 AND delivering = 0",
	[LEDGER_JOB_DELIVERING] = "UPDATE jobs SET delivering = 1,"
	    " updated = $1 WHERE seq = $2 AND cancel = 0",
	[LEDGER_JOB_TOKEN_ADD] = "INSERT INTO job_tokens (job, hash, created)"
	    " VALUES ($1, $2, $3)",
	[LEDGER_JOB_FORGET_SECRET] = "UPDATE jobs SET webhook_secret = NULL,"
	    " updated = $1 WHERE seq = $2",
	[LEDGER_JOB_TOKENS] = "SELECT hash FROM job_tokens WHERE job = $1"
	    " ORDER BY created, hash",

	/* Sign-In-With-X nonces: the UPDATE's WHERE is re-checked on the
	   newest row version, so of two hosts one uses a nonce up. */
	[LEDGER_SIWX_ISSUE] = "INSERT INTO siwx_nonces (nonce, expires)"
	    " VALUES ($1, $2) ON CONFLICT DO NOTHING",
	[LEDGER_SIWX_CONSUME] = "UPDATE siwx_nonces SET used = 1"
	    " WHERE nonce = $1 AND used = 0 AND expires > $2",
	[LEDGER_SIWX_PRUNE] = "DELETE FROM siwx_nonces WHERE expires <= $1",

	/* Webhook deliveries: the take is a compare-and-set on the lease. */
	[LEDGER_WEBHOOK_ENQUEUE] = "INSERT INTO webhook_deliveries (job,"
	    " event, msg_id, url, secret, body, state, created, next_at,"
	    " give_up) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $8)"
	    " ON CONFLICT DO NOTHING",
	[LEDGER_WEBHOOK_FIND] = "SELECT " LEDGER_WEBHOOK_COLS
	    " FROM webhook_deliveries WHERE job = $1 AND event = $2",
	[LEDGER_WEBHOOK_GET] = "SELECT " LEDGER_WEBHOOK_COLS
	    " FROM webhook_deliveries WHERE id = $1",
	[LEDGER_WEBHOOK_DUE] = "SELECT id FROM webhook_deliveries"
	    " WHERE state = 'pending' AND next_at <= $1 AND lease_until <= $1"
	    " ORDER BY next_at, id LIMIT $2",
	[LEDGER_WEBHOOK_TAKE] = "UPDATE webhook_deliveries"
	    " SET attempts = attempts + 1, lease_until = $1, lease_owner = $2"
	    " WHERE id = $3 AND state = 'pending' AND next_at <= $4"
	    " AND lease_until <= $4 RETURNING " LEDGER_WEBHOOK_COLS,
	[LEDGER_WEBHOOK_RECORD] = "UPDATE webhook_deliveries SET state = $1,"
	    " next_at = $2, last_status = $3, last_error = $4, last_at = $5,"
	    " lease_until = 0, lease_owner = NULL,"
	    " secret = CASE WHEN $1 = 'delivered' THEN NULL ELSE secret END"
	    " WHERE id = $6 AND lease_owner = $7",
	[LEDGER_WEBHOOK_LIST] = "SELECT " LEDGER_WEBHOOK_COLS
	    " FROM webhook_deliveries"
	    " WHERE ($1::text IS NULL OR state = $1::text)"
	    " AND ($2::text IS NULL OR job = $2::text) ORDER BY id DESC LIMIT $3",
	[LEDGER_WEBHOOK_RETRY] = "UPDATE webhook_deliveries SET"
	    " state = 'pending', next_at = $1, give_up = $2, lease_until = 0,"
	    " lease_owner = NULL WHERE id = $3 AND state <> 'delivered'"
	    " AND secret IS NOT NULL",
	[LEDGER_WEBHOOK_NEXT] = "SELECT MIN(next_at) FROM webhook_deliveries"
	    " WHERE state = 'pending'",
	[LEDGER_WEBHOOK_PRUNE] = "DELETE FROM webhook_deliveries"
	    " WHERE state IN ('delivered', 'abandoned') AND last_at <= $1",
};

/*
 * The admission's row and the lock on its payer, in one statement: the
 * row's network, asset and payer if it is in state ($1 id, $2 state),
 * and their row in payer_locks created or, being there, locked (ON
 * CONFLICT DO UPDATE locks the row it finds as SELECT ... FOR UPDATE
 * does, waiting for the admission that holds it).  Three statements and
 * round trips before (the row, the insert, the lock).
 */
static const char lpg_lock_row[] = "INSERT INTO payer_locks (network,"
    " asset, payer) SELECT network, asset, payer FROM payments"
    " WHERE id = $1 AND state = $2"
    " ON CONFLICT (network, asset, payer) DO UPDATE"
    " SET network = EXCLUDED.network RETURNING network, asset, payer";

/*
 * LEDGER_EXPOSURE of the payer of a row ($1 id, $2 now), so that it can
 * go in the lock's round trip: the row's network, asset and payer never
 * change, and the server runs it after the lock is held (in a pipeline
 * each statement still begins when the one before has ended, and takes
 * its snapshot then: it sees every admission that held the lock before).
 */
static const char lpg_exposure_of[] = "SELECT e.amount, e.state, e.tx"
    " FROM payments r JOIN payments e ON e.network = r.network"
    " AND e.asset = r.asset AND e.payer = r.payer"
    " WHERE r.id = $1 AND e.state IN ({exposed}) AND e.valid_before_s > $2";

/* The pool's id of template t (ledger_sql), or -1 with err. */
static int
lpg_stmt(struct pgpool *pool, const char *t, struct sf_err *err)
{
	char	*sql;
	int	 id;

	if ((sql = ledger_sql(t, &pg_dialect, err)) == NULL)
		return -1;
	id = pgpool_stmt(pool, sql, err);
	free(sql);
	return id;
}

static struct ledger_be *
lpg_open(const char *uri, struct sf_err *err)
{
	struct ledger_be	*l;
	char			*sql[LEDGER_NSTMT];
	int			 up, i, rc = 0;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		return NULL;
	}
	if (ledger_sql_stmts(lpg_stmts, &pg_dialect, sql, err) == -1) {
		free(l);
		return NULL;
	}
	if ((l->pool = pgpool_get(uri, &up, err)) == NULL) {
		ledger_sql_stmts_free(sql);
		free(l);
		return NULL;
	}
	if (!up)
		fprintf(stderr, "ledger: PostgreSQL not reachable yet, calls "
		    "answer 503 ledger_unavailable until it is: %s\n",
		    err->message);
	for (i = 0; i < LEDGER_NSTMT && rc == 0; i++)
		if ((l->id[i] = pgpool_stmt(l->pool, sql[i], err)) == -1)
			rc = -1;
	ledger_sql_stmts_free(sql);
	if (rc == -1 ||
	    (l->lock_row = lpg_stmt(l->pool, lpg_lock_row, err)) == -1 ||
	    (l->exposure_of = lpg_stmt(l->pool, lpg_exposure_of, err)) == -1 ||
	    (l->begin = pgpool_stmt(l->pool, "BEGIN", err)) == -1 ||
	    (l->commit = pgpool_stmt(l->pool, "COMMIT", err)) == -1) {
		pgpool_put(l->pool);
		free(l);
		return NULL;
	}
	return l;
}

static void
lpg_close(struct ledger_be *l)
{
	pgpool_put(l->pool);
	free(l);
}

/*
 * A write in a transaction that is rolled back: a read-only server (a
 * standby, default_transaction_read_only) or a lost connection shows.
 */
static int
lpg_writable(struct ledger_be *l, struct sf_err *err)
{
	PGconn		*c;
	PGresult	*r;
	char		 msg[sizeof(err->message)];
	int		 rc;

	if ((c = pgpool_conn(l->pool, err)) == NULL)
		return -1;
	r = PQexec(c, "BEGIN; UPDATE synthforge_schema SET version = version"
	    " WHERE component = 'ledger'");
	rc = pgpool_check(c, r, "writable", err);
	PQclear(r);
	pgpool_done(l->pool, c);	/* rolls the transaction back */
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "%s", err->message);
		return sf_err_set(err, 503, "ledger_unavailable", NULL,
		    "ledger not writable: %s", msg);
	}
	return 0;
}

/* Values as libpq parameters: text, ints in ib, blobs binary. */
struct lpg_params {
	const char	*v[LEDGER_MAXVALS];
	int		 lens[LEDGER_MAXVALS], fmts[LEDGER_MAXVALS];
	char		 ib[LEDGER_MAXVALS][24];
};

static void
lpg_params(const struct ledger_val *v, int n, struct lpg_params *p)
{
	int	 i;

	for (i = 0; i < n && i < LEDGER_MAXVALS; i++) {
		p->lens[i] = p->fmts[i] = 0;
		switch (v[i].type) {
		case LEDGER_VNULL:
			p->v[i] = NULL;
			break;
		case LEDGER_VTEXT:
			p->v[i] = v[i].p;
			break;
		case LEDGER_VINT:
			snprintf(p->ib[i], sizeof(p->ib[i]), "%lld",
			    (long long)v[i].i);
			p->v[i] = p->ib[i];
			break;
		case LEDGER_VBLOB:
			p->v[i] = v[i].p;
			p->lens[i] = (int)v[i].n;
			p->fmts[i] = 1;
			break;
		}
	}
}

/* Statement id with the values of p. */
static struct pgpool_q
lpg_q(int id, const struct lpg_params *p, int n)
{
	struct pgpool_q	 q = { id, n, p->v, p->lens, p->fmts };

	return q;
}

/* Each row of r to cb as cells (bytea unescaped).  0 or -1. */
static int
lpg_rows(const PGresult *r, ledger_row_cb cb, void *arg, struct sf_err *err)
{
	struct ledger_cell	 c[LEDGER_MAXCELLS];
	unsigned char		*bin[LEDGER_MAXCELLS];
	int			 i, k, nc = PQnfields(r), rc = 0;

	if (nc > LEDGER_MAXCELLS)
		nc = LEDGER_MAXCELLS;
	for (i = 0; i < PQntuples(r) && rc == 0; i++) {
		memset(bin, 0, sizeof(bin));
		for (k = 0; k < nc && rc == 0; k++) {
			c[k].p = NULL;
			c[k].n = 0;
			if (PQgetisnull(r, i, k))
				continue;
			if (PQftype(r, k) != LPG_BYTEA) {
				c[k].p = PQgetvalue(r, i, k);
				c[k].n = (size_t)PQgetlength(r, i, k);
				continue;
			}
			/* Text results carry bytea hex-escaped. */
			if ((bin[k] = PQunescapeBytea((const unsigned char *)
			    PQgetvalue(r, i, k), &c[k].n)) == NULL)
				rc = sf_err_set(err, 500, "internal_error",
				    NULL, "out of memory");
			c[k].p = (const char *)bin[k];
		}
		if (rc == 0)
			rc = cb(arg, c, nc, err);
		for (k = 0; k < nc; k++)
			PQfreemem(bin[k]);
	}
	return rc;
}

/* Rows read (a query or RETURNING) or changed by r. */
static int
lpg_count(PGresult *r)
{
	return PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) :
	    atoi(PQcmdTuples(r));
}

static int
lpg_run(struct ledger_be *l, enum ledger_stmt s, const struct ledger_val *v,
    int n, ledger_row_cb cb, void *arg, struct sf_err *err)
{
	struct lpg_params	 p;
	struct pgpool_q		 q;
	PGresult		*r;
	int			 rc;

	lpg_params(v, n, &p);
	q = lpg_q(l->id[s], &p, n);
	if ((r = pgpool_exec(l->pool, &q, err)) == NULL)
		return -1;
	rc = cb != NULL ? lpg_rows(r, cb, arg, err) : 0;
	if (rc == 0)
		rc = lpg_count(r);
	PQclear(r);
	return rc;
}

/* The id RETURNING gave (ledger_row_cb). */
static int
lpg_id(void *arg, const struct ledger_cell *c, int n, struct sf_err *err)
{
	(void)err;
	*(int64_t *)arg = n > 0 && c[0].p != NULL ?
	    strtoll(c[0].p, NULL, 10) : 0;
	return 0;
}

static int
lpg_claim(struct ledger_be *l, const struct ledger_val *ins,
    const struct ledger_val *key, int64_t *id, ledger_row_cb cb, void *arg,
    struct sf_err *err)
{
	int	 try, rc;

	/* The conflicting row may be gone by the time it is read (its
	   claimer refused the payment and dropped the claim): then the
	   insert is tried again. */
	for (try = 0; try < 3; try++) {
		if ((rc = lpg_run(l, LEDGER_INSERT, ins, LEDGER_NINSERT,
		    lpg_id, id, err)) < 0)
			return -1;
		if (rc == 1)
			return LEDGER_NEW;
		if ((rc = lpg_run(l, LEDGER_FIND, key, LEDGER_NKEY, cb, arg,
		    err)) < 0)
			return -1;
		if (rc == 1)
			return LEDGER_EXISTING;
	}
	return sf_err_set(err, 500, "ledger_error", NULL,
	    "conflicting row vanished");
}

/* r's rows to cb (NULL: none wanted), then its count; -1 with err. */
static int
lpg_result(PGresult *r, ledger_row_cb cb, void *arg, struct sf_err *err)
{
	int	 rc = cb != NULL ? lpg_rows(r, cb, arg, err) : 0;

	return rc == 0 ? lpg_count(r) : -1;
}

/*
 * One attempt, in one transaction that first locks the payer's row in
 * payer_locks (created on first use; locked by the upsert): every host's
 * admissions for one payer queue there, so the exposure read and the move
 * to working cannot interleave.  Two round trips: BEGIN, the row and the
 * lock, the exposure (the server runs it once the lock is held); then the
 * move with COMMIT.  1, 0, LEDGER_OVER_*, -1, -2 retry.
 */
static int
lpg_admit_once(struct ledger_be *l, PGconn *c, struct ledger_admission *a,
    struct sf_err *err)
{
	const struct ledger_val	 ev[2] = { a->row[0], a->exp[3] };
	struct lpg_params	 rowp, expp, movep;
	struct pgpool_q		 q[3];
	PGresult		*r[3];
	int			 rc, i, go = 0;

	lpg_params(a->row, 2, &rowp);
	lpg_params(ev, 2, &expp);
	q[0] = lpg_q(l->begin, &rowp, 0);
	q[1] = lpg_q(l->lock_row, &rowp, 2);
	q[2] = lpg_q(l->exposure_of, &expp, 2);
	if ((rc = pgpool_pipeline(l->pool, c, 3, q, r, err)) != 0)
		return rc == 1 ? -2 : -1;
	/* No row in verified (0): nothing to admit.  A refusal (rc not 0)
	   keeps nothing: pgpool_done rolls the transaction back. */
	if ((rc = lpg_result(r[1], a->key, a, err)) > 0 &&
	    (rc = lpg_result(r[2], a->scan, a, err)) >= 0)
		go = (rc = a->decide(a, err)) == 0;
	for (i = 0; i < 3; i++)
		PQclear(r[i]);
	if (!go)
		return rc;
	/* The move's count: 1 moved, 0 the row was no longer there. */
	lpg_params(a->move, 5, &movep);
	q[0] = lpg_q(l->id[LEDGER_SET_STATE], &movep, 5);
	q[1] = lpg_q(l->commit, &movep, 0);
	if ((rc = pgpool_pipeline(l->pool, c, 2, q, r, err)) != 0)
		return rc == 1 ? -2 : -1;
	rc = lpg_count(r[0]);
	PQclear(r[0]);
	PQclear(r[1]);
	return rc;
}

static int
lpg_admit(struct ledger_be *l, struct ledger_admission *a,
    struct sf_err *err)
{
	PGconn	*c;
	int	 try, rc = -1;

	for (try = 0; try < PGPOOL_RETRIES; try++) {
		if ((c = pgpool_conn(l->pool, err)) == NULL)
			return -1;
		rc = lpg_admit_once(l, c, a, err);
		pgpool_done(l->pool, c);	/* rolls back what is open */
		if (rc != -2)
			return rc;
		usleep(1000u << (try < 6 ? try : 6));
	}
	return -1;
}

const struct ledger_ops ledger_pg_ops = {
	.name = "postgresql",
	.open = lpg_open,
	.close = lpg_close,
	.writable = lpg_writable,
	.run = lpg_run,
	.claim = lpg_claim,
	.admit = lpg_admit,
};
