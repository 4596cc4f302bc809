/*
 * val_json: the one strict parse of a request body.  What RFC 8259 calls
 * a JSON text is accepted and read into the tree (numbers, escapes,
 * surrogate pairs, nesting); everything else is a 400 invalid_json saying
 * where (the four shapes of issue 23 among them: a leading zero, a
 * control byte before '{', a trailing dot, a vertical tab between
 * tokens); U+0000, raw control characters, bytes that are not UTF-8 and
 * lone surrogates are findings naming the nearest key (as the old U+0000
 * scan did: its cases are all here); the probe ("{}" or blanks).  The
 * whole rule is also checked against JSON.parse (tests/diff/json_diff.mjs).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/err.h"
#include "tap.h"
#include "validate/val_json.h"

/* Outcomes: OK, SYNTAX, or one VAL_JSON_F_* finding. */
#define OK	0
#define SYNTAX	-1

struct run {
	int		 rc;
	unsigned	 flags;
	struct sf_err	 err;	/* the syntax error, or the issue */
	int		 probe, blank;
};

static struct run
parse_n(const char *s, size_t n)
{
	struct val_json	 j;
	struct run	 r;

	memset(&r, 0, sizeof(r));
	sf_err_clear(&r.err);
	r.rc = val_json_parse(s, n, &j, &r.err);
	if (r.rc == 0) {
		r.flags = j.flags;
		r.probe = j.probe;
		r.blank = j.blank;
		if (j.flags)
			r.err = j.issue;
		val_json_free(&j);
	}
	return r;
}

static struct run
parse(const char *s)
{
	return parse_n(s, strlen(s));
}

/* Verdict: SYNTAX, the finding's flag, or OK. */
static int
verdict(const struct run *r)
{
	return r->rc == -1 ? SYNTAX : (int)r->flags;
}

