/*
 * The SQLite backend of the ledger (ledger_be.h): one file in WAL mode,
 * one connection per handle with its calls serialised; BEGIN IMMEDIATE
 * where a read and a write must see one snapshot.  One host only.  It
 * runs SQL and nothing else: every statement goes through lsq_run.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"
#include "ledger/sqlite/sqlite_busy.h"


struct ledger_be {
	sqlite3		*db;
	pthread_mutex_t	 mu;	/* one connection, calls serialised */
	char		*sql[LEDGER_NSTMT];
	/* Each statement prepared once, on first use, and reset after each
	   run (a statement left unreset would hold its read transaction):
	   preparing anew was 7% of the cheapest paid call (callgrind). */
	sqlite3_stmt	*st[LEDGER_NSTMT];
};

static const struct ledger_dialect lsq_dialect = {
	.param = "?",
	.id = "INTEGER PRIMARY KEY",
	.i64 = "INTEGER",
	.blob = "BLOB",
};

/* The jobs table (issue 25), a step of its own. */
#define LSQ_JOBS \
	"CREATE TABLE IF NOT EXISTS jobs ({jtable});" \
	"CREATE INDEX IF NOT EXISTS jobs_runnable ON jobs (open, lease_until);" \
	"CREATE INDEX IF NOT EXISTS jobs_payer ON jobs (payer, seq);" \
	"CREATE TABLE IF NOT EXISTS job_tokens (job TEXT NOT NULL," \
	" hash TEXT NOT NULL UNIQUE, created BIGINT NOT NULL);" \
	"CREATE INDEX IF NOT EXISTS job_tokens_job ON job_tokens (job);"

/* A new file, at version 1, then every step below (ledger_be.h's
   "Schema changes").  validBefore is a uint256; valid_before_s, a clamped
   copy, makes it comparable. */
#define LSQ_INDEXES							\
	"CREATE INDEX payments_state ON payments (state, valid_before_s);" \
	"CREATE INDEX payments_endpoint ON payments (endpoint);"
static const char lsq_schema[] =
	"CREATE TABLE payments ({table});" LSQ_INDEXES;

/* lsq_steps[i] brings version i + 1 to i + 2; PRAGMA user_version holds
   the version of a file. */
static const char *const lsq_steps[] = {
	/* 1 -> 2: Sign-In-With-X nonces, webhook deliveries. */
	LEDGER_SIWX_DDL LEDGER_WEBHOOK_DDL,
	/* 2 -> 3: payment_id unique per payer and endpoint, not alone; a
	   column's UNIQUE cannot be dropped in SQLite, so the table is
	   rebuilt (every column copied as it is, the id too). */
	"CREATE TABLE payments_new ({table});"
	"INSERT INTO payments_new (id, {insert}) SELECT id, {insert}"
	" FROM payments;"
	"DROP TABLE payments;"
	"ALTER TABLE payments_new RENAME TO payments;" LSQ_INDEXES
	"CREATE UNIQUE INDEX payments_payment_id ON payments ({id_key});",
	/* 3 -> 4: jobs (issue 25; ledger_job_columns) and their status
	   links' token hashes. */
	LSQ_JOBS,
};
#define LEDGER_SCHEMA_VERSION \
	(1 + (int)(sizeof(lsq_steps) / sizeof(lsq_steps[0])))

