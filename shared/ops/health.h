/*
 * Health of the whole service as the ops program sees it: the ledger is
 * writable, the settlement backend answers (facilitator /supported, or
 * the chain for SETTLE=direct; cached), routes have providers, which
 * endpoint processes are alive (from the metrics files), and each
 * network's RPC for reads (checks.chains; cached): one that does not
 * answer is listed in "degraded" (its payments are proven by the
 * facilitator's /verify, one unsettled payment per wallet), which is not
 * a failure.  The answer is JSON; 503 when a payment could not be taken
 * or settled right now.
 */
#ifndef SF_HEALTH_H
#define SF_HEALTH_H

struct buf;
struct cfg;

/* Seconds a settlement-backend probe is reused (HEALTH_CACHE_SECONDS). */
#define HEALTH_CACHE_DEFAULT	30

/* Start-up check: HEALTH_CACHE_SECONDS a whole number 0-86400.  0, or -1
   with err (500 config_invalid naming the key). */
struct sf_err;
int	health_check_cfg(const struct cfg *, struct sf_err *);
/* Fill out with the JSON report; returns 200 or 503.  Thread-safe. */
int	health_check(const struct cfg *, struct buf *out);

#endif
