/*
 * The webhook delivery queue (ledger_webhook.h): the values of each
 * statement and the decoding of rows; the backends run the SQL
 * (ledger_be.h, LEDGER_WEBHOOK_*).
 */
#include <stdlib.h>
#include <string.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"
#include "ledger/ledger_webhook.h"

static const char *const ledger_webhook_states[] = {
	[LEDGER_WEBHOOK_PENDING] = "pending",
	[LEDGER_WEBHOOK_DELIVERED] = "delivered",
	[LEDGER_WEBHOOK_ABANDONED] = "abandoned",
};
#define LEDGER_WEBHOOK_NSTATES \
	(sizeof(ledger_webhook_states) / sizeof(ledger_webhook_states[0]))

const char *
ledger_webhook_state_name(enum ledger_webhook_state s)
{
	return (unsigned)s < LEDGER_WEBHOOK_NSTATES ?
	    ledger_webhook_states[s] : "?";
}

int
ledger_webhook_state_parse(const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && i < LEDGER_WEBHOOK_NSTATES; i++)
		if (strcmp(name, ledger_webhook_states[i]) == 0)
			return (int)i;
	return -1;
}

void
ledger_webhook_free(struct ledger_webhook *w)
{
	if (w == NULL)
		return;
	free(w->url);
	free(w->secret);
	free(w->body);
	w->url = w->secret = w->body = NULL;
	w->body_len = 0;
}

void
ledger_webhooks_free(struct ledger_webhook *w, size_t n)
{
	size_t	 i;

	if (w == NULL)
		return;
	for (i = 0; i < n; i++)
		ledger_webhook_free(&w[i]);
	free(w);
}

static int
ledger_webhook_oom(struct sf_err *err)
{
	return sf_err_set(err, 500, "internal_error", NULL, "out of memory");
}

/* A cell as a malloc'd NUL-terminated copy (NULL cell: NULL, *ok kept). */
static char *
ledger_webhook_dup(const struct ledger_cell *c, size_t *len, int *ok)
{
	char	*s;

	if (c->p == NULL)
		return NULL;
	if ((s = malloc(c->n + 1)) == NULL) {
		*ok = 0;
		return NULL;
	}
	memcpy(s, c->p, c->n);
	s[c->n] = '\0';
	if (len != NULL)
		*len = c->n;
	return s;
}

static int64_t
ledger_webhook_i64(const struct ledger_cell *c)
{
	return c->p != NULL ? strtoll(c->p, NULL, 10) : 0;
}

/* One row of LEDGER_WEBHOOK_COLS into w: 0, or -1 (short row, OOM). */
static int
ledger_webhook_decode(const struct ledger_cell *c, int n,
    struct ledger_webhook *w)
{
	int	 ok = 1, s;

	memset(w, 0, sizeof(*w));
	if (n < 16 || c[1].p == NULL || c[2].p == NULL || c[3].p == NULL ||
	    c[4].p == NULL || c[6].p == NULL)
		return -1;
	w->id = ledger_webhook_i64(&c[0]);
	ledger_copy(w->job, sizeof(w->job), c[1].p);
	ledger_copy(w->event, sizeof(w->event), c[2].p);
	ledger_copy(w->msg_id, sizeof(w->msg_id), c[3].p);
	w->url = ledger_webhook_dup(&c[4], NULL, &ok);
	w->secret = ledger_webhook_dup(&c[5], NULL, &ok);
	w->body = ledger_webhook_dup(&c[6], &w->body_len, &ok);
	s = ledger_webhook_state_parse(c[7].p);
	w->state = s < 0 ? LEDGER_WEBHOOK_ABANDONED :
	    (enum ledger_webhook_state)s;
	w->attempts = (int)ledger_webhook_i64(&c[8]);
	w->created_ms = ledger_webhook_i64(&c[9]);
	w->next_ms = ledger_webhook_i64(&c[10]);
	w->give_up_ms = ledger_webhook_i64(&c[11]);
	w->lease_ms = ledger_webhook_i64(&c[12]);
	w->last_ms = ledger_webhook_i64(&c[13]);
	w->last_status = (int)ledger_webhook_i64(&c[14]);
	ledger_copy(w->last_error, sizeof(w->last_error), c[15].p);
	if (!ok) {
		ledger_webhook_free(w);
		return -1;
	}
	return 0;
}

/* The one row of a lookup (ledger_row_cb). */
static int
ledger_webhook_one(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	struct ledger_webhook	*w = arg;

	ledger_webhook_free(w);
	if (ledger_webhook_decode(c, n, w) == -1)
		return ledger_webhook_oom(err);
	return 0;
}

