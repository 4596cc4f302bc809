/*
 * x402_json: the payment header's strict JSON reader.  What it accepts
 * and refuses (the decoder's rules before it: a prescan, then cJSON), the
 * tree it builds (names and strings decoded, numbers as strtod reads
 * them), duplicate names, the nesting limit, and texts past the inline
 * room (more than 64 nodes, 2 KiB of text).  tests/diff/json_diff.mjs
 * compares it with val_json and JSON.parse over a generated corpus, and
 * tests/fuzz/fuzz_x402_payment.c the whole decoder with the old one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "x402/x402_json.h"

/* Parse s (n bytes); the result of x402_json_parse. */
static int
parse(const char *s, size_t n)
{
	struct x402_json	 j;
	int			 rc;

	rc = x402_json_parse(&j, s, n);
	x402_json_free(&j);
	return rc;
}

static void
test_accept_refuse(void)
{
	static const char *good[] = {
		"{}", "[]", "0", "-0", "1.5e+10", "\"\"", "true", "false",
		"null", " \t\r\n{ \"a\" : [ 1 , 2 ] }\n", "\"\\ud83d\\ude00\"",
		"\"\\u00e9\\/\\b\\f\\n\\r\\t\\\"\\\\\"", "\"\xc3\xa9\xe2\x82\xac\"",
		"\"\x7f\"", "{\"a\":1,\"b\":{\"a\":1}}",
	};
	static const struct { const char *s; const char *why; } bad[] = {
		{ "", "empty" },
		{ " ", "blank" },
		{ "\xef\xbb\xbf{}", "byte order mark" },
		{ "{}\x0b", "vertical tab after" },
		{ "{} x", "garbage after" },
		{ "{}{}", "second value" },
		{ "01", "leading zero" },
		{ "1.", "no digit after the point" },
		{ ".5", "no digit before the point" },
		{ "+1", "plus sign" },
		{ "1e", "empty exponent" },
		{ "-", "lone minus" },
		{ "NaN", "NaN" },
		{ "tru", "short literal" },
		{ "True", "literal in capitals" },
		{ "[1,]", "trailing comma in an array" },
		{ "{\"a\":1,}", "trailing comma in an object" },
		{ "{a:1}", "bare name" },
		{ "{\"a\" 1}", "no colon" },
		{ "[1 2]", "no comma" },
		{ "\"abc", "unterminated string" },
		{ "\"a\\x\"", "unknown escape" },
		{ "\"a\\u12\"", "short \\u" },
		{ "\"a\\uzzzz\"", "\\u without hex digits" },
		{ "\"a\\u0000b\"", "\\u0000" },
		{ "\"\\ud800\"", "lone high surrogate" },
		{ "\"\\udc00\"", "lone low surrogate" },
		{ "\"\\ud800\\u0041\"", "high surrogate, then no low one" },
		{ "\"a\tb\"", "raw tab in a string" },
		{ "\"a\nb\"", "raw LF in a string" },
		{ "\"\xc3(\"", "bad UTF-8" },
		{ "\"\xc0\x80\"", "overlong UTF-8" },
		{ "\"\xed\xa0\x80\"", "UTF-8 surrogate" },
		{ "\"\xf4\x90\x80\x80\"", "past U+10FFFF" },
		{ "[\xc3\xa9]", "UTF-8 outside a string" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		TAP_OK(parse(good[i], strlen(good[i])) == 0, "accept %s",
		    good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_OK(parse(bad[i].s, strlen(bad[i].s)) == -1, "refuse %s",
		    bad[i].why);
	TAP_OK(parse("{\"a\":\"b\"}\0", 10) == -1, "refuse a NUL byte after");
	TAP_OK(parse("\"a\0b\"", 5) == -1, "refuse a NUL byte in a string");
	/* Never reads past len: "1" of "12", "[" of "[]". */
	TAP_OK(parse("12", 1) == 0 && parse("[]", 1) == -1,
	    "reads only len bytes");
}

static void
test_tree(void)
{
	static const char	 text[] = "{\"x402Version\":2,"
	    "\"n\\u0061me\":\"USD\\u0020Coin\",\"big\":1e400,\"neg\":-0,"
	    "\"f\":60.0,\"e\":6e1,\"l\":[true,false,null,\"\\ud83d\\ude00\"],"
	    "\"o\":{}}";
	static const struct x402_json_name names[] = {
		X402_JSON_NAME("l"), X402_JSON_NAME("name"),
		X402_JSON_NAME("missing"), X402_JSON_NAME("x402Version"),
	};
	const struct x402_json_node	*root, *v, *m[4];
	struct x402_json		 j;
	double				 d;

	TAP_OK(x402_json_parse(&j, text, strlen(text)) == 0, "parse tree");
	root = x402_json_root(&j);
	TAP_OK(root != NULL && root->type == X402_JSON_OBJECT && !j.dup,
	    "an object, no name twice");
	v = x402_json_get(&j, root, "name");
	TAP_OK(v != NULL && v->type == X402_JSON_STRING &&
	    strcmp(x402_json_string(&j, v), "USD Coin") == 0 &&
	    v->val_len == 8, "escaped name and value decoded");
	TAP_STREQ(x402_json_name(&j, v), "name", "member name");
	TAP_OK(x402_json_get(&j, root, "nam") == NULL &&
	    x402_json_get(&j, root, "namee") == NULL &&
	    x402_json_get(&j, root, "Name") == NULL,
	    "names compared whole and case-sensitively");
	v = x402_json_get(&j, root, "x402Version");
	TAP_OK(v != NULL && v->type == X402_JSON_NUMBER &&
	    x402_json_number(&j, v) == 2, "integer");
	d = x402_json_number(&j, x402_json_get(&j, root, "big"));
	TAP_OK(isinf(d) && d > 0, "1e400 is infinity, as strtod reads it");
	d = x402_json_number(&j, x402_json_get(&j, root, "neg"));
	TAP_OK(d == 0 && signbit(d), "-0");
	TAP_OK(x402_json_number(&j, x402_json_get(&j, root, "f")) == 60 &&
	    x402_json_number(&j, x402_json_get(&j, root, "e")) == 60,
	    "60.0 and 6e1");
	v = x402_json_get(&j, root, "l");
	v = x402_json_child(&j, v);
	TAP_OK(v != NULL && v->type == X402_JSON_TRUE &&
	    (v = x402_json_next(&j, v)) != NULL &&
	    v->type == X402_JSON_FALSE &&
	    (v = x402_json_next(&j, v)) != NULL && v->type == X402_JSON_NULL &&
	    (v = x402_json_next(&j, v)) != NULL &&
	    strcmp(x402_json_string(&j, v), "\xf0\x9f\x98\x80") == 0 &&
	    x402_json_next(&j, v) == NULL, "array elements in order");
	TAP_OK(x402_json_string(&j, root) == NULL &&
	    x402_json_number(&j, root) == 0, "no string or number of an object");
	v = x402_json_get(&j, root, "o");
	TAP_OK(v != NULL && v->type == X402_JSON_OBJECT &&
	    x402_json_child(&j, v) == NULL, "empty object");
	TAP_OK(x402_json_get(&j, x402_json_get(&j, root, "l"), "a") == NULL &&
	    x402_json_get(&j, NULL, "a") == NULL, "no member of an array");
	x402_json_pick(&j, root, names, 4, m);
	TAP_OK(m[0] == x402_json_get(&j, root, "l") &&
	    m[1] == x402_json_get(&j, root, "name") && m[2] == NULL &&
	    m[3] == x402_json_get(&j, root, "x402Version"),
	    "pick finds what get finds");
	x402_json_free(&j);
}

static void
test_dup(void)
{
	static const struct { const char *s; int dup; } c[] = {
		{ "{\"a\":1,\"a\":2}", 1 },
		{ "{\"a\":1,\"\\u0061\":2}", 1 },
		{ "{\"a\":{\"b\":1,\"b\":2}}", 1 },
		{ "[{\"x\":1},{\"x\":1,\"y\":2,\"x\":3}]", 1 },
		{ "{\"abcdefgh1\":1,\"abcdefgh2\":2}", 0 },
		{ "{\"a\":{\"a\":{\"a\":1}}}", 0 },
		{ "[{\"a\":1},{\"a\":1}]", 0 },
		{ "{\"\":1,\"\":2}", 1 },
		{ "{\"a\":{\"x\":1},\"a\":2}", 1 },
		{ "{\"a\":[{\"b\":1}],\"c\":{\"a\":2},\"b\":3}", 0 },
		{ "{\"a\":{\"b\":{\"c\":1},\"c\":2},\"b\":3,\"c\":4,\"a\":5}",
		    1 },
	};
	struct x402_json	 j;
	char			 big[8192];
	size_t			 i, n;
	int			 k;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		TAP_OK(x402_json_parse(&j, c[i].s, strlen(c[i].s)) == 0 &&
		    j.dup == c[i].dup, "%s: %s", c[i].s,
		    c[i].dup ? "a name twice" : "no name twice");
		x402_json_free(&j);
	}
	/*
	 * Past the first 128 names of the objects being read, the names
	 * are compared node by node: 200 members, the last named as one
	 * of the first or of the later ones; and an object inside one of
	 * 100 members, with 50 of its own.
	 */
	for (k = 0; k < 2; k++) {
		n = (size_t)snprintf(big, sizeof(big), "{");
		for (i = 0; i < 200; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			    "%s\"m%zu\":%zu", i ? "," : "", i, i);
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    ",\"m%d\":0}", k == 0 ? 3 : 150);
		TAP_OK(x402_json_parse(&j, big, n) == 0 && j.dup == 1,
		    "201 members, the last named as member %d", k == 0 ? 3 : 150);
		x402_json_free(&j);
	}
	n = (size_t)snprintf(big, sizeof(big), "{");
	for (i = 0; i < 200; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s\"m%zu\":%zu",
		    i ? "," : "", i, i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "}");
	TAP_OK(x402_json_parse(&j, big, n) == 0 && j.dup == 0,
	    "200 members, all named apart");
	x402_json_free(&j);
	for (k = 0; k < 3; k++) {
		n = (size_t)snprintf(big, sizeof(big), "{");
		for (i = 0; i < 100; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			    "\"o%zu\":0,", i);
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\"in\":{");
		for (i = 0; i < 50; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			    "%s\"i%zu\":%zu", i ? "," : "", i, i);
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s},%s}",
		    k == 1 ? ",\"i40\":1" : "",
		    k == 2 ? "\"o99\":1" : "\"last\":1");
		TAP_OK(x402_json_parse(&j, big, n) == 0 && j.dup == (k != 0),
		    "an object of 50 inside one of 100: %s", k == 0 ?
		    "no name twice" : k == 1 ? "the inner's 41st twice" :
		    "the outer's 100th twice");
		x402_json_free(&j);
	}
}

