/*
 * The ledger's front (ledger.h): picks the backend from DB (a PostgreSQL
 * URI or a SQLite path), checks and canonicalises arguments once, builds
 * the values of each statement, decodes the rows a backend reads, hands a
 * claim back, and does the money arithmetic (u256) the same way for both
 * backends.  The backends only run SQL (ledger_be.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basics/err.h"
#include "basics/net.h"
#include "basics/u256.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"

int
ledger_uri_is_pg(const char *db)
{
	return db != NULL && (strncmp(db, "postgresql://", 13) == 0 ||
	    strncmp(db, "postgres://", 11) == 0);
}

int64_t
ledger_now(void)
{
	return (int64_t)time(NULL);
}

struct ledger *
ledger_open(const char *db, struct sf_err *err)
{
	struct ledger	*l;

	if (db == NULL || *db == '\0') {
		sf_err_set(err, 500, "config_invalid", "DB", "DB is empty");
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		return NULL;
	}
	l->ops = ledger_uri_is_pg(db) ? &ledger_pg_ops : &ledger_sqlite_ops;
	if ((l->be = l->ops->open(db, err)) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

void
ledger_close(struct ledger *l)
{
	if (l == NULL)
		return;
	l->ops->close(l->be);
	free(l);
}

const char *
ledger_backend(const struct ledger *l)
{
	return l->ops->name;
}

int
ledger_writable(struct ledger *l, struct sf_err *err)
{
	return l->ops->writable(l->be, err);
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

/* ---- rows read ---------------------------------------------------------- */

static int
ledger_oom(struct sf_err *err)
{
	return sf_err_set(err, 500, "internal_error", NULL, "out of memory");
}

/* The one row of a lookup into arg (ledger_row_cb). */
static int
ledger_one(void *arg, const struct ledger_cell *c, int n, struct sf_err *err)
{
	struct ledger_payment	*p = arg;

	ledger_payment_free(p);
	return ledger_row_decode(c, n, p) == -1 ? ledger_oom(err) : 0;
}

/* A lookup of at most one row: 1 found, 0 not found, -1 error. */
static int
ledger_lookup(struct ledger *l, enum ledger_stmt s,
    const struct ledger_val *v, int n, struct ledger_payment *row,
    struct sf_err *err)
{
	int	 rc;

	memset(row, 0, sizeof(*row));
	if ((rc = l->ops->run(l->be, s, v, n, ledger_one, row, err)) < 0) {
		ledger_payment_free(row);
		return -1;
	}
	return rc > 0 ? 1 : 0;
}

struct ledger_rows {
	struct ledger_payment	*v;
	size_t			 n, cap;
};

/* Every row of a list into arg (ledger_row_cb). */
static int
ledger_append(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	struct ledger_rows	*r = arg;
	struct ledger_payment	*nv;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		if ((nv = reallocarray(r->v, r->cap, sizeof(*nv))) == NULL)
			return ledger_oom(err);
		r->v = nv;
	}
	if (ledger_row_decode(c, n, &r->v[r->n]) == -1)
		return ledger_oom(err);
	r->n++;
	return 0;
}

static int
ledger_rows(struct ledger *l, enum ledger_stmt s, const struct ledger_val *v,
    int n, struct ledger_payment **rows, size_t *nrows, struct sf_err *err)
{
	struct ledger_rows	 r = { NULL, 0, 0 };

	*rows = NULL;
	*nrows = 0;
	if (l->ops->run(l->be, s, v, n, ledger_append, &r, err) < 0) {
		ledger_payments_free(r.v, r.n);
		return -1;
	}
	*rows = r.v;
	*nrows = r.n;
	return 0;
}

/* ---- keys --------------------------------------------------------------- */

void
ledger_lower(char *dst, size_t sz, const char *src)
{
	size_t	 i;

	/* Hex is case-free; base58 (Solana) is not. */
	for (i = 0; src[i] != '\0' && i + 1 < sz; i++)
		dst[i] = src[0] == '0' && src[1] == 'x' ?
		    (char)tolower((unsigned char)src[i]) : src[i];
	dst[i] = '\0';
}

/*
 * Canonical key: hex lower-cased, network as CAIP-2 so a v1 and a v2
 * presentation of one authorization collide.
 */
