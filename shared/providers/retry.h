/*
 * The providers' retry policy, on the caller's side of the transport
 * (http/http.h sends each request once).  Which failures may be sent
 * again depends on what the request is:
 *  - RETRY_SUBMIT, a billable job submit (BFL, Replicate, Venice queue):
 *    only when the provider says nothing was created -- a 429, or no
 *    connection at all (nothing of the request left us).  A 5xx or a
 *    connection broken after sending may have created (and billed) a job;
 *    BFL's and Replicate's official clients do not resend those either
 *    (reference/providers.md §10).
 *  - RETRY_IDEMPOTENT, polls, result fetches, cancels, and the synchronous
 *    calls whose official SDKs resend them (OpenAI, Google, fal queue
 *    submit per fal-js): 429/502/503/504 (not fal's "user" 504) and
 *    transport failures.
 * Waits: Retry-After / retry-after-ms / rate-limit resets when the answer
 * gives one, else jittered exponential backoff; never past the deadline.
 */
#ifndef SF_RETRY_H
#define SF_RETRY_H

#include <stdint.h>
#include <time.h>

struct http_resp;

enum retry_kind {
	RETRY_NONE = 0,		/* one attempt */
	RETRY_IDEMPOTENT = 1,	/* safe to send again */
	RETRY_SUBMIT = 2	/* billable: only when nothing was created */
};

/*
 * Whether the outcome of one attempt may be sent again under kind: rc is
 * http_do's return, r its response (status, fail, headers).
 */
int		 retry_should(enum retry_kind, int rc, const struct http_resp *);

/* Retry-After: delta seconds or an IMF-fixdate; -1 when absent/garbage. */
int64_t		 retry_after_ms(const char *value, time_t now);
/*
 * Rate-limit reset: unix time (Venice requests), seconds (tokens, BFL),
 * or a Go-style duration "1m30s", "250ms" (OpenAI).  -1 if unknown.
 */
int64_t		 retry_reset_ms(const char *value, time_t now);
/* Wait before attempt n+1 (n >= 0): hint if > 0 (capped 60 s, +0-250 ms),
   else base*2^n (capped 30 s) +-25 %. */
int64_t		 retry_backoff_ms(int n, long base_ms, int64_t hint_ms,
		    uint32_t rnd);
/* Whether a status (with fal's timeout-type header value) is retryable
   for an idempotent request. */
int		 retry_status(long status, const char *timeout_type);
/* The wait an answer asks for (retry-after-ms, Retry-After, then the
   rate-limit resets of a 429); -1 when none. */
int64_t		 retry_hint_ms(const struct http_resp *, time_t now);

#endif
