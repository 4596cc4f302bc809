/*
 * serve: the worker pool grows with the requests in flight, up to
 * WORKERS_MAX, and shrinks back to WORKERS_MIN when idle.  Functional,
 * not timed: the handler is a barrier that opens only once the expected
 * number of requests is inside it at the same time, so a pool that cannot
 * run that many at once never opens it (the waits have generous limits
 * only so that a broken pool fails instead of hanging).  Requests are
 * real FastCGI over a Unix socket, to serve_run as lighttpd would send.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/msg.h"
#include "flow/flow.h"
#include "serve/serve.h"

#include "hermetic.h"
#include "tap.h"

#define MAXC	96
#define LIMIT_S	60	/* failure bound for every wait, never a pass condition */

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cv = PTHREAD_COND_INITIALIZER;
static int		 inside, peak, arrived, target, gen, served;
static char		 sockpath[100];	/* fits sun_path */

static void
deadline(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += LIMIT_S;
}

/* The barrier: answer once `target` requests are in here together. */
static void
handle(void *arg, const struct msg_req *req, struct msg_resp *resp,
    struct flow_outcome *out)
{
	struct timespec	 until;
	int		 g, opened = 1;

	(void)arg;
	(void)req;
	(void)out;
	deadline(&until);
	pthread_mutex_lock(&mu);
	if (++inside > peak)
		peak = inside;
	/* Arrivals count per opening: late leavers of the last one do not. */
	if (++arrived == target) {
		arrived = 0;
		gen++;
		pthread_cond_broadcast(&cv);
	} else {
		g = gen;
		while (g == gen && opened)
			opened = pthread_cond_timedwait(&cv, &mu, &until) !=
			    ETIMEDOUT;
	}
	inside--;
	served++;
	pthread_mutex_unlock(&mu);
	msg_resp_body(resp, opened ? 200 : 504, "text/plain",
	    opened ? "ok" : "barrier", opened ? 2 : 7);
}

static int
fcgi_rec(unsigned char *p, int type, const void *body, size_t n)
{
	p[0] = 1;
	p[1] = (unsigned char)type;
	p[2] = 0;
	p[3] = 1;
	p[4] = (unsigned char)(n >> 8);
	p[5] = (unsigned char)n;
	p[6] = p[7] = 0;
	if (n > 0)
		memcpy(p + 8, body, n);
	return (int)(8 + n);
}

static int
fcgi_pair(unsigned char *p, const char *k, const char *v)
{
	size_t	 kl = strlen(k), vl = strlen(v);

	p[0] = (unsigned char)kl;
	p[1] = (unsigned char)vl;
	memcpy(p + 2, k, kl);
	memcpy(p + 2 + kl, v, vl);
	return (int)(2 + kl + vl);
}

/* One FastCGI GET; 1 when the answer carried "Status: 200". */
static int
fcgi_get(void)
{
	static const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	struct sockaddr_un	 sa;
	unsigned char		 out[512], pairs[128], in[4096];
	char			 text[4096];
	size_t			 tl = 0;
	ssize_t			 k;
	int			 fd, n = 0, pl = 0, got = 0, len, pad;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sockpath, sizeof(sockpath));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return 0;
	}
	pl += fcgi_pair(pairs + pl, "REQUEST_METHOD", "GET");
	pl += fcgi_pair(pairs + pl, "SCRIPT_NAME", "/t");
	n += fcgi_rec(out + n, 1, begin, sizeof(begin));
	n += fcgi_rec(out + n, 4, pairs, (size_t)pl);
	n += fcgi_rec(out + n, 4, NULL, 0);
	n += fcgi_rec(out + n, 5, NULL, 0);
	if (write(fd, out, (size_t)n) != n) {
		close(fd);
		return 0;
	}
	/* Records: collect stdout (type 6) until END_REQUEST (type 3). */
	for (n = 0;;) {
		while (n >= 8) {
			len = in[4] << 8 | in[5];
			pad = in[6];
			if (n < 8 + len + pad)
				break;
			if (in[1] == 6 && tl + (size_t)len < sizeof(text)) {
				memcpy(text + tl, in + 8, (size_t)len);
				tl += (size_t)len;
			}
			if (in[1] == 3)
				got = 1;
			memmove(in, in + 8 + len + pad, (size_t)(n - 8 - len -
			    pad));
			n -= 8 + len + pad;
		}
		if (got || (k = read(fd, in + n, sizeof(in) - (size_t)n)) <= 0)
			break;
		n += (int)k;
	}
	close(fd);
	text[tl] = '\0';
	return got && strstr(text, "Status: 200") != NULL;
}

struct wave {
	pthread_t	 th[MAXC];
	int		 ok[MAXC];
};

static void *
client(void *arg)
{
	*(int *)arg = fcgi_get();
	return NULL;
}

/* n requests at once; the number answered 200. */
static int
wave(int n, int barrier, int *peakp)
{
	struct wave	 w;
	int		 i, ok = 0;

	pthread_mutex_lock(&mu);
	target = barrier;
	arrived = 0;
	peak = 0;
	pthread_mutex_unlock(&mu);
	for (i = 0; i < n; i++)
		if (pthread_create(&w.th[i], NULL, client, &w.ok[i]) != 0)
			return -1;
	for (i = 0; i < n; i++) {
		pthread_join(w.th[i], NULL);
		ok += w.ok[i];
	}
	pthread_mutex_lock(&mu);
	*peakp = peak;
	pthread_mutex_unlock(&mu);
	return ok;
}

