#include <stdlib.h>
#include <string.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "http/http.h"
#include "media/fetch.h"

void
fetch_free(struct fetch_resp *r)
{
	if (r == NULL)
		return;
	free(r->data);
	free(r->location);
	memset(r, 0, sizeof(*r));
}

/* A GET over the one transport; the media codes for its failures. */
int
fetch_get(const struct fetch_req *q, struct fetch_resp *r,
    struct sf_err *err)
{
	struct http_req		 hq;
	struct http_resp	 h;
	struct sf_err		 e;
	int			 ret = -1;

	memset(r, 0, sizeof(*r));
	if (q->deadline_ms - http_now_ms() <= 0) {
		r->timedout = 1;
		return sf_err_set(err, 504, "fetch_timeout", NULL,
		    "no time left to download");
	}
	memset(&hq, 0, sizeof(hq));
	hq.url = q->url;
	hq.deadline_ms = q->deadline_ms;
	hq.connect_ms = 10000;
	hq.max_body = q->max;
	hq.resolve = q->resolve;
	hq.noproxy = q->noproxy;
	hq.follow = q->follow;
	sf_err_clear(&e);
	if (http_do(&hq, &h, &e) == -1) {
		switch (h.fail) {
		case HTTP_TOOLARGE:
			r->toolarge = 1;
			sf_err_set(err, 413, "fetch_too_large", NULL,
			    "larger than %zu bytes", q->max);
			break;
		case HTTP_TIMEOUT:
			r->timedout = 1;
			sf_err_set(err, 504, "fetch_timeout", NULL,
			    "timed out");
			break;
		case HTTP_LOCAL:
			sf_err_set(err, 500, "internal_error", NULL, "%s",
			    e.message);
			break;
		default:
			sf_err_set(err, 502, "fetch_failed", NULL, "%s",
			    e.message);
		}
		goto out;
	}
	r->status = h.status;
	r->location = h.location;
	h.location = NULL;
	/* Always a NUL-terminated buffer, even for an empty answer. */
	if ((r->data = (unsigned char *)buf_steal(&h.body, &r->len)) ==
	    NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		goto out;
	}
	ret = 0;
out:
	http_resp_free(&h);
	return ret;
}
