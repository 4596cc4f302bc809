#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "http/http.h"
#include "http/httpc.h"

#define HTTP_DEF_CAP	(64UL * 1024 * 1024)
#define HTTP_MAX_BACKOFF 30000	/* ms, without a server hint */
#define HTTP_MAX_HINT	60000	/* ms, a server hint we still honour */

int64_t
http_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
http_sleep_ms(int64_t ms, int64_t deadline_ms)
{
	struct timespec	 ts;
	int64_t		 left;

	left = deadline_ms - http_now_ms();
	if (left <= 0)
		return -1;
	if (ms > left)
		ms = left;
	if (ms <= 0)
		return 0;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
	return http_now_ms() < deadline_ms ? 0 : -1;
}

int64_t
http_retry_after_ms(const char *v, time_t now)
{
	struct tm	 tm;
	const char	*p;
	char		*end;
	long long	 s;
	time_t		 t;

	if (v == NULL)
		return -1;
	while (*v == ' ')
		v++;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		s = strtoll(v, &end, 10);
		while (*end == ' ')
			end++;
		if (errno != 0 || *end != '\0' || s > 86400)
			return -1;
		return s * 1000;
	}
	/* IMF-fixdate, the only date form RFC 9110 senders may use. */
	memset(&tm, 0, sizeof(tm));
	p = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (p == NULL || *p != '\0')
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	return t <= now ? 0 : (int64_t)(t - now) * 1000;
}

int64_t
http_reset_ms(const char *v, time_t now)
{
	double		 n, total = 0;
	char		*end;
	int		 any = 0;

	if (v == NULL)
		return -1;
	while (*v == ' ')
		v++;
	errno = 0;
	n = strtod(v, &end);
	if (end == v || errno != 0 || n < 0)
		return -1;
	if (*end == '\0') {
		/* A bare number this large is a unix time, else seconds. */
		if (n > 1e9)
			return n <= (double)now ? 0 :
			    (int64_t)((n - (double)now) * 1000);
		return n > 86400 ? -1 : (int64_t)(n * 1000);
	}
	/* Go duration: 1h2m3.5s, 250ms. */
	while (*v != '\0') {
		errno = 0;
		n = strtod(v, &end);
		if (end == v || errno != 0 || n < 0)
			return -1;
		if (strncmp(end, "ms", 2) == 0) {
			total += n;
			end += 2;
		} else if (*end == 'h') {
			total += n * 3600000;
			end++;
		} else if (*end == 'm') {
			total += n * 60000;
			end++;
		} else if (*end == 's') {
			total += n * 1000;
			end++;
		} else
			return -1;
		any = 1;
		v = end;
	}
	if (!any || total > 86400000.0)
		return -1;
	return (int64_t)total;
}

int64_t
http_backoff_ms(int n, long base_ms, int64_t hint_ms, uint32_t rnd)
{
	int64_t	 d, j;

	if (hint_ms > 0)
		/* A little spread so a herd told "1 s" does not return as one. */
		return (hint_ms > HTTP_MAX_HINT ? HTTP_MAX_HINT : hint_ms) +
		    (int64_t)(rnd % 251);
	if (base_ms <= 0)
		base_ms = 1000;
	d = base_ms;
	while (n-- > 0 && d < HTTP_MAX_BACKOFF)
		d *= 2;
	if (d > HTTP_MAX_BACKOFF)
		d = HTTP_MAX_BACKOFF;
	/* +-25 % jitter. */
	j = d / 2;
	if (j > 0)
		d = d - d / 4 + (int64_t)(rnd % (uint32_t)(j + 1));
	return d;
}

int
http_status_retryable(long status, const char *timeout_type)
{
	switch (status) {
	case 429:
	case 502:
	case 503:
		return 1;
	case 504:
		/*
		 * fal: the caller's own start timeout expired; a retry
		 * would only start the clock (and the bill) again.
		 */
		return timeout_type == NULL ||
		    strcasecmp(timeout_type, "user") != 0;
	default:
		return 0;
	}
}

static int
http_transport_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

const char *
http_header(const struct http_resp *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0)
			return r->hdrs[i].value;
	return NULL;
}

int64_t
http_hint_ms(const struct http_resp *r, time_t now)
{
	static const char *const resets[] = {
		"x-ratelimit-reset-requests", "x-ratelimit-reset",
		"ratelimit-reset", "x-ratelimit-reset-tokens", NULL
	};
	const char	*v;
	int64_t		 ms;
	size_t		 i;

	if ((v = http_header(r, "retry-after-ms")) != NULL &&
	    (ms = strtoll(v, NULL, 10)) > 0)
		return ms;
	if ((ms = http_retry_after_ms(http_header(r, "retry-after"),
	    now)) >= 0)
		return ms;
	/* Resets only mean "wait" when we were actually limited. */
	if (r->status != 429)
		return -1;
	for (i = 0; resets[i] != NULL; i++)
		if ((ms = http_reset_ms(http_header(r, resets[i]), now)) >= 0)
			return ms;
	return -1;
}

