#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "ops/log.h"
#include "ops/metrics.h"
#include "basics/msg.h"
#include "serve/serve.h"

/*
 * The worker pool.  One worker at a time sits in accept() (libfcgi wants
 * accept serialised); idle ones queue on accept_lock.  The pool starts
 * with WORKERS_MIN and is topped up by serve_run's thread (the manager)
 * whenever every worker is busy: a request running longer than
 * SERVE_STUCK_NS (a slow upstream, a facilitator round trip) counts as
 * stuck, and the pool keeps SERVE_SPARE workers besides the stuck ones,
 * up to WORKERS_MAX.  Fast requests (a 402 takes tens of microseconds)
 * never count, so a burst of them is not met with more threads than
 * cores, only with context switches.  A worker that waited WORKERS_IDLE
 * seconds for its turn at accept() while more than WORKERS_MIN run is
 * surplus and exits.  Everything below is under mu.
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
	unsigned		 nidle;		/* of which not serving */
	int64_t			*since;		/* per slot: busy since (ns), */
	unsigned char		*used;		/* 0 idle; slot taken */
	int			 stopping;
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
serve_read_body(FCGX_Request *fr, size_t cap, struct buf *b,
    struct msg_req *req)
{
	const char	*cl;
	char		 chunk[8192], *end;
	long long	 want = 0;
	int		 n;

	cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	if (cl != NULL && *cl != '\0') {
		errno = 0;
		want = strtoll(cl, &end, 10);
		if (errno != 0 || *end != '\0' || want < 0) {
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

static void
serve_write(FCGX_Request *fr, const struct msg_resp *resp, int head_only)
{
	struct buf	 h;
	size_t		 i;

	buf_init(&h);
	buf_printf(&h, "Status: %d %s\r\n", resp->status,
	    msg_status_text(resp->status));
	if (resp->content_type != NULL)
		buf_printf(&h, "Content-Type: %s\r\n", resp->content_type);
	buf_printf(&h, "Content-Length: %lu\r\n",
	    (unsigned long)resp->body_len);
	if (resp->location != NULL)
		buf_printf(&h, "Location: %s\r\n", resp->location);
	/* Appended, not printed: PAYMENT-REQUIRED alone is ~4 KiB. */
	for (i = 0; i < resp->nheaders; i++) {
		buf_puts(&h, resp->hname[i]);
		buf_append(&h, ": ", 2);
		buf_puts(&h, resp->hval[i]);
		buf_append(&h, "\r\n", 2);
	}
	buf_puts(&h, "\r\n");
	if (h.oom) {
		FCGX_PutS("Status: 500 Internal Server Error\r\n"
		    "Content-Length: 0\r\n\r\n", fr->out);
	} else {
		FCGX_PutStr(h.p, (int)h.len, fr->out);
		if (!head_only && resp->body_len > 0)
			FCGX_PutStr(resp->body, (int)resp->body_len, fr->out);
	}
	buf_free(&h);
}

static const char *
serve_param(FCGX_Request *fr, const char *name)
{
	const char	*v = FCGX_GetParam(name, fr->envp);

	return v;
}

/*
 * Whether a payment header reached us twice.  lighttpd maps X_PAYMENT (and
 * X.PAYMENT, ...) onto HTTP_X_PAYMENT too and hands both to us; we would
 * see only the first.  Two values for who pays are refused outright.
 */
static int
serve_dup_payment(FCGX_Request *fr)
{
	char	**e;
	int	  v1 = 0, v2 = 0;

	for (e = fr->envp; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, "HTTP_X_PAYMENT=", 15) == 0)
			v1++;
		else if (strncmp(*e, "HTTP_PAYMENT_SIGNATURE=", 23) == 0)
			v2++;
	}
	return v1 > 1 || v2 > 1;
}

static void
serve_one(struct serve_pool *pool, FCGX_Request *fr)
{
	struct msg_req	 req;
	struct msg_resp	 resp;
	struct buf	 body, path;
	struct flow_outcome out;
	struct timespec	 t0, t1;
	long long	 ms;
	const char	*sn, *pi;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	metrics_request_begin();
	memset(&req, 0, sizeof(req));
	msg_resp_init(&resp);
	buf_init(&body);
	buf_init(&path);
	req.method = serve_param(fr, "REQUEST_METHOD");
	if (req.method == NULL)
		req.method = "GET";
	sn = serve_param(fr, "SCRIPT_NAME");
	pi = serve_param(fr, "PATH_INFO");
	buf_printf(&path, "%s%s", sn ? sn : "", pi ? pi : "");
	req.path = path.p ? path.p : "";
	req.query = serve_param(fr, "QUERY_STRING");
	if (req.query == NULL)
		req.query = "";
	req.content_type = serve_param(fr, "CONTENT_TYPE");
	req.accept = serve_param(fr, "HTTP_ACCEPT");
	req.user_agent = serve_param(fr, "HTTP_USER_AGENT");
	req.remote_addr = serve_param(fr, "REMOTE_ADDR");
	req.origin = serve_param(fr, "HTTP_ORIGIN");
	req.payment_v2 = serve_param(fr, "HTTP_PAYMENT_SIGNATURE");
	req.payment_v1 = serve_param(fr, "HTTP_X_PAYMENT");
	req.mcp_version = serve_param(fr, "HTTP_MCP_PROTOCOL_VERSION");
	req.dup_payment = serve_dup_payment(fr);
	serve_read_body(fr, pool->app->body_max, &body, &req);

	memset(&out, 0, sizeof(out));
	out.pay = "none";
	out.upstream_ms = -1;
	pool->app->handle(pool->app->arg, &req, &resp, &out);
	serve_write(fr, &resp, strcmp(req.method, "HEAD") == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000LL +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	log_request(pool->app->cfg, out.endpoint[0] != '\0' ? out.endpoint :
	    pool->app->name, &out, ms);
	metrics_request_end(&out, ms);

	msg_resp_free(&resp);
	buf_free(&body);
	buf_free(&path);
}

static void	*serve_worker(void *);

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
	pool->since[i] = 0;
	pool->nthreads++;
	pool->nidle++;
	if (pthread_create(&th, &pool->attr, serve_worker, sl) != 0) {
		pool->used[i] = 0;
		pool->nthreads--;
		pool->nidle--;
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

	if (pool->stopping || pool->nidle > 0 || pool->nthreads >= max)
		return 0;
	for (i = 0; i < max; i++)
		if (pool->used[i] && pool->since[i] != 0 &&
		    now - pool->since[i] >= SERVE_STUCK_NS)
			stuck++;
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
			pool->nidle--;
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
		pthread_mutex_lock(&pool->mu);
		pool->since[slot] = serve_now_ns();
		/* The last idle worker got work: the manager may add some. */
		if (--pool->nidle == 0)
			pthread_cond_signal(&pool->changed);
		pthread_mutex_unlock(&pool->mu);
		serve_one(pool, &fr);
		FCGX_Finish_r(&fr);
		pthread_mutex_lock(&pool->mu);
		pool->since[slot] = 0;
		pool->nidle++;
		pthread_mutex_unlock(&pool->mu);
	}
	FCGX_Free(&fr, 1);
out:
	if (counted) {
		pthread_mutex_lock(&pool->mu);
		pool->nthreads--;
		pool->nidle--;
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
		if (pool->nidle > 0 || pool->stopping ||
		    pool->nthreads >= pool->app->cfg->workers_max) {
			pthread_cond_wait(&pool->changed, &pool->mu);
			continue;
		}
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

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigwait(&set, &sig) != 0)
		return NULL;
	pthread_mutex_lock(&pool->mu);
	pool->stopping = 1;
	pthread_cond_signal(&pool->changed);
	pthread_mutex_unlock(&pool->mu);
	FCGX_ShutdownPending();
	shutdown(pool->sock, SHUT_RDWR);
	return NULL;
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

int
serve_run(const struct serve_app *app, const char *sockpath)
{
	struct serve_pool	 pool;
	pthread_condattr_t	 ca;
	pthread_t		 sigth;
	sigset_t		 set;
	unsigned		 t;

	memset(&pool, 0, sizeof(pool));
	pool.app = app;
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
	    (pool.used = calloc(app->cfg->workers_max, 1)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", app->name);
		free(pool.since);
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
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&sigth, NULL, serve_signals, &pool) == 0)
		pthread_detach(sigth);
	pthread_mutex_lock(&pool.mu);
	for (t = 0; t < app->cfg->workers_min; t++)
		serve_grow(&pool);
	if (pool.nthreads == 0) {
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
	return 0;
}

static void
serve_flow(void *arg, const struct msg_req *req, struct msg_resp *resp,
    struct flow_outcome *out)
{
	flow_handle(arg, req, resp, out);
}

int
serve_main(const struct def_endpoint *ep, int argc, char *argv[])
{
	struct serve_app	 app;
	struct flow_ctx		 ctx;
	struct sf_err		 err;
	struct cfg		*cfg;
	const char		*sockpath;
	int			 check, rc;

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
	rc = serve_run(&app, sockpath);
	flow_fini(&ctx);
	metrics_close();
	log_close();
	cfg_free(cfg);
	return rc;
}