static const struct {
	const char	*json;
	int		 want;
	const char	*why;
} cases[] = {
	/* Accepted: the grammar's every production. */
	{ "{}", OK, "empty object" },
	{ "[]", OK, "empty array (a JSON text, not a request)" },
	{ "0", OK, "a bare number is a JSON text" },
	{ "-0", OK, "minus zero" },
	{ "0.5", OK, "0.x" },
	{ "-0.0e-0", OK, "every optional part" },
	{ "1E+2", OK, "capital E with a sign" },
	{ "123456789012345678901234567890", OK, "long integer" },
	{ "\"\"", OK, "empty string" },
	{ "true", OK, "true" }, { "false", OK, "false" }, { "null", OK, "null" },
	{ " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ 1 , 2 ] \t\r\n} \t\r\n", OK,
	  "the four whitespace characters everywhere" },
	{ "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}", OK,
	  "every escape, a surrogate pair" },
	{ "{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"}",
	  OK, "raw UTF-8 up to U+10FFFF" },
	{ "{\"prompt\":\"a b\x7f\"}", OK, "space and DEL are not control "
	  "characters for JSON" },
	{ "{\"n\":0,\"s\":\"u0000\"}", OK, "plain u0000 text" },
	{ "{\"prompt\":\"a\\\\u0000b\"}", OK, "an escaped backslash before "
	  "u0000 is text, not U+0000" },
	{ "{\"prompt\":\"\\u0001\\u0100\\u1000\"}", OK, "other control and "
	  "non-ASCII escapes" },
	{ "{\"a\":1,\"a\":2}", OK, "duplicate keys are JSON (val_object "
	  "refuses them)" },
	/* Refused: the four shapes of issue 23. */
	{ "{\"seed\":012}", SYNTAX, "a number with a leading zero" },
	{ "\x01{\"prompt\":\"x\"}", SYNTAX, "a control byte before '{'" },
	{ "{\"seed\":1.}", SYNTAX, "a trailing-dot number" },
	{ "{\"prompt\":\"x\",\x0b\"seed\":1}", SYNTAX, "a vertical tab "
	  "between tokens" },
	/* Refused: other near-JSON. */
	{ "\xef\xbb\xbf{}", SYNTAX, "a byte order mark" },
	{ "{}\xef\xbb\xbf", SYNTAX, "a byte order mark after the value" },
	{ "{\"a\":\xc2\xa0 1}", SYNTAX, "a no-break space between tokens" },
	{ "{\"a\":1}\x0c", SYNTAX, "a form feed after the value" },
	{ "{}x", SYNTAX, "garbage after the value" },
	{ "{} {}", SYNTAX, "two values" },
	{ "{}\0", SYNTAX, "a NUL byte after the value" },
	{ "{", SYNTAX, "unterminated object" },
	{ "{\"a\"}", SYNTAX, "member without a value" },
	{ "{\"a\":1,}", SYNTAX, "trailing comma in an object" },
	{ "[1,]", SYNTAX, "trailing comma in an array" },
	{ "[,1]", SYNTAX, "leading comma" },
	{ "{a:1}", SYNTAX, "unquoted key" },
	{ "{'a':1}", SYNTAX, "single quotes" },
	{ "{\"a\":.5}", SYNTAX, "no digit before the point" },
	{ "{\"a\":+1}", SYNTAX, "a plus sign" },
	{ "{\"a\":-}", SYNTAX, "a lone minus" },
	{ "{\"a\":1e}", SYNTAX, "an empty exponent" },
	{ "{\"a\":1e+}", SYNTAX, "a signed empty exponent" },
	{ "{\"a\":0x10}", SYNTAX, "hexadecimal" },
	{ "{\"a\":00}", SYNTAX, "two zeros" },
	{ "{\"a\":-01}", SYNTAX, "negative leading zero" },
	{ "{\"a\":NaN}", SYNTAX, "NaN" },
	{ "{\"a\":Infinity}", SYNTAX, "Infinity" },
	{ "{\"a\":True}", SYNTAX, "capital True" },
	{ "{\"a\":nul}", SYNTAX, "truncated null" },
	{ "{\"a\":\"\\x41\"}", SYNTAX, "\\x escape" },
	{ "{\"a\":\"\\u12G4\"}", SYNTAX, "bad hex in \\u" },
	{ "{\"a\":\"\\u12\"}", SYNTAX, "short \\u" },
	{ "{\"a\":\"\\'\"}", SYNTAX, "\\' escape" },
	{ "{\"prompt\":\"a\\u000", SYNTAX, "truncated escape: no read past "
	  "the end" },
	{ "{\"prompt\":\"\\", SYNTAX, "trailing backslash" },
	{ "{\"prompt\":\"\\u0000\"", SYNTAX, "unterminated object with "
	  "\\u0000 in it: the syntax is what is reported" },
	{ "/* c */{}", SYNTAX, "a comment" },
	{ "{\"a\":1} // c", SYNTAX, "a trailing comment" },
	{ "\xff", SYNTAX, "a byte that is no UTF-8 outside a string" },
	/* Findings: JSON that no input takes, or that RFC 8259 refuses
	   inside strings. */
	{ "{\"prompt\":\"a\\u0000b\"}", VAL_JSON_F_NUL, "\\u0000" },
	{ "{\"prompt\":\"\\u00001\"}", VAL_JSON_F_NUL, "\\u0000 then a "
	  "digit" },
	{ "{\"prompt\":\"\\\\\\u0000\"}", VAL_JSON_F_NUL, "\\\\ then "
	  "\\u0000" },
	{ "{\"prompt\":\"a\\\"\\u0000\"}", VAL_JSON_F_NUL, "after an "
	  "escaped quote the string goes on" },
	{ "{\"prompt\":\"a\nb\"}", VAL_JSON_F_CTRL, "a raw newline" },
	{ "{\"prompt\":\"a\037\"}", VAL_JSON_F_CTRL, "raw U+001F" },
	{ "{\"pro\rmpt\":\"x\"}", VAL_JSON_F_CTRL, "a raw CR in a key" },
	{ "{\"a\":\"\xc3\"}", VAL_JSON_F_UTF8, "a truncated sequence" },
	{ "{\"a\":\"\xc0\xaf\"}", VAL_JSON_F_UTF8, "an overlong '/'" },
	{ "{\"a\":\"\xe0\x80\xaf\"}", VAL_JSON_F_UTF8, "an overlong 3-byte "
	  "form" },
	{ "{\"a\":\"\xed\xa0\x80\"}", VAL_JSON_F_UTF8, "a surrogate "
	  "encoded in UTF-8" },
	{ "{\"a\":\"\xf4\x90\x80\x80\"}", VAL_JSON_F_UTF8, "past U+10FFFF" },
	{ "{\"a\":\"\x80\"}", VAL_JSON_F_UTF8, "a lone continuation byte" },
	{ "{\"a\":\"\\uD800\"}", VAL_JSON_F_SURROGATE, "a lone high "
	  "surrogate" },
	{ "{\"a\":\"\\uDC00\\uD800\"}", VAL_JSON_F_SURROGATE, "a reversed "
	  "pair" },
	{ "{\"a\":\"\\uD800x\"}", VAL_JSON_F_SURROGATE, "a high surrogate "
	  "then text" },
};

