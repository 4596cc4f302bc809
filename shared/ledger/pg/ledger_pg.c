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
 *     transaction that first locks the payer's row in payer_locks with
 *     SELECT ... FOR UPDATE, so admissions for one payer queue across
 *     hosts; the whole transaction is retried on 40001/40P01;
 *   - statements the server asks to retry (40001) run again (pgpool).
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

struct ledger_be {
	struct pgpool	*pool;
};

#define LPG_COLS \
	"id, endpoint, request_hash, payer, amount, asset, network," \
	" x402_version, nonce, valid_after, valid_before, payload," \
	" requirements, payment_id, state, result, content_type, tx, error," \
	" created, updated"

/* int64 as decimal text for a parameter. */
#define LPG_I64(buf, v)	(snprintf((buf), sizeof(buf), "%lld", \
	(long long)(v)), (const char *)(buf))

static struct ledger_be *
lpg_open(const char *uri, struct sf_err *err)
{
	struct ledger_be	*l;
	int			 up;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		return NULL;
	}
	if ((l->pool = pgpool_get(uri, &up, err)) == NULL) {
		free(l);
		return NULL;
	}
	if (!up)
		fprintf(stderr, "ledger: PostgreSQL not reachable yet, calls "
		    "answer 503 ledger_unavailable until it is: %s\n",
		    err->message);
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

static char *
lpg_dup(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return strdup(PQgetvalue(r, row, col));
}

static void
lpg_text(char *dst, size_t sz, const PGresult *r, int row, int col)
{
	ledger_copy(dst, sz, PQgetisnull(r, row, col) ? NULL :
	    PQgetvalue(r, row, col));
}

/* Fill p from row i of a result selected with LPG_COLS. */
static int
lpg_row(const PGresult *r, int i, struct ledger_payment *p)
{
	unsigned char	*bin;
	size_t		 n;
	int		 s;

	memset(p, 0, sizeof(*p));
	p->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	lpg_text(p->endpoint, sizeof(p->endpoint), r, i, 1);
	lpg_text(p->request_hash, sizeof(p->request_hash), r, i, 2);
	lpg_text(p->payer, sizeof(p->payer), r, i, 3);
	lpg_text(p->amount, sizeof(p->amount), r, i, 4);
	lpg_text(p->asset, sizeof(p->asset), r, i, 5);
	lpg_text(p->network, sizeof(p->network), r, i, 6);
	p->x402_version = atoi(PQgetvalue(r, i, 7));
	lpg_text(p->nonce, sizeof(p->nonce), r, i, 8);
	lpg_text(p->valid_after, sizeof(p->valid_after), r, i, 9);
	lpg_text(p->valid_before, sizeof(p->valid_before), r, i, 10);
	p->payload = lpg_dup(r, i, 11);
	p->requirements = lpg_dup(r, i, 12);
	lpg_text(p->payment_id, sizeof(p->payment_id), r, i, 13);
	s = ledger_state_parse(PQgetvalue(r, i, 14));
	p->state = s < 0 ? LEDGER_VERIFIED : (enum ledger_state)s;
	if (!PQgetisnull(r, i, 15)) {
		/* Text results carry bytea hex-escaped. */
		bin = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i,
		    15), &n);
		if (bin == NULL || (p->result = malloc(n + 1)) == NULL) {
			PQfreemem(bin);
			ledger_payment_free(p);
			return -1;
		}
		memcpy(p->result, bin, n);
		p->result[n] = '\0';
		p->result_len = n;
		PQfreemem(bin);
	}
	lpg_text(p->content_type, sizeof(p->content_type), r, i, 16);
	lpg_text(p->tx, sizeof(p->tx), r, i, 17);
	lpg_text(p->error, sizeof(p->error), r, i, 18);
	p->created = strtoll(PQgetvalue(r, i, 19), NULL, 10);
	p->updated = strtoll(PQgetvalue(r, i, 20), NULL, 10);
	if (p->payload == NULL || p->requirements == NULL) {
		ledger_payment_free(p);
		return -1;
	}
	return 0;
}

