/*
 * The ledger's front: picks the backend from DB (a PostgreSQL URI or a
 * SQLite path), checks and canonicalises arguments once, and sums revenue
 * (uint256 strings) the same way for both backends.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basics/err.h"
#include "basics/net.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"

struct ledger {
	const struct ledger_ops	*ops;
	struct ledger_be	*be;
};

static const char *const ledger_states[] = {
	"verified", "working", "delivered", "settled", "settle_failed",
	"work_failed",
};

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

	for (i = 0; s != NULL &&
	    i < sizeof(ledger_states) / sizeof(ledger_states[0]); i++)
		if (strcmp(s, ledger_states[i]) == 0)
			return (int)i;
	return -1;
}

int
ledger_uri_is_pg(const char *db)
{
	return db != NULL && (strncmp(db, "postgresql://", 13) == 0 ||
	    strncmp(db, "postgres://", 11) == 0);
}

/* Clamp a decimal uint256 to int64 for range queries. */
int64_t
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

void
ledger_copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src != NULL ? src : "");
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

static void
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

int
ledger_find(struct ledger *l, const struct ledger_payment *in,
    struct ledger_payment *row, struct sf_err *err)
{
	struct ledger_payment	 k;

	memset(row, 0, sizeof(*row));
	if (ledger_canon(in, &k, "ledger_find", err) == -1)
		return -1;
	return l->ops->find(l->be, &k, row, err);
}

int
ledger_claim(struct ledger *l, const struct ledger_payment *in,
    struct ledger_payment *row, struct sf_err *err)
{
	struct ledger_payment	 k;

	memset(row, 0, sizeof(*row));
	if (in->endpoint[0] == '\0' || in->payer[0] == '\0' ||
	    in->asset[0] == '\0' || in->nonce[0] == '\0' ||
	    in->amount[0] == '\0' || in->payload == NULL ||
	    in->requirements == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "ledger_claim: missing field");
	if (ledger_canon(in, &k, "ledger_claim", err) == -1)
		return -1;
	return l->ops->claim(l->be, &k, (int64_t)time(NULL), row, err);
}

int
ledger_import(struct ledger *l, const struct ledger_payment *in,
    struct sf_err *err)
{
	struct ledger_payment	 k;

	if (in->payload == NULL || in->requirements == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "ledger_import: missing field");
	if (ledger_canon(in, &k, "ledger_import", err) == -1)
		return -1;
	return l->ops->import(l->be, &k, err);
}

int
ledger_get(struct ledger *l, int64_t id, struct ledger_payment *p,
    struct sf_err *err)
{
	memset(p, 0, sizeof(*p));
	return l->ops->get(l->be, id, p, err);
}

int
ledger_set_state(struct ledger *l, int64_t id, int from, enum ledger_state to,
    const char *error, struct sf_err *err)
{
	return l->ops->set_state(l->be, id, from, to, error,
	    (int64_t)time(NULL), err);
}

int
ledger_take_stale(struct ledger *l, int64_t id, enum ledger_state from,
    enum ledger_state to, int64_t before, struct sf_err *err)
{
	return l->ops->take_stale(l->be, id, from, to, before,
	    (int64_t)time(NULL), err);
}

int
ledger_lease(struct ledger *l, int64_t id, enum ledger_state state,
    int64_t seen, int64_t lease_s, struct sf_err *err)
{
	return l->ops->lease(l->be, id, state, seen,
	    (int64_t)time(NULL) + lease_s, err);
}

int
ledger_store_result(struct ledger *l, int64_t id, const char *ctype,
    const void *body, size_t len, struct sf_err *err)
{
	if (len > INT32_MAX)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "result too large");
	return l->ops->store_result(l->be, id, ctype, body, len,
	    (int64_t)time(NULL), err) < 0 ? -1 : 0;
}

int
ledger_set_settled(struct ledger *l, int64_t id, const char *tx,
    const char *note, struct sf_err *err)
{
	return l->ops->set_settled(l->be, id, tx, note, (int64_t)time(NULL),
	    err) < 0 ? -1 : 0;
}

int
ledger_list(struct ledger *l, int state, size_t limit,
    struct ledger_payment **rows, size_t *n, struct sf_err *err)
{
	*rows = NULL;
	*n = 0;
	return l->ops->list(l->be, state, limit, rows, n, err);
}

