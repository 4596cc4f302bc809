/*
 * The ledger's jobs (ledger.h, "Jobs"): the values of each job statement,
 * the decoding of job rows, and the compare-and-sets a runner and a
 * canceller rest on.  The backends only run the SQL (ledger_be.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"

#define LEDGER_JOB_LIST_MAX	1000

void
ledger_job_free(struct ledger_job *j)
{
	if (j == NULL)
		return;
	free(j->request);
	free(j->upstream);
	free(j->webhook_url);
	j->request = j->upstream = j->webhook_url = NULL;
}

void
ledger_jobs_free(struct ledger_job *j, size_t n)
{
	size_t	 i;

	if (j == NULL)
		return;
	for (i = 0; i < n; i++)
		ledger_job_free(&j[i]);
	free(j);
}

static int
ledger_job_oom(struct sf_err *err)
{
	return sf_err_set(err, 500, "internal_error", NULL, "out of memory");
}

/* The one row of a lookup into arg (ledger_row_cb). */
static int
ledger_job_one(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	struct ledger_job	*j = arg;

	ledger_job_free(j);
	return ledger_job_decode(c, n, j) == -1 ? ledger_job_oom(err) : 0;
}

static int
ledger_job_lookup(struct ledger *l, enum ledger_stmt s,
    const struct ledger_val *v, int n, struct ledger_job *j,
    struct sf_err *err)
{
	int	 rc;

	memset(j, 0, sizeof(*j));
	if ((rc = l->ops->run(l->be, s, v, n, ledger_job_one, j, err)) < 0) {
		ledger_job_free(j);
		return -1;
	}
	return rc > 0 ? 1 : 0;
}

struct ledger_job_rows {
	struct ledger_job	*v;
	size_t			 n, cap;
};

static int
ledger_job_append(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	struct ledger_job_rows	*r = arg;
	struct ledger_job	*nv;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		if ((nv = reallocarray(r->v, r->cap, sizeof(*nv))) == NULL)
			return ledger_job_oom(err);
		r->v = nv;
	}
	if (ledger_job_decode(c, n, &r->v[r->n]) == -1)
		return ledger_job_oom(err);
	r->n++;
	return 0;
}

static int
ledger_job_rows(struct ledger *l, enum ledger_stmt s,
    const struct ledger_val *v, int n, struct ledger_job **rows,
    size_t *nrows, struct sf_err *err)
{
	struct ledger_job_rows	 r = { NULL, 0, 0 };

	*rows = NULL;
	*nrows = 0;
	if (l->ops->run(l->be, s, v, n, ledger_job_append, &r, err) < 0) {
		ledger_jobs_free(r.v, r.n);
		return -1;
	}
	*rows = r.v;
	*nrows = r.n;
	return 0;
}

static int
ledger_job_run(struct ledger *l, enum ledger_stmt s,
    const struct ledger_val *v, int n, struct sf_err *err)
{
	return l->ops->run(l->be, s, v, n, NULL, NULL, err);
}

int
ledger_job_create(struct ledger *l, const struct ledger_job *in,
    struct sf_err *err)
{
	struct ledger_job	 k;
	struct ledger_val	 v[LEDGER_JOB_NINSERT];
	int			 rc;

	if (in->id[0] == '\0' || in->payment <= 0 || in->endpoint[0] == '\0' ||
	    in->payer[0] == '\0' || in->network[0] == '\0' ||
	    in->request == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "ledger_job_create: missing field");
	memset(&k, 0, sizeof(k));
	ledger_copy(k.id, sizeof(k.id), in->id);
	k.payment = in->payment;
	ledger_copy(k.endpoint, sizeof(k.endpoint), in->endpoint);
	ledger_lower(k.payer, sizeof(k.payer), in->payer);
	ledger_copy(k.network, sizeof(k.network), in->network);
	k.request = in->request;
	k.webhook_url = in->webhook_url;
	ledger_copy(k.webhook_secret, sizeof(k.webhook_secret),
	    in->webhook_secret);
	k.open = 1;
	k.created = k.updated = ledger_now();
	ledger_job_values(&k, v);
	if ((rc = ledger_job_run(l, LEDGER_JOB_INSERT, v, LEDGER_JOB_NINSERT,
	    err)) < 0)
		return -1;
	return rc == 1 ? LEDGER_NEW : LEDGER_EXISTING;
}

