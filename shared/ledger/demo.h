/*
 * The free demo of a DEF_EP_DEMO endpoint (GET <path>?demo=true): no
 * payment, so its cost must be bounded across every endpoint process and
 * every host.  A store of the ledger's kind (demo_be.h) holds one row per
 * admitted demo request of the last hour: DEMO_DB (a SQLite path or a
 * PostgreSQL URI); by default the ledger's database when DB is a
 * PostgreSQL URI (shared by the hosts), else demo.db next to the ledger's
 * file (so a demo flood never contends for its write lock).  Each
 * admission is one transaction holding the store's lock, so separate
 * threads, processes and hosts agree.  Sliding windows, configuration
 * (0 where noted):
 *   DEMO_PER_CLIENT_PER_MINUTE  default 2   (0 = no per-minute cap)
 *   DEMO_PER_CLIENT_PER_HOUR    default 10  (0 = the demo is off)
 *   DEMO_PER_HOUR               default 300, all clients (0 = off)
 *   DEMO_PAID_PER_HOUR          default 0: how many demo requests per
 *                               hour, in total, may reach a paid upstream;
 *                               the rest must be served offline
 * A client is its IPv4 address, or the /64 of its IPv6 address (one
 * subscriber usually holds a whole /64).  Refused requests are not
 * counted, so retrying early does not extend the wait.
 */
#ifndef SF_DEMO_H
#define SF_DEMO_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

struct cfg;
struct sf_err;

/*
 * Start-up check of the demo keys: DEMO_PER_CLIENT_PER_MINUTE,
 * DEMO_PER_CLIENT_PER_HOUR, DEMO_PER_HOUR, DEMO_PAID_PER_HOUR (whole
 * numbers 0-1000000), the length of the DEMO_DB path.  0, or -1 with 500 config_invalid naming the key.
 */
int	demo_check_cfg(const struct cfg *, struct sf_err *);
/*
 * Admit one demo request from client_addr (REMOTE_ADDR) at now.  0 with
 * *paid_upstream_ok = 1 when this request may call a paid upstream (one
 * unit of DEMO_PAID_PER_HOUR was taken), else 0: force the offline route.
 * -1 with err: 429 demo_rate_limited (per client) or demo_busy (all
 * clients) and *retry_after seconds (>= 1) for the Retry-After header;
 * 403 demo_disabled; 503 demo_unavailable (the store cannot be used: fail
 * closed); 500 config_invalid naming the key.
 */
int	demo_admit(const struct cfg *, const char *client_addr, time_t now,
	    int *paid_upstream_ok, unsigned *retry_after, struct sf_err *);

/*
 * Mark a shaped response body as a demo: "demo": true, a "notice" saying
 * what it is and its limits, and "price" (when present) "$0.00".
 * offline: whether the offline generator made the image.  0, or -1 (oom).
 */
int	demo_annotate(const struct cfg *, cJSON *body, int offline);

/* The client key demo_admit counts by, into buf ("unknown" if unparsable). */
void	demo_client_key(const char *addr, char *buf, size_t sz);

#endif