/* Every row of r into a new array. */
static int
lpg_collect(PGresult *r, struct ledger_payment **rows, size_t *n,
    struct sf_err *err)
{
	struct ledger_payment	*v;
	int			 i, cnt = PQntuples(r);

	if ((v = calloc(cnt > 0 ? (size_t)cnt : 1, sizeof(*v))) == NULL)
		goto oom;
	for (i = 0; i < cnt; i++)
		if (lpg_row(r, i, &v[i]) == -1) {
			ledger_payments_free(v, (size_t)i);
			goto oom;
		}
	PQclear(r);
	*rows = v;
	*n = (size_t)cnt;
	return 0;
oom:
	PQclear(r);
	return sf_err_set(err, 500, "internal_error", NULL, "out of memory");
}

/* The row with k's payment id, else with its replay key: 1, 0, -1. */
static int
lpg_find(struct ledger_be *l, const struct ledger_payment *k,
    struct ledger_payment *row, struct sf_err *err)
{
	const char	*v[5] = { k->payment_id[0] ? k->payment_id : NULL,
	    k->network, k->asset, k->payer, k->nonce };
	PGresult	*r;

	/* The payment_id match decides 409 vs replay, so it comes first. */
	if ((r = pgpool_exec(l->pool, "SELECT " LPG_COLS " FROM payments"
	    " WHERE payment_id = $1::text"
	    " OR (network = $2 AND asset = $3 AND payer = $4 AND nonce = $5)"
	    " ORDER BY (payment_id IS NOT NULL AND payment_id = $1::text) DESC"
	    " LIMIT 1", 5, v, NULL, NULL, err)) == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	if (lpg_row(r, 0, row) == -1) {
		PQclear(r);
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	}
	PQclear(r);
	return 1;
}

static int
lpg_claim(struct ledger_be *l, const struct ledger_payment *k, int64_t now,
    struct ledger_payment *row, struct sf_err *err)
{
	char		 ver[16], vbs[24], t[24];
	const char	*v[16];
	PGresult	*r;
	int		 try, rc;

	snprintf(ver, sizeof(ver), "%d", k->x402_version);
	v[0] = k->endpoint; v[1] = k->request_hash; v[2] = k->payer;
	v[3] = k->amount; v[4] = k->asset; v[5] = k->network; v[6] = ver;
	v[7] = k->nonce; v[8] = k->valid_after; v[9] = k->valid_before;
	v[10] = LPG_I64(vbs, ledger_clamp(k->valid_before));
	v[11] = k->payload; v[12] = k->requirements;
	v[13] = k->payment_id[0] ? k->payment_id : NULL;
	v[14] = ledger_state_name(k->state); v[15] = LPG_I64(t, now);
	/* The conflicting row cannot vanish (rows are never deleted), but a
	   read that races its commit is simply asked again. */
	for (try = 0; try < 3; try++) {
		if ((r = pgpool_exec(l->pool, "INSERT INTO payments (endpoint,"
		    " request_hash, payer, amount, asset, network,"
		    " x402_version, nonce, valid_after, valid_before,"
		    " valid_before_s, payload, requirements, payment_id, state,"
		    " created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
		    " $9, $10, $11, $12, $13, $14, $15, $16, $16)"
		    " ON CONFLICT DO NOTHING RETURNING id", 16, v, NULL, NULL,
		    err)) == NULL)
			return -1;
		if (PQntuples(r) == 1) {
			*row = *k;
			row->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			PQclear(r);
			row->created = row->updated = now;
			row->payload = strdup(k->payload);
			row->requirements = strdup(k->requirements);
			row->result = NULL;
			row->result_len = 0;
			row->content_type[0] = row->tx[0] = row->error[0] = '\0';
			if (row->payload == NULL || row->requirements == NULL) {
				ledger_payment_free(row);
				return sf_err_set(err, 500, "internal_error",
				    NULL, "out of memory");
			}
			return LEDGER_NEW;
		}
		PQclear(r);
		if ((rc = lpg_find(l, k, row, err)) != 0)
			return rc == 1 ? LEDGER_EXISTING : -1;
	}
	return sf_err_set(err, 500, "ledger_error", NULL,
	    "conflicting row vanished");
}

static int
lpg_get(struct ledger_be *l, int64_t id, struct ledger_payment *p,
    struct sf_err *err)
{
	char		 ids[24];
	const char	*v[1] = { LPG_I64(ids, id) };
	PGresult	*r;
	int		 ret;

