/*
 * The SQLite backend of the ledger (ledger_be.h): one file in WAL mode,
 * one connection per handle with its calls serialised; BEGIN IMMEDIATE
 * where a read and a write must see one snapshot.  One host only.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"

#define LEDGER_SCHEMA_VERSION	1

struct ledger_be {
	sqlite3		*db;
	pthread_mutex_t	 mu;	/* one connection, calls serialised */
};

static const char ledger_schema[] =
	"CREATE TABLE payments ("
	" id INTEGER PRIMARY KEY,"
	" endpoint TEXT NOT NULL,"
	" request_hash TEXT NOT NULL,"
	" payer TEXT NOT NULL,"
	" amount TEXT NOT NULL,"
	" asset TEXT NOT NULL,"
	" network TEXT NOT NULL,"
	" x402_version INTEGER NOT NULL,"
	" nonce TEXT NOT NULL,"
	" valid_after TEXT NOT NULL,"
	" valid_before TEXT NOT NULL,"
	/* validBefore is a uint256; a clamped copy makes it comparable. */
	" valid_before_s INTEGER NOT NULL,"
	" payload TEXT NOT NULL,"
	" requirements TEXT NOT NULL,"
	" payment_id TEXT UNIQUE,"
	" state TEXT NOT NULL CHECK (state IN ('verified','working',"
	"  'delivered','settled','settle_failed','work_failed')),"
	" result BLOB,"
	" content_type TEXT,"
	" tx TEXT,"
	" error TEXT,"
	" created INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" UNIQUE (network, asset, payer, nonce));"
	"CREATE INDEX payments_state ON payments (state, valid_before_s);"
	"CREATE INDEX payments_endpoint ON payments (endpoint);";

#define LEDGER_COLS \
	"id, endpoint, request_hash, payer, amount, asset, network," \
	" x402_version, nonce, valid_after, valid_before, payload," \
	" requirements, payment_id, state, result, content_type, tx, error," \
	" created, updated"

static int
ledger_dberr(struct ledger_be *l, struct sf_err *err, const char *what)
{
	int	 rc = sqlite3_extended_errcode(l->db);

	return sf_err_set(err, rc == SQLITE_BUSY || rc == SQLITE_LOCKED ?
	    503 : 500, "ledger_error", NULL, "%s: %s", what,
	    sqlite3_errmsg(l->db));
}

static int
ledger_exec(struct ledger_be *l, const char *sql, struct sf_err *err)
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

