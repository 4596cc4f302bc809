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
#include "basics/net.h"

#define LEDGER_SCHEMA_VERSION	1

struct ledger {
	sqlite3		*db;
	pthread_mutex_t	 mu;	/* one connection, calls serialised */
};

static const char *const ledger_states[] = {
	"verified", "working", "delivered", "settled", "settle_failed",
	"work_failed",
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

const char *
ledger_state_name(enum ledger_state s)
{
	if ((unsigned)s >= sizeof(ledger_states) / sizeof(ledger_states[0]))
		return "?";
	return ledger_states[s];
}

int
ledger_state_parse(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(ledger_states) / sizeof(ledger_states[0]); i++)
		if (strcmp(s, ledger_states[i]) == 0)
			return (int)i;
	return -1;
}

static int
ledger_dberr(struct ledger *l, struct sf_err *err, const char *what)
{
	int	 rc = sqlite3_extended_errcode(l->db);

	return sf_err_set(err, rc == SQLITE_BUSY || rc == SQLITE_LOCKED ?
	    503 : 500, "ledger_error", NULL, "%s: %s", what,
	    sqlite3_errmsg(l->db));
}

static int
ledger_exec(struct ledger *l, const char *sql, struct sf_err *err)
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
ledger_migrate(struct ledger *l, struct sf_err *err)
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

struct ledger *
ledger_open(const char *path, struct sf_err *err)
{
	struct ledger	*l;

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

void
ledger_close(struct ledger *l)
{
	if (l == NULL)
		return;
	sqlite3_close(l->db);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

int
ledger_writable(struct ledger *l, struct sf_err *err)
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

void
ledger_payment_free(struct ledger_payment *p)
{
	if (p == NULL)
		return;
	free(p->payload);
	free(p->requirements);
	free(p->result);
	p->payload = p->requirements = p->result = NULL;
	p->result_len = 0;
}

void
ledger_payments_free(struct ledger_payment *p, size_t n)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++)
		ledger_payment_free(&p[i]);
	free(p);
}

