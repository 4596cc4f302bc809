#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <fcntl.h>
#include <unistd.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/clientaddr.h"
#include "basics/def.h"
#include "basics/err.h"
#include "basics/msg.h"
#include "basics/str.h"
#include "flow/flow.h"
#include "flow/flow_job.h"
#include "ops/log.h"
#include "ops/metrics.h"
#include "serve/serve.h"
#include "serve/serve_query.h"

/*
 * The worker pool.  One worker at a time sits in accept() (libfcgi wants
 * accept serialised); idle ones queue on accept_lock.  The pool starts
 * with WORKERS_MIN and is topped up by serve_run's thread (the manager)
 * whenever every worker is busy: a request running longer than
 * SERVE_STUCK_NS (a slow upstream, a facilitator round trip) counts as
 * stuck, and the pool keeps SERVE_SPARE workers besides the stuck ones,
 * up to WORKERS_MAX.  Fast requests (a 402 takes tens of microseconds)
 * never count, so a burst of them is not met with more threads than
 * cores, only with context switches.  Nor does a worker that is still
 * running (state R: on a core, or waiting for one): on a loaded machine a
 * 402 can take milliseconds of wall time, and counting those as stuck
 * grew the pool to 44 threads under a 402 load, all queueing on the
 * accept lock (perf: futex 9% of the endpoint's CPU, 2% in a bare libfcgi
 * responder).  Only a worker that sleeps (an upstream, a facilitator, a
 * disk) is stuck.  A worker that waited WORKERS_IDLE seconds for its turn
 * at accept() while more than WORKERS_MIN run is surplus and exits.
 *
 * Starting and stopping workers is under mu; a request's start and end
 * are atomics only (nidle, since), not two more mutex round trips per
 * request.  The manager is woken when the last idle worker takes a
 * request, unless it is polling already (every SERVE_STUCK_NS while all
 * are busy): worker and manager each write one atomic before they read
 * the other's (nidle, polling), so one of them always sees the other and
 * no wake-up is lost.
 */
#define SERVE_STUCK_NS	(2 * 1000 * 1000LL)
#define SERVE_SPARE	4

struct serve_pool {
	const struct serve_app	*app;
	int			 sock;
	pthread_mutex_t		 accept_lock;
	pthread_mutex_t		 mu;
	pthread_cond_t		 changed;	/* to the manager */
	pthread_attr_t		 attr;		/* detached */
	unsigned		 nthreads;	/* running workers */
	atomic_uint		 nidle;		/* of which not serving */
	atomic_int		 polling;	/* manager wakes by itself */
	_Atomic int64_t		*since;		/* per slot: busy since (ns), */
	unsigned char		*used;		/* 0 idle; slot taken */
	atomic_int		*tid;		/* per slot: its thread id */
	int64_t			*asleep;	/* per slot: the since[] of the
						   request last found asleep
						   (under mu) */
	int			 stopping;
	const char		*trusted;	/* TRUSTED_PROXIES, or NULL */
};

struct serve_slot {
	struct serve_pool	*pool;
	unsigned		 i;
};

static int64_t
serve_now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Read the body to EOF under the cap.  Over the cap we keep draining (so
 * the server sees the whole request) and flag it; the flow answers 413.
 */
static void
serve_read_body(FCGX_Request *fr, const char *cl, size_t cap, struct buf *b,
    struct msg_req *req)
{
	char		 chunk[8192], *end;
	long long	 want = 0;
	int		 n;

	if (cl != NULL && *cl != '\0') {
		/* RFC 9110 8.6: 1*DIGIT; strtoll would take "+18" or " 18". */
		errno = 0;
		want = strtoll(cl, &end, 10);
		if (errno != 0 || *end != '\0' || want < 0 ||
		    strspn(cl, "0123456789") != strlen(cl)) {
			req->bad_length = 1;
			want = 0;
		}
	}
	if ((unsigned long long)want > cap)
		req->body_too_large = 1;
	while ((n = FCGX_GetStr(chunk, sizeof(chunk), fr->in)) > 0) {
		if (req->body_too_large || b->len + (size_t)n > cap) {
			req->body_too_large = 1;
			continue;
		}
		buf_append(b, chunk, (size_t)n);
	}
	if (b->oom)
		req->body_too_large = 1;
	buf_append(b, "", 0);
	req->body = b->p;
	req->body_len = req->body_too_large ? 0 : b->len;
}