static int
ledger_canon(const struct ledger_payment *in, struct ledger_payment *k,
    const char *who, struct sf_err *err)
{
	struct net_info	 ni;

	*k = *in;
	ledger_lower(k->payer, sizeof(k->payer), in->payer);
	ledger_lower(k->asset, sizeof(k->asset), in->asset);
	ledger_lower(k->nonce, sizeof(k->nonce), in->nonce);
	if (net_lookup(in->network, &ni) == -1)
		return sf_err_set(err, 500, "internal_error", "network",
		    "%s: unknown network", who);
	net_caip2(&ni, k->network, sizeof(k->network));
	return 0;
}

/* LEDGER_FIND's values for canonical k. */
static void
ledger_key_values(const struct ledger_payment *k,
    struct ledger_val v[LEDGER_NKEY])
{
	v[0] = ledger_v_opt(k->payment_id);
	v[1] = ledger_v_text(k->network);
	v[2] = ledger_v_text(k->asset);
	v[3] = ledger_v_text(k->payer);
	v[4] = ledger_v_text(k->nonce);
	v[5] = ledger_v_text(k->endpoint);
}

/* ---- payments ----------------------------------------------------------- */

int
ledger_find(struct ledger *l, const struct ledger_payment *in,
    struct ledger_payment *row, struct sf_err *err)
{
	struct ledger_payment	 k;
	struct ledger_val	 v[LEDGER_NKEY];

	memset(row, 0, sizeof(*row));
	if (ledger_canon(in, &k, "ledger_find", err) == -1)
		return -1;
	ledger_key_values(&k, v);
	return ledger_lookup(l, LEDGER_FIND, v, LEDGER_NKEY, row, err);
}

/* What a new claim stored, handed back without reading it again. */
static int
ledger_claimed(const struct ledger_payment *k, int64_t id, int64_t now,
    struct ledger_payment *row, struct sf_err *err)
{
	*row = *k;
	row->id = id;
	row->created = row->updated = now;
	row->payload = strdup(k->payload);
	row->requirements = strdup(k->requirements);
	row->result = NULL;
	row->result_len = 0;
	row->content_type[0] = row->tx[0] = row->error[0] = '\0';
	if (row->payload == NULL || row->requirements == NULL) {
		ledger_payment_free(row);
		return ledger_oom(err);
	}
	return 0;
}

int
ledger_claim(struct ledger *l, const struct ledger_payment *in,
    struct ledger_payment *row, struct sf_err *err)
{
	struct ledger_payment	 k;
	struct ledger_val	 ins[LEDGER_NINSERT], key[LEDGER_NKEY];
	int64_t			 id = 0, now = ledger_now();
	int			 rc;

	memset(row, 0, sizeof(*row));
	if (in->endpoint[0] == '\0' || in->payer[0] == '\0' ||
	    in->asset[0] == '\0' || in->nonce[0] == '\0' ||
	    in->amount[0] == '\0' || in->payload == NULL ||
	    in->requirements == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "ledger_claim: missing field");
	if (ledger_canon(in, &k, "ledger_claim", err) == -1)
		return -1;
	ledger_row_values(&k, 1, now, ins);
	ledger_key_values(&k, key);
	rc = l->ops->claim(l->be, ins, key, &id, ledger_one, row, err);
	if (rc == LEDGER_NEW && ledger_claimed(&k, id, now, row, err) == -1)
		return -1;
	if (rc == -1)
		ledger_payment_free(row);
	return rc;
}

int
ledger_import(struct ledger *l, const struct ledger_payment *in,
    struct sf_err *err)
{
	struct ledger_payment	 k;
	struct ledger_val	 v[LEDGER_NINSERT];
	int			 rc;

	if (in->payload == NULL || in->requirements == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "ledger_import: missing field");
	if (ledger_canon(in, &k, "ledger_import", err) == -1)
		return -1;
	ledger_row_values(&k, 0, 0, v);
	if ((rc = l->ops->run(l->be, LEDGER_INSERT, v, LEDGER_NINSERT, NULL,
	    NULL, err)) < 0)
		return -1;
	return rc == 1 ? LEDGER_NEW : LEDGER_EXISTING;
}

int
ledger_get(struct ledger *l, int64_t id, struct ledger_payment *p,
    struct sf_err *err)
{
	struct ledger_val	 v[1] = { ledger_v_int(id) };

	return ledger_lookup(l, LEDGER_GET, v, 1, p, err);
}