/* Create or check the schema; several processes may race here. */
static int
ledger_migrate(struct ledger_be *l, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ver;

	/* Fast path without the write lock: every worker opens the ledger. */
	if (sqlite3_prepare_v2(l->db, "PRAGMA user_version", -1, &st,
	    NULL) == SQLITE_OK) {
		ver = sqlite3_step(st) == SQLITE_ROW ?
		    sqlite3_column_int(st, 0) : -1;
		sqlite3_finalize(st);
		if (ver == LEDGER_SCHEMA_VERSION)
			return 0;
	}
	if (ledger_exec(l, "BEGIN IMMEDIATE", err) == -1)
		return -1;
	if (sqlite3_prepare_v2(l->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		goto dberr;
	ver = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (ver == 0) {
		if (ledger_exec(l, ledger_schema, err) == -1 ||
		    ledger_exec(l, "PRAGMA user_version = 1", err) == -1)
			goto fail;
	} else if (ver != LEDGER_SCHEMA_VERSION) {
		sf_err_set(err, 500, "ledger_error", NULL,
		    "ledger schema version %d, want %d", ver,
		    LEDGER_SCHEMA_VERSION);
		goto fail;
	}
	return ledger_exec(l, "COMMIT", err);
dberr:
	ledger_dberr(l, err, "migrate");
fail:
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
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
	if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		sf_err_set(err, 500, "ledger_error", NULL, "open %s: %s", path,
		    l->db ? sqlite3_errmsg(l->db) : "out of memory");
		goto fail;
	}
	/* Busy timeout first: switching to WAL needs a lock others may hold. */
	if (sqlite3_busy_timeout(l->db, 10000) != SQLITE_OK ||
	    ledger_exec(l, "PRAGMA journal_mode = WAL", err) == -1 ||
	    ledger_exec(l, "PRAGMA synchronous = NORMAL", err) == -1 ||
	    ledger_migrate(l, err) == -1)
		goto fail;
	return l;
fail:
	sqlite3_close(l->db);
	pthread_mutex_destroy(&l->mu);
	free(l);
	return NULL;
}

static void
lsq_close(struct ledger_be *l)
{
	if (l == NULL)
		return;
	sqlite3_close(l->db);
	pthread_mutex_destroy(&l->mu);
	free(l);
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

/* A text column into a fixed field ("" for NULL). */
static void
lsq_text(char *dst, size_t sz, sqlite3_stmt *st, int col)
{
	ledger_copy(dst, sz, (const char *)sqlite3_column_text(st, col));
}

static char *
ledger_dup(sqlite3_stmt *st, int col, size_t *lenp)
{
	const void	*p;
	char		*s;
	size_t		 n;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	p = sqlite3_column_blob(st, col);
	n = (size_t)sqlite3_column_bytes(st, col);
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	if (lenp != NULL)
		*lenp = n;
	return s;
}

/* Fill p from a row selected with LEDGER_COLS. */
static int
ledger_row(sqlite3_stmt *st, struct ledger_payment *p)
{
	int	 s;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	lsq_text(p->endpoint, sizeof(p->endpoint), st, 1);
	lsq_text(p->request_hash, sizeof(p->request_hash), st, 2);
	lsq_text(p->payer, sizeof(p->payer), st, 3);
	lsq_text(p->amount, sizeof(p->amount), st, 4);
	lsq_text(p->asset, sizeof(p->asset), st, 5);
	lsq_text(p->network, sizeof(p->network), st, 6);
	p->x402_version = sqlite3_column_int(st, 7);
	lsq_text(p->nonce, sizeof(p->nonce), st, 8);
	lsq_text(p->valid_after, sizeof(p->valid_after), st, 9);
	lsq_text(p->valid_before, sizeof(p->valid_before), st, 10);
	p->payload = ledger_dup(st, 11, NULL);
	p->requirements = ledger_dup(st, 12, NULL);
	lsq_text(p->payment_id, sizeof(p->payment_id), st, 13);
	s = ledger_state_parse((const char *)sqlite3_column_text(st, 14));
	p->state = s < 0 ? LEDGER_VERIFIED : (enum ledger_state)s;
	p->result = ledger_dup(st, 15, &p->result_len);
	lsq_text(p->content_type, sizeof(p->content_type), st, 16);
	lsq_text(p->tx, sizeof(p->tx), st, 17);
	lsq_text(p->error, sizeof(p->error), st, 18);
	p->created = sqlite3_column_int64(st, 19);
	p->updated = sqlite3_column_int64(st, 20);
	if (p->payload == NULL || p->requirements == NULL ||
	    (sqlite3_column_type(st, 15) != SQLITE_NULL && p->result == NULL)) {
		ledger_payment_free(p);
		return -1;
	}
	return 0;
}

/* Run a prepared select and collect every row. */
static int
ledger_collect(struct ledger_be *l, sqlite3_stmt *st, struct ledger_payment **rows,
    size_t *n, struct sf_err *err)
{
	struct ledger_payment	*v = NULL, *nv;
	size_t			 cnt = 0, cap = 0;
	int			 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if (ledger_row(st, &v[cnt]) == -1)
			goto oom;
		cnt++;
	}
	if (rc != SQLITE_DONE) {
		ledger_payments_free(v, cnt);
		return ledger_dberr(l, err, "select");
	}
	*rows = v;
	*n = cnt;
	return 0;
oom:
	ledger_payments_free(v, cnt);
	return sf_err_set(err, 500, "internal_error", NULL, "out of memory");
}

static void
ledger_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL || *s == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static int
ledger_select_conflict(struct ledger_be *l, const struct ledger_payment *k,
    struct ledger_payment *row, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	/* The payment_id match decides 409 vs replay, so it comes first. */
	if (sqlite3_prepare_v2(l->db, "SELECT " LEDGER_COLS " FROM payments"
	    " WHERE (payment_id IS NOT NULL AND payment_id = ?1)"
	    " OR (network = ?2 AND asset = ?3 AND payer = ?4 AND nonce = ?5)"
	    " ORDER BY (payment_id IS NOT NULL AND payment_id = ?1) DESC"
	    " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return ledger_dberr(l, err, "prepare");
	ledger_bind_text(st, 1, k->payment_id);
	sqlite3_bind_text(st, 2, k->network, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->asset, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, k->payer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, k->nonce, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = ledger_row(st, row);
		sqlite3_finalize(st);
		if (rc == -1)
			return sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
		return 0;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "conflicting row vanished");
	return ledger_dberr(l, err, "select");
}

/* By replay key or payment id, without claiming: 1, 0 or -1. */
static int
lsq_find(struct ledger_be *l, const struct ledger_payment *k,
    struct ledger_payment *row, struct sf_err *err)
{
	int	 rc;

	pthread_mutex_lock(&l->mu);
	rc = ledger_select_conflict(l, k, row, err);
	pthread_mutex_unlock(&l->mu);
	if (rc == 0)
		return 1;
	/* select_conflict reports "no row" as an error; tell them apart. */
	if (strcmp(err->code, "ledger_error") == 0 &&
	    strstr(err->message, "vanished") != NULL) {
		sf_err_clear(err);
		return 0;
	}
	return -1;
}

/* Parameters 1-15 of an INSERT INTO payments: the row's key and claim. */
static void
lsq_bind_row(sqlite3_stmt *st, const struct ledger_payment *k)
{
	sqlite3_bind_text(st, 1, k->endpoint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->request_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->payer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, k->amount, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, k->asset, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, k->network, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, k->x402_version);
	sqlite3_bind_text(st, 8, k->nonce, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, k->valid_after, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, k->valid_before, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, ledger_clamp(k->valid_before));
	sqlite3_bind_text(st, 12, k->payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, k->requirements, -1, SQLITE_STATIC);
	ledger_bind_text(st, 14, k->payment_id);
	sqlite3_bind_text(st, 15, ledger_state_name(k->state), -1,
	    SQLITE_STATIC);
}

/* k is canonical (ledger.c); the insert and the read-back in one lock. */
static int
lsq_claim(struct ledger_be *l, const struct ledger_payment *k, int64_t now,
    struct ledger_payment *row, struct sf_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc, ret = -1;

	pthread_mutex_lock(&l->mu);
	/* IMMEDIATE: the insert and the read-back see one snapshot. */
	if (ledger_exec(l, "BEGIN IMMEDIATE", err) == -1)
		goto out;
	if (sqlite3_prepare_v2(l->db, "INSERT INTO payments (endpoint,"
	    " request_hash, payer, amount, asset, network, x402_version, nonce,"
	    " valid_after, valid_before, valid_before_s, payload, requirements,"
	    " payment_id, state, created, updated) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)"
	    " ON CONFLICT DO NOTHING", -1, &st, NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto rollback;
	}
	lsq_bind_row(st, k);
	sqlite3_bind_int64(st, 16, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ledger_dberr(l, err, "insert");
		goto rollback;
	}
	if (sqlite3_changes(l->db) == 1) {
		/* Hand back what was stored; strings still point at in's. */
		*row = *k;
		row->id = sqlite3_last_insert_rowid(l->db);
		row->created = row->updated = now;
		row->payload = strdup(k->payload);
		row->requirements = strdup(k->requirements);
		row->result = NULL;
		row->result_len = 0;
		row->content_type[0] = row->tx[0] = row->error[0] = '\0';
		if (row->payload == NULL || row->requirements == NULL) {
			ledger_payment_free(row);
			sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
			goto rollback;
		}
		ret = LEDGER_NEW;
	} else {
		if (ledger_select_conflict(l, k, row, err) == -1)
			goto rollback;
		ret = LEDGER_EXISTING;
	}
	if (ledger_exec(l, "COMMIT", err) == -1) {
		ledger_payment_free(row);
		ret = -1;
		goto rollback;
	}
	goto out;
rollback:
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

static int
lsq_get(struct ledger_be *l, int64_t id, struct ledger_payment *p,
    struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 rc, ret = -1;

	memset(p, 0, sizeof(*p));
	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "SELECT " LEDGER_COLS
	    " FROM payments WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (ledger_row(st, p) == -1)
			sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
		else
			ret = 1;
	} else if (rc == SQLITE_DONE)
		ret = 0;
	else
		ledger_dberr(l, err, "select");
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

/* Run one UPDATE already bound; returns rows changed or -1. */
static int
ledger_update(struct ledger_be *l, sqlite3_stmt *st, struct sf_err *err)
{
	int	 rc;

	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ledger_dberr(l, err, "update");
	return sqlite3_changes(l->db);
}

static int
lsq_set_state(struct ledger_be *l, int64_t id, int from, enum ledger_state to,
    const char *error, int64_t now, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "UPDATE payments SET state = ?1,"
	    " error = COALESCE(?2, error), updated = ?3"
	    " WHERE id = ?4 AND (?5 IS NULL OR state = ?5)", -1, &st,
	    NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	sqlite3_bind_text(st, 1, ledger_state_name(to), -1, SQLITE_STATIC);
	if (error != NULL)
		sqlite3_bind_text(st, 2, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	if (from >= 0)
		sqlite3_bind_text(st, 5, ledger_state_name(from), -1,
		    SQLITE_STATIC);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

/*
 * Take over a row whose owner is gone: move it from `from` to `to` only if
 * nobody has touched it since `before` (a compare-and-set on the time too,
 * so two takers cannot both win).  1 moved, 0 not, -1 error.
 */
static int
lsq_take_stale(struct ledger_be *l, int64_t id, enum ledger_state from,
    enum ledger_state to, int64_t before, int64_t now, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "UPDATE payments SET state = ?1,"
	    " updated = ?2 WHERE id = ?3 AND state = ?4 AND updated < ?5",
	    -1, &st, NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	sqlite3_bind_text(st, 1, ledger_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_text(st, 4, ledger_state_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, before);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

static int
lsq_lease(struct ledger_be *l, int64_t id, enum ledger_state state,
    int64_t seen, int64_t until, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "UPDATE payments SET updated = ?1"
	    " WHERE id = ?2 AND state = ?3 AND updated = ?4", -1, &st,
	    NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	sqlite3_bind_int64(st, 1, until);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, ledger_state_name(state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, seen);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

static int
lsq_store_result(struct ledger_be *l, int64_t id, const char *ctype,
    const void *body, size_t len, int64_t now, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "UPDATE payments SET result = ?1,"
	    " content_type = ?2, updated = ?3 WHERE id = ?4", -1, &st,
	    NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	sqlite3_bind_blob(st, 1, len ? body : "", (int)len, SQLITE_STATIC);
	ledger_bind_text(st, 2, ctype);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

static int
lsq_set_settled(struct ledger_be *l, int64_t id, const char *tx,
    const char *note, int64_t now, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "UPDATE payments SET state = 'settled',"
	    " tx = ?1, error = ?2, updated = ?3 WHERE id = ?4", -1, &st,
	    NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	ledger_bind_text(st, 1, tx);
	ledger_bind_text(st, 2, note);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

static int
lsq_list(struct ledger_be *l, int state, size_t limit,
    struct ledger_payment **rows, size_t *n, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "SELECT " LEDGER_COLS " FROM payments"
	    " WHERE (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2",
	    -1, &st, NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	if (state >= 0)
		sqlite3_bind_text(st, 1, ledger_state_name(state), -1,
		    SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
	ret = ledger_collect(l, st, rows, n, err);
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

static int
lsq_pending(struct ledger_be *l, int64_t now, int64_t min_age,
    struct ledger_payment **rows, size_t *n, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "SELECT " LEDGER_COLS " FROM payments"
	    " WHERE state IN ('delivered', 'settle_failed')"
	    " AND valid_before_s > ?1 AND updated <= ?2 ORDER BY id", -1, &st,
	    NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, now - min_age);
	ret = ledger_collect(l, st, rows, n, err);
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

static int
lsq_revenue_scan(struct ledger_be *l, ledger_rev_cb cb, void *arg,
    struct sf_err *err)
{
	sqlite3_stmt	*st;
	const char	*ep, *as, *nw, *state, *amt;
	int		 rc;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "SELECT endpoint, asset, network, state,"
	    " amount FROM payments WHERE state IN ('settled', 'delivered',"
	    " 'settle_failed') ORDER BY endpoint, asset, network", -1, &st,
	    NULL) != SQLITE_OK) {
		pthread_mutex_unlock(&l->mu);
		return ledger_dberr(l, err, "prepare");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ep = (const char *)sqlite3_column_text(st, 0);
		as = (const char *)sqlite3_column_text(st, 1);
		nw = (const char *)sqlite3_column_text(st, 2);
		state = (const char *)sqlite3_column_text(st, 3);
		amt = (const char *)sqlite3_column_text(st, 4);
		if (ep == NULL || as == NULL || nw == NULL || state == NULL ||
		    amt == NULL)
			continue;
		if (cb(arg, ep, as, nw, state, amt, err) == -1)
			goto fail;
	}
	if (rc != SQLITE_DONE) {
		ledger_dberr(l, err, "select");
		goto fail;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->mu);
	return 0;
fail:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->mu);
	return -1;
}

/* A whole row from another ledger, as it is. */
static int
lsq_import(struct ledger_be *l, const struct ledger_payment *k,
    struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "INSERT INTO payments (endpoint,"
	    " request_hash, payer, amount, asset, network, x402_version, nonce,"
	    " valid_after, valid_before, valid_before_s, payload, requirements,"
	    " payment_id, state, result, content_type, tx, error, created,"
	    " updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	    " ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"
	    " ON CONFLICT DO NOTHING", -1, &st, NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	lsq_bind_row(st, k);
	if (k->result != NULL)
		sqlite3_bind_blob(st, 16, k->result_len ? k->result : "",
		    (int)k->result_len, SQLITE_STATIC);
	ledger_bind_text(st, 17, k->content_type);
	ledger_bind_text(st, 18, k->tx);
	ledger_bind_text(st, 19, k->error);
	sqlite3_bind_int64(st, 20, k->created);
	sqlite3_bind_int64(st, 21, k->updated);
	if ((ret = ledger_update(l, st, err)) >= 0)
		ret = ret == 1 ? LEDGER_NEW : LEDGER_EXISTING;
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

/* Inside the lock: k's payer's unsettled rows, each to cb. */
static int
lsq_exposure_locked(struct ledger_be *l, const struct ledger_payment *k,
    int64_t now, ledger_exp_cb cb, void *arg, struct sf_err *err)
{
	sqlite3_stmt	*st;
	const char	*amt, *state;
	int		 rc, has_tx;

	if (sqlite3_prepare_v2(l->db, "SELECT amount, state, tx FROM payments"
	    " WHERE network = ?1 AND asset = ?2 AND payer = ?3"
	    " AND state IN ('working', 'delivered', 'settle_failed')"
	    " AND valid_before_s > ?4", -1, &st, NULL) != SQLITE_OK)
		return ledger_dberr(l, err, "prepare");
	sqlite3_bind_text(st, 1, k->network, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->asset, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->payer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		amt = (const char *)sqlite3_column_text(st, 0);
		state = (const char *)sqlite3_column_text(st, 1);
		has_tx = sqlite3_column_text(st, 2) != NULL &&
		    sqlite3_column_bytes(st, 2) > 0;
		if (amt == NULL || state == NULL) {
			sqlite3_finalize(st);
			return sf_err_set(err, 500, "ledger_error", NULL,
			    "bad amount in row");
		}
		if (cb(arg, amt, state, has_tx, err) == -1) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ledger_dberr(l, err, "select");
}

static int
lsq_exposure(struct ledger_be *l, const struct ledger_payment *k,
    int64_t now, ledger_exp_cb cb, void *arg, struct sf_err *err)
{
	int	 rc;

	pthread_mutex_lock(&l->mu);
	rc = lsq_exposure_locked(l, k, now, cb, arg, err);
	pthread_mutex_unlock(&l->mu);
	return rc;
}

/* The row's key, amount and state, inside a transaction.  1, 0 none, -1. */
static int
lsq_key_of(struct ledger_be *l, int64_t id, struct ledger_payment *k,
    char *state, size_t ssz, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(k, 0, sizeof(*k));
	if (sqlite3_prepare_v2(l->db, "SELECT network, asset, payer, amount,"
	    " state FROM payments WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return ledger_dberr(l, err, "prepare");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lsq_text(k->network, sizeof(k->network), st, 0);
		lsq_text(k->asset, sizeof(k->asset), st, 1);
		lsq_text(k->payer, sizeof(k->payer), st, 2);
		lsq_text(k->amount, sizeof(k->amount), st, 3);
		lsq_text(state, ssz, st, 4);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : ledger_dberr(l, err, "select");
}

/* Inside the admission's transaction: decide, then move to working. */
static int
lsq_admit_locked(struct ledger_be *l, int64_t id, int64_t now,
    const struct ledger_admission *a, struct sf_err *err)
{
	struct ledger_payment	 k;
	sqlite3_stmt		*st;
	char			 state[32];
	int			 ret;

	if ((ret = lsq_key_of(l, id, &k, state, sizeof(state), err)) != 1)
		return ret;
	if (strcmp(state, "verified") != 0)
		return 0;
	a->reset(a->exp_arg);
	if (lsq_exposure_locked(l, &k, now, a->scan, a->exp_arg, err) == -1)
		return -1;
	if ((ret = a->decide(a->dec_arg, &k, err)) != 0)
		return ret;
	if (sqlite3_prepare_v2(l->db, "UPDATE payments SET state = 'working',"
	    " updated = ?1 WHERE id = ?2 AND state = 'verified'", -1, &st,
	    NULL) != SQLITE_OK)
		return ledger_dberr(l, err, "prepare");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	return ledger_update(l, st, err);
}

/* One write transaction: the exposure read and the move are atomic
   against every other admission, in any thread or process. */
static int
lsq_admit(struct ledger_be *l, int64_t id, int64_t now,
    const struct ledger_admission *a, struct sf_err *err)
{
	int	 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (ledger_exec(l, "BEGIN IMMEDIATE", err) == -1)
		goto out;
	ret = lsq_admit_locked(l, id, now, a, err);
	if (ret == -1 || ledger_exec(l, "COMMIT", err) == -1) {
		ret = -1;
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	}
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

static int
lsq_unclaim(struct ledger_be *l, int64_t id, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "DELETE FROM payments WHERE id = ?1"
	    " AND state = 'verified'", -1, &st, NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

static int
lsq_set_tx(struct ledger_be *l, int64_t id, const char *tx, int64_t now,
    struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "UPDATE payments SET tx = ?1,"
	    " updated = ?2 WHERE id = ?3", -1, &st, NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	ledger_bind_text(st, 1, tx);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, id);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

const struct ledger_ops ledger_sqlite_ops = {
	.name = "sqlite",
	.open = lsq_open,
	.close = lsq_close,
	.writable = lsq_writable,
	.claim = lsq_claim,
	.find = lsq_find,
	.get = lsq_get,
	.set_state = lsq_set_state,
	.take_stale = lsq_take_stale,
	.lease = lsq_lease,
	.store_result = lsq_store_result,
	.set_settled = lsq_set_settled,
	.list = lsq_list,
	.pending = lsq_pending,
	.revenue_scan = lsq_revenue_scan,
	.exposure = lsq_exposure,
	.admit = lsq_admit,
	.unclaim = lsq_unclaim,
	.set_tx = lsq_set_tx,
	.import = lsq_import,
};