/* One header line straight into libfcgi's buffer. */
static void
serve_header(FCGX_Stream *out, const char *name, const char *val)
{
	FCGX_PutS(name, out);
	FCGX_PutStr(": ", 2, out);
	FCGX_PutS(val, out);
	FCGX_PutStr("\r\n", 2, out);
}

/*
 * The response, piece by piece into libfcgi's own stream buffer: no
 * copy of the headers into a buffer of ours first, and no printf (both
 * were a tenth of a 402's instructions; PAYMENT-REQUIRED alone is ~5 KiB).
 */
static void
serve_write(FCGX_Request *fr, const struct msg_resp *resp, int head_only)
{
	char	 num[24];
	size_t	 i;
	/* A handler's bug is a 500 the web server can pass on. */
	int	 st = resp->status >= 100 && resp->status <= 599 ?
		    resp->status : 500;

	(void)str_u64(num, (unsigned long long)st);
	FCGX_PutS("Status: ", fr->out);
	FCGX_PutS(num, fr->out);
	FCGX_PutStr(" ", 1, fr->out);
	FCGX_PutS(msg_status_text(st), fr->out);
	FCGX_PutStr("\r\n", 2, fr->out);
	if (resp->content_type != NULL)
		serve_header(fr->out, "Content-Type", resp->content_type);
	(void)str_u64(num, (unsigned long long)resp->body_len);
	serve_header(fr->out, "Content-Length", num);
	if (resp->location != NULL)
		serve_header(fr->out, "Location", resp->location);
	for (i = 0; i < resp->nheaders; i++)
		serve_header(fr->out, resp->hname[i], resp->hval[i]);
	FCGX_PutStr("\r\n", 2, fr->out);
	if (!head_only && resp->body_len > 0)
		FCGX_PutStr(resp->body, (int)resp->body_len, fr->out);
}

/*
 * The FastCGI parameters we read, found in one pass over the environment
 * (FCGX_GetParam scans it once per name: 13 scans per request were 8% of
 * a 402's instructions).  The first occurrence of a name wins, as with
 * FCGX_GetParam.
 */
enum serve_pname {
	SP_REQUEST_METHOD, SP_SCRIPT_NAME, SP_PATH_INFO, SP_QUERY_STRING,
	SP_CONTENT_TYPE, SP_CONTENT_LENGTH, SP_HTTP_ACCEPT, SP_HTTP_USER_AGENT,
	SP_REMOTE_ADDR, SP_HTTP_ORIGIN, SP_HTTP_PAYMENT_SIGNATURE,
	SP_HTTP_X_PAYMENT, SP_HTTP_MCP_PROTOCOL_VERSION, SP_HTTP_PREFER,
	SP_HTTP_SIGN_IN_WITH_X, SP__N
};

static const struct {
	const char	*name;
	size_t		 len;
} serve_pnames[SP__N] = {
#define SP(n)	[SP_##n] = { #n "=", sizeof(#n) }
	SP(REQUEST_METHOD), SP(SCRIPT_NAME), SP(PATH_INFO), SP(QUERY_STRING),
	SP(CONTENT_TYPE), SP(CONTENT_LENGTH), SP(HTTP_ACCEPT),
	SP(HTTP_USER_AGENT), SP(REMOTE_ADDR), SP(HTTP_ORIGIN),
	SP(HTTP_PAYMENT_SIGNATURE), SP(HTTP_X_PAYMENT),
	SP(HTTP_MCP_PROTOCOL_VERSION), SP(HTTP_PREFER),
	SP(HTTP_SIGN_IN_WITH_X),
#undef SP
};

struct serve_params {
	const char	*v[SP__N];	/* NULL: not sent */
	int		 v1, v2;	/* payment header values seen */
};

/*
 * One pass: the values above; how many payment header values reached us
 * (serve_dup_payment); every X-Forwarded-For line into xff when wanted
 * (serve_xff).
 */
