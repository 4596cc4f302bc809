#include <stdio.h>
#include <string.h>

#include "basics/err.h"
#include "validate/val_nul.h"

#define VAL_NUL_KEYMAX	64

/* Whether s[0..n) is the escape \u0000 (s at the backslash). */
static int
val_nul_escape(const char *s, size_t n)
{
	return n >= 6 && memcmp(s, "\\u0000", 6) == 0;
}

/* The string starting after its opening quote at s: its end (the closing
   quote, or s + n when unterminated), whether it holds \u0000, and its
   first raw control character + 1 (RFC 8259 section 7: U+0000-U+001F must
   be escaped), 0 when none. */
static size_t
val_nul_string(const char *s, size_t n, int *nul, int *ctl)
{
	size_t	 i;

	for (i = 0; i < n && s[i] != '"'; i++)
		if ((unsigned char)s[i] < 0x20 && *ctl == 0)
			*ctl = (unsigned char)s[i] + 1;
		else if (s[i] == '\\') {
			if (val_nul_escape(s + i, n - i))
				*nul = 1;
			i++;	/* the escaped character; \uXXXX is plain hex */
		}
	return i;
}

/* A key: the next character after the string that is not blank is ':'. */
static int
val_nul_is_key(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && strchr(" \t\r\n", s[i]) != NULL; i++)
		continue;
	return i < n && s[i] == ':';
}

int
val_nul_check(const char *json, size_t len, struct sf_err *err)
{
	char	 key[VAL_NUL_KEYMAX + 1] = "";
	size_t	 i, end, n;
	int	 nul, ctl, is_key;

	for (i = 0; i < len; i++) {
		if (json[i] != '"')
			continue;
		nul = ctl = 0;
		end = i + 1 + val_nul_string(json + i + 1, len - i - 1, &nul,
		    &ctl);
		is_key = end < len && val_nul_is_key(json + end + 1,
		    len - end - 1);
		if (is_key) {
			/* Copied raw: escapes as the caller wrote them. */
			n = end - i - 1;
			if (n > VAL_NUL_KEYMAX)
				n = VAL_NUL_KEYMAX;
			memcpy(key, json + i + 1, n);
			key[n] = '\0';
		}
		if (nul)
			return sf_err_set(err, 400, "invalid_character",
			    key[0] != '\0' ? key : NULL, "%s%s contains "
			    "U+0000 (\\u0000), which no input accepts: "
			    "remove it", is_key ? "the field name " : "",
			    key[0] != '\0' ? key : "a string");
		if (ctl)
			return sf_err_set(err, 400, "invalid_character",
			    key[0] != '\0' ? key : NULL, "%s%s contains the "
			    "raw control character U+%04X: JSON strings must "
			    "escape U+0000-U+001F (RFC 8259), e.g. \\n or "
			    "\\u%04x", is_key ? "the field name " : "",
			    key[0] != '\0' ? key : "a string", ctl - 1, ctl - 1);
		i = end;
	}
	return 0;
}