static const char *const lsq_stmts[LEDGER_NSTMT] = {
	/* The payment_id match decides 409 vs replay, so it comes first. */
	[LEDGER_FIND] = "SELECT {cols} FROM payments"
	    " WHERE (payment_id IS NOT NULL AND payment_id = ?1"
	    " AND payer = ?4 AND endpoint = ?6)"
	    " OR (network = ?2 AND asset = ?3 AND payer = ?4 AND nonce = ?5)"
	    " ORDER BY (payment_id IS NOT NULL AND payment_id = ?1"
	    " AND payer = ?4 AND endpoint = ?6) DESC"
	    " LIMIT 1",
	[LEDGER_GET] = "SELECT {cols} FROM payments WHERE id = ?1",
	[LEDGER_INSERT] = "INSERT INTO payments ({insert}) VALUES ({values})"
	    " ON CONFLICT DO NOTHING",
	[LEDGER_SET_STATE] = "UPDATE payments SET state = ?1,"
	    " error = COALESCE(?2, error), updated = ?3"
	    " WHERE id = ?4 AND (?5 IS NULL OR state = ?5)",
	/* A compare-and-set on the time too: two takers cannot both win. */
	[LEDGER_TAKE_STALE] = "UPDATE payments SET state = ?1, updated = ?2"
	    " WHERE id = ?3 AND state = ?4 AND updated < ?5",
	[LEDGER_LEASE] = "UPDATE payments SET updated = ?1"
	    " WHERE id = ?2 AND state = ?3 AND updated = ?4",
	[LEDGER_STORE_RESULT] = "UPDATE payments SET result = ?1,"
	    " content_type = ?2, updated = ?3 WHERE id = ?4",
	[LEDGER_SET_SETTLED] = "UPDATE payments SET state = ?1, tx = ?2,"
	    " error = ?3, updated = ?4 WHERE id = ?5",
	[LEDGER_LIST] = "SELECT {cols} FROM payments"
	    " WHERE (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2",
	[LEDGER_PENDING] = "SELECT {cols} FROM payments"
	    " WHERE state IN ({to_settle})"
	    " AND valid_before_s > ?1 AND updated <= ?2 ORDER BY id",
	[LEDGER_REVENUE] = "SELECT endpoint, asset, network, state, amount"
	    " FROM payments WHERE state IN ({revenue})"
	    " ORDER BY endpoint, asset, network",
	[LEDGER_EXPOSURE] = "SELECT amount, state, tx FROM payments"
	    " WHERE network = ?1 AND asset = ?2 AND payer = ?3"
	    " AND state IN ({exposed}) AND valid_before_s > ?4",
	[LEDGER_ADMIT_ROW] = "SELECT network, asset, payer FROM payments"
	    " WHERE id = ?1 AND state = ?2",
	[LEDGER_UNCLAIM] = "DELETE FROM payments WHERE id = ?1 AND state = ?2",
	[LEDGER_SET_TX] = "UPDATE payments SET tx = ?1, updated = ?2"
	    " WHERE id = ?3",
	[LEDGER_DELIVER] = "UPDATE payments SET result = ?1,"
	    " content_type = ?2, updated = ?3,"
	    " state = CASE WHEN state = ?5 THEN ?4 ELSE state END"
	    " WHERE id = ?6",
	[LEDGER_JOB_INSERT] = "INSERT INTO jobs ({jinsert})"
	    " VALUES ({jvalues}) ON CONFLICT DO NOTHING",
	[LEDGER_JOB_GET] = "SELECT {jcols} FROM jobs j"
	    " JOIN payments p ON p.id = j.payment WHERE j.id = ?1",
	[LEDGER_JOB_OF_PAYMENT] = "SELECT {jcols} FROM jobs j"
	    " JOIN payments p ON p.id = j.payment WHERE j.payment = ?1",
	[LEDGER_JOB_LIST] = "SELECT {jcols} FROM jobs j"
	    " JOIN payments p ON p.id = j.payment"
	    " WHERE (?1 IS NULL OR j.payer = ?1)"
	    " AND (?2 IS NULL OR j.seq < ?2) ORDER BY j.seq DESC LIMIT ?3",
	[LEDGER_JOB_RUNNABLE] = "SELECT {jcols} FROM jobs j"
	    " JOIN payments p ON p.id = j.payment"
	    " WHERE j.open = 1 AND j.lease_until < ?1"
	    " AND p.state IN ({inflight}) AND (?2 IS NULL OR j.endpoint = ?2)"
	    " ORDER BY j.seq LIMIT ?3",
	/* A compare-and-set on the lease's end: one taker wins. */
	[LEDGER_JOB_LEASE] = "UPDATE jobs SET lease_until = ?1,"
	    " lease_owner = ?2, attempts = attempts + 1, updated = ?3"
	    " WHERE seq = ?4 AND open = 1 AND lease_until < ?3",
	[LEDGER_JOB_RENEW] = "UPDATE jobs SET lease_until = ?1, updated = ?2"
	    " WHERE seq = ?3 AND lease_owner = ?4 RETURNING cancel",
	[LEDGER_JOB_RELEASE] = "UPDATE jobs SET lease_until = 0,"
	    " lease_owner = NULL, updated = ?1"
	    " WHERE seq = ?2 AND lease_owner = ?3",
	[LEDGER_JOB_STARTED] = "UPDATE jobs SET started = CASE WHEN started"
	    " = 0 THEN ?1 ELSE started END, updated = ?1 WHERE seq = ?2",
	[LEDGER_JOB_UPSTREAM] = "UPDATE jobs SET upstream = ?1, updated = ?2"
	    " WHERE seq = ?3",
	[LEDGER_JOB_PROGRESS] = "UPDATE jobs SET progress = ?1, updated = ?2"
	    " WHERE seq = ?3",
	[LEDGER_JOB_CLOSE] = "UPDATE jobs SET open = 0,"
	    " message = COALESCE(?1, message), lease_until = 0,"
	    " lease_owner = NULL, updated = ?2 WHERE seq = ?3",
	/* cancel and delivering: one row, so one of the two wins. */
	[LEDGER_JOB_CANCEL] = "UPDATE jobs SET cancel = 1, updated = ?1"
	    " WHERE seq = ?2 AND delivering = 0",
	[LEDGER_JOB_DELIVERING] = "UPDATE jobs SET delivering = 1,"
	    " updated = ?1 WHERE seq = ?2 AND cancel = 0",
	[LEDGER_JOB_TOKEN_ADD] = "INSERT INTO job_tokens (job, hash, created)"
	    " VALUES (?1, ?2, ?3)",
	[LEDGER_JOB_FORGET_SECRET] = "UPDATE jobs SET webhook_secret = NULL,"
	    " updated = ?1 WHERE seq = ?2",
	[LEDGER_JOB_TOKENS] = "SELECT hash FROM job_tokens WHERE job = ?1"
	    " ORDER BY created, hash",

	/* Sign-In-With-X nonces. */
	[LEDGER_SIWX_ISSUE] = "INSERT INTO siwx_nonces (nonce, expires)"
	    " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
	[LEDGER_SIWX_CONSUME] = "UPDATE siwx_nonces SET used = 1"
	    " WHERE nonce = ?1 AND used = 0 AND expires > ?2",
	[LEDGER_SIWX_PRUNE] = "DELETE FROM siwx_nonces WHERE expires <= ?1",

	/* Webhook deliveries. */
	[LEDGER_WEBHOOK_ENQUEUE] = "INSERT INTO webhook_deliveries (job,"
	    " event, msg_id, url, secret, body, state, created, next_at,"
	    " give_up) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7, ?8)"
	    " ON CONFLICT DO NOTHING",
	[LEDGER_WEBHOOK_FIND] = "SELECT " LEDGER_WEBHOOK_COLS
	    " FROM webhook_deliveries WHERE job = ?1 AND event = ?2",
	[LEDGER_WEBHOOK_GET] = "SELECT " LEDGER_WEBHOOK_COLS
	    " FROM webhook_deliveries WHERE id = ?1",
	[LEDGER_WEBHOOK_DUE] = "SELECT id FROM webhook_deliveries"
	    " WHERE state = 'pending' AND next_at <= ?1 AND lease_until <= ?1"
	    " ORDER BY next_at, id LIMIT ?2",
	[LEDGER_WEBHOOK_TAKE] = "UPDATE webhook_deliveries"
	    " SET attempts = attempts + 1, lease_until = ?1, lease_owner = ?2"
	    " WHERE id = ?3 AND state = 'pending' AND next_at <= ?4"
	    " AND lease_until <= ?4 RETURNING " LEDGER_WEBHOOK_COLS,
	[LEDGER_WEBHOOK_RECORD] = "UPDATE webhook_deliveries SET state = ?1,"
	    " next_at = ?2, last_status = ?3, last_error = ?4, last_at = ?5,"
	    " lease_until = 0, lease_owner = NULL,"
	    " secret = CASE WHEN ?1 = 'delivered' THEN NULL ELSE secret END"
	    " WHERE id = ?6 AND lease_owner = ?7",
	[LEDGER_WEBHOOK_LIST] = "SELECT " LEDGER_WEBHOOK_COLS
	    " FROM webhook_deliveries WHERE (?1 IS NULL OR state = ?1)"
	    " AND (?2 IS NULL OR job = ?2) ORDER BY id DESC LIMIT ?3",
	[LEDGER_WEBHOOK_RETRY] = "UPDATE webhook_deliveries SET"
	    " state = 'pending', next_at = ?1, give_up = ?2, lease_until = 0,"
	    " lease_owner = NULL WHERE id = ?3 AND state <> 'delivered'"
	    " AND secret IS NOT NULL",
	[LEDGER_WEBHOOK_NEXT] = "SELECT MIN(next_at) FROM webhook_deliveries"
	    " WHERE state = 'pending'",
	[LEDGER_WEBHOOK_PRUNE] = "DELETE FROM webhook_deliveries"
	    " WHERE state IN ('delivered', 'abandoned') AND last_at <= ?1",
};