/* A state, or SQL NULL for -1 (any). */
static struct ledger_val
ledger_v_state(int s)
{
	return ledger_v_text(s >= 0 ? ledger_state_name(s) : NULL);
}

static int
ledger_run(struct ledger *l, enum ledger_stmt s, const struct ledger_val *v,
    int n, struct sf_err *err)
{
	return l->ops->run(l->be, s, v, n, NULL, NULL, err);
}

int
ledger_be_run(struct ledger *l, enum ledger_stmt s,
    const struct ledger_val *v, int n, ledger_row_cb cb, void *arg,
    struct sf_err *err)
{
	return l->ops->run(l->be, s, v, n, cb, arg, err);
}

int
ledger_set_state(struct ledger *l, int64_t id, int from, enum ledger_state to,
    const char *error, struct sf_err *err)
{
	struct ledger_val	 v[5] = { ledger_v_state(to),
	    ledger_v_text(error), ledger_v_int(ledger_now()), ledger_v_int(id),
	    ledger_v_state(from) };

	return ledger_run(l, LEDGER_SET_STATE, v, 5, err);
}

int
ledger_take_stale(struct ledger *l, int64_t id, enum ledger_state from,
    enum ledger_state to, int64_t before, struct sf_err *err)
{
	struct ledger_val	 v[5] = { ledger_v_state(to),
	    ledger_v_int(ledger_now()), ledger_v_int(id), ledger_v_state(from),
	    ledger_v_int(before) };

	return ledger_run(l, LEDGER_TAKE_STALE, v, 5, err);
}

int
ledger_touch(struct ledger *l, int64_t id, enum ledger_state state,
    struct sf_err *err)
{
	/* A take-over of its own row by its owner: updated <= now, so a
	   lease some settler holds (updated in the future) is kept. */
	return ledger_take_stale(l, id, state, state, ledger_now() + 1, err);
}

int
ledger_lease(struct ledger *l, int64_t id, enum ledger_state state,
    int64_t seen, int64_t lease_s, struct sf_err *err)
{
	struct ledger_val	 v[4] = { ledger_v_int(ledger_now() + lease_s),
	    ledger_v_int(id), ledger_v_state(state), ledger_v_int(seen) };

	return ledger_run(l, LEDGER_LEASE, v, 4, err);
}

int
ledger_store_result(struct ledger *l, int64_t id, const char *ctype,
    const void *body, size_t len, struct sf_err *err)
{
	struct ledger_val	 v[4] = { ledger_v_blob(body != NULL ? body :
	    "", len), ledger_v_opt(ctype), ledger_v_int(ledger_now()),
	    ledger_v_int(id) };

	if (len > INT32_MAX)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "result too large");
	return ledger_run(l, LEDGER_STORE_RESULT, v, 4, err) < 0 ? -1 : 0;
}

int
ledger_deliver(struct ledger *l, int64_t id, const char *ctype,
    const void *body, size_t len, enum ledger_state from,
    enum ledger_state to, struct sf_err *err)
{
	struct ledger_val	 v[6] = { ledger_v_blob(body != NULL ? body :
	    "", len), ledger_v_opt(ctype), ledger_v_int(ledger_now()),
	    ledger_v_state(to), ledger_v_state(from), ledger_v_int(id) };

	if (len > INT32_MAX)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "result too large");
	return ledger_run(l, LEDGER_DELIVER, v, 6, err) < 0 ? -1 : 0;
}

int
ledger_set_settled(struct ledger *l, int64_t id, const char *tx,
    const char *note, struct sf_err *err)
{
	struct ledger_val	 v[5] = { ledger_v_state(LEDGER_SETTLED),
	    ledger_v_opt(tx), ledger_v_opt(note), ledger_v_int(ledger_now()),
	    ledger_v_int(id) };

	return ledger_run(l, LEDGER_SET_SETTLED, v, 5, err) < 0 ? -1 : 0;
}

int
ledger_list(struct ledger *l, int state, size_t limit,
    struct ledger_payment **rows, size_t *n, struct sf_err *err)
{
	struct ledger_val	 v[2] = { ledger_v_state(state),
	    ledger_v_int(limit > 0 && limit < INT64_MAX ? (int64_t)limit :
	    INT64_MAX) };

	return ledger_rows(l, LEDGER_LIST, v, 2, rows, n, err);
}

