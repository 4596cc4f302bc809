#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "http/httpc.h"

static pthread_once_t	 httpc_once = PTHREAD_ONCE_INIT;
static CURLcode		 httpc_init_rc = CURLE_FAILED_INIT;

static void
httpc_global(void)
{
	httpc_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
httpc_init(void)
{
	pthread_once(&httpc_once, httpc_global);
	return httpc_init_rc == CURLE_OK ? 0 : -1;
}

static size_t
httpc_write(char *p, size_t sz, size_t n, void *arg)
{
	struct buf	*b = arg;

	/* Cap replies: a facilitator or node never needs more than this. */
	if (b->len + sz * n > 8 * 1024 * 1024)
		return 0;
	if (buf_append(b, p, sz * n) == -1)
		return 0;
	return sz * n;
}

int
httpc_do(const struct httpc_req *r, long *status, struct buf *resp,
    struct sf_err *err)
{
	CURL			*c;
	struct curl_slist	*hl = NULL, *nl;
	CURLcode		 rc;
	size_t			 i;
	int			 ret = -1;

	*status = 0;
	if (httpc_init() == -1)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "curl_global_init failed");
	if ((c = curl_easy_init()) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "curl_easy_init failed");
	for (i = 0; r->headers != NULL && r->headers[i] != NULL; i++) {
		if ((nl = curl_slist_append(hl, r->headers[i])) == NULL)
			goto oom;
		hl = nl;
	}
	if (r->body != NULL) {
		if ((nl = curl_slist_append(hl,
		    "Content-Type: application/json")) == NULL)
			goto oom;
		hl = nl;
	}
	if ((nl = curl_slist_append(hl, "Accept: application/json")) == NULL)
		goto oom;
	hl = nl;
	/* No "Expect: 100-continue" round trip on larger bodies. */
	if ((nl = curl_slist_append(hl, "Expect:")) == NULL)
		goto oom;
	hl = nl;

	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);	/* threads */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    r->connect_ms > 0 ? r->connect_ms : 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    r->total_ms > 0 ? r->total_ms : 30000L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, httpc_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "synthforge/1");
	if (r->follow) {
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
		curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		/* x402 PR #1813: a 308 must re-POST the same body. */
		curl_easy_setopt(c, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
	}
	if (r->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
	} else if (r->method != NULL && strcmp(r->method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);

	/* Messages never carry the URL: RPC URLs often embed an API key. */
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		if (resp->oom)
			sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
		else
			ret = 0;
	} else if (rc == CURLE_OPERATION_TIMEDOUT)
		sf_err_set(err, 504, "http_timeout", NULL, "%s",
		    curl_easy_strerror(rc));
	else
		sf_err_set(err, 502, "http_transport", NULL, "%s",
		    curl_easy_strerror(rc));
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return ret;
oom:
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return sf_err_set(err, 500, "internal_error", NULL, "out of memory");
}