static int
lsq_dberr(struct ledger_be *l, struct sf_err *err, const char *what)
{
	int	 rc = sqlite3_extended_errcode(l->db);

	return sf_err_set(err, rc == SQLITE_BUSY || rc == SQLITE_LOCKED ?
	    503 : 500, "ledger_error", NULL, "%s: %s", what,
	    sqlite3_errmsg(l->db));
}

static int
lsq_exec(struct ledger_be *l, const char *sql, struct sf_err *err)
{
	char	*msg = NULL;

	if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sf_err_set(err, 500, "ledger_error", NULL, "%s",
		    msg ? msg : "sqlite3_exec");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void
lsq_rollback(struct ledger_be *l)
{
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The row's columns as cells: -1 when SQLite ran out of memory. */
static int
lsq_cells(sqlite3_stmt *st, struct ledger_cell *c, int *n)
{
	int	 i;

	*n = sqlite3_column_count(st);
	if (*n > LEDGER_MAXCELLS)
		*n = LEDGER_MAXCELLS;
	for (i = 0; i < *n; i++) {
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			c[i].p = NULL;
			break;
		case SQLITE_BLOB:
			/* An empty blob is not NULL. */
			if ((c[i].p = sqlite3_column_blob(st, i)) == NULL)
				c[i].p = "";
			break;
		default:
			if ((c[i].p = (const char *)sqlite3_column_text(st,
			    i)) == NULL)
				return -1;
			break;
		}
		c[i].n = c[i].p != NULL ?
		    (size_t)sqlite3_column_bytes(st, i) : 0;
	}
	return 0;
}

static void
lsq_bind(sqlite3_stmt *st, const struct ledger_val *v, int n)
{
	int	 i;

	/* SQLITE_STATIC: the values outlive the statement (lsq_sql). */
	for (i = 0; i < n; i++)
		switch (v[i].type) {
		case LEDGER_VNULL:
			sqlite3_bind_null(st, i + 1);
			break;
		case LEDGER_VTEXT:
			sqlite3_bind_text(st, i + 1, v[i].p, -1,
			    SQLITE_STATIC);
			break;
		case LEDGER_VINT:
			sqlite3_bind_int64(st, i + 1, v[i].i);
			break;
		case LEDGER_VBLOB:
			sqlite3_bind_blob(st, i + 1, v[i].p, (int)v[i].n,
			    SQLITE_STATIC);
			break;
		}
}

/*
 * Bind v as ?1..?n to st, step it to the end giving each row to cb.  Rows
 * read (a query) or changed, or -1 with err.  st is left to the caller
 * to finalize or reset.
 */
static int
lsq_step(struct ledger_be *l, sqlite3_stmt *st, const char *sql,
    const struct ledger_val *v, int n, ledger_row_cb cb, void *arg,
    struct sf_err *err)
{
	struct ledger_cell	 c[LEDGER_MAXCELLS];
	int			 rc, nc, rows = 0, query;

	lsq_bind(st, v, n);
	query = sqlite3_column_count(st) > 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows++;
		if (cb == NULL)
			continue;
		if (lsq_cells(st, c, &nc) == -1)
			return sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
		if (cb(arg, c, nc, err) == -1)
			return -1;
	}
	if (rc != SQLITE_DONE)
		return lsq_dberr(l, err, query ? "select" :
		    strncmp(sql, "INSERT", 6) == 0 ? "insert" : "update");
	return query ? rows : sqlite3_changes(l->db);
}