int
ledger_job_get(struct ledger *l, const char *id, struct ledger_job *j,
    struct sf_err *err)
{
	struct ledger_val	 v[1] = { ledger_v_text(id) };

	return ledger_job_lookup(l, LEDGER_JOB_GET, v, 1, j, err);
}

int
ledger_job_of_payment(struct ledger *l, int64_t payment, struct ledger_job *j,
    struct sf_err *err)
{
	struct ledger_val	 v[1] = { ledger_v_int(payment) };

	return ledger_job_lookup(l, LEDGER_JOB_OF_PAYMENT, v, 1, j, err);
}

int
ledger_job_list(struct ledger *l, const char *payer, int64_t before,
    size_t limit, struct ledger_job **rows, size_t *n, struct sf_err *err)
{
	struct ledger_val	 v[3];
	char			 k[48];

	if (limit == 0 || limit > LEDGER_JOB_LIST_MAX)
		limit = LEDGER_JOB_LIST_MAX;
	if (payer != NULL)
		ledger_lower(k, sizeof(k), payer);
	v[0] = ledger_v_text(payer != NULL ? k : NULL);
	v[1] = before > 0 ? ledger_v_int(before) : ledger_v_text(NULL);
	v[2] = ledger_v_int((int64_t)limit);
	return ledger_job_rows(l, LEDGER_JOB_LIST, v, 3, rows, n, err);
}

int
ledger_job_runnable(struct ledger *l, const char *endpoint, int64_t now,
    size_t limit, struct ledger_job **rows, size_t *n, struct sf_err *err)
{
	struct ledger_val	 v[3] = { ledger_v_int(now),
	    ledger_v_text(endpoint), ledger_v_int((int64_t)(limit > 0 ?
	    limit : 1)) };

	return ledger_job_rows(l, LEDGER_JOB_RUNNABLE, v, 3, rows, n, err);
}

int
ledger_job_lease(struct ledger *l, int64_t seq, const char *owner,
    int64_t lease_s, struct sf_err *err)
{
	int64_t			 now = ledger_now();
	struct ledger_val	 v[4] = { ledger_v_int(now + lease_s),
	    ledger_v_text(owner), ledger_v_int(now), ledger_v_int(seq) };

	return ledger_job_run(l, LEDGER_JOB_LEASE, v, 4, err);
}

/* RETURNING cancel (ledger_row_cb). */
static int
ledger_job_cancel_cb(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	(void)err;
	*(int *)arg = n > 0 && c[0].p != NULL && atoi(c[0].p) != 0;
	return 0;
}

int
ledger_job_renew(struct ledger *l, int64_t seq, const char *owner,
    int64_t lease_s, int *cancel, struct sf_err *err)
{
	int64_t			 now = ledger_now();
	struct ledger_val	 v[4] = { ledger_v_int(now + lease_s),
	    ledger_v_int(now), ledger_v_int(seq), ledger_v_text(owner) };
	int			 rc;

	*cancel = 0;
	if ((rc = l->ops->run(l->be, LEDGER_JOB_RENEW, v, 4,
	    ledger_job_cancel_cb, cancel, err)) < 0)
		return -1;
	return rc > 0 ? 1 : 0;
}

int
ledger_job_release(struct ledger *l, int64_t seq, const char *owner,
    struct sf_err *err)
{
	struct ledger_val	 v[3] = { ledger_v_int(ledger_now()),
	    ledger_v_int(seq), ledger_v_text(owner) };

	return ledger_job_run(l, LEDGER_JOB_RELEASE, v, 3, err);
}

