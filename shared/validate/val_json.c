#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "validate/val_json.h"

/* The parse: RFC 8259 section 2 (grammar), 6 (numbers), 7 (strings), 8.1
   (UTF-8), read in one pass into a cJSON tree. */
struct vj {
	const unsigned char	*s;
	size_t			 n, i;
	int			 depth;
	int			 failed;	/* syntax error in err */
	struct val_json		*out;
	struct sf_err		*err;
	char			 key[64];	/* innermost member key, raw */
	char			 rawkey[64];	/* the last key read, raw */
	struct buf		 str;		/* the string being decoded */
};

static cJSON	*vj_value(struct vj *);

#define VJ_STR_(x)	#x
#define VJ_STR(x)	VJ_STR_(x)

static int
vj_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
vj_skip(struct vj *v)
{
	while (v->i < v->n && vj_ws(v->s[v->i]))
		v->i++;
}

/* What stands at byte at, for a message; *blank when it is some other
   blank that JSON does not take as whitespace. */
static void
vj_what(const struct vj *v, size_t at, char *buf, size_t sz, int *blank)
{
	const unsigned char	*p = v->s + at;
	size_t			 left = v->n - at;

	*blank = 0;
	if (at >= v->n)
		snprintf(buf, sz, "the end of the body");
	else if (left >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		*blank = 1, snprintf(buf, sz, "a byte order mark (U+FEFF)");
	else if (left >= 2 && p[0] == 0xc2 && p[1] == 0xa0)
		*blank = 1, snprintf(buf, sz, "a no-break space (U+00A0)");
	else if (p[0] == 0x0b)
		*blank = 1, snprintf(buf, sz, "a vertical tab (U+000B)");
	else if (p[0] == 0x0c)
		*blank = 1, snprintf(buf, sz, "a form feed (U+000C)");
	else if (p[0] == 0)
		snprintf(buf, sz, "a NUL byte");
	else if (p[0] < 0x20 || p[0] == 0x7f)
		snprintf(buf, sz, "the control character U+%04X", p[0]);
	else if (p[0] >= 0x80)
		snprintf(buf, sz, "the byte 0x%02X", p[0]);
	else
		snprintf(buf, sz, "'%c'", p[0]);
}

/* A syntax error at byte at: what was wanted, what was found.  NULL. */
static cJSON *
vj_fail(struct vj *v, size_t at, const char *want)
{
	char	 found[64];
	int	 blank;

	if (v->failed)
		return NULL;
	v->failed = 1;
	vj_what(v, at, found, sizeof(found), &blank);
	sf_err_set(v->err, 400, "invalid_json", NULL, "the request body is "
	    "not valid JSON: %s at byte %zu, found %s%s", want, at, found,
	    blank ? " (JSON whitespace is space, tab, LF and CR only)" : "");
	return NULL;
}

static cJSON *
vj_oom(struct vj *v)
{
	if (!v->failed) {
		v->failed = 1;
		sf_err_set(v->err, 500, "out_of_memory", NULL,
		    "out of memory");
	}
	return NULL;
}

/* Length of the UTF-8 sequence at p (RFC 3629 section 4), 0 if none. */
static size_t
vj_utf8(const unsigned char *p, size_t left)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 k, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 1;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		k = 2;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)		/* no surrogates */
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		k = 3;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)		/* nothing past U+10FFFF */
			hi = 0x8f;
	} else
		return 0;
	if (left < k + 1 || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i <= k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return k + 1;
}

static int
vj_hex4(const unsigned char *p, unsigned *out)
{
	unsigned	 c = 0;
	int		 i;

	for (i = 0; i < 4; i++) {
		c <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			c |= p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			c |= p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			c |= p[i] - 'A' + 10;
		else
			return -1;
	}
	*out = c;
	return 0;
}

static void
vj_put_cp(struct buf *b, unsigned cp)
{
	unsigned char	 u[4];
	size_t		 n;

	if (cp < 0x80)
		u[0] = (unsigned char)cp, n = 1;
	else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(b, u, n);
}

