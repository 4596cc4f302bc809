/*
 * The ledger's row layout and state table, once for both backends
 * (ledger_be.h): the payments table's columns, the SQL made from them and
 * from the states (select lists, inserts, the schema, sets of states),
 * the values an insert binds and the decoding of a row a backend read.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "basics/str.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"

/* ---- states ------------------------------------------------------------- */

static const struct {
	const char	*name;
	unsigned	 flags;
} ledger_state_tab[] = {
#define LEDGER_STATE_ROW(e, name, flags)	[e] = { name, flags },
	LEDGER_STATES(LEDGER_STATE_ROW)
#undef LEDGER_STATE_ROW
};

#define LEDGER_NSTATES	(sizeof(ledger_state_tab) / sizeof(ledger_state_tab[0]))

const char *
ledger_state_name(enum ledger_state s)
{
	if ((unsigned)s >= LEDGER_NSTATES)
		return "?";
	return ledger_state_tab[s].name;
}

int
ledger_state_parse(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < LEDGER_NSTATES; i++)
		if (strcmp(s, ledger_state_tab[i].name) == 0)
			return (int)i;
	return -1;
}

unsigned
ledger_state_flags(enum ledger_state s)
{
	if ((unsigned)s >= LEDGER_NSTATES)
		return 0;
	return ledger_state_tab[s].flags;
}

/* ---- columns ------------------------------------------------------------ */

#define LEDGER_F(field)	offsetof(struct ledger_payment, field), \
	sizeof(((struct ledger_payment *)0)->field), 0
#define RW		(LEDGER_C_READ | LEDGER_C_WRITE)

/* The payments table: the one list of its columns. */
const struct ledger_column ledger_columns[] = {
	{ "id",			LEDGER_C_ID,	LEDGER_C_READ,	LEDGER_F(id) },
	{ "endpoint",		LEDGER_C_TEXT,	RW,	LEDGER_F(endpoint) },
	{ "request_hash",	LEDGER_C_TEXT,	RW,	LEDGER_F(request_hash) },
	{ "payer",		LEDGER_C_TEXT,	RW,	LEDGER_F(payer) },
	{ "amount",		LEDGER_C_TEXT,	RW,	LEDGER_F(amount) },
	{ "asset",		LEDGER_C_TEXT,	RW,	LEDGER_F(asset) },
	{ "network",		LEDGER_C_TEXT,	RW,	LEDGER_F(network) },
	{ "x402_version",	LEDGER_C_INT,	RW,	LEDGER_F(x402_version) },
	{ "nonce",		LEDGER_C_TEXT,	RW,	LEDGER_F(nonce) },
	{ "valid_after",	LEDGER_C_TEXT,	RW,	LEDGER_F(valid_after) },
	{ "valid_before",	LEDGER_C_TEXT,	RW,	LEDGER_F(valid_before) },
	{ "valid_before_s",	LEDGER_C_CLAMP,	LEDGER_C_WRITE,
	    LEDGER_F(valid_before) },
	{ "payload",		LEDGER_C_STR,	RW,	LEDGER_F(payload) },
	{ "requirements",	LEDGER_C_STR,	RW,	LEDGER_F(requirements) },
	/* Unique per payer and endpoint ({id_key}), not alone: another
	   wallet's id is that wallet's own. */
	{ "payment_id",		LEDGER_C_TEXT,	RW | LEDGER_C_OPT,
	    LEDGER_F(payment_id) },
	{ "state",		LEDGER_C_STATE,	RW,	LEDGER_F(state) },
	{ "result",		LEDGER_C_BLOB,	RW | LEDGER_C_OPT | LEDGER_C_WORK,
	    offsetof(struct ledger_payment, result),
	    sizeof(((struct ledger_payment *)0)->result),
	    offsetof(struct ledger_payment, result_len) },
	{ "content_type",	LEDGER_C_TEXT,	RW | LEDGER_C_OPT | LEDGER_C_WORK,
	    LEDGER_F(content_type) },
	{ "tx",			LEDGER_C_TEXT,	RW | LEDGER_C_OPT | LEDGER_C_WORK,
	    LEDGER_F(tx) },
	{ "error",		LEDGER_C_TEXT,	RW | LEDGER_C_OPT | LEDGER_C_WORK,
	    LEDGER_F(error) },
	{ "created",		LEDGER_C_TIME,	RW,	LEDGER_F(created) },
	{ "updated",		LEDGER_C_TIME,	RW,	LEDGER_F(updated) },
};
const size_t	ledger_ncolumns = sizeof(ledger_columns) / sizeof(ledger_columns[0]);