int
ledger_pending_settlement(struct ledger *l, int64_t now, int64_t min_age,
    struct ledger_payment **rows, size_t *n, struct sf_err *err)
{
	struct ledger_val	 v[2] = { ledger_v_int(now),
	    ledger_v_int(now - min_age) };

	return ledger_rows(l, LEDGER_PENDING, v, 2, rows, n, err);
}

int
ledger_unclaim(struct ledger *l, int64_t id, struct sf_err *err)
{
	struct ledger_val	 v[2] = { ledger_v_int(id),
	    ledger_v_state(LEDGER_VERIFIED) };

	return ledger_run(l, LEDGER_UNCLAIM, v, 2, err);
}

int
ledger_set_tx(struct ledger *l, int64_t id, const char *tx,
    struct sf_err *err)
{
	struct ledger_val	 v[3] = { ledger_v_opt(tx),
	    ledger_v_int(ledger_now()), ledger_v_int(id) };

	return ledger_run(l, LEDGER_SET_TX, v, 3, err) < 0 ? -1 : 0;
}

/* ---- revenue ------------------------------------------------------------ */

struct ledger_rev_acc {
	struct ledger_revenue	*v;
	size_t			 n, cap;
};

/* The sums of (endpoint, asset, network); a new one if need be. */
static struct ledger_revenue *
ledger_rev_slot(struct ledger_rev_acc *a, const char *ep, const char *as,
    const char *nw)
{
	struct ledger_revenue	*r, *nv;
	size_t			 i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].endpoint, ep) == 0 &&
		    strcmp(a->v[i].asset, as) == 0 &&
		    strcmp(a->v[i].network, nw) == 0)
			return &a->v[i];
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		if ((nv = reallocarray(a->v, a->cap, sizeof(*nv))) == NULL)
			return NULL;
		a->v = nv;
	}
	r = &a->v[a->n++];
	memset(r, 0, sizeof(*r));
	ledger_copy(r->endpoint, sizeof(r->endpoint), ep);
	ledger_copy(r->asset, sizeof(r->asset), as);
	ledger_copy(r->network, sizeof(r->network), nw);
	strcpy(r->settled, "0");
	strcpy(r->pending, "0");
	return r;
}

/* One row of LEDGER_REVENUE: endpoint, asset, network, state, amount. */
static int
ledger_rev_add(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	struct ledger_revenue	*r;
	int			 i, paid;

	for (i = 0; i < 5; i++)
		if (i >= n || c[i].p == NULL)
			return 0;
	if ((r = ledger_rev_slot(arg, c[0].p, c[1].p, c[2].p)) == NULL)
		return ledger_oom(err);
	paid = (ledger_state_flags(ledger_state_parse(c[3].p)) &
	    LEDGER_PAID) != 0;
	if (u256_add_dec(paid ? r->settled : r->pending, c[4].p) == -1)
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "bad amount in row");
	if (paid)
		r->settled_count++;
	else
		r->pending_count++;
	return 0;
}

int
ledger_revenue(struct ledger *l, struct ledger_revenue **rows, size_t *n,
    struct sf_err *err)
{
	struct ledger_rev_acc	 a = { NULL, 0, 0 };

	*rows = NULL;
	*n = 0;
	/* Sum in C: amounts are uint256 strings, wider than SQL integers. */
	if (l->ops->run(l->be, LEDGER_REVENUE, NULL, 0, ledger_rev_add, &a,
	    err) < 0) {
		free(a.v);
		return -1;
	}
	*rows = a.v;
	*n = a.n;
	return 0;
}

/* ---- exposure and admission --------------------------------------------- */

static void
ledger_exp_reset(struct ledger_exposure *ex)
{
	memset(ex, 0, sizeof(*ex));
	strcpy(ex->unsettled, "0");
}

/* One row of LEDGER_EXPOSURE (amount, state, tx) into ex. */
static int
ledger_exp_add(struct ledger_exposure *ex, const struct ledger_cell *c,
    int n, struct sf_err *err)
{
	if (n < 3 || c[0].p == NULL || c[1].p == NULL)
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "bad amount in row");
	if (ledger_state_flags(ledger_state_parse(c[1].p)) & LEDGER_INFLIGHT)
		ex->inflight++;
	/* Settled first: the balance already shows it. */
	if (c[2].p != NULL && c[2].n > 0)
		return 0;
	if (u256_add_dec(ex->unsettled, c[0].p) == -1)
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "bad amount in row");
	ex->unsettled_count++;
	return 0;
}

