/*
 * Driver for tests/diff/json_diff.mjs: the request-body parser
 * (validate/val_json.h) on each input, one verdict per line.  The
 * payment header's parser (x402/x402_json.h) reads each input too and
 * must accept exactly what val_json accepts with nothing found, as the
 * same tree; where it does not, the line is
 *	X <what>	x402_json disagrees with val_json
 *
 * Input: one case per line, its bytes in hex.  Output, one line each:
 *	S		not JSON (syntax): 400 invalid_json
 *	R <flags>	not JSON by RFC 8259 inside a string (raw control
 *			character, bytes not UTF-8): refused as a finding
 *	F <flags>	JSON, with a finding no input accepts (U+0000, a
 *			lone surrogate): refused, but JSON.parse takes it
 *	O <json>	accepted; the tree printed back as ASCII-only JSON
 *			(numbers "%.17g", infinity as 1e999, strings as
 *			UTF-16 \u escapes), which JSON.parse must read to
 *			the very value it reads from the input
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "validate/val_json.h"
#include "x402/x402_json.h"

static void	print_value(struct buf *, const cJSON *);

static void
print_string(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned		 cp;
	int			 k, i;

	buf_puts(b, "\"");
	while (*p != '\0') {
		if (*p < 0x80)
			k = 0, cp = *p;
		else if ((*p & 0xe0) == 0xc0)
			k = 1, cp = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			k = 2, cp = *p & 0x0f;
		else
			k = 3, cp = *p & 0x07;
		for (i = 1; i <= k; i++)
			cp = (cp << 6) | (p[i] & 0x3f);
		p += k + 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			buf_printf(b, "\\u%04x\\u%04x", 0xd800 + (cp >> 10),
			    0xdc00 + (cp & 0x3ff));
		} else if (cp < 0x20 || cp >= 0x7f || cp == '"' || cp == '\\')
			buf_printf(b, "\\u%04x", cp);
		else
			buf_append(b, &(char){ (char)cp }, 1);
	}
	buf_puts(b, "\"");
}

static void
print_value(struct buf *b, const cJSON *v)
{
	const cJSON	*c;

	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		buf_puts(b, cJSON_IsObject(v) ? "{" : "[");
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child)
				buf_puts(b, ",");
			if (cJSON_IsObject(v)) {
				print_string(b, c->string);
				buf_puts(b, ":");
			}
			print_value(b, c);
		}
		buf_puts(b, cJSON_IsObject(v) ? "}" : "]");
	} else if (cJSON_IsString(v))
		print_string(b, v->valuestring);
	else if (cJSON_IsNumber(v)) {
		if (isinf(v->valuedouble))
			buf_puts(b, v->valuedouble < 0 ? "-1e999" : "1e999");
		else
			buf_printf(b, "%.17g", v->valuedouble);
	} else if (cJSON_IsTrue(v))
		buf_puts(b, "true");
	else if (cJSON_IsFalse(v))
		buf_puts(b, "false");
	else
		buf_puts(b, "null");
}

/* The same printing, of an x402_json tree. */
static void
print_xvalue(struct buf *b, const struct x402_json *j,
    const struct x402_json_node *v)
{
	const struct x402_json_node	*c;
	double				 d;

	switch (v->type) {
	case X402_JSON_OBJECT:
	case X402_JSON_ARRAY:
		buf_puts(b, v->type == X402_JSON_OBJECT ? "{" : "[");
		for (c = x402_json_child(j, v); c != NULL;
		    c = x402_json_next(j, c)) {
			if (c != x402_json_child(j, v))
				buf_puts(b, ",");
			if (v->type == X402_JSON_OBJECT) {
				print_string(b, x402_json_name(j, c));
				buf_puts(b, ":");
			}
			print_xvalue(b, j, c);
		}
		buf_puts(b, v->type == X402_JSON_OBJECT ? "}" : "]");
		break;
	case X402_JSON_STRING:
		print_string(b, x402_json_string(j, v));
		break;
	case X402_JSON_NUMBER:
		d = x402_json_number(j, v);
		if (isinf(d))
			buf_puts(b, d < 0 ? "-1e999" : "1e999");
		else
			buf_printf(b, "%.17g", d);
		break;
	case X402_JSON_TRUE:
		buf_puts(b, "true");
		break;
	case X402_JSON_FALSE:
		buf_puts(b, "false");
		break;
	default:
		buf_puts(b, "null");
	}
}

/* Does x402_json agree with val_json's verdict and tree (in out)? */
static void
check_x402(const struct buf *in, const struct val_json *vj, int vrc,
    struct buf *out)
{
	struct x402_json	 xj;
	struct buf		 t;
	int			 want, xrc;

	want = vrc == 0 && vj->flags == 0 && !vj->blank;
	if ((xrc = x402_json_parse(&xj, in->p != NULL ? in->p : "",
	    in->len)) == -2) {
		fprintf(stderr, "json_diff_driver: out of memory\n");
		exit(2);
	}
	if ((xrc == 0) != want) {
		buf_reset(out);
		buf_printf(out, "X x402_json %s what val_json %s",
		    xrc == 0 ? "accepts" : "refuses",
		    want ? "accepts" : "refuses");
	} else if (xrc == 0) {
		buf_init(&t);
		buf_puts(&t, "O ");
		print_xvalue(&t, &xj, x402_json_root(&xj));
		if (t.oom || out->len != t.len ||
		    memcmp(out->p, t.p, t.len) != 0) {
			buf_reset(out);
			buf_puts(out, "X x402_json reads another tree");
		}
		buf_free(&t);
	}
	x402_json_free(&xj);
}

static int
unhex(const char *line, size_t n, struct buf *out)
{
	size_t		 i;
	unsigned	 c;

	buf_reset(out);
	if (n % 2 != 0)
		return -1;
	for (i = 0; i < n; i += 2) {
		if (sscanf(line + i, "%2x", &c) != 1)
			return -1;
		buf_append(out, &(char){ (char)c }, 1);
	}
	return out->oom ? -1 : 0;
}

int
main(void)
{
	struct buf	 in, out;
	struct val_json	 j;
	struct sf_err	 err;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 n;
	int		 vrc;

	buf_init(&in);
	buf_init(&out);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			n--;
		if (unhex(line, (size_t)n, &in) == -1) {
			fprintf(stderr, "json_diff_driver: bad hex line\n");
			return 2;
		}
		buf_reset(&out);
		if ((vrc = val_json_parse(in.p, in.len, &j, &err)) == -1) {
			if (err.status != 400) {
				fprintf(stderr, "json_diff_driver: %s\n",
				    err.message);
				return 2;
			}
			buf_puts(&out, "S");
		} else if (j.flags & VAL_JSON_F_NOT_JSON)
			buf_printf(&out, "R %u", j.flags);
		else if (j.flags != 0)
			buf_printf(&out, "F %u", j.flags);
		else if (j.blank)
			buf_puts(&out, "B");
		else {
			buf_puts(&out, "O ");
			print_value(&out, j.tree);
		}
		check_x402(&in, &j, vrc, &out);
		val_json_free(&j);
		if (out.oom) {
			fprintf(stderr, "json_diff_driver: out of memory\n");
			return 2;
		}
		puts(out.p);
	}
	free(line);
	buf_free(&in);
	buf_free(&out);
	return ferror(stdout) ? 2 : 0;
}
