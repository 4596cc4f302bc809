/*
 * The query string, decoded once for the whole flow (serve_query.h).
 */
#include <stdlib.h>
#include <string.h>

#include "basics/msg.h"
#include "serve/serve_query.h"

static int
serve_hex(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Decode n bytes of s (form encoding) to *out, NUL-terminated, and move
 * *out past it.  The decoded string, or NULL when s is not valid: a '%'
 * without two hex digits, or %00 (it would cut the string short).
 */
static const char *
serve_unescape(const char *s, size_t n, char **out)
{
	char	*start = *out, *o = *out;
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] != '%')
			*o++ = s[i];
		else {
			if (i + 2 >= n ||
			    (hi = serve_hex((unsigned char)s[i + 1])) < 0 ||
			    (lo = serve_hex((unsigned char)s[i + 2])) < 0 ||
			    (hi == 0 && lo == 0))
				return NULL;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	*o++ = '\0';
	*out = o;
	return start;
}

int
serve_query_parse(const char *query, struct serve_query *q)
{
	const char	*s, *amp, *eq;
	char		*o;
	size_t		 len, n, npairs = 0, kn;

	memset(q, 0, sizeof(*q));
	if (query == NULL || *query == '\0')
		return 0;
	len = strlen(query);
	for (s = query; s != NULL; s = amp != NULL ? amp + 1 : NULL) {
		amp = strchr(s, '&');
		if ((amp != NULL ? (size_t)(amp - s) : strlen(s)) > 0)
			npairs++;
	}
	if (npairs == 0)
		return 0;
	/* Decoding never lengthens: each pair's key and value fit in the
	   pair's bytes plus their two NULs. */
	if ((q->params = calloc(npairs, sizeof(*q->params))) == NULL ||
	    (q->buf = malloc(len + 2 * npairs)) == NULL) {
		serve_query_free(q);
		return -1;
	}
	o = q->buf;
	for (s = query; s != NULL; s = amp != NULL ? amp + 1 : NULL) {
		amp = strchr(s, '&');
		n = amp != NULL ? (size_t)(amp - s) : strlen(s);
		if (n == 0)
			continue;
		eq = memchr(s, '=', n);
		kn = eq != NULL ? (size_t)(eq - s) : n;
		q->params[q->n].raw_key = s;
		q->params[q->n].raw_key_len = kn;
		q->params[q->n].key = serve_unescape(s, kn, &o);
		q->params[q->n].value = eq != NULL ?
		    serve_unescape(eq + 1, n - kn - 1, &o) :
		    serve_unescape("", 0, &o);
		q->n++;
	}
	return 0;
}

void
serve_query_free(struct serve_query *q)
{
	free(q->params);
	free(q->buf);
	memset(q, 0, sizeof(*q));
}
