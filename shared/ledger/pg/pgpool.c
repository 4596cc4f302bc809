/*
 * The PostgreSQL connection pool (pgpool.h).  A process-wide list of
 * pools keyed by URI, so the ledger and the demo budget on one database
 * share connections.  A child after fork() must not touch its parent's
 * sockets (PQfinish would end the parent's sessions): pools created by
 * another pid are forgotten, not closed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "basics/err.h"
#include "ledger/pg/pgpool.h"

struct pgpool {
	struct pgpool	*next;
	char		*uri;
	pid_t		 pid;
	int		 refs;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	PGconn		*idle[PGPOOL_MAX];
	int		 nidle, nopen;
	int		 migrated;
	struct timespec	 down_until;	/* fail fast after a failed connect */
	char		 down_msg[sizeof(((struct sf_err *)0)->message)];
};

static pthread_mutex_t	 pgpool_list_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pgpool	*pgpool_list;

static void
pgpool_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

static int
pgpool_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The server's message without the trailing newline. */
static const char *
pgpool_msg(const PGconn *c, const PGresult *r, char *buf, size_t sz)
{
	const char	*m = r != NULL ? PQresultErrorMessage(r) : "";
	size_t		 n;

	if ((m == NULL || *m == '\0') && c != NULL)
		m = PQerrorMessage(c);
	snprintf(buf, sz, "%s", m != NULL && *m ? m : "no answer");
	/* libpq's messages span lines; ours are one line. */
	for (n = 0; buf[n] != '\0'; n++)
		if (buf[n] == '\n' || buf[n] == '\t')
			buf[n] = ' ';
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

static int
pgpool_unavailable(struct sf_err *err, const char *what, const char *msg)
{
	return sf_err_set(err, 503, "ledger_unavailable", NULL,
	    "the ledger database cannot be used right now (%s: %.300s)",
	    what, msg);
}

int
pgpool_check(PGconn *c, const PGresult *r, const char *what,
    struct sf_err *err)
{
	const char	*state;
	char		 msg[300];

	if (r != NULL && (PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK))
		return 0;
	state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	pgpool_msg(c, r, msg, sizeof(msg));
	/* Serialization failure, deadlock: the transaction may run again. */
	if (state != NULL && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0)) {
		pgpool_unavailable(err, what, msg);
		return 1;
	}
	if (PQstatus(c) != CONNECTION_OK || r == NULL ||
	    (state != NULL && (strncmp(state, "08", 2) == 0 ||
	    strncmp(state, "57P", 3) == 0 || strcmp(state, "25006") == 0 ||
	    strcmp(state, "53300") == 0)))
		return pgpool_unavailable(err, what, msg);
	return sf_err_set(err, 500, "ledger_error", NULL, "%s: %s", what,
	    msg);
}

/* NOTICEs (an IF NOT EXISTS that found the table) are not news. */
static void
pgpool_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static PGconn *
pgpool_connect(const char *uri, struct sf_err *err)
{
	/* The URI comes last so that what it sets wins. */
	static const char *const keys[] = { "connect_timeout",
	    "application_name", "dbname", NULL };
	const char	*vals[] = { PGPOOL_CONNECT_S, "synthforge", uri, NULL };
	char		 msg[300];
	PGconn		*c;

	if ((c = PQconnectdbParams(keys, vals, 1)) == NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		pgpool_unavailable(err, "connect", pgpool_msg(c, NULL, msg,
		    sizeof(msg)));
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, pgpool_quiet, NULL);
	return c;
}

static void
pgpool_free(struct pgpool *p)
{
	int	 i;

	for (i = 0; i < p->nidle; i++)
		PQfinish(p->idle[i]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->uri);
	free(p);
}

struct pgpool *
pgpool_get(const char *uri, int *reachable, struct sf_err *err)
{
	PQconninfoOption	*opts, *o;
	struct pgpool		*p;
	PGconn			*c;
	char			*msg = NULL;

	*reachable = 0;
	if ((opts = PQconninfoParse(uri, &msg)) == NULL) {
		sf_err_set(err, 500, "config_invalid", "DB", "DB is not a "
		    "valid PostgreSQL URI: %.200s", msg != NULL ? msg :
		    "out of memory");
		PQfreemem(msg);
		return NULL;
	}
	for (o = opts; o->keyword != NULL; o++)
		/* libpq checks the port only when it connects. */
		if (strcmp(o->keyword, "port") == 0 && o->val != NULL &&
		    (o->val[0] == '\0' ||
		    strspn(o->val, "0123456789,") != strlen(o->val))) {
			PQconninfoFree(opts);
			sf_err_set(err, 500, "config_invalid", "DB", "DB is not "
			    "a valid PostgreSQL URI: the port is not a number");
			return NULL;
		}
	PQconninfoFree(opts);
	pthread_mutex_lock(&pgpool_list_mu);
	/* After fork(): the parent's pools are its own; forget them. */
	if (pgpool_list != NULL && pgpool_list->pid != getpid())
		pgpool_list = NULL;
	for (p = pgpool_list; p != NULL; p = p->next)
		if (strcmp(p->uri, uri) == 0)
			break;
	if (p == NULL) {
		if ((p = calloc(1, sizeof(*p))) == NULL ||
		    (p->uri = strdup(uri)) == NULL) {
			free(p);
			pthread_mutex_unlock(&pgpool_list_mu);
			sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
			return NULL;
		}
		p->pid = getpid();
		pthread_mutex_init(&p->mu, NULL);
		pthread_cond_init(&p->cv, NULL);
		p->next = pgpool_list;
		pgpool_list = p;
	}
	p->refs++;
	pthread_mutex_unlock(&pgpool_list_mu);
	if ((c = pgpool_conn(p, err)) != NULL) {
		pgpool_done(p, c);
		*reachable = 1;
	} else if (err != NULL && err->status != 503) {
		/* Reached, but refused: a newer schema, say. */
		pgpool_put(p);
		return NULL;
	}
	return p;
}

