/*
 * The one outbound HTTP transport of the core (libcurl): every transfer of
 * providers, the facilitator and chain RPC (httpc.h), media downloads
 * (media/fetch.c) and media stores goes through http_do, the one place
 * a libcurl transfer is performed.  One request, one attempt: NO retries here --
 * whether a failed request may be sent again is the caller's policy (a
 * billable job submit must not be, a poll may).  Nothing here logs; error
 * messages never carry the URL (some embed keys) nor header values.
 *
 * Connections: each thread keeps one libcurl handle whose connections
 * stay open between its calls (idle ones up to 4 s), freed when the thread
 * exits.  libcurl resends a request by itself when a kept connection
 * closes before any byte of the answer; a request with a body never
 * reaches a server twice that way (the resend fails, HTTP_TRANSPORT), a
 * bodiless one other than GET/HEAD always gets a new connection, and a
 * GET/HEAD may be resent (both are safe to repeat).  A request with
 * resolve or noproxy (the SSRF guard's fetch of a caller's URL) always
 * gets a new connection of its own, closed after: a kept connection to
 * another address is never used for it.
 */
#ifndef SF_HTTP_H
#define SF_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "basics/buf.h"

struct sf_err;

#define HTTP_MAX_HDRS	48

struct http_req {
	const char		*method;	/* "GET" (default), "POST", "PUT", ... */
	const char		*url;		/* absolute http(s) URL */
	const void		*body;		/* NULL = none */
	size_t			 bodylen;	/* 0 with body = strlen(body) */
	const char		*ctype;		/* body type, default JSON; "" = none */
	const char *const	*headers;	/* "Name: value", NULL-terminated */
	/* Time: an absolute deadline (http_now_ms clock) and/or a total. */
	int64_t			 deadline_ms;	/* 0 = none (then total_ms) */
	long			 total_ms;	/* 0 = none (then the deadline) */
	long			 connect_ms;	/* 0 = min(time left, 15 s) */
	size_t			 max_body;	/* response cap (bytes), 0 = 64 MiB;
						   also checked on Content-Length */
	const char		*resolve;	/* "host:port:addr" pin, or NULL */
	int			 noproxy;	/* ignore the *_proxy environment */
	int			 follow;	/* redirects followed (308 re-POSTs),
						   0 = a 3xx is handed back */
};

struct http_hdr {
	char	*name;		/* lower case */
	char	*value;		/* trimmed */
};

/* Why a transfer gave no HTTP answer: what a caller's policy needs. */
enum http_fail {
	HTTP_OK = 0,		/* an HTTP answer came (any status) */
	HTTP_TIMEOUT,		/* the deadline or a timeout passed */
	HTTP_UNSENT,		/* no connection: nothing of the request was sent */
	HTTP_TRANSPORT,		/* broke after (part of) the request was sent */
	HTTP_TOOLARGE,		/* the answer (or its Content-Length) over max_body */
	HTTP_LOCAL		/* out of memory, curl init, bad options */
};

struct http_resp {
	long		 status;	/* 0 when no HTTP answer */
	struct buf	 body;		/* NUL-terminated when non-empty */
	struct http_hdr	 hdrs[HTTP_MAX_HDRS];	/* of the last answer */
	size_t		 nhdrs;
	char		*location;	/* a 3xx's target (absolute), or NULL */
	enum http_fail	 fail;
};

/* Call once from main before threads start (curl_global_init); idempotent. */
int		 http_init(void);
/* Monotonic milliseconds: the clock every deadline in the core uses. */
int64_t		 http_now_ms(void);
/* Sleep until min(now + ms, deadline); returns -1 if the deadline passed. */
int		 http_sleep_ms(int64_t ms, int64_t deadline_ms);

/*
 * Perform one transfer.  Returns 0 with resp->status set on any HTTP
 * answer (4xx/5xx included), else -1 with resp->fail set and err set:
 * HTTP_TIMEOUT 504 "http_timeout", HTTP_UNSENT and HTTP_TRANSPORT 502
 * "http_transport", HTTP_TOOLARGE 413 "http_too_large", HTTP_LOCAL 500
 * "internal_error"; the message is curl's text of the failure.  resp is
 * initialised here; free it with http_resp_free on every path.
 */
int		 http_do(const struct http_req *, struct http_resp *,
		    struct sf_err *);
void		 http_resp_free(struct http_resp *);
/* Header value by (case-insensitive) name, or NULL. */
const char	*http_header(const struct http_resp *, const char *name);

/*
 * An absolute URL split by curl's parser (CURLU), for the SSRF guard and
 * the S3 signer.  Every string is malloc'd (NULL when absent); host keeps
 * an IPv6 literal's brackets; port is the scheme's default when absent;
 * path starts with "/".  Returns 0, or -1 when the text is not an
 * absolute URL with a scheme (err 400 "url_invalid") or on OOM (500).
 */
struct http_url {
	char	*scheme, *user, *password, *host, *zoneid, *path, *query;
	long	 port;
};
int		 http_url_parse(const char *url, struct http_url *,
		    struct sf_err *);
void		 http_url_free(struct http_url *);

#endif