/* The first finding of what is JSON but refused (val_json.h). */
static void
vj_issue(struct vj *v, unsigned flag, int is_key, const char *key,
    unsigned detail, size_t at)
{
	const char	*name = key[0] != '\0' ? key : "a string";
	const char	*fn = is_key ? "the field name " : "";
	const char	*field = key[0] != '\0' ? key : NULL;
	struct sf_err	*e = &v->out->issue;

	if (v->out->flags == 0) {
		if (flag == VAL_JSON_F_NUL)
			sf_err_set(e, 400, "invalid_character", field, "%s%s "
			    "contains U+0000 (\\u0000), which no input "
			    "accepts: remove it", fn, name);
		else if (flag == VAL_JSON_F_CTRL)
			sf_err_set(e, 400, "invalid_character", field, "%s%s "
			    "contains the raw control character U+%04X: JSON "
			    "strings must escape U+0000-U+001F (RFC 8259), "
			    "e.g. \\n or \\u%04x", fn, name, detail, detail);
		else if (flag == VAL_JSON_F_UTF8)
			sf_err_set(e, 400, "invalid_encoding", field, "%s%s is "
			    "not valid UTF-8 (the byte 0x%02X at byte %zu): "
			    "send JSON as UTF-8", fn, name, detail, at);
		else
			sf_err_set(e, 400, "invalid_encoding", field, "%s%s "
			    "holds \\u%04X, half of a UTF-16 surrogate pair "
			    "without its other half, which is no character",
			    fn, name, detail);
	}
	v->out->flags |= flag;
}

/* One escape after the backslash at v->i - 1; 0 or -1 (syntax). */
static int
vj_escape(struct vj *v, int is_key, const char *key)
{
	static const char	 from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char		*e;
	unsigned		 cp, lo;
	size_t			 at = v->i - 1;

	if (v->i >= v->n) {
		vj_fail(v, v->i, "an escape after '\\'");
		return -1;
	}
	if (v->s[v->i] != 'u') {
		if (v->s[v->i] == '\0' ||
		    (e = strchr(from, v->s[v->i])) == NULL) {
			vj_fail(v, v->i, "one of \" \\ / b f n r t u after "
			    "'\\'");
			return -1;
		}
		buf_append(&v->str, &to[e - from], 1);
		v->i++;
		return 0;
	}
	if (v->n - v->i < 5 || vj_hex4(v->s + v->i + 1, &cp) == -1) {
		vj_fail(v, v->i + 1, "four hex digits after '\\u'");
		return -1;
	}
	v->i += 5;
	if (cp >= 0xd800 && cp <= 0xdbff && v->n - v->i >= 6 &&
	    v->s[v->i] == '\\' && v->s[v->i + 1] == 'u' &&
	    vj_hex4(v->s + v->i + 2, &lo) == 0 && lo >= 0xdc00 &&
	    lo <= 0xdfff) {
		v->i += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xd800 && cp <= 0xdfff) {
		vj_issue(v, VAL_JSON_F_SURROGATE, is_key, key, cp, at);
		return 0;
	} else if (cp == 0) {
		vj_issue(v, VAL_JSON_F_NUL, is_key, key, 0, at);
		return 0;
	}
	vj_put_cp(&v->str, cp);
	return 0;
}

/*
 * The key starting at byte start as written (escapes kept), for messages:
 * at most 63 bytes, cut at a whole UTF-8 character, control characters
 * and bytes that are not UTF-8 shown as '?' (the field of an error is
 * itself JSON text).
 */
static void
vj_rawkey(struct vj *v, size_t start)
{
	size_t	 i, o = 0, k;

	for (i = start; i < v->n && v->s[i] != '"' &&
	    o < sizeof(v->rawkey) - 1; i += k) {
		k = v->s[i] >= 0x80 ? vj_utf8(v->s + i, v->n - i) : 1;
		if (o + (k ? k : 1) > sizeof(v->rawkey) - 1)
			break;
		if (k == 0 || v->s[i] < 0x20 || v->s[i] == 0x7f) {
			v->rawkey[o++] = '?';
			k = 1;
		} else {
			memcpy(v->rawkey + o, v->s + i, k);
			o += k;
		}
		/* An escaped quote stays inside the key. */
		if (v->s[i] == '\\' && i + 1 < v->n && k == 1 &&
		    o < sizeof(v->rawkey) - 1) {
			v->rawkey[o++] = (char)(v->s[i + 1] < 0x20 ? '?' :
			    v->s[i + 1]);
			i++;
		}
	}
	v->rawkey[o] = '\0';
}

/*
 * A string, v->i at its opening quote: decoded into v->str (NUL-ended).
 * A key's findings name the key as written (raw, escapes kept).  0 or -1.
 */