/*
 * A statement that is not one of the ledger's (mu held): prepare sql, run
 * it (lsq_step), finalize.  Rows read or changed, or -1 with err.
 */
static int
lsq_sql(struct ledger_be *l, const char *sql, const struct ledger_val *v,
    int n, ledger_row_cb cb, void *arg, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return lsq_dberr(l, err, "prepare");
	rc = lsq_step(l, st, sql, v, n, cb, arg, err);
	sqlite3_finalize(st);
	return rc;
}

/* Statement s (mu held), prepared once and kept (l->st). */
static int
lsq_run_locked(struct ledger_be *l, enum ledger_stmt s,
    const struct ledger_val *v, int n, ledger_row_cb cb, void *arg,
    struct sf_err *err)
{
	int	 rc;

	if (l->st[s] == NULL && sqlite3_prepare_v3(l->db, l->sql[s], -1,
	    SQLITE_PREPARE_PERSISTENT, &l->st[s], NULL) != SQLITE_OK) {
		l->st[s] = NULL;
		return lsq_dberr(l, err, "prepare");
	}
	rc = lsq_step(l, l->st[s], l->sql[s], v, n, cb, arg, err);
	sqlite3_reset(l->st[s]);
	sqlite3_clear_bindings(l->st[s]);
	return rc;
}

