#include <ctype.h>
#include <errno.h>
#include <pthread.h>
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

#define HTTP_DEF_CAP	(64UL * 1024 * 1024)

/* Idle kept connections older than this are not reused: below the
 * keep-alive timeouts servers commonly use (Node 5 s), as undici does. */
#define HTTP_MAXAGE_S	4L

static pthread_once_t	 http_once = PTHREAD_ONCE_INIT;
static CURLcode		 http_init_rc = CURLE_FAILED_INIT;
/* Each thread's kept easy handle: its connection cache outlives a call. */
static pthread_key_t	 http_key;
static int		 http_key_ok;

static void
http_key_free(void *h)
{
	curl_easy_cleanup(h);
}

static void
http_global(void)
{
	http_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	http_key_ok = pthread_key_create(&http_key, http_key_free) == 0;
}

int
http_init(void)
{
	pthread_once(&http_once, http_global);
	return http_init_rc == CURLE_OK ? 0 : -1;
}

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

const char *
http_header(const struct http_resp *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0)
			return r->hdrs[i].value;
	return NULL;
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
	free(r->location);
	r->location = NULL;
}

struct http_ctx {
	struct http_resp	*r;
	size_t			 cap;
	int			 toolarge;
	int			 oom;
	const unsigned char	*body;		/* the request body, read out */
	size_t			 bodylen, off;
	int			 answered;	/* an answer began this attempt */
};

/* The request body, handed to libcurl piece by piece. */
static size_t
http_read(char *p, size_t sz, size_t n, void *arg)
{
	struct http_ctx	*c = arg;
	size_t		 k = c->bodylen - c->off;

	if (k > sz * n)
		k = sz * n;
	memcpy(p, c->body + c->off, k);
	c->off += k;
	return k;
}

/*
 * Sending the body again: allowed after an answer (a redirect re-POSTs),
 * refused otherwise.  libcurl resends a request by itself when a kept
 * connection closes before any byte of the answer; the server may have
 * acted on it (a settlement, a billable submit), so that resend fails
 * (CURLE_SEND_FAIL_REWIND) and the caller sees a broken transfer, as on a
 * new connection: one request, one attempt.
 */
static int
http_seek(void *arg, curl_off_t off, int origin)
{
	struct http_ctx	*c = arg;

	if (!c->answered || origin != SEEK_SET || off != 0)
		return CURL_SEEKFUNC_FAIL;
	c->off = 0;
	c->answered = 0;
	return CURL_SEEKFUNC_OK;
}

static size_t
http_write(char *p, size_t sz, size_t n, void *arg)
{
	struct http_ctx	*c = arg;

	if (sz * n > c->cap - c->r->body.len) {
		c->toolarge = 1;
		return 0;
	}
	if (buf_append(&c->r->body, p, sz * n) == -1) {
		c->oom = 1;
		return 0;
	}
	return sz * n;
}

static size_t
http_header_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct http_ctx	*c = arg;
	struct http_resp *r = c->r;
	size_t		 len = sz * n, i, nl, vl;
	const char	*colon, *v;

	c->answered = 1;
	/* A new status line (redirect, 100): keep the last answer's only. */
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
	if ((r->hdrs[r->nhdrs].name = strndup(p, nl)) == NULL) {
		c->oom = 1;
		return 0;
	}
	if ((r->hdrs[r->nhdrs].value = strndup(v, vl)) == NULL) {
		free(r->hdrs[r->nhdrs].name);
		c->oom = 1;
		return 0;
	}
	for (i = 0; i < nl; i++)
		r->hdrs[r->nhdrs].name[i] =
		    (char)tolower((unsigned char)r->hdrs[r->nhdrs].name[i]);
	r->nhdrs++;
	return len;
}

static int
http_list(struct curl_slist **hl, const char *line)
{
	struct curl_slist	*nl;

	if ((nl = curl_slist_append(*hl, line)) == NULL)
		return -1;
	*hl = nl;
	return 0;
}

/* The request headers: the caller's, the body's type, no Expect. */
static int
http_headers(const struct http_req *q, struct curl_slist **hl)
{
	char	 ct[160];
	size_t	 i;

	for (i = 0; q->headers != NULL && q->headers[i] != NULL; i++)
		if (http_list(hl, q->headers[i]) == -1)
			return -1;
	if (q->body != NULL && (q->ctype == NULL || *q->ctype != '\0')) {
		snprintf(ct, sizeof(ct), "Content-Type: %s",
		    q->ctype != NULL ? q->ctype : "application/json");
		if (http_list(hl, ct) == -1)
			return -1;
	}
	/* No "Expect: 100-continue" round trip on larger bodies. */
	return http_list(hl, "Expect:");
}

/* Time left in ms for this transfer, <= 0 when none. */
static int64_t
http_left(const struct http_req *q)
{
	int64_t	 left = -1;

	if (q->deadline_ms > 0)
		left = q->deadline_ms - http_now_ms();
	if (q->total_ms > 0 && (left < 0 || q->total_ms < left))
		left = q->total_ms;
	if (q->deadline_ms <= 0 && q->total_ms <= 0)
		left = 30000;
	return left;
}

