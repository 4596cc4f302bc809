#include <stdlib.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "media/fetch.h"
#include "media/media.h"

/*
 * Upstream result URLs come from the configured provider, not the caller,
 * so redirects are followed (CDNs use them) without the SSRF guard.
 */
int
media_fetch(const struct cfg *c, const char *url, int64_t deadline_ms,
    unsigned char **data, size_t *len, struct sf_err *err)
{
	struct fetch_req	 q;
	struct fetch_resp	 r;
	struct sf_err		 e;
	long			 st;

	*data = NULL;
	*len = 0;
	if (url == NULL || (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0))
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "the provider returned no usable result URL");
	memset(&q, 0, sizeof(q));
	q.url = url;
	q.follow = 3;
	q.max = media_cap(c, "video");
	q.deadline_ms = deadline_ms;
	sf_err_clear(&e);
	if (fetch_get(&q, &r, &e) == -1) {
		fetch_free(&r);
		if (e.status == 504)
			return sf_err_set(err, 504, "upstream_timeout", NULL,
			    "downloading the result ran past the deadline");
		if (e.status == 413)
			return sf_err_set(err, 502, "upstream_error", NULL,
			    "the result is larger than %zu bytes", q.max);
		if (e.status == 500)
			return sf_err_set(err, 500, "internal_error", NULL,
			    "%s", e.message);
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "downloading the result failed: %s", e.message);
	}
	st = r.status;
	if (st == 403 || st == 404 || st == 410) {
		fetch_free(&r);
		return sf_err_set(err, 502, "upstream_result_expired", NULL,
		    "the provider's result URL is gone (HTTP %ld); the "
		    "result expired before it could be stored", st);
	}
	if (st < 200 || st >= 300 || r.len == 0) {
		fetch_free(&r);
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "downloading the result answered HTTP %ld%s", st,
		    st >= 200 && st < 300 ? " with no bytes" : "");
	}
	*data = r.data;
	*len = r.len;
	r.data = NULL;
	fetch_free(&r);
	return 0;
}
