/*
 * RFC 7240 Prefer parsing (validate/prefer.h) and Retry-After
 * (basics/retry_after.h): the RFC's examples, its list and
 * first-instance rules, quoting, case, malformed elements; the
 * delay-seconds rounding and the three HTTP-date forms of RFC 9110.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

#include "basics/retry_after.h"
#include "validate/prefer.h"

/* Parse one header line, or two (b may be NULL). */
static struct prefer
P(const char *a, const char *b)
{
	struct prefer	 p;

	prefer_init(&p);
	prefer_parse(&p, a);
	if (b != NULL)
		prefer_parse(&p, b);
	return p;
}

static void
test_prefer(void)
{
	struct prefer	 p;

	p = P(NULL, NULL);
	TAP_OK(!p.respond_async && !p.wait && p.malformed == 0, "no header: no preference");
	p = P("", NULL);
	TAP_OK(!p.respond_async && !p.wait && p.malformed == 0, "empty header: no preference");
	/* RFC 7240 §4.1 and §4.3 examples. */
	p = P("respond-async, wait=100", NULL);
	TAP_OK(p.respond_async && p.wait && p.wait_s == 100 && p.malformed == 0,
	    "\"respond-async, wait=100\" (RFC 7240 §4.3)");
	p = P("respond-async", "wait=5");
	TAP_OK(p.respond_async && p.wait && p.wait_s == 5, "the same over two header lines");
	p = P("Respond-Async, WAIT=7", NULL);
	TAP_OK(p.respond_async && p.wait_s == 7, "names are case-insensitive");
	p = P("wait=10, wait=20", "wait=30");
	TAP_OK(p.wait_s == 10, "the first instance wins (§2), across lines too");
	p = P("respond-async, wait", NULL);
	TAP_OK(p.respond_async && p.wait && p.wait_s == PREFER_WAIT_UNBOUNDED,
	    "bare \"wait\": the final answer, however long");
	p = P("wait=", NULL);
	TAP_OK(p.wait && p.wait_s == PREFER_WAIT_UNBOUNDED && p.malformed == 0,
	    "\"wait=\": an empty value is no value (§2)");
	p = P("wait=\"\"", NULL);
	TAP_OK(p.wait && p.wait_s == PREFER_WAIT_UNBOUNDED, "wait=\"\" likewise");
	p = P("wait=\"15\"", NULL);
	TAP_OK(p.wait && p.wait_s == 15, "a quoted value");
	p = P("wait=\"1\\5\"", NULL);
	TAP_OK(p.wait && p.wait_s == 15, "a quoted-pair inside it");
	p = P("\twait \t=\t 8\t ,  respond-async ", NULL);
	TAP_OK(p.wait_s == 8 && p.respond_async && p.malformed == 0, "OWS and BWS (tabs, spaces)");
	p = P(", ,respond-async,,", NULL);
	TAP_OK(p.respond_async && p.malformed == 0, "empty list elements are fine (#rule)");
	p = P("respond-async; foo=bar; baz; ;q=\"x;y\"", NULL);
	TAP_OK(p.respond_async && p.malformed == 0, "parameters read and ignored");
	p = P("foo=\"a, b\", wait=3", NULL);
	TAP_OK(p.wait_s == 3 && p.malformed == 0, "a ',' inside quotes separates nothing");
	p = P("unknown-thing=1, another, wait=4", NULL);
	TAP_OK(p.wait_s == 4 && p.malformed == 0, "unknown preferences ignored, not errors");
	p = P("wait=99999999999999999999", NULL);
	TAP_OK(p.wait && p.wait_s == PREFER_WAIT_MAX, "a huge wait is 2^31 (RFC 9111 §1.2.2)");
	p = P("wait=0", NULL);
	TAP_OK(p.wait && p.wait_s == 0, "wait=0");
	p = P("return=minimal, handling=strict", NULL);
	TAP_OK(p.return_minimal && !p.return_representation && p.handling_strict &&
	    !p.handling_lenient, "return=minimal, handling=strict (§4.2, §4.4)");
	p = P("return=Representation, handling=LENIENT", NULL);
	TAP_OK(p.return_representation && p.handling_lenient, "their values case-insensitive");

	/* Malformed elements are skipped, the rest still counts. */
	p = P("wait=abc, respond-async", NULL);
	TAP_OK(!p.wait && p.respond_async && p.malformed == 1, "wait=abc: skipped, counted");
	p = P("wait=-1", NULL);
	TAP_OK(!p.wait && p.malformed == 1, "wait=-1: skipped");
	p = P("wait=abc, wait=5", NULL);
	TAP_OK(!p.wait && p.malformed == 1, "a bad first wait still is the first instance");
	p = P("=x, respond-async", NULL);
	TAP_OK(p.respond_async && p.malformed == 1, "an element without a name");
	p = P("respond-async x, wait=2", NULL);
	TAP_OK(!p.respond_async && p.wait_s == 2 && p.malformed == 1, "junk after a preference");
	p = P("x=\"open, wait=1", NULL);
	TAP_OK(!p.wait && p.malformed == 1, "an unterminated quote swallows the rest");
	p = P("x=\"a\x01\", respond-async", NULL);
	TAP_OK(p.respond_async && p.malformed == 1, "a control character in quotes");
	p = P("return=both", NULL);
	TAP_OK(!p.return_minimal && !p.return_representation && p.malformed == 1, "return=both");
	p = P("wait=00000000000000000000000000000000000000000000000000000000000000001", NULL);
	TAP_OK(!p.wait && p.malformed == 1, "a value over 64 characters is malformed");
	p = P("wait=000000000000000000000000000000000000000000000000000000000000001", NULL);
	TAP_OK(p.wait && p.wait_s == 1, "64 characters are read");
	p = P("respond-async, wait = 5 ; x", "handling=strict; y=\"z\"");
	TAP_OK(p.respond_async && p.wait_s == 5 && p.handling_strict && p.malformed == 0,
	    "everything at once");
}