	if ((r = pgpool_exec(l->pool, "SELECT " LPG_COLS " FROM payments"
	    " WHERE id = $1", 1, v, NULL, NULL, err)) == NULL)
		return -1;
	ret = PQntuples(r) == 0 ? 0 : lpg_row(r, 0, p) == 0 ? 1 :
	    sf_err_set(err, 500, "internal_error", NULL, "out of memory");
	PQclear(r);
	return ret;
}

/* An UPDATE: rows changed, or -1. */
static int
lpg_update(struct ledger_be *l, const char *sql, int n,
    const char *const *v, const int *lens, const int *fmts,
    struct sf_err *err)
{
	PGresult	*r;
	int		 changed;

	if ((r = pgpool_exec(l->pool, sql, n, v, lens, fmts, err)) == NULL)
		return -1;
	changed = atoi(PQcmdTuples(r));
	PQclear(r);
	return changed;
}

static int
lpg_set_state(struct ledger_be *l, int64_t id, int from, enum ledger_state to,
    const char *error, int64_t now, struct sf_err *err)
{
	char		 t[24], ids[24];
	const char	*v[5] = { ledger_state_name(to), error,
	    LPG_I64(t, now), LPG_I64(ids, id),
	    from >= 0 ? ledger_state_name(from) : NULL };

	return lpg_update(l, "UPDATE payments SET state = $1,"
	    " error = COALESCE($2, error), updated = $3"
	    " WHERE id = $4 AND ($5::text IS NULL OR state = $5::text)", 5, v,
	    NULL, NULL, err);
}

static int
lpg_take_stale(struct ledger_be *l, int64_t id, enum ledger_state from,
    enum ledger_state to, int64_t before, int64_t now, struct sf_err *err)
{
	char		 t[24], ids[24], b[24];
	const char	*v[5] = { ledger_state_name(to), LPG_I64(t, now),
	    LPG_I64(ids, id), ledger_state_name(from), LPG_I64(b, before) };

	return lpg_update(l, "UPDATE payments SET state = $1, updated = $2"
	    " WHERE id = $3 AND state = $4 AND updated < $5", 5, v, NULL,
	    NULL, err);
}

static int
lpg_lease(struct ledger_be *l, int64_t id, enum ledger_state state,
    int64_t seen, int64_t until, struct sf_err *err)
{
	char		 u[24], ids[24], sn[24];
	const char	*v[4] = { LPG_I64(u, until), LPG_I64(ids, id),
	    ledger_state_name(state), LPG_I64(sn, seen) };

	return lpg_update(l, "UPDATE payments SET updated = $1"
	    " WHERE id = $2 AND state = $3 AND updated = $4", 4, v, NULL, NULL,
	    err);
}

static int
lpg_store_result(struct ledger_be *l, int64_t id, const char *ctype,
    const void *body, size_t len, int64_t now, struct sf_err *err)
{
	char		 t[24], ids[24];
	const char	*v[4] = { len ? (const char *)body : "", ctype != NULL && *ctype ?
	    ctype : NULL, LPG_I64(t, now), LPG_I64(ids, id) };
	const int	 lens[4] = { (int)len, 0, 0, 0 };
	const int	 fmts[4] = { 1, 0, 0, 0 };

	return lpg_update(l, "UPDATE payments SET result = $1,"
	    " content_type = $2, updated = $3 WHERE id = $4", 4, v, lens,
	    fmts, err);
}

static int
lpg_set_settled(struct ledger_be *l, int64_t id, const char *tx,
    const char *note, int64_t now, struct sf_err *err)
{
	char		 t[24], ids[24];
	const char	*v[4] = { tx != NULL && *tx ? tx : NULL,
	    note != NULL && *note ? note : NULL, LPG_I64(t, now),
	    LPG_I64(ids, id) };

	return lpg_update(l, "UPDATE payments SET state = 'settled',"
	    " tx = $1, error = $2, updated = $3 WHERE id = $4", 4, v, NULL,
	    NULL, err);
}

static int
lpg_list(struct ledger_be *l, int state, size_t limit,
    struct ledger_payment **rows, size_t *n, struct sf_err *err)
{
	char		 lim[24];
	const char	*v[2] = { state >= 0 ? ledger_state_name(state) : NULL,
	    LPG_I64(lim, limit ? (long long)limit : (long long)INT64_MAX) };
	PGresult	*r;

