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
	const struct cfg	*cfg;		/* WORKERS_MIN, _MAX, _IDLE */
	size_t			 body_max;	/* request body cap, bytes */
	serve_handler		*handle;
	void			*arg;
};

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
 * Serve ep until shutdown.  Options: --socket PATH|:PORT (listen ourselves
 * instead of inheriting fd 0 from lighttpd/spawn-fcgi), --check (load the
 * configuration, print a summary and exit).  Returns an exit status.
 */
int	serve_main(const struct def_endpoint *, int argc, char *argv[]);

#endif