static void
serve_scan(FCGX_Request *fr, struct serve_params *sp, struct buf *xff)
{
	char		**e;
	const char	 *s;
	size_t		  i;

	memset(sp, 0, sizeof(*sp));
	for (e = fr->envp; e != NULL && *e != NULL; e++) {
		s = *e;
		if (xff != NULL && strncmp(s, "HTTP_X_FORWARDED_FOR=", 21) == 0)
			buf_printf(xff, "%s%s", xff->len > 0 ? ", " : "",
			    s + 21);
		for (i = 0; i < SP__N; i++)
			if (s[0] == serve_pnames[i].name[0] &&
			    strncmp(s, serve_pnames[i].name,
			    serve_pnames[i].len) == 0)
				break;
		if (i == SP__N)
			continue;
		s += serve_pnames[i].len;
		if (i == SP_HTTP_X_PAYMENT)
			sp->v1 += strchr(s, ',') != NULL ? 2 : 1;
		else if (i == SP_HTTP_PAYMENT_SIGNATURE)
			sp->v2 += strchr(s, ',') != NULL ? 2 : 1;
		if (sp->v[i] == NULL)
			sp->v[i] = s;
	}
}

/*
 * Whether a payment header reached us twice.  How a second header line
 * arrives depends on the server: nginx hands both to us (we would see only
 * the first), lighttpd and Apache join them into one value with ", "
 * (RFC 9110 section 5.3), and lighttpd also maps X_PAYMENT (and X.PAYMENT,
 * ...) onto HTTP_X_PAYMENT.  Both payment headers are base64 (x402.md:
 * standard alphabet), which has no comma: a comma in the value is a list
 * of values, whoever joined it.  Two values for who pays are refused
 * outright (400 conflicting_payment_headers).
 */
static int
serve_dup_payment(const struct serve_params *sp)
{
	return sp->v1 > 1 || sp->v2 > 1;
}

/*
 * X-Forwarded-For, every line of it, is gathered by serve_scan: lighttpd
 * and Apache join repeated lines with ", " themselves, nginx hands each
 * to us (RFC 9110 5.3: one list, in order); xff->p stays NULL when there
 * is none.
 */