	if ((r = pgpool_exec(l->pool, "SELECT " LPG_COLS " FROM payments"
	    " WHERE ($1::text IS NULL OR state = $1::text)"
	    " ORDER BY id DESC LIMIT $2", 2, v, NULL, NULL, err)) == NULL)
		return -1;
	return lpg_collect(r, rows, n, err);
}

static int
lpg_pending(struct ledger_be *l, int64_t now, int64_t min_age,
    struct ledger_payment **rows, size_t *n, struct sf_err *err)
{
	char		 a[24], b[24];
	const char	*v[2] = { LPG_I64(a, now), LPG_I64(b, now - min_age) };
	PGresult	*r;

	if ((r = pgpool_exec(l->pool, "SELECT " LPG_COLS " FROM payments"
	    " WHERE state IN ('delivered', 'settle_failed')"
	    " AND valid_before_s > $1 AND updated <= $2 ORDER BY id", 2, v,
	    NULL, NULL, err)) == NULL)
		return -1;
	return lpg_collect(r, rows, n, err);
}

static int
lpg_revenue_scan(struct ledger_be *l, ledger_rev_cb cb, void *arg,
    struct sf_err *err)
{
	PGresult	*r;
	int		 i;

	if ((r = pgpool_exec(l->pool, "SELECT endpoint, asset, network,"
	    " state, amount FROM payments WHERE state IN ('settled',"
	    " 'delivered', 'settle_failed') ORDER BY endpoint, asset, network",
	    0, NULL, NULL, NULL, err)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++)
		if (cb(arg, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		    PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
		    PQgetvalue(r, i, 4), err) == -1) {
			PQclear(r);
			return -1;
		}
	PQclear(r);
	return 0;
}

static int
lpg_import(struct ledger_be *l, const struct ledger_payment *k,
    struct sf_err *err)
{
	char		 ver[16], vbs[24], c[24], u[24];
	const char	*v[21];
	int		 lens[21] = { 0 }, fmts[21] = { 0 }, rc;

