/* The scripted transport of the fuzz targets (fuzz_http.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "http/http.h"
#include "fuzz_http.h"

int	__wrap_http_do(const struct http_req *, struct http_resp *,
	    struct sf_err *);
int	__real_http_do(const struct http_req *, struct http_resp *,
	    struct sf_err *);
int	__wrap_http_sleep_ms(int64_t, int64_t);
int	__real_http_sleep_ms(int64_t, int64_t);

static struct buf	 script;	/* the parts, NUL-free view by length */
static size_t		 pos, calls;
static int		 recording;
static struct buf	 recorded;

void
fuzz_http_script(const uint8_t *data, size_t len)
{
	buf_reset(&script);
	buf_append(&script, data, len);
	pos = 0;
	calls = 0;
}

size_t
fuzz_http_calls(void)
{
	return calls;
}

void
fuzz_http_record(int on)
{
	recording = on;
	buf_reset(&recorded);
}

const struct buf *
fuzz_http_recorded(void)
{
	return &recorded;
}

/* The next part of the script: [*p, *p + *n); 0, or -1 when none left. */
static int
fuzz_next(const char **p, size_t *n)
{
	const char	*s, *e, *end;

	if (script.p == NULL || pos > script.len)
		return -1;
	s = script.p + pos;
	end = script.p + script.len;
	for (e = s; e < end; e++)
		if ((e == s || e[-1] == '\n') && end - e >= 3 &&
		    memcmp(e, "===", 3) == 0 && (end - e == 3 || e[3] == '\n'))
			break;
	*p = s;
	*n = (size_t)(e - s);
	/* Drop the newline before "===", and step past "===\n". */
	if (e < end && *n > 0 && s[*n - 1] == '\n')
		(*n)--;
	pos = e < end ? (size_t)(e - script.p) + 4 : script.len + 1;
	return 0;
}

static int
fuzz_fail(struct http_resp *r, enum http_fail f, struct sf_err *err)
{
	r->fail = f;
	switch (f) {
	case HTTP_TIMEOUT:
		return sf_err_set(err, 504, "http_timeout", NULL, "timed out");
	case HTTP_TOOLARGE:
		return sf_err_set(err, 413, "http_too_large", NULL,
		    "the answer is too large");
	default:
		return sf_err_set(err, 502, "http_transport", NULL,
		    "connection failed");
	}
}

static void
fuzz_header(struct http_resp *r, const char *line, size_t n)
{
	const char	*colon = memchr(line, ':', n), *v;
	size_t		 nl, vl, i;

	if (colon == NULL || r->nhdrs == HTTP_MAX_HDRS)
		return;
	nl = (size_t)(colon - line);
	for (v = colon + 1; v < line + n && (*v == ' ' || *v == '\t'); v++)
		continue;
	vl = (size_t)(line + n - v);
	while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\r'))
		vl--;
	if ((r->hdrs[r->nhdrs].name = strndup(line, nl)) == NULL ||
	    (r->hdrs[r->nhdrs].value = strndup(v, vl)) == NULL) {
		free(r->hdrs[r->nhdrs].name);
		return;
	}
	/* strndup stops at a NUL byte: lower what was copied. */
	for (i = 0; r->hdrs[r->nhdrs].name[i] != '\0'; i++)
		r->hdrs[r->nhdrs].name[i] = (char)tolower(
		    (unsigned char)r->hdrs[r->nhdrs].name[i]);
	if (strcmp(r->hdrs[r->nhdrs].name, "location") == 0 &&
	    r->location == NULL)
		r->location = strndup(v, vl);
	r->nhdrs++;
}

/* Append the real answer to the recording, in the script's format. */
static void
fuzz_keep(const struct http_resp *r, int rc)
{
	size_t	 i;

	if (recorded.len > 0)
		buf_puts(&recorded, "\n===\n");
	if (rc == -1) {
		buf_puts(&recorded, r->fail == HTTP_TIMEOUT ? "!timeout" :
		    r->fail == HTTP_TOOLARGE ? "!toolarge" : "!unsent");
		return;
	}
	buf_printf(&recorded, "HTTP %ld\n", r->status);
	for (i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, "content-type") == 0 ||
		    strcasecmp(r->hdrs[i].name, "location") == 0 ||
		    strcasecmp(r->hdrs[i].name, "retry-after") == 0)
			buf_printf(&recorded, "%s: %s\n", r->hdrs[i].name,
			    r->hdrs[i].value);
	buf_puts(&recorded, "\n");
	if (r->body.len > 0)
		buf_append(&recorded, r->body.p, r->body.len);
}

int
__wrap_http_do(const struct http_req *q, struct http_resp *r,
    struct sf_err *err)
{
	const char	*p, *e, *line;
	size_t		 n, cap;
	int		 rc;

	if (recording) {
		rc = __real_http_do(q, r, err);
		fuzz_keep(r, rc);
		return rc;
	}
	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	calls++;
	if (fuzz_next(&p, &n) == -1)
		return fuzz_fail(r, HTTP_UNSENT, err);
	if (n >= 8 && memcmp(p, "!timeout", 8) == 0)
		return fuzz_fail(r, HTTP_TIMEOUT, err);
	if (n >= 10 && memcmp(p, "!transport", 10) == 0)
		return fuzz_fail(r, HTTP_TRANSPORT, err);
	if (n >= 9 && memcmp(p, "!toolarge", 9) == 0)
		return fuzz_fail(r, HTTP_TOOLARGE, err);
	if (n >= 7 && memcmp(p, "!unsent", 7) == 0)
		return fuzz_fail(r, HTTP_UNSENT, err);
	r->status = 200;
	if (n >= 8 && memcmp(p, "HTTP ", 5) == 0) {
		r->status = strtol(p + 5, NULL, 10) % 1000;
		/* The status line, then headers up to a blank line. */
		e = memchr(p, '\n', n);
		n -= e != NULL ? (size_t)(e + 1 - p) : n;
		p = e != NULL ? e + 1 : p + n;
		while (n > 0 && *p != '\n' && *p != '\r') {
			line = p;
			e = memchr(p, '\n', n);
			fuzz_header(r, line, e != NULL ? (size_t)(e - p) : n);
			n -= e != NULL ? (size_t)(e + 1 - p) : n;
			p = e != NULL ? e + 1 : p + n;
		}
		if (n > 0 && *p == '\r')
			p++, n--;
		if (n > 0 && *p == '\n')
			p++, n--;
	} else
		fuzz_header(r, "content-type: application/json", 30);
	cap = q->max_body > 0 ? q->max_body : (size_t)64 << 20;
	if (n > cap) {
		http_resp_free(r);
		return fuzz_fail(r, HTTP_TOOLARGE, err);
	}
	if (n > 0 && buf_append(&r->body, p, n) == -1) {
		http_resp_free(r);
		r->fail = HTTP_LOCAL;
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	}
	return 0;
}

/* No waiting under the fuzzer: polls and backoffs go on at once. */
int
__wrap_http_sleep_ms(int64_t ms, int64_t deadline_ms)
{
	if (recording)
		return __real_http_sleep_ms(ms, deadline_ms);
	return http_now_ms() < deadline_ms ? 0 : -1;
}