int
ledger_pending_settlement(struct ledger *l, int64_t now, int64_t min_age,
    struct ledger_payment **rows, size_t *n, struct sf_err *err)
{
	*rows = NULL;
	*n = 0;
	return l->ops->pending(l->be, now, min_age, rows, n, err);
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

struct ledger_rev_acc {
	struct ledger_revenue	*v;
	size_t			 n, cap;
};

static int
ledger_rev_add(void *arg, const char *ep, const char *as, const char *nw,
    const char *state, const char *amt, struct sf_err *err)
{
	struct ledger_rev_acc	*a = arg;
	struct ledger_revenue	*r, *nv;
	size_t			 i;
	int			 settled;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].endpoint, ep) == 0 &&
		    strcmp(a->v[i].asset, as) == 0 &&
		    strcmp(a->v[i].network, nw) == 0)
			break;
	if (i == a->n) {
		if (a->n == a->cap) {
			a->cap = a->cap ? a->cap * 2 : 8;
			if ((nv = reallocarray(a->v, a->cap,
			    sizeof(*nv))) == NULL)
				return sf_err_set(err, 500, "internal_error",
				    NULL, "out of memory");
			a->v = nv;
		}
		r = &a->v[a->n++];
		memset(r, 0, sizeof(*r));
		snprintf(r->endpoint, sizeof(r->endpoint), "%s", ep);
		snprintf(r->asset, sizeof(r->asset), "%s", as);
		snprintf(r->network, sizeof(r->network), "%s", nw);
		strcpy(r->settled, "0");
		strcpy(r->pending, "0");
	}
	r = &a->v[i];
	settled = strcmp(state, "settled") == 0;
	if (ledger_dec_add(settled ? r->settled : r->pending,
	    sizeof(r->settled), amt) == -1)
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "bad amount in row");
	if (settled)
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
	if (l->ops->revenue_scan(l->be, ledger_rev_add, &a, err) == -1) {
		free(a.v);
		return -1;
	}
	*rows = a.v;
	*n = a.n;
	return 0;
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

static void
ledger_exp_reset(void *arg)
{
	struct ledger_exposure	*ex = arg;

	memset(ex, 0, sizeof(*ex));
	strcpy(ex->unsettled, "0");
}

/* One row of a payer's exposure into ex (ledger_exp_cb). */
static int
ledger_exp_add(void *arg, const char *amount, const char *state, int has_tx,
    struct sf_err *err)
{
	struct ledger_exposure	*ex = arg;

	if (strcmp(state, "settle_failed") != 0)
		ex->inflight++;
	/* Settled first: the balance already shows it. */
	if (has_tx)
		return 0;
	if (ledger_dec_add(ex->unsettled, sizeof(ex->unsettled), amount) == -1)
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "bad amount in row");
	ex->unsettled_count++;
	return 0;
}

int
ledger_exposure(struct ledger *l, const struct ledger_payment *key,
    struct ledger_exposure *ex, struct sf_err *err)
{
	struct ledger_payment	 k;

	ledger_exp_reset(ex);
	if (ledger_canon(key, &k, "ledger_exposure", err) == -1)
		return -1;
	return l->ops->exposure(l->be, &k, (int64_t)time(NULL), ledger_exp_add,
	    ex, err);
}

struct ledger_admit_arg {
	unsigned		 max_inflight;
	struct ledger_exposure	*ex;
};

/* After the scan, under the payer's lock: 0 reserve, LEDGER_OVER_INFLIGHT. */
static int
ledger_admit_decide(void *arg, const struct ledger_payment *k,
    struct sf_err *err)
{
	struct ledger_admit_arg	*a = arg;

	(void)k;
	(void)err;
	return a->ex->inflight >= (int64_t)a->max_inflight ?
	    LEDGER_OVER_INFLIGHT : 0;
}

int
ledger_reserve(struct ledger *l, int64_t id, unsigned max_inflight,
    struct ledger_exposure *ex, struct sf_err *err)
{
	struct ledger_admit_arg	 a = { max_inflight, ex };
	struct ledger_admission	 ad = { ledger_exp_reset, ledger_exp_add, ex,
	    ledger_admit_decide, &a };

	ledger_exp_reset(ex);
	return l->ops->admit(l->be, id, (int64_t)time(NULL), &ad, err);
}

int
ledger_fits(const struct ledger_exposure *ex, const char *amount,
    const char *balance)
{
	char	 total[80];

	if (balance == NULL)
		return ex->unsettled_count == 0;
	snprintf(total, sizeof(total), "%s", ex->unsettled);
	if (ledger_dec_add(total, sizeof(total), amount) == -1)
		return 0;
	return ledger_dec_cmp(total, balance) <= 0;
}

int
ledger_release(struct ledger *l, int64_t id, struct sf_err *err)
{
	if (ledger_set_state(l, id, LEDGER_WORKING, LEDGER_VERIFIED, NULL,
	    err) == -1)
		return -1;
	return ledger_unclaim(l, id, err);
}

int
ledger_unclaim(struct ledger *l, int64_t id, struct sf_err *err)
{
	return l->ops->unclaim(l->be, id, err);
}

int
ledger_set_tx(struct ledger *l, int64_t id, const char *tx,
    struct sf_err *err)
{
	return l->ops->set_tx(l->be, id, tx, (int64_t)time(NULL), err) < 0 ?
	    -1 : 0;
}
