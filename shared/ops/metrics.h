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
struct ledger;
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
   request and upstream latency (revenue is the ledger's: metrics_render). */
void	metrics_request_end(const struct flow_outcome *,
	    long long latency_ms);

/*
 * Ops side: every *.metrics file of dir in the Prometheus text format
 * (version 0.0.4), appended to out, and the seller's figures read from
 * the ledger l at this moment (ledger_revenue): settled payments and
 * revenue, and what is still to settle, per endpoint (the endpoint the
 * payment was for, whether paid over HTTP or MCP), network and asset, so
 * they equal `synthforge-ctl revenue` by construction, including what
 * settle-pending settled later.  A shared ledger's figures are the whole
 * service's, the same on every host.  l NULL or unreadable:
 * synthforge_ledger_up 0 and no figures.  0, or -1 when dir is unreadable.
 */
int	metrics_render(const char *dir, struct ledger *l, struct buf *out,
	    struct sf_err *);
/*
 * Whether /metrics may answer without METRICS_TOKEN: no network is a
 * mainnet, or METRICS_PUBLIC=1 says the seller publishes its figures on
 * purpose.  A mainnet seller's revenue per endpoint is not for anyone.
 */
int	metrics_public(const struct cfg *);
/* Start-up check: METRICS_PUBLIC 0 or 1.  0, or -1 with err. */
int	metrics_check_cfg(const struct cfg *, struct sf_err *);
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
