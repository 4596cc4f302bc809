#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "basics/err.h"
#include "media/fetch.h"
#include "http/http.h"

struct fetch_ctx {
	struct fetch_resp	*r;
	size_t			 cap;
	size_t			 max;
	int			 oom;
};

static size_t
fetch_write(char *p, size_t sz, size_t n, void *arg)
{
	struct fetch_ctx	*c = arg;
	unsigned char		*np;
	size_t			 len = sz * n, ncap;

	if (len > c->max - c->r->len) {
		c->r->toolarge = 1;
		return 0;
	}
	if (c->r->len + len + 1 > c->cap) {
		ncap = c->cap ? c->cap : 64 * 1024;
		while (ncap < c->r->len + len + 1)
			ncap *= 2;
		if ((np = realloc(c->r->data, ncap)) == NULL) {
			c->oom = 1;
			return 0;
		}
		c->r->data = np;
		c->cap = ncap;
	}
	memcpy(c->r->data + c->r->len, p, len);
	c->r->len += len;
	c->r->data[c->r->len] = '\0';
	return len;
}

void
fetch_free(struct fetch_resp *r)
{
	if (r == NULL)
		return;
	free(r->data);
	free(r->location);
	memset(r, 0, sizeof(*r));
}

int
fetch_get(const struct fetch_req *q, struct fetch_resp *r,
    struct sf_err *err)
{
	CURL			*h;
	CURLcode		 rc;
	struct curl_slist	*res = NULL;
	struct fetch_ctx	 c;
	int64_t			 left;
	char			*loc = NULL;
	int			 ret = -1;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.max = q->max;
	left = q->deadline_ms - http_now_ms();
	if (left <= 0) {
		r->timedout = 1;
		return sf_err_set(err, 504, "fetch_timeout", NULL,
		    "no time left to download");
	}
	if ((h = curl_easy_init()) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "curl_easy_init failed");
	if (q->resolve != NULL &&
	    (res = curl_slist_append(NULL, q->resolve)) == NULL) {
		curl_easy_cleanup(h);
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	}
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(left < 10000 ? left : 10000));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "synthforge/1");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
	/* Refuse early on an announced size; fetch_write caps the rest. */
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)q->max);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, q->follow > 0 ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)q->follow);
	if (res != NULL)
		curl_easy_setopt(h, CURLOPT_RESOLVE, res);
	if (q->noproxy)
		curl_easy_setopt(h, CURLOPT_PROXY, "");

	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (rc == CURLE_FILESIZE_EXCEEDED)
		r->toolarge = 1;
	if (c.oom)
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
	else if (r->toolarge)
		sf_err_set(err, 413, "fetch_too_large", NULL,
		    "larger than %zu bytes", q->max);
	else if (rc == CURLE_OPERATION_TIMEDOUT) {
		r->timedout = 1;
		sf_err_set(err, 504, "fetch_timeout", NULL, "timed out");
	} else if (rc != CURLE_OK)
		sf_err_set(err, 502, "fetch_failed", NULL, "%s",
		    curl_easy_strerror(rc));
	else {
		if (r->status >= 300 && r->status < 400 &&
		    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) ==
		    CURLE_OK && loc != NULL &&
		    (r->location = strdup(loc)) == NULL) {
			sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
			goto out;
		}
		ret = 0;
	}
out:
	curl_slist_free_all(res);
	curl_easy_cleanup(h);
	return ret;
}