#define LEDGER_J(field)	offsetof(struct ledger_job, field), \
	sizeof(((struct ledger_job *)0)->field), 0
#define JOIN		(LEDGER_C_READ | LEDGER_C_JOIN)

/* The jobs table, then what a job is read with from its payment. */
const struct ledger_column ledger_job_columns[] = {
	{ "seq",		LEDGER_C_ID,	LEDGER_C_READ,	LEDGER_J(seq) },
	{ "id",			LEDGER_C_TEXT,	RW | LEDGER_C_UNIQUE,
	    LEDGER_J(id) },
	{ "payment",		LEDGER_C_I64,	RW | LEDGER_C_UNIQUE,
	    LEDGER_J(payment) },
	{ "endpoint",		LEDGER_C_TEXT,	RW,	LEDGER_J(endpoint) },
	{ "payer",		LEDGER_C_TEXT,	RW,	LEDGER_J(payer) },
	{ "network",		LEDGER_C_TEXT,	RW,	LEDGER_J(network) },
	{ "request",		LEDGER_C_STR,	RW,	LEDGER_J(request) },
	{ "upstream",		LEDGER_C_STR,	RW | LEDGER_C_OPT,
	    LEDGER_J(upstream) },
	{ "progress",		LEDGER_C_TEXT,	RW | LEDGER_C_OPT,
	    LEDGER_J(progress) },
	{ "message",		LEDGER_C_TEXT,	RW | LEDGER_C_OPT,
	    LEDGER_J(message) },
	{ "open",		LEDGER_C_INT,	RW,	LEDGER_J(open) },
	{ "cancel",		LEDGER_C_INT,	RW,	LEDGER_J(cancel) },
	{ "delivering",		LEDGER_C_INT,	RW,	LEDGER_J(delivering) },
	{ "lease_until",	LEDGER_C_I64,	RW,	LEDGER_J(lease_until) },
	{ "lease_owner",	LEDGER_C_TEXT,	RW | LEDGER_C_OPT,
	    LEDGER_J(lease_owner) },
	{ "attempts",		LEDGER_C_INT,	RW,	LEDGER_J(attempts) },
	{ "started",		LEDGER_C_I64,	RW,	LEDGER_J(started) },
	{ "created",		LEDGER_C_TIME,	RW,	LEDGER_J(created) },
	{ "updated",		LEDGER_C_TIME,	RW,	LEDGER_J(updated) },
	{ "webhook_url",	LEDGER_C_STR,	RW | LEDGER_C_OPT,
	    LEDGER_J(webhook_url) },
	{ "webhook_secret",	LEDGER_C_TEXT,	RW | LEDGER_C_OPT,
	    LEDGER_J(webhook_secret) },
	{ "state",		LEDGER_C_STATE,	JOIN,	LEDGER_J(state) },
	{ "tx",			LEDGER_C_TEXT,	JOIN | LEDGER_C_OPT,
	    LEDGER_J(tx) },
	{ "amount",		LEDGER_C_TEXT,	JOIN,	LEDGER_J(amount) },
	{ "valid_before",	LEDGER_C_TEXT,	JOIN,	LEDGER_J(valid_before) },
	{ "error",		LEDGER_C_TEXT,	JOIN | LEDGER_C_OPT,
	    LEDGER_J(error) },
};
const size_t	ledger_job_ncolumns = sizeof(ledger_job_columns) /
    sizeof(ledger_job_columns[0]);

