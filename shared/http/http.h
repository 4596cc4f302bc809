/*
 * Outbound calls to generative-media providers over libcurl: JSON (or
 * other) bodies, an absolute deadline, captured response headers, a body
 * cap, and bounded retries of 429/502/503/504 and dropped connections with
 * jittered exponential backoff that honours Retry-After and rate-limit
 * resets -- never past the deadline, never for fal's "user" 504.
 * Nothing here logs; callers must not put header values (keys) in errors.
 */
#ifndef SF_HTTP_H
#define SF_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "basics/buf.h"

struct sf_err;

#define HTTP_MAX_HDRS	48

struct http_req {
	const char		*method;	/* "GET" (default), "POST", "PUT" */
	const char		*url;
	const void		*body;		/* NULL = none */
	size_t			 bodylen;	/* 0 with body = strlen(body) */
	const char		*ctype;		/* body type, default JSON */
	const char *const	*headers;	/* "Name: value", NULL-terminated */
	int64_t			 deadline_ms;	/* absolute, http_now_ms() clock */
	size_t			 max_body;	/* response cap, 0 = 64 MiB */
	int			 retries;	/* extra attempts allowed, 0 = none */
	long			 backoff_ms;	/* first backoff, 0 = 1000 */
	long			 max_wait_ms;	/* per-call cap, 0 = none */
};

struct http_hdr {
	char	*name;		/* lower case */
	char	*value;		/* trimmed */
};

struct http_resp {
	long		 status;	/* 0 when no HTTP answer */
	struct buf	 body;
	struct http_hdr	 hdrs[HTTP_MAX_HDRS];
	size_t		 nhdrs;
	int		 attempts;	/* requests actually sent */
	int		 toolarge;	/* body exceeded max_body */
};

/* Monotonic milliseconds: the clock every deadline in the core uses. */
int64_t		 http_now_ms(void);
/* Sleep until min(now + ms, deadline); returns -1 if the deadline passed. */
int		 http_sleep_ms(int64_t ms, int64_t deadline_ms);

/*
 * Perform the request, retrying per the policy above.  Returns 0 with
 * resp->status set on any HTTP answer (the last one when retries ran out),
 * -1 with err set on a transport failure (502 upstream_error), the
 * deadline (504 upstream_timeout), an oversized body (502) or a local
 * error (500).  resp is initialised here; free it with http_resp_free.
 */
int		 http_do(const struct http_req *, struct http_resp *,
		    struct sf_err *);
void		 http_resp_free(struct http_resp *);
/* Header value by (case-insensitive) name, or NULL. */
const char	*http_header(const struct http_resp *, const char *name);

/* Pure policy pieces, exported for the unit tests. */
/* Retry-After: delta seconds or an HTTP-date; -1 when absent/garbage. */
int64_t		 http_retry_after_ms(const char *value, time_t now);
/*
 * Rate-limit reset: unix time (Venice requests), seconds (tokens,
 * BFL), or a Go-style duration "1m30s", "250ms" (OpenAI).  -1 if unknown.
 */
int64_t		 http_reset_ms(const char *value, time_t now);
/* Wait before attempt n+1 (n >= 0): hint if > 0, else base*2^n +-25 %. */
int64_t		 http_backoff_ms(int n, long base_ms, int64_t hint_ms,
		    uint32_t rnd);
/* Whether a status (with fal's timeout-type header value) is retryable. */
int		 http_status_retryable(long status, const char *timeout_type);
/* The wait a response asks for (Retry-After, then rate-limit resets). */
int64_t		 http_hint_ms(const struct http_resp *, time_t now);

#endif