static int
vj_string(struct vj *v, int is_key)
{
	const char	*key = v->key;
	size_t		 run, k;
	unsigned char	 c;

	buf_reset(&v->str);
	if (is_key) {
		vj_rawkey(v, v->i + 1);
		key = v->rawkey;
	}
	v->i++;
	for (;;) {
		for (run = v->i; v->i < v->n && (c = v->s[v->i]) != '"' &&
		    c != '\\' && c >= 0x20 && c < 0x80; v->i++)
			continue;
		buf_append(&v->str, v->s + run, v->i - run);
		if (v->i >= v->n) {
			vj_fail(v, v->i, "the closing '\"' of a string");
			return -1;
		}
		c = v->s[v->i];
		if (c == '"') {
			v->i++;
			break;
		}
		if (c == '\\') {
			v->i++;
			if (vj_escape(v, is_key, key) == -1)
				return -1;
		} else if (c < 0x20) {
			/* RFC 8259 section 7: must be escaped. */
			vj_issue(v, VAL_JSON_F_CTRL, is_key, key, c, v->i);
			buf_append(&v->str, &c, 1);
			v->i++;
		} else if ((k = vj_utf8(v->s + v->i, v->n - v->i)) == 0) {
			vj_issue(v, VAL_JSON_F_UTF8, is_key, key, c, v->i);
			v->i++;
		} else {
			buf_append(&v->str, v->s + v->i, k);
			v->i += k;
		}
	}
	/* Always a NUL-terminated string, "" included. */
	if (buf_append(&v->str, "", 0) == -1) {
		vj_oom(v);
		return -1;
	}
	return 0;
}