/* Nesting: 1000 levels (cJSON's limit) pass, 1001 do not. */
static void
test_depth(void)
{
	char	*s;
	size_t	 d;

	if ((s = malloc(2 * 1001)) == NULL)
		abort();
	for (d = 1000; d <= 1001; d++) {
		memset(s, '[', d);
		memset(s + d, ']', d);
		TAP_OK(parse(s, 2 * d) == (d == 1000 ? 0 : -1), "%zu levels",
		    d);
	}
	free(s);
}

/* More nodes than inline, a longer text than inline: on the heap. */
static void
test_big(void)
{
	struct x402_json		 j;
	const struct x402_json_node	*v;
	char				*s;
	size_t				 n, i, cnt;

	if ((s = malloc(16384)) == NULL)
		abort();
	n = (size_t)snprintf(s, 16384, "{\"pad\":\"");
	for (i = 0; i < 3000; i++)
		s[n++] = (char)('a' + i % 26);
	n += (size_t)snprintf(s + n, 16384 - n, "\",\"esc\":\"a\\nb\",\"l\":[");
	for (i = 0; i < 500; i++)
		n += (size_t)snprintf(s + n, 16384 - n, "%s%zu", i ? "," : "",
		    i);
	n += (size_t)snprintf(s + n, 16384 - n, "]}");
	TAP_OK(x402_json_parse(&j, s, n) == 0 && j.n == 504 &&
	    j.nodes != j.nodes_in && j.copy != j.copy_in,
	    "504 nodes and %zu bytes: on the heap", n);
	v = x402_json_get(&j, x402_json_root(&j), "l");
	for (cnt = 0, v = v ? x402_json_child(&j, v) : NULL; v != NULL;
	    v = x402_json_next(&j, v), cnt++)
		if (x402_json_number(&j, v) != (double)cnt)
			break;
	TAP_OK(cnt == 500, "500 elements in order (%zu)", cnt);
	v = x402_json_get(&j, x402_json_root(&j), "esc");
	TAP_OK(v != NULL && strcmp(x402_json_string(&j, v), "a\nb") == 0,
	    "escape decoded in the heap copy");
	v = x402_json_get(&j, x402_json_root(&j), "pad");
	TAP_OK(v != NULL && v->val_len == 3000, "3000-byte string");
	x402_json_free(&j);
	/* A refusal after the heap was used frees it (ASan: no leak). */
	s[n - 1] = ',';
	TAP_OK(x402_json_parse(&j, s, n) == -1, "refused at the end");
	x402_json_free(&j);
	free(s);
}

int
main(void)
{
	test_accept_refuse();
	test_tree();
	test_dup();
	test_depth();
	test_big();
	return tap_done();
}