static void
serve_one(struct serve_pool *pool, FCGX_Request *fr)
{
	struct msg_req	 req;
	struct msg_resp	 resp;
	struct buf	 body, path, xff;
	struct serve_query query;
	struct serve_params sp;
	struct flow_outcome out;
	struct sf_err	 err;
	struct timespec	 t0, t1;
	char		 client[64];
	long long	 ms;
	const char	*sn, *pi;
	int		 qrc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	metrics_request_begin();
	memset(&req, 0, sizeof(req));
	msg_resp_init(&resp);
	buf_init(&body);
	buf_init(&path);
	buf_init(&xff);
	/* The client: the peer, or whom its trusted proxy names. */
	serve_scan(fr, &sp, pool->trusted != NULL ? &xff : NULL);
	req.method = sp.v[SP_REQUEST_METHOD];
	if (req.method == NULL)
		req.method = "GET";
	sn = sp.v[SP_SCRIPT_NAME];
	pi = sp.v[SP_PATH_INFO];
	if (sn != NULL)
		buf_puts(&path, sn);
	if (pi != NULL)
		buf_puts(&path, pi);
	req.path = path.p ? path.p : "";
	req.query = sp.v[SP_QUERY_STRING];
	if (req.query == NULL)
		req.query = "";
	/* Parsed once here: the flow gets plain values. */
	qrc = serve_query_parse(req.query, &query);
	req.params = query.params;
	req.nparams = query.n;
	req.content_type = sp.v[SP_CONTENT_TYPE];
	req.accept = sp.v[SP_HTTP_ACCEPT];
	req.user_agent = sp.v[SP_HTTP_USER_AGENT];
	clientaddr_resolve(pool->trusted, sp.v[SP_REMOTE_ADDR],
	    xff.oom ? NULL : xff.p, client, sizeof(client));
	req.remote_addr = client;
	req.origin = sp.v[SP_HTTP_ORIGIN];
	req.payment_v2 = sp.v[SP_HTTP_PAYMENT_SIGNATURE];
	req.payment_v1 = sp.v[SP_HTTP_X_PAYMENT];
	req.mcp_version = sp.v[SP_HTTP_MCP_PROTOCOL_VERSION];
	req.prefer = sp.v[SP_HTTP_PREFER];
	req.siwx = sp.v[SP_HTTP_SIGN_IN_WITH_X];
	req.dup_payment = serve_dup_payment(&sp);
	serve_read_body(fr, sp.v[SP_CONTENT_LENGTH], pool->app->body_max,
	    &body, &req);

	memset(&out, 0, sizeof(out));
	out.pay = FLOW_PAY_NONE;
	out.upstream_ms = -1;
	if (qrc == -1) {
		sf_err_set(&err, 500, "internal_error", NULL, "out of memory");
		msg_resp_error(&resp, &err);
		out.status = resp.status;
	} else
		pool->app->handle(pool->app->arg, &req, &resp, &out);
	serve_write(fr, &resp, strcmp(req.method, "HEAD") == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000LL +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	log_request(pool->app->cfg, out.endpoint[0] != '\0' ? out.endpoint :
	    pool->app->name, &out, ms);
	metrics_request_end(&out, ms);

	msg_resp_free(&resp);
	serve_query_free(&query);
	buf_free(&body);
	buf_free(&path);
	buf_free(&xff);
}

static void	*serve_worker(void *);

/*
 * Whether thread tid of this process is asleep (S, D: waiting for I/O or
 * a lock) rather than running or runnable (R).  Unknown counts as asleep,
 * as every busy worker did before.
 */
static int
serve_asleep(int tid)
{
	char	 path[64], st[512], *p;
	ssize_t	 n;
	int	 fd;

	if (tid <= 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 1;
	n = read(fd, st, sizeof(st) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	st[n] = '\0';
	/* "tid (comm) S ...": comm may hold anything but ends at the last ')'. */
	if ((p = strrchr(st, ')')) == NULL || p[1] != ' ')
		return 1;
	return p[2] != 'R';
}

/* Start one more worker if the pool may grow; under mu.  0 or -1. */
static int
serve_grow(struct serve_pool *pool)
{
	struct serve_slot	*sl;
	pthread_t		 th;
	unsigned		 i, max = pool->app->cfg->workers_max;

	if (pool->stopping || pool->nthreads >= max)
		return -1;
	for (i = 0; i < max && pool->used[i]; i++)
		continue;
	if (i == max || (sl = malloc(sizeof(*sl))) == NULL)
		return -1;
	sl->pool = pool;
	sl->i = i;
	pool->used[i] = 1;
	atomic_store(&pool->since[i], 0);
	atomic_store(&pool->tid[i], 0);
	pool->nthreads++;
	atomic_fetch_add(&pool->nidle, 1);
	if (pthread_create(&th, &pool->attr, serve_worker, sl) != 0) {
		pool->used[i] = 0;
		pool->nthreads--;
		atomic_fetch_sub(&pool->nidle, 1);
		free(sl);
		return -1;
	}
	return 0;
}

/* Workers to add now: SERVE_SPARE beyond the stuck ones.  Under mu. */
static unsigned
serve_wanted(struct serve_pool *pool, int64_t now)
{
	unsigned	 i, stuck = 0, max = pool->app->cfg->workers_max;
	int64_t		 t;

	if (pool->stopping || atomic_load(&pool->nidle) > 0 ||
	    pool->nthreads >= max)
		return 0;
	/*
	 * A request once found asleep stays counted as stuck until it ends
	 * (its since[] changes): reading /proc for every busy worker every
	 * SERVE_STUCK_NS was thousands of open/read/close a second under a
	 * paid load, whose requests sleep in the ledger and the facilitator.
	 */
	for (i = 0; i < max; i++) {
		if (!pool->used[i] || (t = atomic_load_explicit(
		    &pool->since[i], memory_order_relaxed)) == 0 ||
		    now - t < SERVE_STUCK_NS)
			continue;
		if (pool->asleep[i] == t ||
		    serve_asleep(atomic_load(&pool->tid[i]))) {
			pool->asleep[i] = t;
			stuck++;
		}
	}
	if (pool->nthreads - stuck >= SERVE_SPARE)
		return 0;
	return SERVE_SPARE - (pool->nthreads - stuck);
}

/*
 * Wait for our turn at accept().  0 with accept_lock held, or -1 when this
 * worker is surplus (idle for WORKERS_IDLE with more than WORKERS_MIN
 * running) and was counted out.
 */
static int
serve_turn(struct serve_pool *pool, unsigned slot)
{
	struct timespec	 until;
	int		 rc;

	for (;;) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += pool->app->cfg->workers_idle;
		if ((rc = pthread_mutex_timedlock(&pool->accept_lock,
		    &until)) == 0)
			return 0;
		pthread_mutex_lock(&pool->mu);
		if (rc != ETIMEDOUT ||
		    pool->nthreads > pool->app->cfg->workers_min) {
			pool->nthreads--;
			atomic_fetch_sub(&pool->nidle, 1);
			pool->used[slot] = 0;
			pthread_cond_signal(&pool->changed);
			pthread_mutex_unlock(&pool->mu);
			return -1;
		}
		pthread_mutex_unlock(&pool->mu);
	}
}

static void *
serve_worker(void *arg)
{
	struct serve_slot	*sl = arg;
	struct serve_pool	*pool = sl->pool;
	unsigned		 slot = sl->i;
	FCGX_Request		 fr;
	int			 rc, counted = 1;

	free(sl);
	atomic_store(&pool->tid[slot], (int)gettid());
	if (FCGX_InitRequest(&fr, pool->sock, 0) != 0) {
		fprintf(stderr, "%s: FCGX_InitRequest failed\n",
		    pool->app->name);
		goto out;
	}
	for (;;) {
		if (serve_turn(pool, slot) == -1) {
			counted = 0;
			break;
		}
		rc = FCGX_Accept_r(&fr);
		pthread_mutex_unlock(&pool->accept_lock);
		if (rc < 0)
			break;
		atomic_store_explicit(&pool->since[slot], serve_now_ns(),
		    memory_order_relaxed);
		/* The last idle worker got work: the manager may add some. */
		if (atomic_fetch_sub(&pool->nidle, 1) == 1 &&
		    !atomic_load(&pool->polling)) {
			pthread_mutex_lock(&pool->mu);
			pthread_cond_signal(&pool->changed);
			pthread_mutex_unlock(&pool->mu);
		}
		serve_one(pool, &fr);
		/* Answered: no longer stuck, though libfcgi still waits for
		   the web server to close the connection (asleep in poll). */
		atomic_store_explicit(&pool->since[slot], 0,
		    memory_order_relaxed);
		FCGX_Finish_r(&fr);
		atomic_fetch_add(&pool->nidle, 1);
	}
	FCGX_Free(&fr, 1);
out:
	if (counted) {
		pthread_mutex_lock(&pool->mu);
		pool->nthreads--;
		atomic_fetch_sub(&pool->nidle, 1);
		pool->used[slot] = 0;
		pthread_cond_signal(&pool->changed);
		pthread_mutex_unlock(&pool->mu);
	}
	return NULL;
}

/*
 * The manager, on serve_run's thread: while every worker is busy, look
 * again every SERVE_STUCK_NS and add workers as serve_wanted says; return
 * once stopping and the last worker has left.  Under mu.
 */
static void
serve_manage(struct serve_pool *pool)
{
	struct timespec	 until;
	int64_t		 t;
	unsigned	 n;

	while (!(pool->stopping && pool->nthreads == 0)) {
		/* Written before nidle is read (see the pool, above). */
		atomic_store(&pool->polling, 0);
		if (atomic_load(&pool->nidle) > 0 || pool->stopping ||
		    pool->nthreads >= pool->app->cfg->workers_max) {
			pthread_cond_wait(&pool->changed, &pool->mu);
			continue;
		}
		atomic_store(&pool->polling, 1);
		t = serve_now_ns();
		for (n = serve_wanted(pool, t); n > 0; n--)
			if (serve_grow(pool) == -1)
				break;
		t += SERVE_STUCK_NS;
		until.tv_sec = (time_t)(t / 1000000000LL);
		until.tv_nsec = (long)(t % 1000000000LL);
		pthread_cond_timedwait(&pool->changed, &pool->mu, &until);
	}
}

/*
 * Shutdown: SIGTERM/SIGINT/SIGHUP are blocked in every thread and taken
 * here.  Shutting the listening socket down wakes the workers blocked in
 * accept(); requests in progress finish and are answered first.
 */
static void *
serve_signals(void *arg)
{
	struct serve_pool	*pool = arg;
	sigset_t		 set;
	int			 sig;

	serve_signals_block(&set);
	if (sigwait(&set, &sig) != 0)
		return NULL;
	/* All under mu: serve_run may return (pool is on its stack) as soon
	   as it sees stopping with no worker left. */
	pthread_mutex_lock(&pool->mu);
	pool->stopping = 1;
	FCGX_ShutdownPending();
	shutdown(pool->sock, SHUT_RDWR);
	pthread_cond_signal(&pool->changed);
	pthread_mutex_unlock(&pool->mu);
	return NULL;
}

void
serve_signals_block(sigset_t *set)
{
	sigset_t	 s;

	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	if (set != NULL)
		*set = s;
}

static void
serve_summary(const struct cfg *c, const struct def_endpoint *ep)
{
	size_t	 i;
	char	 usd[32];

	def_usd(ep->price, usd, sizeof(usd));
	printf("%s: %s%s, $%s USDC, pay to %s, %u-%u workers\n", ep->name,
	    c->public_url, ep->path, usd, c->pay_to, c->workers_min,
	    c->workers_max);
	for (i = 0; i < c->nnets; i++)
		printf("  network %s%s%s%s asset %s (%s/%s)\n",
		    c->nets[i].network, c->nets[i].network_v1[0] ? " (" : "",
		    c->nets[i].network_v1, c->nets[i].network_v1[0] ? ")" : "",
		    c->nets[i].asset, c->nets[i].asset_name,
		    c->nets[i].asset_version);
}

int
serve_args(int argc, char *argv[], const char **sockpath, int *check)
{
	int	 i;

	*sockpath = NULL;
	*check = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			*sockpath = argv[++i];
		else if (strcmp(argv[i], "--check") == 0)
			*check = 1;
		else {
			fprintf(stderr, "usage: %s [--socket PATH|:PORT] "
			    "[--check]\n", argv[0]);
			return -1;
		}
	}
	return 0;
}

unsigned long
serve_fds_needed(const struct cfg *c)
{
	struct flow_job_cfg	 jc;

	flow_job_cfg_read(c, &jc);
	return SERVE_FDS_PER_REQUEST * ((unsigned long)c->workers_max +
	    jc.runners) + SERVE_FDS_BASE;
}

/* Room for serve_fds_needed open files: the soft limit raised up to the
   hard one; below that, a warning naming the keys. */
static void
serve_fd_room(const struct serve_app *app)
{
	struct rlimit	 rl;
	rlim_t		 need = (rlim_t)serve_fds_needed(app->cfg);

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need ?
	    rl.rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1 && getrlimit(RLIMIT_NOFILE,
	    &rl) == -1)
		return;
	if (rl.rlim_cur < need)
		fprintf(stderr, "%s: WORKERS_MAX and JOB_RUNNERS may need %lu "
		    "open files at once; this process may open %lu: requests "
		    "and jobs beyond that fail to connect (raise the limit: "
		    "lighttpd server.max-fds, systemd LimitNOFILE; or lower "
		    "JOB_RUNNERS)\n", app->name, (unsigned long)need,
		    (unsigned long)rl.rlim_cur);
}

