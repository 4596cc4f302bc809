/*
 * serve_query: the query string parsed once, where serve reads the
 * request, into decoded key/value pairs (application/x-www-form-urlencoded).
 */
#include <stdio.h>
#include <string.h>

#include "basics/msg.h"
#include "serve/serve_query.h"
#include "tap.h"

static const char *
str(const char *s)
{
	return s != NULL ? s : "(invalid)";
}

/* "key=value|key=value" of q, for comparing whole parses. */
static const char *
dump(const struct serve_query *q)
{
	static char	 out[512];
	size_t		 i, n = 0;

	out[0] = '\0';
	for (i = 0; i < q->n && n < sizeof(out); i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s=%s",
		    i ? "|" : "", str(q->params[i].key),
		    str(q->params[i].value));
	return out;
}

static void
test_pairs(void)
{
	static const struct {
		const char	*query, *want;
	} t[] = {
		{ "a=1", "a=1" },
		{ "a=1&b=2", "a=1|b=2" },
		{ "&&a=1&&b=&", "a=1|b=" },		/* empty pairs skipped */
		{ "demo", "demo=" },			/* no '=': value "" */
		{ "a==b", "a==b" },			/* only the first '=' */
		{ "=v", "=v" },
		{ "a+b=c+d", "a b=c d" },
		{ "p=a%20red%2Cfox%C3%A9", "p=a red,fox\xc3\xa9" },
		{ "p=%41%4a%4A", "p=AJJ" },
		{ "p=%zz", "p=(invalid)" },
		{ "p=a%4", "p=(invalid)" },
		{ "p=a%", "p=(invalid)" },
		{ "p=a%00b", "p=(invalid)" },		/* would cut it short */
		{ "%zz=1&ok=2", "(invalid)=1|ok=2" },	/* the others stay */
		{ "k%3Dx=1", "k=x=1" },			/* an escaped '=' is data */
		{ "k=a%26b", "k=a&b" },			/* an escaped '&' too */
	};
	struct serve_query	 q;
	const char		*got;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = serve_query_parse(t[i].query, &q);
		got = dump(&q);
		TAP_OK(rc == 0 && strcmp(got, t[i].want) == 0,
		    "\"%s\" -> %s (%s)", t[i].query, t[i].want, got);
		serve_query_free(&q);
	}
}

static void
test_empty(void)
{
	struct serve_query	 q;

	TAP_OK(serve_query_parse("", &q) == 0 && q.n == 0 &&
	    q.params == NULL, "\"\": no pairs");
	serve_query_free(&q);
	TAP_OK(serve_query_parse(NULL, &q) == 0 && q.n == 0, "NULL: no pairs");
	serve_query_free(&q);
	TAP_OK(serve_query_parse("&&&", &q) == 0 && q.n == 0,
	    "only separators: no pairs");
	serve_query_free(&q);
}

static void
test_raw_key(void)
{
	struct serve_query	 q;
	const char		*query = "%64emo=1&demo=true&x";

	TAP_OK(serve_query_parse(query, &q) == 0 && q.n == 3, "three pairs");
	TAP_OK(q.params[0].raw_key == query &&
	    q.params[0].raw_key_len == 6 &&
	    strcmp(q.params[0].key, "demo") == 0,
	    "raw key as sent (\"%%64emo\"), key decoded (\"demo\")");
	TAP_OK(q.params[1].raw_key == query + 9 &&
	    q.params[1].raw_key_len == 4, "second raw key points into the "
	    "query");
	TAP_OK(q.params[2].raw_key_len == 1 &&
	    strcmp(q.params[2].value, "") == 0, "a bare key");
	serve_query_free(&q);
}

/* Decoding never lengthens: the worst cases fit the buffer exactly. */
static void
test_bounds(void)
{
	struct serve_query	 q;
	char			 big[4096];
	size_t			 i;

	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = i % 2 ? '&' : 'k';	/* 2047 one-byte bare keys */
	big[sizeof(big) - 1] = '\0';
	TAP_OK(serve_query_parse(big, &q) == 0 && q.n == 2048 &&
	    strcmp(q.params[2047].key, "k") == 0 &&
	    strcmp(q.params[2047].value, "") == 0,
	    "2048 bare keys, each with its empty value");
	serve_query_free(&q);
	memset(big, 'a', sizeof(big) - 1);
	big[0] = 'k';
	big[1] = '=';
	TAP_OK(serve_query_parse(big, &q) == 0 && q.n == 1 &&
	    strlen(q.params[0].value) == sizeof(big) - 3,
	    "one long value kept whole");
	serve_query_free(&q);
}

int
main(void)
{
	test_pairs();
	test_empty();
	test_raw_key();
	test_bounds();
	return tap_done();
}