static int
ledger_webhook_lookup(struct ledger *l, enum ledger_stmt s,
    const struct ledger_val *v, int n, struct ledger_webhook *w,
    struct sf_err *err)
{
	int	 rc;

	memset(w, 0, sizeof(*w));
	if ((rc = ledger_be_run(l, s, v, n, ledger_webhook_one, w,
	    err)) < 0) {
		ledger_webhook_free(w);
		return -1;
	}
	return rc > 0 ? 1 : 0;
}

/* s is set, 1..max characters. */
static int
ledger_webhook_field(const char *s, size_t max, const char *name,
    struct sf_err *err)
{
	if (s == NULL || *s == '\0' || strlen(s) > max)
		return sf_err_set(err, 500, "internal_error", name,
		    "ledger_webhook: %s missing or longer than %zu", name, max);
	return 0;
}

int
ledger_webhook_enqueue(struct ledger *l, const struct ledger_webhook *in,
    int64_t now_ms, struct sf_err *err)
{
	struct ledger_val	 v[8];
	int			 rc;

	if (ledger_webhook_field(in->job, LEDGER_WEBHOOK_JOB_MAX, "job",
	    err) == -1 || ledger_webhook_field(in->event,
	    LEDGER_WEBHOOK_EVENT_MAX, "event", err) == -1 ||
	    ledger_webhook_field(in->msg_id, LEDGER_WEBHOOK_MSG_MAX, "msg_id",
	    err) == -1 || ledger_webhook_field(in->url,
	    LEDGER_WEBHOOK_URL_MAX, "url", err) == -1 ||
	    ledger_webhook_field(in->secret, LEDGER_WEBHOOK_SECRET_MAX,
	    "secret", err) == -1)
		return -1;
	if (in->body == NULL || in->body_len == 0 ||
	    in->body_len > LEDGER_WEBHOOK_BODY_MAX)
		return sf_err_set(err, 500, "internal_error", "body",
		    "ledger_webhook: body empty or over %d bytes",
		    LEDGER_WEBHOOK_BODY_MAX);
	v[0] = ledger_v_text(in->job);
	v[1] = ledger_v_text(in->event);
	v[2] = ledger_v_text(in->msg_id);
	v[3] = ledger_v_text(in->url);
	v[4] = ledger_v_text(in->secret);
	v[5] = ledger_v_blob(in->body, in->body_len);
	v[6] = ledger_v_int(now_ms);
	v[7] = ledger_v_int(in->give_up_ms);
	if ((rc = ledger_be_run(l, LEDGER_WEBHOOK_ENQUEUE, v, 8, NULL, NULL,
	    err)) < 0)
		return -1;
	return rc > 0 ? LEDGER_NEW : LEDGER_EXISTING;
}

struct ledger_webhook_ids {
	int64_t	*ids;
	size_t	 n, max;
};

static int
ledger_webhook_id_cb(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	struct ledger_webhook_ids	*a = arg;

	(void)err;
	if (n >= 1 && c[0].p != NULL && a->n < a->max)
		a->ids[a->n++] = ledger_webhook_i64(&c[0]);
	return 0;
}

int
ledger_webhook_due(struct ledger *l, int64_t now_ms, size_t limit,
    int64_t *ids, size_t *n, struct sf_err *err)
{
	struct ledger_webhook_ids	 a = { ids, 0, limit };
	struct ledger_val		 v[2];

	*n = 0;
	if (limit == 0 || limit > 1000)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "ledger_webhook_due: limit %zu out of 1..1000", limit);
	v[0] = ledger_v_int(now_ms);
	v[1] = ledger_v_int((int64_t)limit);
	if (ledger_be_run(l, LEDGER_WEBHOOK_DUE, v, 2, ledger_webhook_id_cb,
	    &a, err) < 0)
		return -1;
	*n = a.n;
	return 0;
}

int
ledger_webhook_take(struct ledger *l, int64_t id, const char *owner,
    int64_t now_ms, int64_t lease_until_ms, struct ledger_webhook *row,
    struct sf_err *err)
{
	struct ledger_val	 v[4];

	memset(row, 0, sizeof(*row));
	if (ledger_webhook_field(owner, LEDGER_WEBHOOK_OWNER_MAX, "owner",
	    err) == -1)
		return -1;
	v[0] = ledger_v_int(lease_until_ms);
	v[1] = ledger_v_text(owner);
	v[2] = ledger_v_int(id);
	v[3] = ledger_v_int(now_ms);
	return ledger_webhook_lookup(l, LEDGER_WEBHOOK_TAKE, v, 4, row, err);
}