static void
ledger_lower(char *dst, size_t sz, const char *src)
{
	size_t	 i;

	for (i = 0; src[i] != '\0' && i + 1 < sz; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

static void
ledger_copy(char *dst, size_t sz, const unsigned char *src)
{
	snprintf(dst, sz, "%s", src ? (const char *)src : "");
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
	ledger_copy(p->endpoint, sizeof(p->endpoint), sqlite3_column_text(st, 1));
	ledger_copy(p->request_hash, sizeof(p->request_hash),
	    sqlite3_column_text(st, 2));
	ledger_copy(p->payer, sizeof(p->payer), sqlite3_column_text(st, 3));
	ledger_copy(p->amount, sizeof(p->amount), sqlite3_column_text(st, 4));
	ledger_copy(p->asset, sizeof(p->asset), sqlite3_column_text(st, 5));
	ledger_copy(p->network, sizeof(p->network), sqlite3_column_text(st, 6));
	p->x402_version = sqlite3_column_int(st, 7);
	ledger_copy(p->nonce, sizeof(p->nonce), sqlite3_column_text(st, 8));
	ledger_copy(p->valid_after, sizeof(p->valid_after),
	    sqlite3_column_text(st, 9));
	ledger_copy(p->valid_before, sizeof(p->valid_before),
	    sqlite3_column_text(st, 10));
	p->payload = ledger_dup(st, 11, NULL);
	p->requirements = ledger_dup(st, 12, NULL);
	ledger_copy(p->payment_id, sizeof(p->payment_id),
	    sqlite3_column_text(st, 13));
	s = ledger_state_parse((const char *)sqlite3_column_text(st, 14));
	p->state = s < 0 ? LEDGER_VERIFIED : (enum ledger_state)s;
	p->result = ledger_dup(st, 15, &p->result_len);
	ledger_copy(p->content_type, sizeof(p->content_type),
	    sqlite3_column_text(st, 16));
	ledger_copy(p->tx, sizeof(p->tx), sqlite3_column_text(st, 17));
	ledger_copy(p->error, sizeof(p->error), sqlite3_column_text(st, 18));
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
ledger_collect(struct ledger *l, sqlite3_stmt *st, struct ledger_payment **rows,
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

/* Clamp a decimal uint256 to int64 for range queries. */
static int64_t
ledger_clamp(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0)
		return 0;
	if (errno == ERANGE)
		return INT64_MAX;
	return v;
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
ledger_select_conflict(struct ledger *l, const struct ledger_payment *k,
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

/*
 * Look a payment up by its replay key (network, asset, payer, nonce) or its
 * payment id, without claiming it: lets the flow answer a replay from the
 * ledger before asking the chain (which would call the nonce used).
 * 1 found (row filled), 0 not found, -1 error.
 */
int
ledger_find(struct ledger *l, const struct ledger_payment *in,
    struct ledger_payment *row, struct sf_err *err)
{
	struct ledger_payment	 k;
	struct net_info		 ni;
	int			 rc;

	memset(row, 0, sizeof(*row));
	k = *in;
	ledger_lower(k.payer, sizeof(k.payer), in->payer);
	ledger_lower(k.asset, sizeof(k.asset), in->asset);
	ledger_lower(k.nonce, sizeof(k.nonce), in->nonce);
	if (net_lookup(in->network, &ni) == -1)
		return sf_err_set(err, 500, "internal_error", "network",
		    "ledger_find: unknown network");
	net_caip2(&ni, k.network, sizeof(k.network));
	pthread_mutex_lock(&l->mu);
	rc = ledger_select_conflict(l, &k, row, err);
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

/* Canonical key: hex lower-cased, network as CAIP-2 so a v1 and a v2
   presentation of one authorization collide.  0 or -1. */
static int
ledger_key(const struct ledger_payment *in, struct ledger_payment *k,
    struct sf_err *err)
{
	struct net_info		 ni;

	*k = *in;
	ledger_lower(k->payer, sizeof(k->payer), in->payer);
	ledger_lower(k->asset, sizeof(k->asset), in->asset);
	ledger_lower(k->nonce, sizeof(k->nonce), in->nonce);
	if (net_lookup(in->network, &ni) == -1)
		return sf_err_set(err, 500, "internal_error", "network",
		    "ledger: unknown network");
	net_caip2(&ni, k->network, sizeof(k->network));
	return 0;
}

/*
 * Inside an open write transaction: insert k unless its replay key or
 * payment id is taken.  LEDGER_NEW / LEDGER_EXISTING (row filled) or -1.
 */
static int
ledger_insert_locked(struct ledger *l, const struct ledger_payment *k,
    const struct ledger_payment *in, struct ledger_payment *row,
    struct sf_err *err)
{
	sqlite3_stmt		*st = NULL;
	int64_t			 now = (int64_t)time(NULL);
	int			 rc;

	if (sqlite3_prepare_v2(l->db, "INSERT INTO payments (endpoint,"
	    " request_hash, payer, amount, asset, network, x402_version, nonce,"
	    " valid_after, valid_before, valid_before_s, payload, requirements,"
	    " payment_id, state, created, updated) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)"
	    " ON CONFLICT DO NOTHING", -1, &st, NULL) != SQLITE_OK)
		return ledger_dberr(l, err, "prepare");
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
	sqlite3_bind_int64(st, 16, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ledger_dberr(l, err, "insert");
	if (sqlite3_changes(l->db) != 1)
		return ledger_select_conflict(l, k, row, err) == -1 ? -1 :
		    LEDGER_EXISTING;
	/* Hand back what was stored; strings still point at in's. */
	*row = *k;
	row->id = sqlite3_last_insert_rowid(l->db);
	row->created = row->updated = now;
	row->payload = strdup(in->payload);
	row->requirements = strdup(in->requirements);
	row->result = NULL;
	row->result_len = 0;
	row->content_type[0] = row->tx[0] = row->error[0] = '\0';
	if (row->payload == NULL || row->requirements == NULL) {
		ledger_payment_free(row);
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	}
	return LEDGER_NEW;
}

static int
ledger_claim_check(const struct ledger_payment *in, struct sf_err *err)
{
	if (in->endpoint[0] == '\0' || in->payer[0] == '\0' ||
	    in->asset[0] == '\0' || in->nonce[0] == '\0' ||
	    in->amount[0] == '\0' || in->payload == NULL ||
	    in->requirements == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "ledger_claim: missing field");
	return 0;
}

int
ledger_claim(struct ledger *l, const struct ledger_payment *in,
    struct ledger_payment *row, struct sf_err *err)
{
	struct ledger_payment	 k;
	int			 ret = -1;

	memset(row, 0, sizeof(*row));
	if (ledger_claim_check(in, err) == -1 || ledger_key(in, &k, err) == -1)
		return -1;
	pthread_mutex_lock(&l->mu);
	/* IMMEDIATE: the insert and the read-back see one snapshot. */
	if (ledger_exec(l, "BEGIN IMMEDIATE", err) == -1)
		goto out;
	if ((ret = ledger_insert_locked(l, &k, in, row, err)) == -1)
		goto rollback;
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

/* Compare two decimal strings without leading zeros: <0, 0, >0. */
static int
ledger_dec_cmp(const char *a, const char *b)
{
	size_t	 la, lb;

	while (*a == '0' && a[1] != '\0')
		a++;
	while (*b == '0' && b[1] != '\0')
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

static int ledger_dec_add(char *, size_t, const char *);
static int ledger_update(struct ledger *, sqlite3_stmt *, struct sf_err *);

/* Inside a transaction: sum the key's unsettled rows (canonical key k). */
static int
ledger_exposure_locked(struct ledger *l, const struct ledger_payment *k,
    struct ledger_exposure *ex, struct sf_err *err)
{
	sqlite3_stmt	*st;
	const char	*amt, *state;
	int		 rc;

	memset(ex, 0, sizeof(*ex));
	strcpy(ex->unsettled, "0");
	/* Amounts are uint256 strings: summed in C, not by SQL integers. */
	if (sqlite3_prepare_v2(l->db, "SELECT amount, state, tx FROM payments"
	    " WHERE network = ?1 AND asset = ?2 AND payer = ?3"
	    " AND state IN ('working', 'delivered', 'settle_failed')"
	    " AND valid_before_s > ?4", -1, &st, NULL) != SQLITE_OK)
		return ledger_dberr(l, err, "prepare");
	sqlite3_bind_text(st, 1, k->network, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->asset, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->payer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		amt = (const char *)sqlite3_column_text(st, 0);
		state = (const char *)sqlite3_column_text(st, 1);
		if (strcmp(state ? state : "", "settle_failed") != 0)
			ex->inflight++;
		/* Settled first: the balance already shows it. */
		if (sqlite3_column_text(st, 2) != NULL &&
		    sqlite3_column_bytes(st, 2) > 0)
			continue;
		if (amt == NULL || state == NULL ||
		    ledger_dec_add(ex->unsettled, sizeof(ex->unsettled),
		    amt) == -1) {
			sqlite3_finalize(st);
			return sf_err_set(err, 500, "ledger_error", NULL,
			    "bad amount in row");
		}
		ex->unsettled_count++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ledger_dberr(l, err, "select");
}

int
ledger_exposure(struct ledger *l, const struct ledger_payment *key,
    struct ledger_exposure *ex, struct sf_err *err)
{
	struct ledger_payment	 k;
	int			 rc;

	if (ledger_key(key, &k, err) == -1)
		return -1;
	pthread_mutex_lock(&l->mu);
	rc = ledger_exposure_locked(l, &k, ex, err);
	pthread_mutex_unlock(&l->mu);
	return rc;
}

/* The row's key, amount and state, inside a transaction.  1, 0 none, -1. */
static int
ledger_key_of(struct ledger *l, int64_t id, struct ledger_payment *k,
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
		ledger_copy(k->network, sizeof(k->network),
		    sqlite3_column_text(st, 0));
		ledger_copy(k->asset, sizeof(k->asset),
		    sqlite3_column_text(st, 1));
		ledger_copy(k->payer, sizeof(k->payer),
		    sqlite3_column_text(st, 2));
		ledger_copy(k->amount, sizeof(k->amount),
		    sqlite3_column_text(st, 3));
		ledger_copy(state, ssz, sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : ledger_dberr(l, err, "select");
}

/* Inside the admission's transaction: may k join its payer's exposure? */
static int
ledger_within(struct ledger *l, const struct ledger_payment *k,
    const char *balance, unsigned max_inflight, struct ledger_exposure *ex,
    struct sf_err *err)
{
	char	 total[80];

	if (ledger_exposure_locked(l, k, ex, err) == -1)
		return -1;
	if (ex->inflight >= (int64_t)max_inflight)
		return LEDGER_OVER_INFLIGHT;
	snprintf(total, sizeof(total), "%s", ex->unsettled);
	if (ledger_dec_add(total, sizeof(total), k->amount) == -1)
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "bad amount");
	/* Unknown balance: only this payment is proven payable. */
	if (ledger_dec_cmp(total, balance != NULL ? balance : k->amount) > 0)
		return LEDGER_OVER_BALANCE;
	return 0;
}

int
ledger_admit(struct ledger *l, int64_t id, const char *balance,
    unsigned max_inflight, struct ledger_exposure *ex, struct sf_err *err)
{
	struct ledger_payment	 k;
	sqlite3_stmt		*st;
	char			 state[32];
	int			 ret = -1;

	memset(ex, 0, sizeof(*ex));
	pthread_mutex_lock(&l->mu);
	/* One write transaction: the exposure read and the move are atomic
	   against every other admission, in any thread or process. */
	if (ledger_exec(l, "BEGIN IMMEDIATE", err) == -1)
		goto out;
	if ((ret = ledger_key_of(l, id, &k, state, sizeof(state), err)) != 1)
		goto end;
	if (strcmp(state, "verified") != 0) {
		ret = 0;
		goto end;
	}
	if ((ret = ledger_within(l, &k, balance, max_inflight, ex, err)) != 0)
		goto end;
	if (sqlite3_prepare_v2(l->db, "UPDATE payments SET state = 'working',"
	    " updated = ?1 WHERE id = ?2 AND state = 'verified'", -1, &st,
	    NULL) != SQLITE_OK) {
		ret = ledger_dberr(l, err, "prepare");
		goto end;
	}
	sqlite3_bind_int64(st, 1, (int64_t)time(NULL));
	sqlite3_bind_int64(st, 2, id);
	ret = ledger_update(l, st, err);
end:
	if (ret == -1 || ledger_exec(l, "COMMIT", err) == -1) {
		ret = -1;
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	}
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

int
ledger_unclaim(struct ledger *l, int64_t id, struct sf_err *err)
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

int
ledger_set_tx(struct ledger *l, int64_t id, const char *tx,
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
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	sqlite3_bind_int64(st, 3, id);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret < 0 ? -1 : 0;
}

int
ledger_get(struct ledger *l, int64_t id, struct ledger_payment *p,
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
ledger_update(struct ledger *l, sqlite3_stmt *st, struct sf_err *err)
{
	int	 rc;

	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ledger_dberr(l, err, "update");
	return sqlite3_changes(l->db);
}

int
ledger_set_state(struct ledger *l, int64_t id, int from, enum ledger_state to,
    const char *error, struct sf_err *err)
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
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
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
int
ledger_take_stale(struct ledger *l, int64_t id, enum ledger_state from,
    enum ledger_state to, int64_t before, struct sf_err *err)
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
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_text(st, 4, ledger_state_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, before);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret;
}

int
ledger_store_result(struct ledger *l, int64_t id, const char *ctype,
    const void *body, size_t len, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	if (len > INT32_MAX)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "result too large");
	pthread_mutex_lock(&l->mu);
	if (sqlite3_prepare_v2(l->db, "UPDATE payments SET result = ?1,"
	    " content_type = ?2, updated = ?3 WHERE id = ?4", -1, &st,
	    NULL) != SQLITE_OK) {
		ledger_dberr(l, err, "prepare");
		goto out;
	}
	sqlite3_bind_blob(st, 1, len ? body : "", (int)len, SQLITE_STATIC);
	ledger_bind_text(st, 2, ctype);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	sqlite3_bind_int64(st, 4, id);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret < 0 ? -1 : 0;
}

int
ledger_set_settled(struct ledger *l, int64_t id, const char *tx,
    const char *note, struct sf_err *err)
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
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	sqlite3_bind_int64(st, 4, id);
	ret = ledger_update(l, st, err);
out:
	pthread_mutex_unlock(&l->mu);
	return ret < 0 ? -1 : 0;
}

int
ledger_list(struct ledger *l, int state, size_t limit,
    struct ledger_payment **rows, size_t *n, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	*rows = NULL;
	*n = 0;
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

int
ledger_pending_settlement(struct ledger *l, int64_t now, int64_t min_age,
    struct ledger_payment **rows, size_t *n, struct sf_err *err)
{
	sqlite3_stmt	*st;
	int		 ret = -1;

	*rows = NULL;
	*n = 0;
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

/* a += b for decimal strings that fit in sz-1 digits. */
static int
ledger_dec_add(char *a, size_t sz, const char *b)
{
	char	 r[80];
	size_t	 la = strlen(a), lb = strlen(b), i, n = 0;
	int	 carry = 0, d;

	if (la + 2 > sizeof(r) || lb + 2 > sizeof(r))
		return -1;
	for (i = 0; i < lb; i++)
		if (!isdigit((unsigned char)b[i]))
			return -1;
	for (i = 0; i < la || i < lb || carry; i++) {
		d = carry;
		if (i < la)
			d += a[la - 1 - i] - '0';
		if (i < lb)
			d += b[lb - 1 - i] - '0';
		r[n++] = (char)('0' + d % 10);
		carry = d / 10;
	}
	if (n + 1 > sz)
		return -1;
	for (i = 0; i < n; i++)
		a[i] = r[n - 1 - i];
	a[n] = '\0';
	/* Drop leading zeros ("0" + "0" stays "0"). */
	for (i = 0; a[i] == '0' && a[i + 1] != '\0'; i++)
		continue;
	if (i > 0)
		memmove(a, a + i, n - i + 1);
	return 0;
}

int
ledger_revenue(struct ledger *l, struct ledger_revenue **rows, size_t *n,
    struct sf_err *err)
{
	struct ledger_revenue	*v = NULL, *nv, *r;
	sqlite3_stmt		*st;
	size_t			 cnt = 0, cap = 0, i;
	const char		*ep, *as, *nw, *state, *amt;
	int			 rc, settled;

	*rows = NULL;
	*n = 0;
	pthread_mutex_lock(&l->mu);
	/* Sum in C: amounts are uint256 strings, SQLite integers are 64-bit. */
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
		for (i = 0; i < cnt; i++)
			if (strcmp(v[i].endpoint, ep) == 0 &&
			    strcmp(v[i].asset, as) == 0 &&
			    strcmp(v[i].network, nw) == 0)
				break;
		if (i == cnt) {
			if (cnt == cap) {
				cap = cap ? cap * 2 : 8;
				if ((nv = reallocarray(v, cap,
				    sizeof(*v))) == NULL)
					goto oom;
				v = nv;
			}
			r = &v[cnt++];
			memset(r, 0, sizeof(*r));
			snprintf(r->endpoint, sizeof(r->endpoint), "%s", ep);
			snprintf(r->asset, sizeof(r->asset), "%s", as);
			snprintf(r->network, sizeof(r->network), "%s", nw);
			strcpy(r->settled, "0");
			strcpy(r->pending, "0");
		}
		r = &v[i];
		settled = strcmp(state, "settled") == 0;
		if (ledger_dec_add(settled ? r->settled : r->pending,
		    sizeof(r->settled), amt) == -1) {
			sf_err_set(err, 500, "ledger_error", NULL,
			    "bad amount in row");
			goto fail;
		}
		if (settled)
			r->settled_count++;
		else
			r->pending_count++;
	}
	if (rc != SQLITE_DONE) {
		ledger_dberr(l, err, "select");
		goto fail;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->mu);
	*rows = v;
	*n = cnt;
	return 0;
oom:
	sf_err_set(err, 500, "internal_error", NULL, "out of memory");
fail:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->mu);
	free(v);
	return -1;
}