/* The body (POST, or PUT & co. through CUSTOMREQUEST), read out by
 * http_read, not POSTFIELDS, so that http_seek decides on a resend. */
static void
http_setbody(CURL *h, const struct http_req *q, struct http_ctx *c)
{
	const char	*m = q->method != NULL ? q->method : "GET";

	if (q->body != NULL) {
		c->body = q->body;
		c->bodylen = q->bodylen ? q->bodylen :
		    strlen((const char *)q->body);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		/* The smallest upload buffer (default 64 KiB): it stays with
		 * the thread's kept handle, 256 threads at once. */
		curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, http_read);
		curl_easy_setopt(h, CURLOPT_READDATA, c);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, http_seek);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, c);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)c->bodylen);
	} else if (strcmp(m, "POST") == 0)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
}

static void
http_setopts(CURL *h, const struct http_req *q, struct curl_slist *hl,
    struct curl_slist *pin, struct http_ctx *c, int64_t left)
{
	const char	*m = q->method != NULL ? q->method : "GET";
	long		 conn;

	conn = q->connect_ms > 0 ? q->connect_ms : 15000L;
	if (conn > left)
		conn = (long)left;
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, HTTP_MAXAGE_S);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);	/* threads */
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, conn);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "synthforge/1");
	/* Refuse early on an announced size; http_write caps the rest. */
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->cap);
	if (q->follow > 0) {
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)q->follow);
		curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		/* x402 PR #1813: a 308 must re-POST the same body. */
		curl_easy_setopt(h, CURLOPT_POSTREDIR,
		    (long)CURL_REDIR_POST_ALL);
	}
	if (pin != NULL)
		curl_easy_setopt(h, CURLOPT_RESOLVE, pin);
	if (q->noproxy)
		curl_easy_setopt(h, CURLOPT_PROXY, "");
	if (pin != NULL || q->noproxy) {
		/* Pinned: its own connection, closed after (http_handle). */
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	}
	http_setbody(h, q, c);
	if (strcmp(m, "GET") != 0 && strcmp(m, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
}

/* Classify a failed transfer for the caller's retry policy. */
static enum http_fail
http_classify(CURL *h, CURLcode rc, const struct http_ctx *c)
{
	curl_off_t	 sent = 0;
	long		 hsize = 0;

	if (c->oom || rc == CURLE_OUT_OF_MEMORY || rc == CURLE_FAILED_INIT ||
	    rc == CURLE_BAD_FUNCTION_ARGUMENT || rc == CURLE_URL_MALFORMAT ||
	    rc == CURLE_UNSUPPORTED_PROTOCOL)
		return HTTP_LOCAL;
	if (c->toolarge || rc == CURLE_FILESIZE_EXCEEDED)
		return HTTP_TOOLARGE;
	if (rc == CURLE_SEND_FAIL_REWIND)
		return HTTP_TRANSPORT;	/* sent on a kept connection, no answer */
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return HTTP_TIMEOUT;
	/* Counters are per transfer (libcurl resets them, kept handle or
	 * not): 0 bytes sent means nothing left us. */
	curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &hsize);
	curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &sent);
	if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
	    rc == CURLE_COULDNT_CONNECT || (hsize == 0 && sent == 0))
		return HTTP_UNSENT;
	return HTTP_TRANSPORT;
}

static int
http_fail_err(enum http_fail f, CURLcode rc, size_t cap, struct sf_err *err)
{
	switch (f) {
	case HTTP_TIMEOUT:
		return sf_err_set(err, 504, "http_timeout", NULL, "%s",
		    curl_easy_strerror(rc));
	case HTTP_TOOLARGE:
		return sf_err_set(err, 413, "http_too_large", NULL,
		    "the answer is larger than %zu bytes", cap);
	case HTTP_LOCAL:
		return sf_err_set(err, 500, "internal_error", NULL, "%s",
		    rc == CURLE_WRITE_ERROR ? "out of memory" :
		    curl_easy_strerror(rc));
	default:
		return sf_err_set(err, 502, "http_transport", NULL, "%s",
		    rc == CURLE_SEND_FAIL_REWIND ? "the connection closed "
		    "without an answer" : curl_easy_strerror(rc));
	}
}

/*
 * The handle for q.  Ordinary calls (facilitator, RPC, providers, stores)
 * use the calling thread's kept handle, whose connection cache keeps
 * connections alive between calls (one thread, one handle: no locking).
 * A new handle, with an empty cache, closed after:
 *  - a pinned or proxy-less request -- the SSRF guard's fetch of a
 *    caller's URL -- so it never rides a kept connection to another
 *    address than its pin;
 *  - a bodiless request other than GET/HEAD (a DELETE, an empty POST):
 *    libcurl's own resend on a kept connection that closed unanswered
 *    cannot be refused there (http_seek refuses it for bodies), and GET
 *    and HEAD are the ones safe to send twice.
 * *kept says which.
 */
