/*
 * FastCGI front: a pool of worker threads on FCGX_Accept_r, each reading
 * one request (body capped), calling the flow and writing the response
 * with our own Content-Length.  The pool holds WORKERS_MIN threads at rest
 * and grows while requests are stuck on slow work, up to WORKERS_MAX;
 * threads idle for WORKERS_IDLE seconds beyond the minimum exit (serve.c
 * says how).  The only module that includes fcgiapp.h.
 */
#ifndef SF_SERVE_H
#define SF_SERVE_H

#include <signal.h>
#include <stddef.h>

struct cfg;
struct def_endpoint;
struct flow_outcome;
struct msg_req;
struct msg_resp;

/*
 * One request in, one response out, as flow_handle: resp is always
 * filled; out (zeroed by the caller, pay "none", upstream_ms -1) feeds the
 * log line and the metrics.  Called from several threads at once.
 */
typedef void serve_handler(void *arg, const struct msg_req *,
    struct msg_resp *, struct flow_outcome *);

struct serve_app {
	const char		*name;		/* messages, log lines */
	const struct cfg	*cfg;		/* WORKERS_*, TRUSTED_PROXIES */
	size_t			 body_max;	/* request body cap, bytes */
	serve_handler		*handle;
	void			*arg;
};

/*
 * Open files one endpoint process may need at once with cfg: eight per
 * request or job in flight (two HTTP handles at once, the upstream's and
 * the result's download or the facilitator's: a connection and the
 * wake-up socket pair libcurl keeps per handle each; the media file and
 * its folder while it is stored), WORKERS_MAX + JOB_RUNNERS of them, and
 * SERVE_FDS_BASE for the ledger, logs and sockets.  serve_run raises its
 * soft RLIMIT_NOFILE to this (up to the hard limit) and says so when the
 * hard limit is lower; sf-hostconf gives lighttpd, whose limit the
 * endpoints inherit, at least this.  A process over its limit fails
 * connections (seen: 1,000 jobs in one process under lighttpd's 3,072).
 */
#define SERVE_FDS_PER_REQUEST	8
#define SERVE_FDS_BASE		64
unsigned long	serve_fds_needed(const struct cfg *);

/*
 * Block SIGTERM, SIGINT and SIGHUP in the calling thread, and so in every
 * thread it starts later.  Called first in main, before FCGX_Init and any
 * thread: serve_run (and sf-ops) take these signals with sigwait, so one
 * that arrives while the process starts waits for it.  Unblocked, it ran
 * libfcgi's handler instead, which only sets a flag: the workers left
 * accept() and the process stayed, serving nothing, after the web server
 * that sent it had gone.  Fills set (may be NULL) with the three.
 */
void	serve_signals_block(sigset_t *set);

/*
 * Run the FastCGI worker pool for app until SIGTERM/SIGINT/SIGHUP: on the
 * socket of sockpath (PATH or :PORT), or the one inherited on fd 0 when
 * sockpath is NULL.  Requests in progress at shutdown are answered first.
 * The caller's thread manages the pool; the handler runs on up to
 * app->cfg->workers_max threads at once.  Returns an exit status.
 */
int	serve_run(const struct serve_app *, const char *sockpath);

/*
 * Parse the common options: --socket PATH|:PORT, --check.  0, or -1 after
 * printing the usage line.
 */
int	serve_args(int argc, char *argv[], const char **sockpath, int *check);

/*
 * Check every key the modules read after cfg_load (serve_cfg.c): the
 * settlement mode and its keys, the media store, provider and route
 * overrides, demo limits, HEALTH_CACHE_SECONDS, LOG_FILE.  0, or -1 with
 * err (500 config_invalid/config_missing, message naming the key).
 */
struct sf_err;
int	serve_check_cfg(const struct cfg *, struct sf_err *);
/* The same without flow_can_prove (synthforge-ctl check reports that
   one as a MISSING line of its own). */
int	serve_check_keys(const struct cfg *, struct sf_err *);

/*
 * The job runners of a process serving ctxs[0..n) (flow_job.h): started
 * with ctxs[0].jobs, each ctx's runner set (so a job recorded here is
 * started at once), every run logged and counted (serve_job_report: the
 * log line and the metrics, arg the cfg).  NULL (said on stderr, who
 * names the process) when they could not start: the process then only
 * records jobs.  Stop with flow_runner_stop before flow_fini.
 */
struct flow_ctx;
struct flow_runner;
struct flow_runner *serve_runners(struct flow_ctx *ctxs, size_t n,
	    const struct cfg *, const char *who);
void	serve_job_report(void *arg, const char *endpoint,
	    const struct flow_outcome *, long long ms);

/*
 * Serve ep until shutdown.  Options: --socket PATH|:PORT (listen ourselves
 * instead of inheriting fd 0 from lighttpd/spawn-fcgi), --check (load the
 * configuration, print a summary and exit).  Returns an exit status.
 */
int	serve_main(const struct def_endpoint *, int argc, char *argv[]);

#endif