static int
lsq_run(struct ledger_be *l, enum ledger_stmt s, const struct ledger_val *v,
    int n, ledger_row_cb cb, void *arg, struct sf_err *err)
{
	int	 rc;

	pthread_mutex_lock(&l->mu);
	rc = lsq_run_locked(l, s, v, n, cb, arg, err);
	pthread_mutex_unlock(&l->mu);
	return rc;
}

/* PRAGMA user_version into arg (ledger_row_cb). */
static int
lsq_version_cb(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	(void)err;
	*(int *)arg = n > 0 && c[0].p != NULL ? atoi(c[0].p) : -1;
	return 0;
}

/* The text tmpl through ledger_sql, run.  0 or -1 with err. */
static int
lsq_exec_sql(struct ledger_be *l, const char *tmpl, struct sf_err *err)
{
	char	*sql;
	int	 rc;

	if ((sql = ledger_sql(tmpl, &lsq_dialect, err)) == NULL)
		return -1;
	rc = lsq_exec(l, sql, err);
	free(sql);
	return rc;
}

/* Bring a file at version ver (0: new) to LEDGER_SCHEMA_VERSION, in the
   caller's write transaction. */
static int
lsq_upgrade(struct ledger_be *l, int ver, struct sf_err *err)
{
	char	 sql[64];

	if (ver == 0) {
		if (lsq_exec_sql(l, lsq_schema, err) == -1)
			return -1;
		ver = 1;
	}
	for (; ver < LEDGER_SCHEMA_VERSION; ver++)
		if (lsq_exec_sql(l, lsq_steps[ver - 1], err) == -1)
			return -1;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    LEDGER_SCHEMA_VERSION);
	return lsq_exec(l, sql, err);
}