/* The nearest key names the finding (the old val_nul scan's cases). */
static void
check_fields(void)
{
	static const struct {
		const char	*json, *field, *why;
	} f[] = {
		{ "{\"prompt\":\"a\\u0000b\"}", "prompt", "a value's key" },
		{ "{\"prompt\":\"x\",\"negative_prompt\":\"\\u0000\"}",
		  "negative_prompt", "the second field" },
		{ "{\"pro\\u0000mpt\":\"x\"}", "pro\\u0000mpt", "a key, as "
		  "written" },
		{ "{\"a\":{\"b\":[\"ok\",\"\\u0000\"]}}", "b", "nested: the "
		  "innermost member" },
		{ "{\"a\":[{\"b\":\"x\"},\"\\u0000\"]}", "a", "after a nested "
		  "member: the member holding the string" },
		{ "[\"\\u0000\"]", "", "no key at all: no field" },
		{ "{\"prompt\":\"x\",\"style\":\"a\tb\"}", "style", "a raw tab "
		  "in the second field" },
		{ "{\"pro\rmpt\":\"x\"}", "pro?mpt", "a raw CR in a key: shown "
		  "as '?'" },
		{ "{\"image_url\":\"\xff\"}", "image_url", "bad UTF-8" },
	};
	struct run	 r;
	size_t		 i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		r = parse(f[i].json);
		TAP_OK(r.rc == 0 && r.flags != 0 && r.err.status == 400,
		    "finding: %s", f[i].why);
		TAP_STREQ(r.err.field, f[i].field, "field: %s", f[i].why);
	}
	r = parse("{\"prompt\":\"a\\u0000b\"}");
	TAP_STREQ(r.err.code, "invalid_character", "U+0000: "
	    "invalid_character");
	r = parse("{\"a\":\"\\uD800\"}");
	TAP_STREQ(r.err.code, "invalid_encoding", "lone surrogate: "
	    "invalid_encoding");
	TAP_OK(strstr(r.err.message, "\\uD800") != NULL, "names the escape: "
	    "%s", r.err.message);
	/* The first finding is reported; every kind is flagged. */
	r = parse("{\"a\":\"\\u0000\",\"b\":\"x\ny\"}");
	TAP_OK(r.flags == (VAL_JSON_F_NUL | VAL_JSON_F_CTRL) &&
	    strcmp(r.err.field, "a") == 0, "two findings: both flagged, the "
	    "first reported");
}

/* Messages say what was found where. */
static void
check_messages(void)
{
	static const struct {
		const char	*json, *has;
	} m[] = {
		{ "{\"seed\":012}", "leading 0" },
		{ "\x01{}", "U+0001" },
		{ "{\"seed\":1.}", "after the decimal point" },
		{ "{\"a\":1,\x0b\"b\":2}", "vertical tab (U+000B) (JSON "
		  "whitespace is space, tab, LF and CR only)" },
		{ "\xef\xbb\xbf{}", "byte order mark" },
		{ "{}x", "nothing after the JSON value at byte 2" },
		{ "{\"a\":1", "the end of the body" },
	};
	struct run	 r;
	size_t		 i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		r = parse(m[i].json);
		TAP_OK(r.rc == -1 && strcmp(r.err.code, "invalid_json") == 0 &&
		    r.err.status == 400 && strstr(r.err.message, m[i].has) !=
		    NULL, "message says \"%s\": %s", m[i].has, r.err.message);
	}
}