int
ledger_job_started(struct ledger *l, int64_t seq, struct sf_err *err)
{
	struct ledger_val	 v[2] = { ledger_v_int(ledger_now()),
	    ledger_v_int(seq) };

	return ledger_job_run(l, LEDGER_JOB_STARTED, v, 2, err) < 0 ? -1 : 0;
}

int
ledger_job_set_upstream(struct ledger *l, int64_t seq, const char *json,
    struct sf_err *err)
{
	struct ledger_val	 v[3] = { ledger_v_opt(json),
	    ledger_v_int(ledger_now()), ledger_v_int(seq) };

	return ledger_job_run(l, LEDGER_JOB_UPSTREAM, v, 3, err) < 0 ? -1 : 0;
}

int
ledger_job_set_progress(struct ledger *l, int64_t seq, const char *progress,
    struct sf_err *err)
{
	struct ledger_val	 v[3] = { ledger_v_opt(progress),
	    ledger_v_int(ledger_now()), ledger_v_int(seq) };

	return ledger_job_run(l, LEDGER_JOB_PROGRESS, v, 3, err) < 0 ? -1 : 0;
}

int
ledger_job_close(struct ledger *l, int64_t seq, const char *message,
    struct sf_err *err)
{
	struct ledger_val	 v[3] = { ledger_v_text(message),
	    ledger_v_int(ledger_now()), ledger_v_int(seq) };

	return ledger_job_run(l, LEDGER_JOB_CLOSE, v, 3, err) < 0 ? -1 : 0;
}

int
ledger_job_forget_secret(struct ledger *l, int64_t seq, struct sf_err *err)
{
	struct ledger_val	 v[2] = { ledger_v_int(ledger_now()),
	    ledger_v_int(seq) };

	return ledger_job_run(l, LEDGER_JOB_FORGET_SECRET, v, 2, err) < 0 ?
	    -1 : 0;
}

int
ledger_job_cancel(struct ledger *l, int64_t seq, struct sf_err *err)
{
	struct ledger_val	 v[2] = { ledger_v_int(ledger_now()),
	    ledger_v_int(seq) };

	return ledger_job_run(l, LEDGER_JOB_CANCEL, v, 2, err);
}

int
ledger_job_delivering(struct ledger *l, int64_t seq, struct sf_err *err)
{
	struct ledger_val	 v[2] = { ledger_v_int(ledger_now()),
	    ledger_v_int(seq) };

	return ledger_job_run(l, LEDGER_JOB_DELIVERING, v, 2, err);
}

int
ledger_job_token_add(struct ledger *l, const char *id, const char *hash_hex,
    struct sf_err *err)
{
	struct ledger_val	 v[3] = { ledger_v_text(id),
	    ledger_v_text(hash_hex), ledger_v_int(ledger_now()) };

	if (id == NULL || hash_hex == NULL || strlen(hash_hex) != 64)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "ledger_job_token_add: bad hash");
	return ledger_job_run(l, LEDGER_JOB_TOKEN_ADD, v, 3, err) < 0 ? -1 : 0;
}

struct ledger_job_hashes {
	char	(*h)[65];
	size_t	 max, n;
};

static int
ledger_job_hash_cb(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	struct ledger_job_hashes	*a = arg;

	(void)err;
	if (n > 0 && c[0].p != NULL && a->n < a->max)
		ledger_copy(a->h[a->n++], 65, c[0].p);
	return 0;
}

int
ledger_job_tokens(struct ledger *l, const char *id, char hashes[][65],
    size_t max, size_t *n, struct sf_err *err)
{
	struct ledger_job_hashes	 a = { hashes, max, 0 };
	struct ledger_val		 v[1] = { ledger_v_text(id) };

	*n = 0;
	if (l->ops->run(l->be, LEDGER_JOB_TOKENS, v, 1, ledger_job_hash_cb,
	    &a, err) < 0)
		return -1;
	*n = a.n;
	return 0;
}