	snprintf(ver, sizeof(ver), "%d", k->x402_version);
	v[0] = k->endpoint; v[1] = k->request_hash; v[2] = k->payer;
	v[3] = k->amount; v[4] = k->asset; v[5] = k->network; v[6] = ver;
	v[7] = k->nonce; v[8] = k->valid_after; v[9] = k->valid_before;
	v[10] = LPG_I64(vbs, ledger_clamp(k->valid_before));
	v[11] = k->payload; v[12] = k->requirements;
	v[13] = k->payment_id[0] ? k->payment_id : NULL;
	v[14] = ledger_state_name(k->state);
	v[15] = k->result != NULL ? (k->result_len ? k->result : "") : NULL;
	lens[15] = (int)k->result_len;
	fmts[15] = 1;
	v[16] = k->content_type[0] ? k->content_type : NULL;
	v[17] = k->tx[0] ? k->tx : NULL;
	v[18] = k->error[0] ? k->error : NULL;
	v[19] = LPG_I64(c, k->created);
	v[20] = LPG_I64(u, k->updated);
	rc = lpg_update(l, "INSERT INTO payments (endpoint, request_hash,"
	    " payer, amount, asset, network, x402_version, nonce, valid_after,"
	    " valid_before, valid_before_s, payload, requirements, payment_id,"
	    " state, result, content_type, tx, error, created, updated)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
	    " $14, $15, $16, $17, $18, $19, $20, $21) ON CONFLICT DO NOTHING",
	    21, v, lens, fmts, err);
	if (rc < 0)
		return -1;
	return rc == 1 ? LEDGER_NEW : LEDGER_EXISTING;
}

/* Inside c's transaction (or alone): k's payer's unsettled rows to cb.
   0, 1 the server asks to retry, -1. */
static int
lpg_exposure_on(PGconn *c, const struct ledger_payment *k, int64_t now,
    ledger_exp_cb cb, void *arg, struct sf_err *err)
{
	char		 t[24];
	const char	*v[4] = { k->network, k->asset, k->payer,
	    LPG_I64(t, now) };
	PGresult	*r;
	int		 i, rc;

	r = PQexecParams(c, "SELECT amount, state, tx FROM payments"
	    " WHERE network = $1 AND asset = $2 AND payer = $3"
	    " AND state IN ('working', 'delivered', 'settle_failed')"
	    " AND valid_before_s > $4", 4, NULL, v, NULL, NULL, 0);
	if ((rc = pgpool_check(c, r, "exposure", err)) != 0) {
		PQclear(r);
		return rc;
	}
	for (i = 0; i < PQntuples(r); i++)
		if (cb(arg, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		    !PQgetisnull(r, i, 2) && *PQgetvalue(r, i, 2) != '\0',
		    err) == -1) {
			PQclear(r);
			return -1;
		}
	PQclear(r);
	return 0;
}

static int
lpg_exposure(struct ledger_be *l, const struct ledger_payment *k,
    int64_t now, ledger_exp_cb cb, void *arg, struct sf_err *err)
{
	PGconn	*c;
	int	 rc;

	if ((c = pgpool_conn(l->pool, err)) == NULL)
		return -1;
	rc = lpg_exposure_on(c, k, now, cb, arg, err);
	pgpool_done(l->pool, c);
	return rc == 0 ? 0 : -1;
}

/* One statement in c's transaction: 0, 1 retry, -1 (r kept in *out). */
static int
lpg_in_tx(PGconn *c, const char *sql, int n, const char *const *v,
    PGresult **out, struct sf_err *err)
{
	PGresult	*r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);
	int		 rc = pgpool_check(c, r, "admit", err);

	if (rc == 0 && out != NULL)
		*out = r;
	else
		PQclear(r);
	return rc;
}

/* Row id's key and amount when it is still verified: 1, 0 not, -2, -1. */
static int
lpg_admit_row(PGconn *c, int64_t id, struct ledger_payment *k,
    struct sf_err *err)
{
	PGresult	*r;
	char		 ids[24];
	const char	*v[1] = { LPG_I64(ids, id) };
	int		 rc;

	if ((rc = lpg_in_tx(c, "SELECT network, asset, payer, amount, state"
	    " FROM payments WHERE id = $1", 1, v, &r, err)) != 0)
		return rc == 1 ? -2 : -1;
	memset(k, 0, sizeof(*k));
	rc = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 4), "verified") == 0;
	if (rc) {
		ledger_copy(k->network, sizeof(k->network), PQgetvalue(r, 0, 0));
		ledger_copy(k->asset, sizeof(k->asset), PQgetvalue(r, 0, 1));
		ledger_copy(k->payer, sizeof(k->payer), PQgetvalue(r, 0, 2));
		ledger_copy(k->amount, sizeof(k->amount), PQgetvalue(r, 0, 3));
	}
	PQclear(r);
	return rc;
}

/*
 * One attempt, in one transaction that first locks the payer's row in
 * payer_locks (created on first use; SELECT ... FOR UPDATE): every host's
 * admissions for one payer queue there, so the exposure read and the move
 * to working cannot interleave.  1, 0, LEDGER_OVER_*, -1, -2 retry.
 */