static CURL *
http_handle(const struct http_req *q, int *kept)
{
	const char	*m = q->method != NULL ? q->method : "GET";
	CURL		*h;

	*kept = 0;
	if (q->resolve != NULL || q->noproxy || !http_key_ok ||
	    (q->body == NULL && strcmp(m, "GET") != 0 &&
	    strcmp(m, "HEAD") != 0))
		return curl_easy_init();
	if ((h = pthread_getspecific(http_key)) != NULL) {
		*kept = 1;
		return h;
	}
	if ((h = curl_easy_init()) == NULL)
		return NULL;
	if (pthread_setspecific(http_key, h) == 0)
		*kept = 1;
	return h;
}

/* Done with h: a kept one forgets this call's options (pointers into the
 * caller's memory), keeping its connections; any other is closed. */
static void
http_release(CURL *h, int kept)
{
	if (kept)
		curl_easy_reset(h);
	else
		curl_easy_cleanup(h);
}

int
http_do(const struct http_req *q, struct http_resp *r, struct sf_err *err)
{
	struct curl_slist	*hl = NULL, *pin = NULL;
	struct http_ctx		 c;
	CURL			*h = NULL;
	CURLcode		 rc;
	char			*loc = NULL;
	int64_t			 left;
	int			 kept = 0;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.cap = q->max_body > 0 ? q->max_body : HTTP_DEF_CAP;
	r->fail = HTTP_LOCAL;
	if ((left = http_left(q)) <= 0) {
		r->fail = HTTP_TIMEOUT;
		return sf_err_set(err, 504, "http_timeout", NULL,
		    "no time left for the request");
	}
	if (http_init() == -1 || (h = http_handle(q, &kept)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "curl initialisation failed");
	if (http_headers(q, &hl) == -1 || (q->resolve != NULL &&
	    http_list(&pin, q->resolve) == -1)) {
		rc = CURLE_OUT_OF_MEMORY;
		goto fail;
	}
	http_setopts(h, q, hl, pin, &c, left);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK || c.oom || r->body.oom)
		goto fail;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status >= 300 && r->status < 400 &&
	    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
	    loc != NULL && (r->location = strdup(loc)) == NULL) {
		rc = CURLE_OUT_OF_MEMORY;
		goto fail;
	}
	r->fail = HTTP_OK;
	http_release(h, kept);
	curl_slist_free_all(hl);
	curl_slist_free_all(pin);
	return 0;
fail:
	if (r->body.oom)
		c.oom = 1;
	r->fail = http_classify(h, rc, &c);
	r->status = 0;
	http_release(h, kept);
	curl_slist_free_all(hl);
	curl_slist_free_all(pin);
	return http_fail_err(r->fail, rc, c.cap, err);
}

static char *
http_url_part(CURLU *u, CURLUPart part, unsigned flags, int *oom)
{
	char		*v = NULL, *s;
	CURLUcode	 rc;

	if ((rc = curl_url_get(u, part, &v, flags)) != CURLUE_OK) {
		if (rc == CURLUE_OUT_OF_MEMORY)
			*oom = 1;
		return NULL;
	}
	/* Hand out plain malloc'd strings: no curl_free outside http/. */
	if ((s = strdup(v)) == NULL)
		*oom = 1;
	curl_free(v);
	return s;
}

int
http_url_parse(const char *url, struct http_url *p, struct sf_err *err)
{
	CURLU	*u;
	char	*port;
	int	 oom = 0;

	memset(p, 0, sizeof(*p));
	if ((u = curl_url()) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	if (url == NULL || curl_url_set(u, CURLUPART_URL, url,
	    CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    (p->scheme = http_url_part(u, CURLUPART_SCHEME, 0, &oom)) ==
	    NULL) {
		curl_url_cleanup(u);
		if (oom)
			return sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
		return sf_err_set(err, 400, "url_invalid", NULL,
		    "not an absolute URL");
	}
	p->user = http_url_part(u, CURLUPART_USER, 0, &oom);
	p->password = http_url_part(u, CURLUPART_PASSWORD, 0, &oom);
	p->host = http_url_part(u, CURLUPART_HOST, 0, &oom);
	p->zoneid = http_url_part(u, CURLUPART_ZONEID, 0, &oom);
	p->path = http_url_part(u, CURLUPART_PATH, 0, &oom);
	p->query = http_url_part(u, CURLUPART_QUERY, 0, &oom);
	port = http_url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT, &oom);
	p->port = port != NULL ? strtol(port, NULL, 10) : 0;
	free(port);
	curl_url_cleanup(u);
	if (oom) {
		http_url_free(p);
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	}
	return 0;
}

void
http_url_free(struct http_url *p)
{
	if (p == NULL)
		return;
	free(p->scheme);
	free(p->user);
	free(p->password);
	free(p->host);
	free(p->zoneid);
	free(p->path);
	free(p->query);
	memset(p, 0, sizeof(*p));
}
