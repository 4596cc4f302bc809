/*
 * The PostgreSQL connection pool (pgpool.h).  A process-wide list of
 * pools keyed by URI, so the ledger and the demo budget on one database
 * share connections.  A child after fork() must not touch its parent's
 * sockets (PQfinish would end the parent's sessions): pools created by
 * another pid are forgotten, not closed.
 *
 * What the pool knows of each connection (the statements prepared on it)
 * is libpq instance data on the PGconn, freed by libpq with it (an event
 * procedure): it cannot outlive its server session, so a new connection
 * always starts with nothing prepared.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-events.h>
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
	char		*stmts[PGPOOL_STMTS];	/* texts by id (pgpool_stmt) */
	int		 nstmts;
	/*
	 * Raised when a prepared statement is found gone or out of date:
	 * connections opened before are not used again (theirs are too).
	 */
	unsigned	 gen;
};

/* One connection's record (libpq instance data of pgpool_event). */
struct pgpool_cd {
	unsigned	 gen;		/* the pool's when it was opened */
	int		 drop;		/* close it when given back */
	uint64_t	 prepared[PGPOOL_STMTS / 64];	/* by id */
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

/* Frees a connection's record with it (PQfinish). */
static int
pgpool_event(PGEventId id, void *info, void *pass)
{
	(void)pass;
	if (id == PGEVT_CONNDESTROY)
		free(PQinstanceData(((PGEventConnDestroy *)info)->conn,
		    pgpool_event));
	return 1;
}

static struct pgpool_cd *
pgpool_cd(const PGconn *c)
{
	return PQinstanceData(c, pgpool_event);
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
	struct pgpool_cd *cd = NULL;

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
	/*
	 * A payment's payload (4 KB as the official client sends it) is
	 * compressed and stored out of line by the server: lz4 costs it
	 * less CPU than the default pglz.  A server without lz4 (built
	 * without it, before 14, not PostgreSQL) refuses the setting and
	 * keeps its own: nothing else depends on it.
	 */
	PQclear(PQexec(c, "SET default_toast_compression = lz4"));
	if ((cd = calloc(1, sizeof(*cd))) == NULL ||
	    PQregisterEventProc(c, pgpool_event, "synthforge pgpool",
	    NULL) != 1 || PQsetInstanceData(c, pgpool_event, cd) != 1) {
		free(cd);
		PQfinish(c);
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		return NULL;
	}
	return c;
}

static void
pgpool_free(struct pgpool *p)
{
	int	 i;

	for (i = 0; i < p->nidle; i++)
		PQfinish(p->idle[i]);
	for (i = 0; i < p->nstmts; i++)
		free(p->stmts[i]);
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
	if (c != NULL) {
		p->migrated = 1;
		pgpool_cd(c)->gen = p->gen;
	} else if (err != NULL && err->status == 503) {
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

/*
 * An idle connection the server closed (a restart, an administrator, an
 * idle timeout) is seen without a round trip: nothing arrives unasked on
 * an idle connection but the server's goodbye (a FATAL, then EOF), so a
 * readable or hung-up socket means it is gone.  One poll, no waiting.
 */
static int
pgpool_alive(PGconn *c)
{
	struct pollfd	 pfd;

	if (PQstatus(c) != CONNECTION_OK || (pfd.fd = PQsocket(c)) < 0)
		return 0;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) == 0;
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
	while (p->nidle > 0) {
		c = p->idle[--p->nidle];
		if (pgpool_alive(c) && pgpool_cd(c)->gen == p->gen) {
			pthread_mutex_unlock(&p->mu);
			return c;
		}
		/* Closed while idle (the server restarted), or its prepared
		   statements out of date: open anew. */
		PQfinish(c);
		p->nopen--;
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
	struct pgpool_cd	*cd;
	PGresult		*r;
	int			 ok;

	if (c == NULL)
		return;
	cd = pgpool_cd(c);
	/* Left mid-pipeline (an error on the way): nothing can follow. */
	if (PQpipelineStatus(c) != PQ_PIPELINE_OFF)
		cd->drop = 1;
	/* A transaction left open (an error mid-way) is rolled back. */
	if (!cd->drop && PQstatus(c) == CONNECTION_OK &&
	    PQtransactionStatus(c) != PQTRANS_IDLE) {
		r = PQexec(c, "ROLLBACK");
		PQclear(r);
	}
	pthread_mutex_lock(&p->mu);
	ok = PQstatus(c) == CONNECTION_OK;
	if (ok && !cd->drop && cd->gen == p->gen &&
	    PQtransactionStatus(c) == PQTRANS_IDLE && p->nidle < PGPOOL_MAX &&
	    p->pid == getpid())
		p->idle[p->nidle++] = c;
	else if (ok) {
		/* Healthy, but not to be used again. */
		p->nopen--;
		PQfinish(c);
	} else {
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

int
pgpool_stmt(struct pgpool *p, const char *sql, struct sf_err *err)
{
	int	 i;

	pthread_mutex_lock(&p->mu);
	for (i = 0; i < p->nstmts; i++)
		if (strcmp(p->stmts[i], sql) == 0) {
			pthread_mutex_unlock(&p->mu);
			return i;
		}
	if (p->nstmts == PGPOOL_STMTS) {
		pthread_mutex_unlock(&p->mu);
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "more than %d statements", PGPOOL_STMTS);
	}
	if ((p->stmts[p->nstmts] = strdup(sql)) == NULL) {
		pthread_mutex_unlock(&p->mu);
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "out of memory");
	}
	i = p->nstmts++;
	pthread_mutex_unlock(&p->mu);
	return i;
}

/*
 * The result of one statement or Prepare of a pipeline (libpq ends each
 * with a NULL, read here too); NULL when the connection is lost.
 */
static PGresult *
pgpool_next(PGconn *c)
{
	PGresult	*r, *x;

	if ((r = PQgetResult(c)) != NULL)
		while ((x = PQgetResult(c)) != NULL)
			PQclear(x);
	return r;
}

/* What a result of pgpool_pipeline answers (pgpool_result). */
enum pgpool_what {
	PGPOOL_NEW,		/* a statement prepared in this pipeline */
	PGPOOL_OLD,		/* a statement c had prepared before */
	PGPOOL_PREPARE,		/* a Prepare */
};

/*
 * pgpool_check for a result of a pipeline.  A statement c had prepared
 * that the server no longer has (26000: DISCARD ALL, a pooler that moved
 * us to another session) or can no longer run as prepared (0A000: a
 * schema change altered what it returns), and a Prepare of a name the
 * server has already (42P05: never, while the record on c is right), are
 * the pool's news, not the caller's: c and every connection opened before
 * are closed, and the call may run again (1).
 */
static int
pgpool_result(struct pgpool *p, PGconn *c, const PGresult *r,
    enum pgpool_what what, struct sf_err *err)
{
	struct pgpool_cd	*cd = pgpool_cd(c);
	const char		*st;
	char			 msg[300];
	int			 rc;

	if ((rc = pgpool_check(c, r, "query", err)) != -1 || r == NULL ||
	    (st = PQresultErrorField(r, PG_DIAG_SQLSTATE)) == NULL)
		return rc;
	if (!(what == PGPOOL_OLD && (strcmp(st, "26000") == 0 ||
	    strcmp(st, "0A000") == 0)) &&
	    !(what == PGPOOL_PREPARE && strcmp(st, "42P05") == 0))
		return rc;
	pthread_mutex_lock(&p->mu);
	if (cd->gen == p->gen)
		p->gen++;
	pthread_mutex_unlock(&p->mu);
	cd->drop = 1;
	pgpool_unavailable(err, "prepared statement", pgpool_msg(c, r, msg,
	    sizeof(msg)));
	return 1;
}

int
pgpool_pipeline(struct pgpool *p, PGconn *c, int n, const struct pgpool_q *q,
    PGresult **res, struct sf_err *err)
{
	struct pgpool_cd	*cd = pgpool_cd(c);
	const char		*sql[PGPOOL_PIPE];	/* to prepare first */
	int			 fresh[PGPOOL_PIPE];	/* prepared in this call */
	char			 name[16];
	PGresult		*r;
	int			 i, j, id, rc = 0;

	if (n < 1 || n > PGPOOL_PIPE || cd == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "pgpool_pipeline: bad call");
	for (i = 0; i < n; i++) {
		res[i] = NULL;
		sql[i] = NULL;
		fresh[i] = 0;
		if ((id = q[i].id) < 0 || id >= PGPOOL_STMTS)
			return sf_err_set(err, 500, "internal_error", NULL,
			    "pgpool_pipeline: bad statement id %d", id);
		if (cd->prepared[id / 64] & (UINT64_C(1) << (id % 64)))
			continue;
		fresh[i] = 1;
		/* Twice in this pipeline: prepared by the first. */
		for (j = 0; j < i && (q[j].id != id || sql[j] == NULL); j++)
			;
		if (j < i)
			continue;
		pthread_mutex_lock(&p->mu);
		sql[i] = id < p->nstmts ? p->stmts[id] : NULL;
		pthread_mutex_unlock(&p->mu);
		if (sql[i] == NULL)
			return sf_err_set(err, 500, "internal_error", NULL,
			    "pgpool_pipeline: bad statement id %d", id);
	}
	if (PQenterPipelineMode(c) != 1) {
		cd->drop = 1;
		(void)pgpool_check(c, NULL, "query", err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "sf%d", q[i].id);
		if ((sql[i] != NULL && PQsendPrepare(c, name, sql[i], q[i].n,
		    NULL) != 1) || PQsendQueryPrepared(c, name, q[i].n,
		    q[i].vals, q[i].lens, q[i].fmts, 0) != 1)
			break;
	}
	if (i < n || PQpipelineSync(c) != 1) {
		/* Nothing sensible can follow on this connection. */
		cd->drop = 1;
		(void)pgpool_check(c, NULL, "query", err);
		return -1;
	}
	/* Each Prepare's result, then its statement's; then the sync. */
	for (i = 0; i < n; i++) {
		if (sql[i] != NULL) {
			r = pgpool_next(c);
			if (PQresultStatus(r) == PGRES_COMMAND_OK)
				cd->prepared[q[i].id / 64] |=
				    UINT64_C(1) << (q[i].id % 64);
			else if (rc == 0)
				rc = pgpool_result(p, c, r, PGPOOL_PREPARE,
				    err);
			PQclear(r);
		}
		r = pgpool_next(c);
		if (rc == 0 && (rc = pgpool_result(p, c, r, fresh[i] ?
		    PGPOOL_NEW : PGPOOL_OLD, err)) == 0)
			res[i] = r;
		else
			PQclear(r);
	}
	r = PQgetResult(c);
	if (r == NULL || PQresultStatus(r) != PGRES_PIPELINE_SYNC ||
	    PQexitPipelineMode(c) != 1) {
		if (rc == 0) {
			(void)pgpool_check(c, NULL, "query", err);
			rc = -1;
		}
		cd->drop = 1;
	}
	PQclear(r);
	if (rc != 0)
		for (i = 0; i < n; i++) {
			PQclear(res[i]);
			res[i] = NULL;
		}
	return rc;
}

PGresult *
pgpool_exec(struct pgpool *p, const struct pgpool_q *q, struct sf_err *err)
{
	PGconn		*c;
	PGresult	*r;
	int		 try, rc;

	for (try = 0; try < PGPOOL_RETRIES; try++) {
		if ((c = pgpool_conn(p, err)) == NULL)
			return NULL;
		rc = pgpool_pipeline(p, c, 1, q, &r, err);
		if (rc == 0) {
			pgpool_done(p, c);
			return r;
		}
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