static int
lpg_admit_once(PGconn *c, int64_t id, int64_t now,
    const struct ledger_admission *a, struct sf_err *err)
{
	struct ledger_payment	 k;
	PGresult		*r;
	char			 ids[24], t[24];
	const char		*v[3];
	int			 rc;

	if ((rc = lpg_in_tx(c, "BEGIN", 0, NULL, NULL, err)) != 0)
		return rc == 1 ? -2 : -1;
	if ((rc = lpg_admit_row(c, id, &k, err)) != 1)
		return rc;
	v[0] = k.network; v[1] = k.asset; v[2] = k.payer;
	if ((rc = lpg_in_tx(c, "INSERT INTO payer_locks (network, asset,"
	    " payer) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3, v, NULL,
	    err)) != 0 || (rc = lpg_in_tx(c, "SELECT 1 FROM payer_locks"
	    " WHERE network = $1 AND asset = $2 AND payer = $3 FOR UPDATE", 3,
	    v, NULL, err)) != 0)
		return rc == 1 ? -2 : -1;
	a->reset(a->exp_arg);
	if ((rc = lpg_exposure_on(c, &k, now, a->scan, a->exp_arg, err)) != 0)
		return rc == 1 ? -2 : -1;
	if ((rc = a->decide(a->dec_arg, &k, err)) != 0)
		return rc;	/* refused: nothing to keep, rolled back */
	v[0] = LPG_I64(t, now);
	v[1] = LPG_I64(ids, id);
	if ((rc = lpg_in_tx(c, "UPDATE payments SET state = 'working',"
	    " updated = $1 WHERE id = $2 AND state = 'verified'", 2, v, &r,
	    err)) != 0)
		return rc == 1 ? -2 : -1;
	rc = atoi(PQcmdTuples(r));
	PQclear(r);
	r = PQexec(c, "COMMIT");
	switch (pgpool_check(c, r, "admit", err)) {
	case 0:
		break;
	case 1:
		rc = -2;
		break;
	default:
		rc = -1;
	}
	PQclear(r);
	return rc;
}

static int
lpg_admit(struct ledger_be *l, int64_t id, int64_t now,
    const struct ledger_admission *a, struct sf_err *err)
{
	PGconn	*c;
	int	 try, rc = -1;

	for (try = 0; try < PGPOOL_RETRIES; try++) {
		if ((c = pgpool_conn(l->pool, err)) == NULL)
			return -1;
		rc = lpg_admit_once(c, id, now, a, err);
		pgpool_done(l->pool, c);	/* rolls back what is open */
		if (rc != -2)
			return rc;
		usleep(1000u << (try < 6 ? try : 6));
	}
	return -1;
}

static int
lpg_unclaim(struct ledger_be *l, int64_t id, struct sf_err *err)
{
	char		 ids[24];
	const char	*v[1] = { LPG_I64(ids, id) };

	return lpg_update(l, "DELETE FROM payments WHERE id = $1"
	    " AND state = 'verified'", 1, v, NULL, NULL, err);
}

static int
lpg_set_tx(struct ledger_be *l, int64_t id, const char *tx, int64_t now,
    struct sf_err *err)
{
	char		 t[24], ids[24];
	const char	*v[3] = { tx != NULL && *tx ? tx : NULL,
	    LPG_I64(t, now), LPG_I64(ids, id) };

	return lpg_update(l, "UPDATE payments SET tx = $1, updated = $2"
	    " WHERE id = $3", 3, v, NULL, NULL, err);
}

const struct ledger_ops ledger_pg_ops = {
	.name = "postgresql",
	.open = lpg_open,
	.close = lpg_close,
	.writable = lpg_writable,
	.claim = lpg_claim,
	.find = lpg_find,
	.get = lpg_get,
	.set_state = lpg_set_state,
	.take_stale = lpg_take_stale,
	.lease = lpg_lease,
	.store_result = lpg_store_result,
	.set_settled = lpg_set_settled,
	.list = lpg_list,
	.pending = lpg_pending,
	.revenue_scan = lpg_revenue_scan,
	.exposure = lpg_exposure,
	.admit = lpg_admit,
	.unclaim = lpg_unclaim,
	.set_tx = lpg_set_tx,
	.import = lpg_import,
};