void
pgpool_put(struct pgpool *p)
{
	struct pgpool	**pp;

	if (p == NULL)
		return;
	pthread_mutex_lock(&pgpool_list_mu);
	if (--p->refs > 0 || p->pid != getpid()) {
		pthread_mutex_unlock(&pgpool_list_mu);
		return;
	}
	for (pp = &pgpool_list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	pthread_mutex_unlock(&pgpool_list_mu);
	pgpool_free(p);
}

/* A new connection, schema brought up once per pool; NULL with err. */
static PGconn *
pgpool_open_one(struct pgpool *p, struct sf_err *err)
{
	struct timespec	 now;
	PGconn		*c;
	int		 migrated;

	pthread_mutex_lock(&p->mu);
	pgpool_now(&now);
	if (pgpool_before(&now, &p->down_until)) {
		pthread_mutex_unlock(&p->mu);
		sf_err_set(err, 503, "ledger_unavailable", NULL, "%s",
		    p->down_msg);
		return NULL;
	}
	migrated = p->migrated;
	pthread_mutex_unlock(&p->mu);
	if ((c = pgpool_connect(p->uri, err)) != NULL && !migrated &&
	    pg_schema_migrate(c, err) == -1) {
		PQfinish(c);
		c = NULL;
	}
	pthread_mutex_lock(&p->mu);
	if (c != NULL)
		p->migrated = 1;
	else if (err != NULL && err->status == 503) {
		pgpool_now(&p->down_until);
		p->down_until.tv_nsec += PGPOOL_BACKOFF_MS * 1000000L;
		p->down_until.tv_sec += p->down_until.tv_nsec / 1000000000L;
		p->down_until.tv_nsec %= 1000000000L;
		snprintf(p->down_msg, sizeof(p->down_msg), "%s",
		    err->message);
	}
	pthread_mutex_unlock(&p->mu);
	return c;
}

PGconn *
pgpool_conn(struct pgpool *p, struct sf_err *err)
{
	struct timespec	 until;
	PGconn		*c = NULL;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&p->mu);
	while (p->nidle == 0 && p->nopen >= PGPOOL_MAX)
		if (pthread_cond_timedwait(&p->cv, &p->mu, &until) ==
		    ETIMEDOUT) {
			pthread_mutex_unlock(&p->mu);
			pgpool_unavailable(err, "pool", "every connection is "
			    "busy");
			return NULL;
		}
	if (p->nidle > 0) {
		c = p->idle[--p->nidle];
		pthread_mutex_unlock(&p->mu);
		return c;
	}
	p->nopen++;
	pthread_mutex_unlock(&p->mu);
	if ((c = pgpool_open_one(p, err)) == NULL) {
		pthread_mutex_lock(&p->mu);
		p->nopen--;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return c;
}

void
pgpool_done(struct pgpool *p, PGconn *c)
{
	PGresult	*r;

	if (c == NULL)
		return;
	/* A transaction left open (an error mid-way) is rolled back. */
	if (PQstatus(c) == CONNECTION_OK &&
	    PQtransactionStatus(c) != PQTRANS_IDLE) {
		r = PQexec(c, "ROLLBACK");
		PQclear(r);
	}
	pthread_mutex_lock(&p->mu);
	if (PQstatus(c) == CONNECTION_OK &&
	    PQtransactionStatus(c) == PQTRANS_IDLE && p->nidle < PGPOOL_MAX &&
	    p->pid == getpid())
		p->idle[p->nidle++] = c;
	else {
		p->nopen--;
		PQfinish(c);
		/*
		 * A broken connection usually means the server restarted:
		 * the idle ones are dead too, so the next call opens anew
		 * instead of finding them one failure at a time.
		 */
		if (p->pid == getpid())
			while (p->nidle > 0) {
				PQfinish(p->idle[--p->nidle]);
				p->nopen--;
			}
	}
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

PGresult *
pgpool_exec(struct pgpool *p, const char *sql, int n,
    const char *const *vals, const int *lens, const int *fmts,
    struct sf_err *err)
{
	PGconn		*c;
	PGresult	*r;
	int		 try, rc;

	for (try = 0; try < PGPOOL_RETRIES; try++) {
		if ((c = pgpool_conn(p, err)) == NULL)
			return NULL;
		r = PQexecParams(c, sql, n, NULL, vals, lens, fmts, 0);
		rc = pgpool_check(c, r, "query", err);
		if (rc == 0) {
			pgpool_done(p, c);
			return r;
		}
		PQclear(r);
		/*
		 * Retried: what the server asks to retry, and a connection
		 * that died while idle in the pool (the server restarted).
		 */
		if (rc == 1 || (PQstatus(c) != CONNECTION_OK && try == 0)) {
			pgpool_done(p, c);
			if (rc == 1)
				usleep(1000u * (unsigned)(1 << (try < 6 ?
				    try : 6)));
			continue;
		}
		pgpool_done(p, c);
		return NULL;
	}
	return NULL;
}