static size_t
vj_digits(const struct vj *v, size_t i)
{
	while (i < v->n && v->s[i] >= '0' && v->s[i] <= '9')
		i++;
	return i;
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static cJSON *
vj_number(struct vj *v)
{
	char	 small[64], *copy;
	size_t	 start = v->i, i = v->i, j;
	double	 d;
	cJSON	*item;

	if (i < v->n && v->s[i] == '-')
		i++;
	if (i >= v->n || v->s[i] < '0' || v->s[i] > '9')
		return vj_fail(v, i, "a digit after '-'");
	if (v->s[i] == '0') {
		i++;
		if (i < v->n && v->s[i] >= '0' && v->s[i] <= '9')
			return vj_fail(v, i, "no digit after a leading 0 "
			    "(a number must not start with 0 unless it is 0 "
			    "or 0.x)");
	} else
		i = vj_digits(v, i);
	if (i < v->n && v->s[i] == '.') {
		if ((j = vj_digits(v, i + 1)) == i + 1)
			return vj_fail(v, i + 1, "a digit after the "
			    "decimal point");
		i = j;
	}
	if (i < v->n && (v->s[i] == 'e' || v->s[i] == 'E')) {
		i++;
		if (i < v->n && (v->s[i] == '+' || v->s[i] == '-'))
			i++;
		if ((j = vj_digits(v, i)) == i)
			return vj_fail(v, i, "a digit in the exponent");
		i = j;
	}
	/* strtod wants a NUL-terminated copy; the C locale's '.' holds. */
	if (i - start < sizeof(small))
		copy = small;
	else if ((copy = malloc(i - start + 1)) == NULL)
		return vj_oom(v);
	memcpy(copy, v->s + start, i - start);
	copy[i - start] = '\0';
	d = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	v->i = i;
	if ((item = cJSON_CreateNumber(d)) == NULL)
		return vj_oom(v);
	return item;
}

static cJSON *
vj_literal(struct vj *v)
{
	static const char *const	 words[] = { "true", "false", "null" };
	size_t				 k, n;
	cJSON				*item;

	for (k = 0; k < 3; k++) {
		n = strlen(words[k]);
		if (v->n - v->i >= n && memcmp(v->s + v->i, words[k], n) == 0)
			break;
	}
	if (k == 3)
		return vj_fail(v, v->i, "a JSON value");
	v->i += n;
	item = k == 0 ? cJSON_CreateTrue() : k == 1 ? cJSON_CreateFalse() :
	    cJSON_CreateNull();
	return item != NULL ? item : vj_oom(v);
}

static cJSON *
vj_array(struct vj *v)
{
	cJSON	*arr, *item;

	if ((arr = cJSON_CreateArray()) == NULL)
		return vj_oom(v);
	v->i++;
	vj_skip(v);
	if (v->i < v->n && v->s[v->i] == ']') {
		v->i++;
		return arr;
	}
	for (;;) {
		vj_skip(v);
		if ((item = vj_value(v)) == NULL)
			break;
		if (!cJSON_AddItemToArray(arr, item)) {
			cJSON_Delete(item);
			vj_oom(v);
			break;
		}
		vj_skip(v);
		if (v->i < v->n && v->s[v->i] == ',') {
			v->i++;
			continue;
		}
		if (v->i < v->n && v->s[v->i] == ']') {
			v->i++;
			return arr;
		}
		vj_fail(v, v->i, "',' or ']' after an array element");
		break;
	}
	cJSON_Delete(arr);
	return NULL;
}

/* One member "key": value into obj; 0 or -1. */
static int
vj_member(struct vj *v, cJSON *obj)
{
	char	 outer[sizeof(v->key)], *name;
	cJSON	*item;
	int	 rc = -1;

	if (v->i >= v->n || v->s[v->i] != '"') {
		vj_fail(v, v->i, "a member name in double quotes");
		return -1;
	}
	if (vj_string(v, 1) == -1)
		return -1;
	if ((name = strdup(v->str.p)) == NULL) {
		vj_oom(v);
		return -1;
	}
	vj_skip(v);
	if (v->i >= v->n || v->s[v->i] != ':') {
		vj_fail(v, v->i, "':' after a member name");
		goto out;
	}
	v->i++;
	vj_skip(v);
	/* Findings in the value name this member (its key as written). */
	memcpy(outer, v->key, sizeof(outer));
	memcpy(v->key, v->rawkey, sizeof(v->key));
	item = vj_value(v);
	memcpy(v->key, outer, sizeof(outer));
	if (item == NULL)
		goto out;
	if (!cJSON_AddItemToObject(obj, name, item)) {
		cJSON_Delete(item);
		vj_oom(v);
		goto out;
	}
	rc = 0;
out:
	free(name);
	return rc;
}

static cJSON *
vj_object(struct vj *v)
{
	cJSON	*obj;

	if ((obj = cJSON_CreateObject()) == NULL)
		return vj_oom(v);
	v->i++;
	vj_skip(v);
	if (v->i < v->n && v->s[v->i] == '}') {
		v->i++;
		return obj;
	}
	for (;;) {
		vj_skip(v);
		if (vj_member(v, obj) == -1)
			break;
		vj_skip(v);
		if (v->i < v->n && v->s[v->i] == ',') {
			v->i++;
			continue;
		}
		if (v->i < v->n && v->s[v->i] == '}') {
			v->i++;
			return obj;
		}
		vj_fail(v, v->i, "',' or '}' after an object member");
		break;
	}
	cJSON_Delete(obj);
	return NULL;
}

static cJSON *
vj_value(struct vj *v)
{
	cJSON	*item;
	int	 c;

	if (v->i >= v->n)
		return vj_fail(v, v->i, "a JSON value");
	c = v->s[v->i];
	if (c == '{' || c == '[') {
		if (++v->depth > VAL_JSON_DEPTH)
			return vj_fail(v, v->i, "no deeper nesting (at most "
			    VJ_STR(VAL_JSON_DEPTH) " levels of arrays and "
			    "objects)");
		item = c == '{' ? vj_object(v) : vj_array(v);
		v->depth--;
		return item;
	}
	if (c == '"') {
		if (vj_string(v, 0) == -1)
			return NULL;
		if ((item = cJSON_CreateString(v->str.p)) == NULL)
			return vj_oom(v);
		return item;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return vj_number(v);
	return vj_literal(v);
}

int
val_json_parse(const char *json, size_t len, struct val_json *j,
    struct sf_err *err)
{
	struct vj	 v;

	memset(j, 0, sizeof(*j));
	memset(&v, 0, sizeof(v));
	v.s = (const unsigned char *)(json != NULL ? json : "");
	v.n = json != NULL ? len : 0;
	v.out = j;
	v.err = err;
	buf_init(&v.str);
	vj_skip(&v);
	if (v.i == v.n) {
		j->blank = j->probe = 1;
		buf_free(&v.str);
		return 0;
	}
	j->tree = vj_value(&v);
	if (j->tree != NULL) {
		vj_skip(&v);
		if (v.i < v.n)
			vj_fail(&v, v.i, "nothing after the JSON value");
	}
	buf_free(&v.str);
	if (v.failed) {
		cJSON_Delete(j->tree);
		memset(j, 0, sizeof(*j));
		return -1;
	}
	j->probe = cJSON_IsObject(j->tree) && j->tree->child == NULL;
	return 0;
}

void
val_json_free(struct val_json *j)
{
	if (j == NULL)
		return;
	cJSON_Delete(j->tree);
	memset(j, 0, sizeof(*j));
}
