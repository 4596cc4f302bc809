/*
 * Whether a network's JSON-RPC answered lately, per process: the proof
 * before work reads the chain when it can, and when the RPC cannot be
 * asked (no network, refused, rate-limited, slower than RPC_TIMEOUT_MS)
 * the payment is proven by the facilitator's /verify instead, one
 * unsettled payment per wallet (docs/money-path.md).  After a failure the
 * RPC is left alone for RPC_WATCH_RETRY_S seconds, so a dead RPC costs
 * one request its timeout, not every request; then one is tried again.
 * Each change is one line on stderr (never the URL: it may hold a key).
 * Thread-safe; a small table keyed by network (CAIP-2).
 */
#ifndef SF_RPC_WATCH_H
#define SF_RPC_WATCH_H

#include <stddef.h>
#include <time.h>

/* Seconds an RPC that failed is not asked again. */
#define RPC_WATCH_RETRY_S	30

/* 1: ask the network's RPC now; 0: it failed less than RPC_WATCH_RETRY_S
   ago, prove by the fallback. */
int	rpc_watch_try(const char *network, time_t now);
/*
 * What asking it gave: ok 1 it answered (the proof was decided on chain),
 * 0 it could not be asked (why: the cause, without the URL).  Logs a line
 * when the network goes degraded or comes back.
 */
void	rpc_watch_note(const char *network, int ok, const char *why,
	    time_t now);
/* 1 when the last answer of the network's RPC was a failure (why, since
   filled), else 0. */
int	rpc_watch_degraded(const char *network, char *why, size_t whysz,
	    time_t *since);

#endif