int
ledger_webhook_record(struct ledger *l, int64_t id, const char *owner,
    enum ledger_webhook_state state, int64_t next_ms, int status,
    const char *error, int64_t now_ms, struct sf_err *err)
{
	struct ledger_val	 v[7];
	int			 rc;

	if (ledger_webhook_field(owner, LEDGER_WEBHOOK_OWNER_MAX, "owner",
	    err) == -1)
		return -1;
	if ((unsigned)state >= LEDGER_WEBHOOK_NSTATES)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "ledger_webhook_record: bad state %d", (int)state);
	v[0] = ledger_v_text(ledger_webhook_state_name(state));
	v[1] = ledger_v_int(next_ms);
	v[2] = ledger_v_int(status);
	v[3] = ledger_v_opt(error);
	v[4] = ledger_v_int(now_ms);
	v[5] = ledger_v_int(id);
	v[6] = ledger_v_text(owner);
	if ((rc = ledger_be_run(l, LEDGER_WEBHOOK_RECORD, v, 7, NULL, NULL,
	    err)) < 0)
		return -1;
	return rc > 0 ? 1 : 0;
}

int
ledger_webhook_retry(struct ledger *l, int64_t id, int64_t now_ms,
    int64_t give_up_ms, struct sf_err *err)
{
	struct ledger_val	 v[3] = { ledger_v_int(now_ms),
	    ledger_v_int(give_up_ms), ledger_v_int(id) };
	int			 rc;

	if ((rc = ledger_be_run(l, LEDGER_WEBHOOK_RETRY, v, 3, NULL, NULL,
	    err)) < 0)
		return -1;
	return rc > 0 ? 1 : 0;
}

int
ledger_webhook_get(struct ledger *l, int64_t id, struct ledger_webhook *w,
    struct sf_err *err)
{
	struct ledger_val	 v[1] = { ledger_v_int(id) };

	return ledger_webhook_lookup(l, LEDGER_WEBHOOK_GET, v, 1, w, err);
}

int
ledger_webhook_find(struct ledger *l, const char *job, const char *event,
    struct ledger_webhook *w, struct sf_err *err)
{
	struct ledger_val	 v[2] = { ledger_v_text(job),
	    ledger_v_text(event) };

	memset(w, 0, sizeof(*w));
	if (job == NULL || event == NULL)
		return 0;
	return ledger_webhook_lookup(l, LEDGER_WEBHOOK_FIND, v, 2, w, err);
}

struct ledger_webhook_rows {
	struct ledger_webhook	*v;
	size_t			 n, cap;
};

static int
ledger_webhook_append(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	struct ledger_webhook_rows	*r = arg;
	struct ledger_webhook		*nv;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		if ((nv = reallocarray(r->v, r->cap, sizeof(*nv))) == NULL)
			return ledger_webhook_oom(err);
		r->v = nv;
	}
	if (ledger_webhook_decode(c, n, &r->v[r->n]) == -1)
		return ledger_webhook_oom(err);
	r->n++;
	return 0;
}

int
ledger_webhook_list(struct ledger *l, int state, const char *job,
    size_t limit, struct ledger_webhook **rows, size_t *n,
    struct sf_err *err)
{
	struct ledger_webhook_rows	 r = { NULL, 0, 0 };
	struct ledger_val		 v[3];

	*rows = NULL;
	*n = 0;
	v[0] = ledger_v_text(state >= 0 ? ledger_webhook_state_name(
	    (enum ledger_webhook_state)state) : NULL);
	v[1] = ledger_v_opt(job);
	v[2] = ledger_v_int(limit > 0 && limit < INT64_MAX ? (int64_t)limit :
	    INT64_MAX);
	if (ledger_be_run(l, LEDGER_WEBHOOK_LIST, v, 3, ledger_webhook_append,
	    &r, err) < 0) {
		ledger_webhooks_free(r.v, r.n);
		return -1;
	}
	*rows = r.v;
	*n = r.n;
	return 0;
}

static int
ledger_webhook_next_cb(void *arg, const struct ledger_cell *c, int n,
    struct sf_err *err)
{
	int64_t	*next = arg;

	(void)err;
	if (n >= 1 && c[0].p != NULL)
		*next = ledger_webhook_i64(&c[0]);
	return 0;
}

int
ledger_webhook_next(struct ledger *l, int64_t *next_ms, struct sf_err *err)
{
	int64_t	 next = -1;

	if (ledger_be_run(l, LEDGER_WEBHOOK_NEXT, NULL, 0,
	    ledger_webhook_next_cb, &next, err) < 0)
		return -1;
	if (next < 0)
		return 0;
	*next_ms = next;
	return 1;
}

int
ledger_webhook_prune(struct ledger *l, int64_t before_ms, struct sf_err *err)
{
	struct ledger_val	 v[1];

	v[0] = ledger_v_int(before_ms);
	return ledger_be_run(l, LEDGER_WEBHOOK_PRUNE, v, 1, NULL, NULL, err);
}
