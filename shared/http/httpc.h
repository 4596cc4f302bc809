/*
 * Minimal blocking HTTP client over libcurl for our outbound JSON calls
 * (facilitator, JSON-RPC).  A transport failure (DNS, connect, timeout,
 * reset) is reported apart from an HTTP answer: callers must treat it as
 * "unknown", not "refused", when the request may have had effects.
 */
#ifndef SF_HTTPC_H
#define SF_HTTPC_H

struct buf;
struct sf_err;

struct httpc_req {
	const char		*method;	/* "GET" or "POST" */
	const char		*url;
	const char		*body;		/* POST body (JSON), NULL for GET */
	const char *const	*headers;	/* extra "Name: value", NULL-terminated */
	long			 connect_ms;	/* 0 = 5000 */
	long			 total_ms;	/* 0 = 30000 */
	int			 follow;	/* follow redirects, re-POST on 301/302/303/307/308 */
};

/*
 * Perform the request; the response body goes to resp.  Returns 0 with
 * *status set on any HTTP answer, -1 on a transport failure (err->code
 * "http_timeout" or "http_transport") or a local error ("internal_error").
 */
int	httpc_do(const struct httpc_req *, long *status, struct buf *resp,
	    struct sf_err *);
/* Call once from main before threads start (curl_global_init); idempotent. */
int	httpc_init(void);

#endif
