/*
 * U+0000 in JSON text, and raw control characters in its strings.  cJSON decodes "\u0000" into a NUL byte and so cuts
 * the string there: {"prompt":"a\u0000b"} would be validated, priced,
 * hashed and sent upstream as "a".  RFC 8259 allows the escape; we refuse
 * it in every string, keys included, before anything reads the values.
 * RFC 8259 section 7 forbids U+0000-U+001F unescaped inside a string;
 * cJSON accepts them, so they are refused here too.
 */
#ifndef SF_VAL_NUL_H
#define SF_VAL_NUL_H

#include <stddef.h>

struct sf_err;

/*
 * Scan the JSON text json[0..len) (not necessarily valid JSON: the scan
 * only follows strings and their escapes, and never reads past len).
 * 0 when no string holds "\u0000" or a raw byte below 0x20; -1 with a
 * 400 invalid_character error
 * whose field is the nearest object key before the string (the key
 * itself when the escape is in a key), NULL when there is none.
 */
int	val_nul_check(const char *json, size_t len, struct sf_err *);

#endif