/* One of the two tables: its columns, how its select list names them. */
struct ledger_tab {
	const struct ledger_column	*cols;
	size_t				 n;
	int				 job;	/* j. and p. prefixes */
};
static const struct ledger_tab ledger_tab_payments = {
	ledger_columns, sizeof(ledger_columns) / sizeof(ledger_columns[0]), 0
};
static const struct ledger_tab ledger_tab_jobs = {
	ledger_job_columns, sizeof(ledger_job_columns) /
	    sizeof(ledger_job_columns[0]), 1
};

/* The replay guard: one row per authorization. */
#define LEDGER_REPLAY_KEY	"network, asset, payer, nonce"
/* The payment-identifier's scope (x402.md §11): its payer's, for one
   endpoint.  A unique index, so a schema step can add it everywhere. */
#define LEDGER_ID_KEY		"payer, endpoint, payment_id"

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

void
ledger_copy(char *dst, size_t sz, const char *src)
{
	(void)str_copy(dst, sz, src);
}

/* ---- SQL ---------------------------------------------------------------- */

/*
 * Names of the columns of t with flag, comma-separated; a job's select
 * list names its own columns j.name and its payment's p.name, and an
 * insert writes only the table's own.
 */
static void
ledger_sql_names(struct buf *b, const struct ledger_tab *t, unsigned flag)
{
	const struct ledger_column	*c;
	const char			*sep = "";
	size_t				 i;

	for (i = 0; i < t->n; i++) {
		c = &t->cols[i];
		if (!(c->flags & flag) || ((c->flags & LEDGER_C_JOIN) &&
		    flag != LEDGER_C_READ))
			continue;
		buf_printf(b, "%s%s%s", sep, !t->job ||
		    flag != LEDGER_C_READ ? "" : c->flags & LEDGER_C_JOIN ?
		    "p." : "j.", c->name);
		sep = ", ";
	}
}

/* ?1, ?2, ... ?n (or $1 ...). */
static void
ledger_sql_params(struct buf *b, const struct ledger_dialect *d, int n)
{
	int	 k;

	for (k = 1; k <= n; k++)
		buf_printf(b, "%s%s%d", k > 1 ? ", " : "", d->param, k);
}

/* The quoted names of the states with any of flags (all: ~0u). */
static void
ledger_sql_states(struct buf *b, unsigned flags)
{
	const char	*sep = "";
	size_t		 i;

	for (i = 0; i < LEDGER_NSTATES; i++)
		if (flags == ~0u || (ledger_state_tab[i].flags & flags)) {
			buf_printf(b, "%s'%s'", sep, ledger_state_tab[i].name);
			sep = ", ";
		}
}

/* A table's column definitions and keys (the payments' replay key). */
static void
ledger_sql_ddl(struct buf *b, const struct ledger_tab *t,
    const struct ledger_dialect *d)
{
	const struct ledger_column	*c;
	const char			*type;
	size_t				 i;

	for (i = 0; i < t->n; i++) {
		c = &t->cols[i];
		if (c->flags & LEDGER_C_JOIN)
			continue;
		switch (c->kind) {
		case LEDGER_C_ID:
			type = d->id;
			break;
		case LEDGER_C_INT:
			type = "INTEGER";
			break;
		case LEDGER_C_TIME:
		case LEDGER_C_CLAMP:
		case LEDGER_C_I64:
			type = d->i64;
			break;
		case LEDGER_C_BLOB:
			type = d->blob;
			break;
		default:
			type = "TEXT";
			break;
		}
		buf_printf(b, "%s%s %s%s%s", i ? ", " : "", c->name, type,
		    c->kind == LEDGER_C_ID || (c->flags & LEDGER_C_OPT) ? "" :
		    " NOT NULL", c->flags & LEDGER_C_UNIQUE ? " UNIQUE" : "");
		if (c->kind == LEDGER_C_STATE) {
			buf_printf(b, " CHECK (%s IN (", c->name);
			ledger_sql_states(b, ~0u);
			buf_puts(b, "))");
		}
	}
	if (!t->job)
		buf_puts(b, ", UNIQUE (" LEDGER_REPLAY_KEY ")");
}

