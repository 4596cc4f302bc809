/*
 * The JSON text of a payment header (x402_payment.c), read strictly in
 * one pass and without a tree of allocations: a flat array of nodes (64
 * of them inline, more on the heap), the strings decoded into a copy of
 * the text (2 KiB inline, else one allocation), each NUL-terminated.  It
 * replaces cJSON_Parse, a prescan and a walk for duplicate keys on every
 * paid request: those were most of a payment's decoding (bench_verify).
 *
 * Accepted is exactly what the payment decoder took before (prescan, then
 * cJSON), which is what val_json.h accepts with nothing found:
 *   - RFC 8259 JSON: the value alone with space, tab, LF or CR around
 *     and between its tokens, nothing else (no byte order mark); numbers
 *     by the grammar of section 6; the literals in lower case; strings
 *     with only the escapes of section 7, no raw U+0000-U+001F; valid
 *     UTF-8 (RFC 3629) in strings;
 *   - no "\u0000" (cJSON strings end at a NUL byte) and no \uD800-\uDFFF
 *     escape without its other half (cJSON refuses those);
 *   - at most X402_JSON_DEPTH levels of arrays and objects (cJSON's).
 * A key twice in one object is JSON: the parse notes it (dup) and the
 * decoder refuses it.  tests/diff/json_diff.mjs compares this parse with
 * val_json and JSON.parse, and tests/fuzz/fuzz_x402_payment.c the whole
 * decoder with the cJSON one it replaced.
 */
#ifndef SF_X402_JSON_H
#define SF_X402_JSON_H

#include <stddef.h>
#include <stdint.h>

/* Deepest nesting of arrays and objects accepted (cJSON's limit). */
#define X402_JSON_DEPTH		1000
/* Longest text read (the offsets are 32-bit); a payment header is 64 KiB. */
#define X402_JSON_MAX		(16u << 20)

#define X402_JSON_NODES		64	/* nodes inline */
#define X402_JSON_TEXT		2048	/* bytes of the copy inline */

enum x402_json_type {
	X402_JSON_NULL = 1,
	X402_JSON_FALSE,
	X402_JSON_TRUE,
	X402_JSON_NUMBER,
	X402_JSON_STRING,
	X402_JSON_ARRAY,
	X402_JSON_OBJECT
};

/* One value; a member of an object also carries its name. */
struct x402_json_node {
	uint32_t	 type;		/* enum x402_json_type */
	uint32_t	 key;		/* member name: offset in the copy */
	uint32_t	 key_len;
	uint32_t	 val;		/* string: offset in the copy; number:
					   offset of its token in the text */
	uint32_t	 val_len;
	uint32_t	 child;		/* first element or member, 0 none */
	uint32_t	 next;		/* next sibling, 0 none */
};

/* A parsed text.  Holds pointers into itself: never copied. */
struct x402_json {
	const char		*text;
	char			*copy;	/* the text, strings decoded in place */
	struct x402_json_node	*nodes;	/* [0] is the value */
	size_t			 n, cap;
	int			 dup;	/* some object names a key twice */
	char			 copy_in[X402_JSON_TEXT];
	struct x402_json_node	 nodes_in[X402_JSON_NODES];
};

/*
 * Parse text[0..len) (any bytes, never read past len).  0: j holds the
 * value; -1: not accepted (above); -2: out of memory.  Free j with
 * x402_json_free in every case (a failed parse leaves nothing to free,
 * but the call is harmless).
 */
int	x402_json_parse(struct x402_json *j, const char *text, size_t len);
void	x402_json_free(struct x402_json *j);

/* The value of the whole text. */
const struct x402_json_node *x402_json_root(const struct x402_json *j);
/*
 * The first member of obj named key (case-sensitive, the decoded name),
 * NULL when there is none or obj is NULL or no object.
 */
const struct x402_json_node *x402_json_get(const struct x402_json *j,
	    const struct x402_json_node *obj, const char *key);
/* A member name to look for, with its length: X402_JSON_NAME("from"). */
struct x402_json_name {
	const char	*s;
	size_t		 len;
};
#define X402_JSON_NAME(lit)	{ (lit), sizeof(lit) - 1 }

/*
 * The first member of obj named names[k].s, for each k < n, into out[k]
 * (NULL: none, or obj is NULL or no object), in one walk of obj: what
 * x402_json_get would give for each name.
 */
void	x402_json_pick(const struct x402_json *j,
	    const struct x402_json_node *obj, const struct x402_json_name *names,
	    size_t n, const struct x402_json_node **out);
/* First element or member of an array or object, and the next; NULL at the end. */
const struct x402_json_node *x402_json_child(const struct x402_json *j,
	    const struct x402_json_node *v);
const struct x402_json_node *x402_json_next(const struct x402_json *j,
	    const struct x402_json_node *v);
/* A string value, decoded and NUL-terminated (no NUL inside); NULL for
   another type. */
const char	*x402_json_string(const struct x402_json *j,
		    const struct x402_json_node *v);
/* A member's name, decoded and NUL-terminated; "" for an element. */
const char	*x402_json_name(const struct x402_json *j,
		    const struct x402_json_node *v);
/* A number's value as strtod reads its token (as cJSON's valuedouble:
   1e400 is infinity); 0 for another type. */
double		 x402_json_number(const struct x402_json *j,
		    const struct x402_json_node *v);

#endif
