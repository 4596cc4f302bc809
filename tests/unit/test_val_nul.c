/*
 * val_nul: "\u0000" in any JSON string is found, with the nearest key as
 * the field; escaped backslashes, other \u escapes and text outside
 * strings are not mistaken for it; truncated input is scanned safely.
 */
#include <stdio.h>
#include <string.h>

#include "basics/err.h"
#include "tap.h"
#include "validate/val_nul.h"

/* -1/0 from the scan; field copied out ("" = none). */
static int
scan(const char *json, char *field, size_t fsz)
{
	struct sf_err	 err;
	int		 rc;

	sf_err_clear(&err);
	rc = val_nul_check(json, strlen(json), &err);
	snprintf(field, fsz, "%s", err.field);
	if (rc == -1 && (err.status != 400 ||
	    strcmp(err.code, "invalid_character") != 0))
		return -2;
	return rc;
}

int
main(void)
{
	char	 f[64];

	TAP_OK(scan("{\"prompt\":\"a\\u0000b\"}", f, sizeof(f)) == -1,
	    "\\u0000 in a value: 400 invalid_character");
	TAP_STREQ(f, "prompt", "the field is the value's key");
	TAP_OK(scan("{\"prompt\":\"x\",\"negative_prompt\":\"\\u0000\"}", f,
	    sizeof(f)) == -1, "in the second field");
	TAP_STREQ(f, "negative_prompt", "named");
	TAP_OK(scan("{\"pro\\u0000mpt\":\"x\"}", f, sizeof(f)) == -1,
	    "in a key");
	TAP_STREQ(f, "pro\\u0000mpt", "the key as written");
	TAP_OK(scan("{\"a\":{\"b\":[\"ok\",\"\\u0000\"]}}", f, sizeof(f)) == -1,
	    "nested: found");
	TAP_STREQ(f, "b", "nearest key");
	TAP_OK(scan("[\"\\u0000\"]", f, sizeof(f)) == -1 && f[0] == '\0',
	    "no key at all: no field");
	TAP_OK(scan("{\"prompt\":\"a\\\\u0000b\"}", f, sizeof(f)) == 0,
	    "an escaped backslash before u0000 is text, not U+0000");
	TAP_OK(scan("{\"prompt\":\"\\\\\\u0000\"}", f, sizeof(f)) == -1,
	    "\\\\ then \\u0000: found");
	TAP_OK(scan("{\"prompt\":\"\\u00001\"}", f, sizeof(f)) == -1,
	    "\\u0000 followed by a digit");
	TAP_OK(scan("{\"prompt\":\"\\u0001\\u0100\\u1000\"}", f, sizeof(f)) == 0,
	    "other control and non-ASCII escapes pass");
	/* RFC 8259 section 7: U+0000-U+001F must be escaped in a string. */
	TAP_OK(scan("{\"prompt\":\"a\nb\"}", f, sizeof(f)) == -1,
	    "a raw newline in a value: 400 invalid_character");
	TAP_STREQ(f, "prompt", "named");
	TAP_OK(scan("{\"prompt\":\"x\",\"style\":\"a\tb\"}", f,
	    sizeof(f)) == -1, "a raw tab in the second field");
	TAP_STREQ(f, "style", "named");
	TAP_OK(scan("{\"prompt\":\"a\037\"}", f, sizeof(f)) == -1,
	    "raw U+001F refused");
	TAP_OK(scan("{\"pro\rmpt\":\"x\"}", f, sizeof(f)) == -1,
	    "a raw CR in a key");
	TAP_OK(scan("{\"prompt\":\"a b\x7f\"}", f, sizeof(f)) == 0,
	    "space and DEL are not control characters for JSON");
	TAP_OK(scan("{\n\t\"prompt\" :\r\n\"x\"\n}", f, sizeof(f)) == 0,
	    "whitespace between tokens is fine");
	TAP_OK(scan("{\"prompt\":\"a\\\"\\u0000\"}", f, sizeof(f)) == -1,
	    "after an escaped quote the string goes on");
	TAP_OK(scan("{\"n\":0000,\"s\":\"u0000\"}", f, sizeof(f)) == 0,
	    "digits and plain u0000 text pass");
	TAP_OK(scan("{\"prompt\":\"a\\u000", f, sizeof(f)) == 0,
	    "truncated escape: no read past the end, nothing found");
	TAP_OK(scan("{\"prompt\":\"\\", f, sizeof(f)) == 0,
	    "trailing backslash: safe");
	TAP_OK(val_nul_check(NULL, 0, NULL) == 0, "empty input");
	TAP_OK(scan("{\"prompt\":\"\\u0000\"", f, sizeof(f)) == -1,
	    "unterminated object, escape present: found");
	return tap_done();
}