/* A placeholder of a table ({cols}, {jcols}, ...): 1 written, 0 not one. */
static int
ledger_sql_tab(struct buf *b, const char *s, size_t n,
    const struct ledger_dialect *d)
{
	static const struct {
		const char		*name;
		const struct ledger_tab	*t;
		int			 what;	/* 0 cols 1 insert 2 values
						   3 table */
	} ph[] = {
		{ "cols", &ledger_tab_payments, 0 },
		{ "insert", &ledger_tab_payments, 1 },
		{ "values", &ledger_tab_payments, 2 },
		{ "table", &ledger_tab_payments, 3 },
		{ "jcols", &ledger_tab_jobs, 0 },
		{ "jinsert", &ledger_tab_jobs, 1 },
		{ "jvalues", &ledger_tab_jobs, 2 },
		{ "jtable", &ledger_tab_jobs, 3 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(ph) / sizeof(ph[0]); i++) {
		if (strlen(ph[i].name) != n || strncmp(s, ph[i].name, n) != 0)
			continue;
		switch (ph[i].what) {
		case 0:
			ledger_sql_names(b, ph[i].t, LEDGER_C_READ);
			break;
		case 1:
			ledger_sql_names(b, ph[i].t, LEDGER_C_WRITE);
			break;
		case 2:
			ledger_sql_params(b, d, ph[i].t->job ?
			    LEDGER_JOB_NINSERT : LEDGER_NINSERT);
			break;
		default:
			ledger_sql_ddl(b, ph[i].t, d);
			break;
		}
		return 1;
	}
	return 0;
}

char *
ledger_sql(const char *tmpl, const struct ledger_dialect *d,
    struct sf_err *err)
{
	static const struct {
		const char	*name;
		unsigned	 flags;
	} sets[] = {
		{ "states", ~0u },
		{ "exposed", LEDGER_EXPOSED },
		{ "to_settle", LEDGER_TO_SETTLE },
		{ "revenue", LEDGER_PAID | LEDGER_TO_SETTLE },
		{ "inflight", LEDGER_INFLIGHT },
	};
	struct buf	 b;
	const char	*s, *e;
	size_t		 n, i;

	buf_init(&b);
	for (s = tmpl; *s != '\0'; s = e + 1) {
		if ((e = strchr(s, '{')) == NULL) {
			buf_puts(&b, s);
			break;
		}
		buf_append(&b, s, (size_t)(e - s));
		s = e + 1;
		if ((e = strchr(s, '}')) == NULL)
			goto bad;
		n = (size_t)(e - s);
		if (n == 2 && strncmp(s, "id", n) == 0)
			buf_puts(&b, d->id);
		else if (n == 3 && strncmp(s, "i64", n) == 0)
			buf_puts(&b, d->i64);
		else if (n == 4 && strncmp(s, "blob", n) == 0)
			buf_puts(&b, d->blob);
		else if (n == 6 && strncmp(s, "id_key", n) == 0)
			buf_puts(&b, LEDGER_ID_KEY);
		else if (!ledger_sql_tab(&b, s, n, d)) {
			for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
				if (strlen(sets[i].name) == n &&
				    strncmp(s, sets[i].name, n) == 0)
					break;
			if (i == sizeof(sets) / sizeof(sets[0]))
				goto bad;
			ledger_sql_states(&b, sets[i].flags);
		}
	}
	if (b.oom || b.p == NULL) {
		buf_free(&b);
		sf_err_set(err, 500, "ledger_error", NULL, "out of memory");
		return NULL;
	}
	return buf_steal(&b, NULL);
bad:
	buf_free(&b);
	sf_err_set(err, 500, "ledger_error", NULL, "ledger SQL: bad "
	    "placeholder in \"%.80s\"", tmpl);
	return NULL;
}

int
ledger_sql_stmts(const char *const tmpl[LEDGER_NSTMT],
    const struct ledger_dialect *d, char *out[LEDGER_NSTMT],
    struct sf_err *err)
{
	size_t	 c, nw = 0;
	int	 i;

	memset(out, 0, LEDGER_NSTMT * sizeof(out[0]));
	for (c = 0; c < ledger_ncolumns; c++)
		nw += (ledger_columns[c].flags & LEDGER_C_WRITE) != 0;
	if (nw != LEDGER_NINSERT)
		return sf_err_set(err, 500, "ledger_error", NULL, "ledger: "
		    "%zu columns written, LEDGER_NINSERT says %d", nw,
		    LEDGER_NINSERT);
	for (nw = c = 0; c < ledger_job_ncolumns; c++)
		nw += (ledger_job_columns[c].flags & LEDGER_C_WRITE) != 0;
	if (nw != LEDGER_JOB_NINSERT)
		return sf_err_set(err, 500, "ledger_error", NULL, "ledger: "
		    "%zu job columns written, LEDGER_JOB_NINSERT says %d", nw,
		    LEDGER_JOB_NINSERT);
	for (i = 0; i < LEDGER_NSTMT; i++)
		if (tmpl[i] == NULL || (out[i] = ledger_sql(tmpl[i], d,
		    err)) == NULL) {
			if (tmpl[i] == NULL)
				sf_err_set(err, 500, "ledger_error", NULL,
				    "ledger SQL: statement %d missing", i);
			ledger_sql_stmts_free(out);
			return -1;
		}
	return 0;
}

void
ledger_sql_stmts_free(char *out[LEDGER_NSTMT])
{
	int	 i;

	for (i = 0; i < LEDGER_NSTMT; i++) {
		free(out[i]);
		out[i] = NULL;
	}
}

/* ---- rows --------------------------------------------------------------- */

/*
 * The values of an insert into t of the row at base: all of it, or as a
 * claim writes it (claim: the work's columns NULL, created and updated
 * now).
 */
static void
ledger_values(const struct ledger_tab *t, const void *row, int claim,
    int64_t now, struct ledger_val *v)
{
	const struct ledger_column	*c;
	const char			*base = row;
	size_t				 i;
	int				 k = 0;

	for (i = 0; i < t->n; i++) {
		c = &t->cols[i];
		if (!(c->flags & LEDGER_C_WRITE))
			continue;
		if (claim && (c->flags & LEDGER_C_WORK)) {
			v[k++] = ledger_v_text(NULL);
			continue;
		}
		switch (c->kind) {
		case LEDGER_C_TEXT:
			v[k++] = c->flags & LEDGER_C_OPT ?
			    ledger_v_opt(base + c->off) :
			    ledger_v_text(base + c->off);
			break;
		case LEDGER_C_INT:
			v[k++] = ledger_v_int(*(const int *)(base + c->off));
			break;
		case LEDGER_C_TIME:
			v[k++] = ledger_v_int(claim ? now :
			    *(const int64_t *)(base + c->off));
			break;
		case LEDGER_C_I64:
			v[k++] = ledger_v_int(*(const int64_t *)(base + c->off));
			break;
		case LEDGER_C_STR:
			v[k++] = ledger_v_text(*(char *const *)(base + c->off));
			break;
		case LEDGER_C_BLOB:
			v[k++] = ledger_v_blob(*(char *const *)(base + c->off),
			    *(const size_t *)(base + c->len_off));
			break;
		case LEDGER_C_STATE:
			v[k++] = ledger_v_text(ledger_state_name(
			    *(const enum ledger_state *)(base + c->off)));
			break;
		case LEDGER_C_CLAMP:
			v[k++] = ledger_v_int(ledger_clamp(base + c->off));
			break;
		case LEDGER_C_ID:
			break;
		}
	}
}

void
ledger_row_values(const struct ledger_payment *p, int claim, int64_t now,
    struct ledger_val v[LEDGER_NINSERT])
{
	ledger_values(&ledger_tab_payments, p, claim, now, v);
}

void
ledger_job_values(const struct ledger_job *j,
    struct ledger_val v[LEDGER_JOB_NINSERT])
{
	ledger_values(&ledger_tab_jobs, j, 0, 0, v);
}

static char *
ledger_cell_dup(const struct ledger_cell *c, size_t *lenp)
{
	char	*s;

	if (c->p == NULL || (s = malloc(c->n + 1)) == NULL)
		return NULL;
	if (c->n > 0)
		memcpy(s, c->p, c->n);
	s[c->n] = '\0';
	if (lenp != NULL)
		*lenp = c->n;
	return s;
}

/*
 * Fill the row at base (zeroed by the caller) from cells read with t's
 * select list: 0, or -1 when a required column is NULL or memory ran out
 * (what was allocated is in the row, for the caller's free function).
 */
static int
ledger_decode(const struct ledger_tab *t, const struct ledger_cell *cells,
    int n, void *row)
{
	const struct ledger_column	*c;
	const struct ledger_cell	*v;
	char				*base = row;
	size_t				 i;
	int				 k = 0, s;

	for (i = 0; i < t->n; i++) {
		c = &t->cols[i];
		if (!(c->flags & LEDGER_C_READ))
			continue;
		if (k >= n)
			return -1;
		v = &cells[k++];
		switch (c->kind) {
		case LEDGER_C_ID:
		case LEDGER_C_TIME:
		case LEDGER_C_I64:
			*(int64_t *)(base + c->off) = v->p != NULL ?
			    strtoll(v->p, NULL, 10) : 0;
			break;
		case LEDGER_C_INT:
			*(int *)(base + c->off) = v->p != NULL ?
			    atoi(v->p) : 0;
			break;
		case LEDGER_C_TEXT:
			ledger_copy(base + c->off, c->size, v->p);
			break;
		case LEDGER_C_STR:
			if (v->p == NULL && (c->flags & LEDGER_C_OPT))
				break;
			if ((*(char **)(base + c->off) =
			    ledger_cell_dup(v, NULL)) == NULL)
				return -1;
			break;
		case LEDGER_C_BLOB:
			if (v->p != NULL && (*(char **)(base + c->off) =
			    ledger_cell_dup(v, (size_t *)(base +
			    c->len_off))) == NULL)
				return -1;
			break;
		case LEDGER_C_STATE:
			s = ledger_state_parse(v->p);
			*(enum ledger_state *)(base + c->off) = s < 0 ?
			    LEDGER_VERIFIED : (enum ledger_state)s;
			break;
		case LEDGER_C_CLAMP:
			break;
		}
	}
	return 0;
}

/*
 * Fill p from a row read with {cols}: 0, or -1 when a required column is
 * NULL or memory ran out (p then holds nothing to free).
 */
int
ledger_row_decode(const struct ledger_cell *cells, int n,
    struct ledger_payment *p)
{
	memset(p, 0, sizeof(*p));
	if (ledger_decode(&ledger_tab_payments, cells, n, p) == -1) {
		ledger_payment_free(p);
		return -1;
	}
	return 0;
}

int
ledger_job_decode(const struct ledger_cell *cells, int n,
    struct ledger_job *j)
{
	memset(j, 0, sizeof(*j));
	if (ledger_decode(&ledger_tab_jobs, cells, n, j) == -1) {
		ledger_job_free(j);
		return -1;
	}
	return 0;
}