/* The tree holds what the text says. */
static void
check_tree(void)
{
	struct val_json	 j;
	struct sf_err	 e;
	const cJSON	*x;
	const char	*s = "{\"s\":\"\\u00e9\\uD83D\\uDE00\\n\",\"n\":-1.5e3,"
			    "\"z\":-0,\"b\":[true,false,null],\"big\":1e400,"
			    "\"o\":{\"k\":\"v\"}}";

	TAP_OK(val_json_parse(s, strlen(s), &j, &e) == 0 && j.flags == 0,
	    "a full document parses");
	x = cJSON_GetObjectItemCaseSensitive(j.tree, "s");
	TAP_STREQ(cJSON_GetStringValue(x), "\xc3\xa9\xf0\x9f\x98\x80\n",
	    "escapes and a surrogate pair decode to UTF-8");
	x = cJSON_GetObjectItemCaseSensitive(j.tree, "n");
	TAP_OK(cJSON_IsNumber(x) && x->valuedouble == -1500.0, "-1.5e3");
	x = cJSON_GetObjectItemCaseSensitive(j.tree, "z");
	TAP_OK(cJSON_IsNumber(x) && x->valuedouble == 0 &&
	    signbit(x->valuedouble), "-0 keeps its sign");
	x = cJSON_GetObjectItemCaseSensitive(j.tree, "b");
	TAP_OK(cJSON_GetArraySize(x) == 3 &&
	    cJSON_IsTrue(cJSON_GetArrayItem(x, 0)) &&
	    cJSON_IsFalse(cJSON_GetArrayItem(x, 1)) &&
	    cJSON_IsNull(cJSON_GetArrayItem(x, 2)), "literals in an array");
	x = cJSON_GetObjectItemCaseSensitive(j.tree, "big");
	TAP_OK(cJSON_IsNumber(x) && isinf(x->valuedouble), "1e400 is "
	    "JSON (infinite; validation refuses it)");
	x = cJSON_GetObjectItemCaseSensitive(j.tree, "o");
	TAP_STREQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x,
	    "k")), "v", "nested object");
	TAP_OK(!j.probe && !j.blank, "not a probe");
	val_json_free(&j);
	TAP_OK(val_json_parse("{\"a\":1,\"a\":2}", 13, &j, &e) == 0 &&
	    cJSON_GetArraySize(j.tree) == 2, "duplicate keys both kept (for "
	    "val_object's duplicate_field)");
	val_json_free(&j);
}

static void
check_probe(void)
{
	struct run	 r;

	r = parse_n(NULL, 0);
	TAP_OK(r.rc == 0 && r.blank && r.probe, "no body: blank, a probe");
	r = parse("");
	TAP_OK(r.rc == 0 && r.blank && r.probe, "empty body");
	r = parse(" \r\n\t");
	TAP_OK(r.rc == 0 && r.blank && r.probe, "blanks");
	r = parse("{}");
	TAP_OK(r.rc == 0 && !r.blank && r.probe, "{}");
	r = parse(" { \n } \n");
	TAP_OK(r.rc == 0 && r.probe, "{ } with blanks");
	r = parse("{\"prompt\":\"x\"}");
	TAP_OK(r.rc == 0 && !r.probe, "a real body is not a probe");
	r = parse("{\"prompt\":\"\"}");
	TAP_OK(r.rc == 0 && !r.probe, "an empty value is not a probe");
	r = parse("[]");
	TAP_OK(r.rc == 0 && !r.probe, "[] is not a probe");
	r = parse("null");
	TAP_OK(r.rc == 0 && !r.probe, "null is not a probe");
	r = parse_n("{}\0", 3);
	TAP_OK(r.rc == -1, "{} then NUL is not JSON");
	r = parse("\x0b{}");
	TAP_OK(r.rc == -1, "a vertical tab before {} is not a probe");
}

static void
check_depth(void)
{
	char		*s;
	size_t		 n = VAL_JSON_DEPTH;
	struct run	 r;

	if ((s = malloc(2 * (n + 1) + 1)) == NULL)
		return;
	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	r = parse(s);
	TAP_OK(r.rc == 0, "%zu levels of nesting", n);
	memset(s, '[', n + 1);
	memset(s + n + 1, ']', n + 1);
	s[2 * n + 2] = '\0';
	r = parse(s);
	TAP_OK(r.rc == -1 && strstr(r.err.message, "nesting") != NULL,
	    "%zu levels: refused (%s)", n + 1, r.err.message);
	free(s);
}

int
main(void)
{
	struct run	 r;
	size_t		 i;
	int		 v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* "{}\0": the NUL is part of the body. */
		r = strcmp(cases[i].why, "a NUL byte after the value") == 0 ?
		    parse_n(cases[i].json, 3) : parse(cases[i].json);
		v = verdict(&r);
		TAP_OK(v == cases[i].want, "%s: %s (%s)", cases[i].want == OK ?
		    "accepted" : cases[i].want == SYNTAX ? "invalid_json" :
		    "finding", cases[i].why, r.err.message);
	}
	check_fields();
	check_messages();
	check_tree();
	check_probe();
	check_depth();
	return tap_done();
}
