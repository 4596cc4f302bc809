#include <string.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "http/http.h"
#include "http/httpc.h"

/* A facilitator or node never needs a larger answer than this. */
#define HTTPC_CAP	(8UL * 1024 * 1024)

int
httpc_init(void)
{
	return http_init();
}

int
httpc_do(const struct httpc_req *r, long *status, struct buf *resp,
    struct sf_err *err)
{
	static const size_t	 nmax = 30;
	const char		*hdrs[32];
	struct http_req		 q;
	struct http_resp	 h;
	size_t			 i, n = 0;
	int			 ret;

	*status = 0;
	for (i = 0; r->headers != NULL && r->headers[i] != NULL; i++) {
		if (n == nmax)
			return sf_err_set(err, 500, "internal_error", NULL,
			    "too many request headers");
		hdrs[n++] = r->headers[i];
	}
	hdrs[n++] = "Accept: application/json";
	hdrs[n] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = r->body != NULL ? "POST" : r->method;
	q.url = r->url;
	q.body = r->body;
	q.headers = hdrs;
	q.connect_ms = r->connect_ms > 0 ? r->connect_ms : 5000L;
	q.total_ms = r->total_ms > 0 ? r->total_ms : 30000L;
	q.max_body = HTTPC_CAP;
	q.follow = r->follow ? 3 : 0;
	/* Messages never carry the URL: RPC URLs often embed an API key. */
	ret = http_do(&q, &h, err);
	if (ret == 0) {
		*status = h.status;
		if (h.body.len > 0 &&
		    buf_append(resp, h.body.p, h.body.len) == -1)
			ret = sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
	} else if (h.fail == HTTP_TOOLARGE)
		/* Settlement treats an oversized answer as a broken one. */
		sf_err_set(err, 502, "http_transport", NULL,
		    "the answer is larger than %lu bytes", HTTPC_CAP);
	http_resp_free(&h);
	return ret;
}