static int
ledger_exp_cb(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	return ledger_exp_add(arg, c, n, err);
}

/* LEDGER_EXPOSURE's values: the payer of the row, now. */
static void
ledger_exp_values(const char *network, const char *asset, const char *payer,
    int64_t now, struct ledger_val v[4])
{
	v[0] = ledger_v_text(network);
	v[1] = ledger_v_text(asset);
	v[2] = ledger_v_text(payer);
	v[3] = ledger_v_int(now);
}

int
ledger_exposure(struct ledger *l, const struct ledger_payment *key,
    struct ledger_exposure *ex, struct sf_err *err)
{
	struct ledger_payment	 k;
	struct ledger_val	 v[4];

	ledger_exp_reset(ex);
	if (ledger_canon(key, &k, "ledger_exposure", err) == -1)
		return -1;
	ledger_exp_values(k.network, k.asset, k.payer, ledger_now(), v);
	return l->ops->run(l->be, LEDGER_EXPOSURE, v, 4, ledger_exp_cb, ex,
	    err) < 0 ? -1 : 0;
}

struct ledger_admit_arg {
	unsigned		 max_inflight;
	struct ledger_exposure	*ex;
};

/* The admitted row's payer (network, asset, payer): the scan's key. */
static int
ledger_admit_key(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	struct ledger_admission	*a = arg;
	struct ledger_admit_arg	*aa = a->arg;

	if (n < 3)
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "admission: short row");
	ledger_copy(a->network, sizeof(a->network), c[0].p);
	ledger_copy(a->asset, sizeof(a->asset), c[1].p);
	ledger_copy(a->payer, sizeof(a->payer), c[2].p);
	ledger_exp_values(a->network, a->asset, a->payer, a->exp[3].i, a->exp);
	ledger_exp_reset(aa->ex);
	return 0;
}

static int
ledger_admit_scan(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	struct ledger_admission	*a = arg;
	struct ledger_admit_arg	*aa = a->arg;

	return ledger_exp_add(aa->ex, c, n, err);
}

/* After the scan, under the payer's lock: 0 reserve, LEDGER_OVER_INFLIGHT. */
static int
ledger_admit_decide(struct ledger_admission *a, struct sf_err *err)
{
	struct ledger_admit_arg	*aa = a->arg;

	(void)err;
	return aa->ex->inflight >= (int64_t)aa->max_inflight ?
	    LEDGER_OVER_INFLIGHT : 0;
}

int
ledger_reserve(struct ledger *l, int64_t id, unsigned max_inflight,
    struct ledger_exposure *ex, struct sf_err *err)
{
	struct ledger_admit_arg	 aa = { max_inflight, ex };
	struct ledger_admission	 a;
	int64_t			 now = ledger_now();

	memset(&a, 0, sizeof(a));
	ledger_exp_reset(ex);
	a.row[0] = ledger_v_int(id);
	a.row[1] = ledger_v_state(LEDGER_VERIFIED);
	ledger_exp_values(NULL, NULL, NULL, now, a.exp);
	a.move[0] = ledger_v_state(LEDGER_WORKING);
	a.move[1] = ledger_v_text(NULL);
	a.move[2] = ledger_v_int(now);
	a.move[3] = ledger_v_int(id);
	a.move[4] = ledger_v_state(LEDGER_VERIFIED);
	a.key = ledger_admit_key;
	a.scan = ledger_admit_scan;
	a.decide = ledger_admit_decide;
	a.arg = &aa;
	return l->ops->admit(l->be, &a, err);
}

int
ledger_fits(const struct ledger_exposure *ex, const char *amount,
    const char *balance)
{
	uint8_t	 total[U256_LEN], a[U256_LEN], b[U256_LEN];

	if (balance == NULL)
		return ex->unsettled_count == 0;
	if (u256_from_dec(ex->unsettled, total) == -1 ||
	    u256_from_dec(amount, a) == -1 ||
	    u256_from_dec(balance, b) == -1 || u256_add(total, a, total) == -1)
		return 0;
	return u256_cmp(total, b) <= 0;
}

int
ledger_release(struct ledger *l, int64_t id, struct sf_err *err)
{
	if (ledger_set_state(l, id, LEDGER_WORKING, LEDGER_VERIFIED, NULL,
	    err) == -1)
		return -1;
	return ledger_unclaim(l, id, err);
}