static void
http_hdrs_clear(struct http_resp *r)
{
	size_t	 i;

	for (i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	r->nhdrs = 0;
}

void
http_resp_free(struct http_resp *r)
{
	if (r == NULL)
		return;
	http_hdrs_clear(r);
	buf_free(&r->body);
}

struct http_ctx {
	struct http_resp	*r;
	size_t			 cap;
};

static size_t
http_write(char *p, size_t sz, size_t n, void *arg)
{
	struct http_ctx	*c = arg;

	if (c->r->body.len + sz * n > c->cap) {
		c->r->toolarge = 1;
		return 0;
	}
	if (buf_append(&c->r->body, p, sz * n) == -1)
		return 0;
	return sz * n;
}

static size_t
http_header_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct http_ctx	*c = arg;
	struct http_resp *r = c->r;
	size_t		 len = sz * n, i, nl, vl;
	const char	*colon, *v;

	/* A new status line (redirect, 100, retry): start over. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		http_hdrs_clear(r);
		return len;
	}
	if ((colon = memchr(p, ':', len)) == NULL || r->nhdrs == HTTP_MAX_HDRS)
		return len;
	nl = (size_t)(colon - p);
	v = colon + 1;
	vl = len - nl - 1;
	while (vl > 0 && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' ||
	    v[vl - 1] == ' '))
		vl--;
	if (nl == 0 || nl > 128 || vl > 1024)
		return len;
	if ((r->hdrs[r->nhdrs].name = strndup(p, nl)) == NULL)
		return 0;
	if ((r->hdrs[r->nhdrs].value = strndup(v, vl)) == NULL) {
		free(r->hdrs[r->nhdrs].name);
		return 0;
	}
	for (i = 0; i < nl; i++)
		r->hdrs[r->nhdrs].name[i] =
		    (char)tolower((unsigned char)r->hdrs[r->nhdrs].name[i]);
	r->nhdrs++;
	return len;
}

/* One attempt.  Returns the curl code; resp filled. */
static CURLcode
http_once(const struct http_req *q, struct curl_slist *hl,
    struct http_resp *r, int64_t left)
{
	struct http_ctx	 c;
	CURL		*h;
	CURLcode	 rc;
	const char	*m = q->method != NULL ? q->method : "GET";

	buf_reset(&r->body);
	http_hdrs_clear(r);
	r->status = 0;
	r->toolarge = 0;
	c.r = r;
	c.cap = q->max_body > 0 ? q->max_body : HTTP_DEF_CAP;
	if ((h = curl_easy_init()) == NULL)
		return CURLE_FAILED_INIT;
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    left < 15000 ? (long)left : 15000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &c);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "synthforge/1");
	if (q->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(q->bodylen ? q->bodylen :
		    strlen((const char *)q->body)));
	}
	if (strcmp(m, "POST") == 0) {
		if (q->body == NULL)
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	} else if (strcmp(m, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(h);
	r->attempts++;
	return rc;
}

int
http_do(const struct http_req *q, struct http_resp *r, struct sf_err *err)
{
	struct curl_slist	*hl = NULL, *nl;
	char			 ct[160];
	CURLcode		 rc;
	int64_t			 left, wait, hint;
	size_t			 i;
	int			 n, retry, ret = -1;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	if (httpc_init() == -1)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "curl_global_init failed");
	for (i = 0; q->headers != NULL && q->headers[i] != NULL; i++) {
		if ((nl = curl_slist_append(hl, q->headers[i])) == NULL)
			goto oom;
		hl = nl;
	}
	if (q->body != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s",
		    q->ctype != NULL ? q->ctype : "application/json");
		if ((nl = curl_slist_append(hl, ct)) == NULL)
			goto oom;
		hl = nl;
	}
	if ((nl = curl_slist_append(hl, "Expect:")) == NULL)
		goto oom;
	hl = nl;

	for (n = 0;; n++) {
		left = q->deadline_ms - http_now_ms();
		if (left <= 0) {
			sf_err_set(err, 504, "upstream_timeout", NULL,
			    "the provider did not answer in time");
			break;
		}
		rc = http_once(q, hl, r, left);
		if (rc == CURLE_OK) {
			if (r->body.oom)
				goto oom;
			retry = http_status_retryable(r->status,
			    http_header(r, "x-fal-request-timeout-type"));
		} else if (rc == CURLE_OPERATION_TIMEDOUT) {
			sf_err_set(err, 504, "upstream_timeout", NULL,
			    "the provider did not answer in time");
			break;
		} else if (rc == CURLE_WRITE_ERROR && r->toolarge) {
			sf_err_set(err, 502, "upstream_error", NULL,
			    "the provider's answer exceeded our size cap");
			break;
		} else if (rc == CURLE_WRITE_ERROR || rc == CURLE_OUT_OF_MEMORY ||
		    rc == CURLE_FAILED_INIT)
			goto oom;
		else
			retry = http_transport_retryable(rc);

		if (retry && n < q->retries) {
			hint = rc == CURLE_OK ?
			    http_hint_ms(r, time(NULL)) : -1;
			wait = http_backoff_ms(n, q->backoff_ms, hint,
			    arc4random());
			if (q->max_wait_ms > 0 && wait > q->max_wait_ms)
				wait = q->max_wait_ms;
			/* Waiting past the deadline buys nothing. */
			if (http_now_ms() + wait < q->deadline_ms - 100) {
				http_sleep_ms(wait, q->deadline_ms);
				continue;
			}
		}
		if (rc == CURLE_OK) {
			ret = 0;
			break;
		}
		/* Never the URL: some carry keys in their query. */
		sf_err_set(err, 502, "upstream_error", NULL,
		    "could not reach the provider (%s)", curl_easy_strerror(rc));
		break;
	}
	curl_slist_free_all(hl);
	return ret;
oom:
	curl_slist_free_all(hl);
	return sf_err_set(err, 500, "internal_error", NULL, "out of memory");
}