int
serve_run(const struct serve_app *app, const char *sockpath)
{
	struct serve_pool	 pool;
	pthread_condattr_t	 ca;
	pthread_t		 sigth;
	unsigned		 t;

	memset(&pool, 0, sizeof(pool));
	pool.app = app;
	pool.trusted = cfg_get_or(app->cfg, "TRUSTED_PROXIES", NULL);
	serve_fd_room(app);
	if (FCGX_Init() != 0) {
		fprintf(stderr, "%s: FCGX_Init failed\n", app->name);
		return 1;
	}
	/* Backlog: a burst of WORKERS_MAX connects waits, not refused. */
	if (sockpath != NULL &&
	    (pool.sock = FCGX_OpenSocket(sockpath, SOMAXCONN)) < 0) {
		fprintf(stderr, "%s: cannot listen on %s\n", app->name,
		    sockpath);
		return 1;
	}
	if ((pool.since = calloc(app->cfg->workers_max,
	    sizeof(*pool.since))) == NULL ||
	    (pool.used = calloc(app->cfg->workers_max, 1)) == NULL ||
	    (pool.tid = calloc(app->cfg->workers_max,
	    sizeof(*pool.tid))) == NULL ||
	    (pool.asleep = calloc(app->cfg->workers_max,
	    sizeof(*pool.asleep))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", app->name);
		free(pool.since);
		free(pool.used);
		free(pool.tid);
		return 1;
	}
	pthread_mutex_init(&pool.accept_lock, NULL);
	pthread_mutex_init(&pool.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pool.changed, &ca);
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&pool.attr);
	pthread_attr_setdetachstate(&pool.attr, PTHREAD_CREATE_DETACHED);
	serve_signals_block(NULL);	/* main did; a caller that did not */
	if (pthread_create(&sigth, NULL, serve_signals, &pool) == 0)
		pthread_detach(sigth);
	pthread_mutex_lock(&pool.mu);
	for (t = 0; t < app->cfg->workers_min; t++)
		serve_grow(&pool);
	/* None started because a signal came first: a clean stop. */
	if (pool.nthreads == 0 && !pool.stopping) {
		pthread_mutex_unlock(&pool.mu);
		fprintf(stderr, "%s: cannot start worker threads\n",
		    app->name);
		return 1;	/* the process exits: nothing to tear down */
	}
	serve_manage(&pool);
	pthread_mutex_unlock(&pool.mu);
	pthread_attr_destroy(&pool.attr);
	pthread_cond_destroy(&pool.changed);
	pthread_mutex_destroy(&pool.mu);
	pthread_mutex_destroy(&pool.accept_lock);
	free(pool.since);
	free(pool.used);
	free(pool.tid);
	free(pool.asleep);
	return 0;
}