static void
test_retry_after(void)
{
	static const struct { int64_t ms; const char *want; } f[] = {
		{ -5, "0" }, { 0, "0" }, { 1, "1" }, { 999, "1" }, { 1000, "1" },
		{ 1001, "2" }, { 59999, "60" }, { 3600000, "3600" },
		{ INT64_MAX, "31536000" }, { 31536000000LL, "31536000" },
	};
	char	 out[RETRY_AFTER_STRLEN], d[RETRY_AFTER_DATE_STRLEN];
	int64_t	 ms;
	size_t	 i;
	const time_t t0 = 784111777;	/* RFC 9110's Sun, 06 Nov 1994 08:49:37 GMT */
	const time_t now = 1768473000;	/* 2026-01-15 */

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		retry_after_format(f[i].ms, out);
		TAP_STREQ(out, f[i].want, "Retry-After for %lld ms", (long long)f[i].ms);
	}
	TAP_OK(retry_after_http_date(t0, d) == 0, "HTTP-date");
	TAP_STREQ(d, "Sun, 06 Nov 1994 08:49:37 GMT", "  IMF-fixdate (RFC 9110 §5.6.7)");
	TAP_OK(retry_after_http_date(now, d) == 0 &&
	    strcmp(d, "Thu, 15 Jan 2026 10:30:00 GMT") == 0, "  %s", d);

	TAP_OK(retry_after_parse("120", now, &ms) == 0 && ms == 120000, "parse 120");
	TAP_OK(retry_after_parse("0", now, &ms) == 0 && ms == 0, "parse 0");
	TAP_OK(retry_after_parse("99999999999999999999", now, &ms) == 0 &&
	    ms == 31536000000LL, "parse a huge delay: capped");
	TAP_OK(retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", t0 - 60, &ms) == 0 &&
	    ms == 60000, "parse IMF-fixdate a minute ahead");
	TAP_OK(retry_after_parse("Sunday, 06-Nov-94 08:49:37 GMT", t0 - 60, &ms) == 0 &&
	    ms == 60000, "parse RFC 850 (94 is 1994 in 1994)");
	TAP_OK(retry_after_parse("Sunday, 06-Nov-94 08:49:37 GMT", now, &ms) == 0 && ms == 0,
	    "  in 2026, 94 is 1994 (2094 is over 50 years ahead): past, 0");
	TAP_OK(retry_after_parse("Thursday, 15-Jan-26 10:31:00 GMT", now, &ms) == 0 &&
	    ms == 60000, "  26 in 2026 is 2026");
	TAP_OK(retry_after_parse("Sun Nov  6 08:49:37 1994", t0 - 1, &ms) == 0 && ms == 1000,
	    "parse asctime");
	TAP_OK(retry_after_parse("Thu, 15 Jan 2026 10:00:00 GMT", now, &ms) == 0 && ms == 0,
	    "a date in the past: 0");
	TAP_OK(retry_after_parse("Mon, 31 Feb 2025 00:00:00 GMT", now, &ms) == -1,
	    "31 February refused");
	TAP_OK(retry_after_parse("Sun, 06 Nov 1994 08:49:37 UTC", now, &ms) == -1,
	    "a zone other than GMT refused");
	TAP_OK(retry_after_parse("", now, &ms) == -1 && retry_after_parse(NULL, now, &ms) == -1 &&
	    retry_after_parse("1.5", now, &ms) == -1 && retry_after_parse("-1", now, &ms) == -1 &&
	    retry_after_parse(" 5", now, &ms) == -1 && retry_after_parse("soon", now, &ms) == -1,
	    "neither seconds nor a date: refused");
}

int
main(void)
{

	test_prefer();
	test_retry_after();
	return tap_done();
}