/* Create, upgrade or check the schema; several processes may race here. */
static int
lsq_migrate(struct ledger_be *l, struct sf_err *err)
{
	int	 ver = -1;

	/* Fast path without the write lock: every worker opens the ledger. */
	if (lsq_sql(l, "PRAGMA user_version", NULL, 0, lsq_version_cb, &ver,
	    err) == 1 && ver == LEDGER_SCHEMA_VERSION)
		return 0;
	if (lsq_exec(l, "BEGIN IMMEDIATE", err) == -1)
		return -1;
	ver = -1;
	if (lsq_sql(l, "PRAGMA user_version", NULL, 0, lsq_version_cb, &ver,
	    err) == -1)
		goto fail;
	if (ver < 0 || ver > LEDGER_SCHEMA_VERSION) {
		sf_err_set(err, 500, "ledger_error", NULL, "the ledger file "
		    "has schema version %d; this program knows %d: upgrade "
		    "synthforge", ver, LEDGER_SCHEMA_VERSION);
		goto fail;
	}
	if (ver < LEDGER_SCHEMA_VERSION && lsq_upgrade(l, ver, err) == -1)
		goto fail;
	return lsq_exec(l, "COMMIT", err);
fail:
	lsq_rollback(l);
	return -1;
}

static void
lsq_free(struct ledger_be *l)
{
	size_t	 i;

	for (i = 0; i < LEDGER_NSTMT; i++)
		sqlite3_finalize(l->st[i]);
	sqlite3_close(l->db);
	pthread_mutex_destroy(&l->mu);
	ledger_sql_stmts_free(l->sql);
	free(l);
}

/* WAL mode, then the schema; a busy start tried again (sqlite_busy.h). */
static int
lsq_setup(struct ledger_be *l, struct sf_err *err)
{
	int	 i;

	for (i = 0;; i++) {
		if (lsq_exec(l, "PRAGMA journal_mode = WAL", err) == 0 &&
		    lsq_exec(l, "PRAGMA synchronous = NORMAL", err) == 0 &&
		    lsq_migrate(l, err) == 0)
			return 0;
		if (!sqlite_busy_pause(l->db, i))
			return -1;
	}
}

static struct ledger_be *
lsq_open(const char *path, struct sf_err *err)
{
	struct ledger_be	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		return NULL;
	}
	if (pthread_mutex_init(&l->mu, NULL) != 0) {
		free(l);
		sf_err_set(err, 500, "internal_error", NULL, "mutex");
		return NULL;
	}
	if (ledger_sql_stmts(lsq_stmts, &lsq_dialect, l->sql, err) == -1)
		goto fail;
	if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		sf_err_set(err, 500, "ledger_error", NULL, "open %s: %s", path,
		    l->db ? sqlite3_errmsg(l->db) : "out of memory");
		goto fail;
	}
	/* Busy timeout first: switching to WAL needs a lock others may hold. */
	if (sqlite3_busy_timeout(l->db, 10000) != SQLITE_OK) {
		sf_err_set(err, 500, "ledger_error", NULL, "busy timeout");
		goto fail;
	}
	if (lsq_setup(l, err) == -1)
		goto fail;
	return l;
fail:
	lsq_free(l);
	return NULL;
}

static void
lsq_close(struct ledger_be *l)
{
	if (l != NULL)
		lsq_free(l);
}

