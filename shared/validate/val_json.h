/*
 * The one parse of a request body: strict RFC 8259 JSON, into a cJSON
 * tree, in a single pass that also answers what used to take two more
 * scans (U+0000 in strings, and whether the body is a discovery probe).
 *
 * Accepted is exactly what RFC 8259 section 2 calls a JSON text, as
 * ECMAScript's JSON.parse reads it from a UTF-8 body decoded strictly:
 * the value alone with whitespace (space, tab, LF, CR, nothing else)
 * around and between its tokens; nothing before it (no byte order mark,
 * no control byte) and nothing after it; numbers by the grammar of
 * section 6 (no leading zero, no "1.", no ".5", no "+1", no hex, no
 * NaN/Infinity); the literals true, false and null in lower case; strings
 * with only the escapes of section 7; and valid UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF) everywhere.
 * tests/diff/json_diff.mjs checks this rule against JSON.parse over a
 * generated corpus, and tests/fuzz/fuzz_val_json.c fuzzes it.
 *
 * Besides refusing what is not JSON, the parse notes what is JSON but no
 * input of ours accepts (the first such finding is reported):
 *   - "\u0000" in a string: cJSON strings end at a NUL byte, so
 *     {"prompt":"a\u0000b"} would be validated, priced and sent upstream
 *     as "a";
 *   - a \uD800-\uDFFF escape without its other half (JSON.parse takes it;
 *     it is no character and has no UTF-8 form).
 * and, as content errors with the field named rather than as syntax, two
 * things RFC 8259 refuses inside strings: a raw control character
 * U+0000-U+001F, and bytes that are not UTF-8.
 */
#ifndef SF_VAL_JSON_H
#define SF_VAL_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "basics/err.h"

/* Deepest nesting of arrays and objects accepted (cJSON's own limit). */
#define VAL_JSON_DEPTH	1000

/* What val_json_parse found besides the syntax (val_json.flags). */
#define VAL_JSON_F_NUL		0x01	/* "\u0000" in a string */
#define VAL_JSON_F_SURROGATE	0x02	/* lone \uD800-\uDFFF escape */
#define VAL_JSON_F_CTRL		0x04	/* raw U+0000-U+001F in a string */
#define VAL_JSON_F_UTF8		0x08	/* bytes in a string not UTF-8 */
/* The findings that RFC 8259 itself refuses (JSON.parse does too). */
#define VAL_JSON_F_NOT_JSON	(VAL_JSON_F_CTRL | VAL_JSON_F_UTF8)

struct val_json {
	cJSON		*tree;	/* the value, owned; NULL when blank */
	int		 blank;	/* no value at all: empty or whitespace */
	int		 probe;	/* blank, or an empty object "{}" */
	unsigned	 flags;	/* VAL_JSON_F_*; 0 = nothing found */
	/*
	 * The first finding in the text, when flags != 0: 400
	 * invalid_character (NUL, raw control) or invalid_encoding (UTF-8,
	 * lone surrogate), field = the key of the innermost member holding
	 * the string, as written (escapes raw, at most 63 bytes; the key
	 * itself when the finding is in a key), "" when there is none.
	 */
	struct sf_err	 issue;
};

/*
 * Parse json[0..len) (any bytes; NUL bytes included, never read past
 * len).  0 with j filled (a blank body gives tree NULL, blank 1, probe
 * 1); the caller decides what j->flags mean for it and frees j with
 * val_json_free.  -1 with err and j empty when the text is not JSON:
 * 400 invalid_json, the message saying what was found where (byte offset
 * from 0); 500 out_of_memory.
 */
int	val_json_parse(const char *json, size_t len, struct val_json *j,
	    struct sf_err *err);
/* Frees the tree; j may be passed again to val_json_parse. */
void	val_json_free(struct val_json *j);

#endif