static int
threads(void)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir("/proc/self/task")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Wait (polling, bounded by LIMIT_S) until at most n threads remain. */
static int
threads_down_to(int n)
{
	struct timespec	 t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (threads() <= n)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > LIMIT_S)
			return 0;
		usleep(20000);
	}
}

/*
 * Wait (polling, bounded by LIMIT_S) until exactly n threads run: the pool
 * listens before its WORKERS_MIN workers exist, so "at most n" alone
 * would pass while they are still being created.
 */
static int
threads_settle_at(int n)
{
	struct timespec	 t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (threads() == n)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > LIMIT_S)
			return 0;
		usleep(20000);
	}
}

struct run {
	struct serve_app	 app;
	int			 rc;
};

static void *
run_pool(void *arg)
{
	struct run	*r = arg;

	r->rc = serve_run(&r->app, sockpath);
	return NULL;
}

static struct run	 r;
static pthread_t	 th;
static int		 base;		/* threads before the pool */
static int		 sent;		/* requests the cases sent */

/* Setup and teardown cases: they run whatever TAP_CASE selects. */
#define TAP_ALWAYS(fn) do { printf("# case %s\n", #fn); fn(); } while (0)

static void
starts_at_rest(void)
{
	struct stat	 st;
	int		 i;

	if (pthread_create(&th, NULL, run_pool, &r) != 0) {
		printf("Bail out! pthread_create\n");
		exit(2);
	}
	for (i = 0; i < LIMIT_S * 50 && stat(sockpath, &st) == -1; i++)
		usleep(20000);
	TAP_OK(stat(sockpath, &st) == 0, "the pool listens on its socket");
	/* run_pool + serve_run's signal thread + WORKERS_MIN workers. */
	TAP_OK(threads_settle_at(base + 1 + 1 + 2) && threads() == base + 4,
	    "at rest: WORKERS_MIN (2) workers");
}

static void
grows_to_the_load(void)
{
	int	 ok, pk;

	ok = wave(64, 64, &pk);
	sent += 64;
	TAP_OK(ok == 64, "64 requests that each wait for all 64: all served "
	    "(%d answered 200)", ok);
	TAP_OK(pk == 64, "the pool grew to run all 64 at once (peak %d)", pk);
}

static void
shrinks_when_idle(void)
{
	TAP_OK(threads_down_to(base + 4),
	    "idle workers leave after WORKERS_IDLE until WORKERS_MIN remain");
	TAP_OK(threads() == base + 4, "no fewer than WORKERS_MIN either");
}

static void
capped_at_workers_max(void)
{
	int	 ok, pk;

	ok = wave(96, 32, &pk);
	sent += 96;
	TAP_OK(ok == 96, "96 requests in barriers of 32: all served (%d)", ok);
	TAP_OK(pk >= 32 && pk <= 64, "never more than WORKERS_MAX (64) at "
	    "once (peak %d)", pk);
}

static void
stops_on_sigterm(void)
{
	kill(getpid(), SIGTERM);
	pthread_join(th, NULL);
	TAP_OK(r.rc == 0, "SIGTERM: serve_run returns 0");
	TAP_OK(threads_down_to(base), "every worker is gone after shutdown");
	pthread_mutex_lock(&mu);
	TAP_OK(served == sent, "every request reached the handler once "
	    "(%d of %d)", served, sent);
	pthread_mutex_unlock(&mu);
}

/*
 * The cases run in order on one pool, each from where the last one left
 * it; the pool is started and stopped whichever cases TAP_CASE selects.
 */
int
main(void)
{
	struct sf_err	 err;
	struct cfg	*c;
	sigset_t	 set;
	char		 dir[] = "/tmp/sf-test-serve-XXXXXX", conf[300];
	FILE		*f;

	hermetic();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(conf, sizeof(conf), "%s/synthforge.conf", dir);
	snprintf(sockpath, sizeof(sockpath), "%s/pool.sock", dir);
	if ((f = fopen(conf, "w")) == NULL)
		return 2;
	fprintf(f, "PAY_TO=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n"
	    "WORKERS_MIN=2\nWORKERS_MAX=64\nWORKERS_IDLE=1\n"
	    "LOG_FILE=/dev/null\n");
	fclose(f);
	sf_err_clear(&err);
	if ((c = cfg_load(conf, &err)) == NULL) {
		printf("Bail out! cfg_load: %s\n", err.message);
		return 2;
	}
	/* serve_run's signal thread takes SIGTERM; nobody else may. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	base = threads();
	memset(&r, 0, sizeof(r));
	r.app.name = "test-serve";
	r.app.cfg = c;
	r.app.body_max = 1024;
	r.app.handle = handle;

	TAP_ALWAYS(starts_at_rest);
	TAP_CASE(grows_to_the_load);
	TAP_CASE(shrinks_when_idle);
	TAP_CASE(capped_at_workers_max);
	TAP_ALWAYS(stops_on_sigterm);

	cfg_free(c);
	unlink(sockpath);
	unlink(conf);
	rmdir(dir);
	return tap_done();
}