static int
lsq_writable(struct ledger_be *l, struct sf_err *err)
{
	char	*msg = NULL;
	int	 rc;

	pthread_mutex_lock(&l->mu);
	rc = sqlite3_exec(l->db, "BEGIN IMMEDIATE; ROLLBACK;", NULL, NULL,
	    &msg);
	if (rc != SQLITE_OK)
		sf_err_set(err, 503, "ledger_unavailable", NULL,
		    "ledger not writable: %s",
		    msg != NULL ? msg : sqlite3_errmsg(l->db));
	sqlite3_free(msg);
	pthread_mutex_unlock(&l->mu);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Inside the claim's transaction: the insert, else the row in the way. */
static int
lsq_claim_locked(struct ledger_be *l, const struct ledger_val *ins,
    const struct ledger_val *key, int64_t *id, ledger_row_cb cb, void *arg,
    struct sf_err *err)
{
	int	 rc;

	if ((rc = lsq_run_locked(l, LEDGER_INSERT, ins, LEDGER_NINSERT, NULL,
	    NULL, err)) < 0)
		return -1;
	if (rc == 1) {
		*id = sqlite3_last_insert_rowid(l->db);
		return LEDGER_NEW;
	}
	if ((rc = lsq_run_locked(l, LEDGER_FIND, key, LEDGER_NKEY, cb, arg,
	    err)) < 0)
		return -1;
	/* The write lock is held since the insert: nobody deleted it. */
	if (rc == 0)
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "conflicting row vanished");
	return LEDGER_EXISTING;
}

static int
lsq_claim(struct ledger_be *l, const struct ledger_val *ins,
    const struct ledger_val *key, int64_t *id, ledger_row_cb cb, void *arg,
    struct sf_err *err)
{
	int	 ret = -1;

	pthread_mutex_lock(&l->mu);
	/* IMMEDIATE: the insert and the read-back see one snapshot. */
	if (lsq_exec(l, "BEGIN IMMEDIATE", err) == 0) {
		ret = lsq_claim_locked(l, ins, key, id, cb, arg, err);
		if (ret == -1 || lsq_exec(l, "COMMIT", err) == -1) {
			ret = -1;
			lsq_rollback(l);
		}
	}
	pthread_mutex_unlock(&l->mu);
	return ret;
}

/* Inside the admission's transaction (ledger_be.h). */
static int
lsq_admit_locked(struct ledger_be *l, struct ledger_admission *a,
    struct sf_err *err)
{
	int	 rc;

	if ((rc = lsq_run_locked(l, LEDGER_ADMIT_ROW, a->row, 2, a->key, a,
	    err)) <= 0)
		return rc;
	if (lsq_run_locked(l, LEDGER_EXPOSURE, a->exp, 4, a->scan, a,
	    err) == -1)
		return -1;
	if ((rc = a->decide(a, err)) != 0)
		return rc;
	return lsq_run_locked(l, LEDGER_SET_STATE, a->move, 5, NULL, NULL,
	    err);
}

/* One write transaction: the exposure read and the move are atomic
   against every other admission, in any thread or process. */
static int
lsq_admit(struct ledger_be *l, struct ledger_admission *a,
    struct sf_err *err)
{
	int	 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (lsq_exec(l, "BEGIN IMMEDIATE", err) == 0) {
		ret = lsq_admit_locked(l, a, err);
		if (ret == -1 || lsq_exec(l, "COMMIT", err) == -1) {
			ret = -1;
			lsq_rollback(l);
		}
	}
	pthread_mutex_unlock(&l->mu);
	return ret;
}

const struct ledger_ops ledger_sqlite_ops = {
	.name = "sqlite",
	.open = lsq_open,
	.close = lsq_close,
	.writable = lsq_writable,
	.run = lsq_run,
	.claim = lsq_claim,
	.admit = lsq_admit,
};