static void
serve_flow(void *arg, const struct msg_req *req, struct msg_resp *resp,
    struct flow_outcome *out)
{
	flow_handle(arg, req, resp, out);
}

void
serve_job_report(void *arg, const char *endpoint,
    const struct flow_outcome *out, long long ms)
{
	log_request(arg, endpoint, out, ms);
	metrics_request_begin();
	metrics_request_end(out, ms);
}

struct flow_runner *
serve_runners(struct flow_ctx *ctxs, size_t n, const struct cfg *cfg,
    const char *who)
{
	struct flow_runner	*r;
	struct sf_err		 err;
	size_t			 i;

	/* Without runners the process still records jobs; another process
	   (sf-jobs, synthforge-ctl jobs run) works them. */
	if ((r = flow_runner_start(ctxs, n, &ctxs[0].jobs, &err)) == NULL) {
		fprintf(stderr, "%s: no job runners: %s\n", who, err.message);
		return NULL;
	}
	flow_runner_report(r, serve_job_report, (void *)cfg);
	for (i = 0; i < n; i++)
		ctxs[i].runner = r;
	return r;
}

int
serve_main(const struct def_endpoint *ep, int argc, char *argv[])
{
	struct serve_app	 app;
	struct flow_ctx		 ctx;
	struct flow_runner	*runner;
	struct sf_err		 err;
	struct cfg		*cfg;
	const char		*sockpath;
	int			 check, rc;

	serve_signals_block(NULL);
	if (serve_args(argc, argv, &sockpath, &check) == -1)
		return 2;
	sf_err_clear(&err);
	if ((cfg = cfg_load(NULL, &err)) == NULL) {
		fprintf(stderr, "%s: configuration: %s\n", ep->name,
		    err.message);
		return 1;
	}
	/* A bad value stops start-up here, not at the first paid call. */
	if (serve_check_cfg(cfg, &err) == -1) {
		fprintf(stderr, "%s: configuration: %s\n", ep->name,
		    err.message);
		cfg_free(cfg);
		return 1;
	}
	if (check) {
		serve_summary(cfg, ep);
		cfg_free(cfg);
		return 0;
	}
	if (flow_init(&ctx, cfg, ep, &err) == -1) {
		fprintf(stderr, "%s: %s\n", ep->name, err.message);
		cfg_free(cfg);
		return 1;
	}
	/* Metrics never block a sale: without them we serve anyway. */
	if (metrics_open(cfg, ep->name, &err) == -1)
		fprintf(stderr, "%s: metrics disabled: %s\n", ep->name,
		    err.message);
	memset(&app, 0, sizeof(app));
	app.name = ep->name;
	app.cfg = cfg;
	app.body_max = cfg->body_max;
	app.handle = serve_flow;
	app.arg = &ctx;
	runner = serve_runners(&ctx, 1, cfg, ep->name);
	rc = serve_run(&app, sockpath);
	flow_runner_stop(runner);
	ctx.runner = NULL;
	flow_fini(&ctx);
	metrics_close();
	log_close();
	cfg_free(cfg);
	return rc;
}
