/*
 * Metrics shared between processes.  Every endpoint is its own process
 * (or several: lighttpd max-procs, spawn-fcgi -F), so counters live in one
 * small file per endpoint under METRICS_DIR (default: metrics/ next to
 * DB), mmap'd MAP_SHARED and updated with lock-free atomics; the files
 * outlive restarts, so counters stay monotonic.  The ops program reads
 * every file and renders the Prometheus text format (metrics_render).
 *
 * Endpoint side: metrics_open once at start-up, then begin/end around
 * each request.  Both are no-ops when metrics_open was not called or
 * failed: metrics never stop a sale.
 */
#ifndef SF_METRICS_H
#define SF_METRICS_H

#include <stddef.h>

struct buf;
struct cfg;
struct flow_outcome;
struct sf_err;

/* METRICS_DIR, else "<directory of DB>/metrics", into buf. */
const char	*metrics_dir(const struct cfg *, char *buf, size_t sz);

/* Map (creating) the file of this endpoint.  0 or -1 (metrics off). */
int	metrics_open(const struct cfg *, const char *endpoint,
	    struct sf_err *);
void	metrics_close(void);
/* In-flight gauge up. */
void	metrics_request_begin(void);
/* In-flight down; requests by status, payments by outcome and reason,
   revenue, request and upstream latency. */
void	metrics_request_end(const struct flow_outcome *,
	    long long latency_ms);

/*
 * Ops side: every *.metrics file of dir in the Prometheus text format
 * (version 0.0.4), appended to out.  0, or -1 when dir is unreadable.
 */
int	metrics_render(const char *dir, struct buf *out, struct sf_err *);
/*
 * Whether the Authorization header value auth (NULL = absent) presents
 * token want: "Bearer <token>", the scheme name in any case and one or
 * more spaces before the token (RFC 9110 §11.4, 11.6.2; RFC 6750 §2.1).
 * Compared in constant time in the length of the presented token.
 */
int	metrics_token_ok(const char *want, const char *auth);
/* Live endpoint processes per file, for /healthz: cb(arg, endpoint, n). */
int	metrics_processes(const char *dir,
	    void (*cb)(void *, const char *endpoint, unsigned nprocs),
	    void *arg);

#endif
