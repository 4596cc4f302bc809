#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x402/x402_json.h"

/* A member name seen in an object being read (pj_dup). */
struct pj_name {
	uint32_t	 len, off;
	uint64_t	 head;		/* its first 8 bytes, zero-padded */
};
#define PJ_NAMES	128

/* The parse: text s[0..n) at i; strings decoded into c at their own offsets. */
struct pj {
	const unsigned char	*s;
	size_t			 n, i;
	unsigned char		*c;
	struct x402_json	*j;
	int			 rc;	/* -1 not accepted, -2 out of memory */
	size_t			 top;	/* names[0..top) in use */
	struct pj_name		 names[PJ_NAMES];
};

static int	pj_value(struct pj *, uint32_t, int);

static int
pj_bad(struct pj *p)
{

	if (p->rc == 0)
		p->rc = -1;
	return -1;
}

/* JSON whitespace: space, tab, LF, CR. */
static void
pj_ws(struct pj *p)
{
	const unsigned char	*s = p->s;
	size_t			 i = p->i, n = p->n;

	/* Locals: a store to p->i may alias any byte read through s. */
	while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' ||
	    s[i] == '\t'))
		i++;
	p->i = i;
}

/* Room for twice as many nodes, on the heap.  0 or -1. */
static int
pj_grow(struct pj *p)
{
	struct x402_json	*j = p->j;
	struct x402_json_node	*nn;
	size_t			 cap = j->cap * 2;

	if (j->nodes == j->nodes_in) {
		if ((nn = malloc(cap * sizeof(*nn))) != NULL)
			memcpy(nn, j->nodes, j->n * sizeof(*nn));
	} else
		nn = realloc(j->nodes, cap * sizeof(*nn));
	if (nn == NULL) {
		p->rc = -2;
		return -1;
	}
	j->nodes = nn;
	j->cap = cap;
	return 0;
}

/* A new node of the given type; its index in *idx. */
static inline int
pj_node(struct pj *p, uint32_t type, uint32_t *idx)
{
	struct x402_json	*j = p->j;
	struct x402_json_node	*nn;

	if (j->n == j->cap && pj_grow(p) == -1)
		return -1;
	*idx = (uint32_t)j->n;
	nn = &j->nodes[j->n++];
	nn->type = type;
	nn->key = nn->key_len = nn->val = nn->val_len = 0;
	nn->child = nn->next = 0;
	return 0;
}

static int
pj_hex(const unsigned char *h, unsigned *out)
{
	unsigned	 v = 0;
	int		 k;

	for (k = 0; k < 4; k++) {
		v <<= 4;
		if (h[k] >= '0' && h[k] <= '9')
			v |= h[k] - '0';
		else if (h[k] >= 'a' && h[k] <= 'f')
			v |= h[k] - 'a' + 10;
		else if (h[k] >= 'A' && h[k] <= 'F')
			v |= h[k] - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Length of the UTF-8 sequence at t (RFC 3629 section 4), 0 if none. */
static size_t
pj_utf8(const unsigned char *t, size_t left)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 k, i;

	if (t[0] >= 0xc2 && t[0] <= 0xdf)
		k = 1;
	else if (t[0] >= 0xe0 && t[0] <= 0xef) {
		k = 2;
		if (t[0] == 0xe0)
			lo = 0xa0;
		else if (t[0] == 0xed)		/* no surrogates */
			hi = 0x9f;
	} else if (t[0] >= 0xf0 && t[0] <= 0xf4) {
		k = 3;
		if (t[0] == 0xf0)
			lo = 0x90;
		else if (t[0] == 0xf4)		/* nothing past U+10FFFF */
			hi = 0x8f;
	} else
		return 0;
	if (left < k + 1 || t[1] < lo || t[1] > hi)
		return 0;
	for (i = 2; i <= k; i++)
		if (t[i] < 0x80 || t[i] > 0xbf)
			return 0;
	return k + 1;
}

/*
 * One escape, p->i just past the backslash, written at c[*w].  The
 * output is never longer than the escape, so it fits where it stood.
 */
static int
pj_escape(struct pj *p, size_t *w)
{
	const unsigned char	*s = p->s;
	unsigned char		*o = p->c + *w;
	unsigned		 cp, lo;

	if (p->i >= p->n)
		return pj_bad(p);
	switch (s[p->i]) {
	case '"':	*o = '"';	break;
	case '\\':	*o = '\\';	break;
	case '/':	*o = '/';	break;
	case 'b':	*o = '\b';	break;
	case 'f':	*o = '\f';	break;
	case 'n':	*o = '\n';	break;
	case 'r':	*o = '\r';	break;
	case 't':	*o = '\t';	break;
	case 'u':
		if (p->n - p->i < 5 || pj_hex(s + p->i + 1, &cp) == -1 ||
		    cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
			return pj_bad(p);
		p->i += 5;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			/* Only with its low half (cJSON's rule). */
			if (p->n - p->i < 6 || s[p->i] != '\\' ||
			    s[p->i + 1] != 'u' ||
			    pj_hex(s + p->i + 2, &lo) == -1 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return pj_bad(p);
			p->i += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (cp < 0x80)
			o[0] = (unsigned char)cp, *w += 1;
		else if (cp < 0x800) {
			o[0] = (unsigned char)(0xc0 | cp >> 6);
			o[1] = (unsigned char)(0x80 | (cp & 0x3f));
			*w += 2;
		} else if (cp < 0x10000) {
			o[0] = (unsigned char)(0xe0 | cp >> 12);
			o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			o[2] = (unsigned char)(0x80 | (cp & 0x3f));
			*w += 3;
		} else {
			o[0] = (unsigned char)(0xf0 | cp >> 18);
			o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
			o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			o[3] = (unsigned char)(0x80 | (cp & 0x3f));
			*w += 4;
		}
		return 0;
	default:
		return pj_bad(p);
	}
	p->i++;
	*w += 1;
	return 0;
}

#define PJ_ONES		0x0101010101010101ULL
#define PJ_HIGHS	0x8080808080808080ULL

/* 1 for a byte that stands for itself in a string: ASCII, no control, no '"', no '\\'. */
static const unsigned char pj_plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/*
 * The rest of a string from s[i] on, where the scan below stopped short
 * of its closing quote (an escape, a control byte, UTF-8, the end).
 */
static int
pj_string_rest(struct pj *p, size_t start, size_t i, uint32_t *off,
    uint32_t *len)
{
	const unsigned char	*s = p->s;
	size_t			 w = i, k;
	unsigned char		 ch;

	for (;;) {
		if (i >= p->n)
			return pj_bad(p);
		ch = s[i];
		if (ch == '"')
			break;
		if (ch == '\\') {
			p->i = i + 1;
			if (pj_escape(p, &w) == -1)
				return -1;
			i = p->i;
		} else if (ch < 0x20)
			return pj_bad(p);
		else if (ch < 0x80)
			p->c[w++] = s[i++];
		else {
			if ((k = pj_utf8(s + i, p->n - i)) == 0)
				return pj_bad(p);
			memcpy(p->c + w, s + i, k);
			w += k;
			i += k;
		}
	}
	p->c[w] = '\0';
	p->i = i + 1;
	*off = (uint32_t)start;
	*len = (uint32_t)(w - start);
	return 0;
}

/*
 * A string, p->i at its opening quote: decoded in the copy from the
 * same offset on and NUL-terminated there (the closing quote, or less,
 * is room enough).  Plain ASCII is already in place: a string without
 * escapes costs one scan, of the copy, whose NUL at the end stops it.
 */
static inline int
pj_string(struct pj *p, uint32_t *off, uint32_t *len)
{
	size_t		 start = p->i + 1, i = start;
	uint64_t	 x, q, b;

	/*
	 * Eight bytes at a time while none is '"', '\\', below 0x20 or
	 * above 0x7f (the high bit of a byte of the sum is set for some
	 * byte iff one of them is: zero-byte tests of x ^ '"' and x ^ '\\',
	 * and x - 0x20 borrows or x itself is high), then byte by byte.
	 */
	while (i + 8 <= p->n) {
		memcpy(&x, p->c + i, 8);
		q = x ^ (PJ_ONES * '"');
		b = x ^ (PJ_ONES * '\\');
		if ((((q - PJ_ONES) & ~q) | ((b - PJ_ONES) & ~b) |
		    (x - PJ_ONES * 0x20) | x) & PJ_HIGHS)
			break;
		i += 8;
	}
	while (pj_plain[p->c[i]])
		i++;
	if (i >= p->n || p->s[i] != '"')
		return pj_string_rest(p, start, i, off, len);
	p->c[i] = '\0';
	p->i = i + 1;
	*off = (uint32_t)start;
	*len = (uint32_t)(i - start);
	return 0;
}

static size_t
pj_digits(const struct pj *p, size_t i)
{

	while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
		i++;
	return i;
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int
pj_number(struct pj *p, uint32_t idx)
{
	size_t	 i = p->i, j;

	if (i < p->n && p->s[i] == '-')
		i++;
	if (i >= p->n || p->s[i] < '0' || p->s[i] > '9')
		return pj_bad(p);
	i = p->s[i] == '0' ? i + 1 : pj_digits(p, i);
	if (i < p->n && p->s[i] == '.') {
		if ((j = pj_digits(p, i + 1)) == i + 1)
			return pj_bad(p);
		i = j;
	}
	if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
		i++;
		if (i < p->n && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if ((j = pj_digits(p, i)) == i)
			return pj_bad(p);
		i = j;
	}
	p->j->nodes[idx].type = X402_JSON_NUMBER;
	p->j->nodes[idx].val = (uint32_t)p->i;
	p->j->nodes[idx].val_len = (uint32_t)(i - p->i);
	p->i = i;
	return 0;
}

static int
pj_literal(struct pj *p, uint32_t idx)
{
	static const struct {
		const char	*word;
		size_t		 len;
		uint32_t	 type;
	} lit[] = {
		{ "true", 4, X402_JSON_TRUE },
		{ "false", 5, X402_JSON_FALSE },
		{ "null", 4, X402_JSON_NULL },
	};
	size_t	 k;

	for (k = 0; k < sizeof(lit) / sizeof(lit[0]); k++)
		if (p->n - p->i >= lit[k].len &&
		    memcmp(p->s + p->i, lit[k].word, lit[k].len) == 0) {
			p->j->nodes[idx].type = lit[k].type;
			p->i += lit[k].len;
			return 0;
		}
	return pj_bad(p);
}

/*
 * Note in p->j->dup whether the object obj has a member before m with
 * m's name.  The names of the objects being read are kept on a stack in
 * p (length, first eight bytes, offset): obj's are p->names[base..base +
 * kept), those of its first kept members, of nmem before m.  Past the
 * stack's room an object's later names are compared node by node.
 * Returns kept, plus one if m's name went on the stack.
 */
static size_t
pj_dup(struct pj *p, uint32_t obj, uint32_t m, size_t base, size_t kept,
    size_t nmem)
{
	const struct x402_json_node	*nd = p->j->nodes;
	const struct pj_name		*e = p->names + base;
	const unsigned char		*c = p->c;
	uint32_t			 k, off = nd[m].key, len = nd[m].key_len;
	uint64_t			 head = 0;
	size_t				 i;

	/* In a register: a short memcpy into head and an 8-byte load of it
	   would stall on store forwarding. */
	if (len >= 8)
		memcpy(&head, c + off, 8);
	else
		for (i = 0; i < len; i++)
			head |= (uint64_t)c[off + i] << (8 * i);
	for (i = 0; i < kept; i++)
		if (e[i].len == len && e[i].head == head &&
		    memcmp(c + e[i].off, c + off, len) == 0) {
			p->j->dup = 1;
			return kept;
		}
	if (kept < nmem) {
		for (k = nd[obj].child, i = 0; k != m; k = nd[k].next, i++)
			if (i >= kept && nd[k].key_len == len &&
			    memcmp(c + nd[k].key, c + off, len) == 0) {
				p->j->dup = 1;
				return kept;
			}
		return kept;
	}
	if (base + kept >= PJ_NAMES)
		return kept;
	p->names[base + kept].len = len;
	p->names[base + kept].head = head;
	p->names[base + kept].off = off;
	return kept + 1;
}

/*
 * An array or an object, p->i at its bracket, at nesting depth.  Not
 * inlined into pj_value: the recursion would carry its frame and its
 * spills into every string and number.
 */
static int	pj_container(struct pj *, uint32_t, int)
		    __attribute__((noinline));

static int
pj_container(struct pj *p, uint32_t idx, int depth)
{
	struct x402_json_node	*nd;
	uint32_t		 m, prev = 0, key, klen;
	int			 obj = p->s[p->i] == '{';
	unsigned char		 close = obj ? '}' : ']';
	size_t			 base = p->top, kept = 0, nmem = 0;

	if (depth > X402_JSON_DEPTH)
		return pj_bad(p);
	p->j->nodes[idx].type = obj ? X402_JSON_OBJECT : X402_JSON_ARRAY;
	p->i++;
	pj_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		return 0;
	}
	for (;;) {
		if (obj) {
			if (p->i >= p->n || p->s[p->i] != '"' ||
			    pj_string(p, &key, &klen) == -1)
				return pj_bad(p);
			pj_ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				return pj_bad(p);
			p->i++;
			pj_ws(p);
		}
		if (pj_node(p, 0, &m) == -1)
			return -1;
		nd = p->j->nodes;
		if (prev == 0)
			nd[idx].child = m;
		else
			nd[prev].next = m;
		prev = m;
		if (obj) {
			nd[m].key = key;
			nd[m].key_len = klen;
			kept = pj_dup(p, idx, m, base, kept, nmem++);
			p->top = base + kept;
		}
		if (pj_value(p, m, depth) == -1)
			return -1;
		/* Past a nested object: its names are done with. */
		p->top = base + kept;
		pj_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			pj_ws(p);
			continue;
		}
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			return 0;
		}
		return pj_bad(p);
	}
}

/* The value at p->i into node idx, inside depth levels of nesting. */
static int
pj_value(struct pj *p, uint32_t idx, int depth)
{
	struct x402_json_node	*nd;
	uint32_t		 off, len;

	if (p->i >= p->n)
		return pj_bad(p);
	switch (p->s[p->i]) {
	case '{':
	case '[':
		return pj_container(p, idx, depth + 1);
	case '"':
		if (pj_string(p, &off, &len) == -1)
			return -1;
		nd = &p->j->nodes[idx];
		nd->type = X402_JSON_STRING;
		nd->val = off;
		nd->val_len = len;
		return 0;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return pj_number(p, idx);
	default:
		return pj_literal(p, idx);
	}
}

int
x402_json_parse(struct x402_json *j, const char *text, size_t len)
{
	struct pj	 p;
	uint32_t	 root;

	memset(j, 0, offsetof(struct x402_json, copy_in));
	j->text = text;
	j->nodes = j->nodes_in;
	j->cap = X402_JSON_NODES;
	if (len > X402_JSON_MAX)
		return -1;
	if (len < sizeof(j->copy_in))
		j->copy = j->copy_in;
	else if ((j->copy = malloc(len + 1)) == NULL)
		return -2;
	memcpy(j->copy, text, len);
	j->copy[len] = '\0';
	/* Not all of p: its names are written before they are read. */
	p.s = (const unsigned char *)text;
	p.n = len;
	p.i = 0;
	p.c = (unsigned char *)j->copy;
	p.j = j;
	p.rc = 0;
	p.top = 0;
	pj_ws(&p);
	if (pj_node(&p, 0, &root) == -1 || pj_value(&p, root, 0) == -1) {
		x402_json_free(j);
		return p.rc;
	}
	pj_ws(&p);
	if (p.i != p.n) {
		x402_json_free(j);
		return -1;
	}
	return 0;
}

void
x402_json_free(struct x402_json *j)
{

	if (j == NULL)
		return;
	if (j->copy != NULL && j->copy != j->copy_in)
		free(j->copy);
	if (j->nodes != NULL && j->nodes != j->nodes_in)
		free(j->nodes);
	j->copy = NULL;
	j->nodes = j->nodes_in;
	j->n = 0;
	j->cap = X402_JSON_NODES;
}

const struct x402_json_node *
x402_json_root(const struct x402_json *j)
{

	return j->n > 0 ? &j->nodes[0] : NULL;
}

const struct x402_json_node *
x402_json_get(const struct x402_json *j, const struct x402_json_node *obj,
    const char *key)
{
	const struct x402_json_node	*m;
	const char			*name;
	size_t				 k;

	if (obj == NULL || obj->type != X402_JSON_OBJECT)
		return NULL;
	/* Names are short: a loop beats strlen and memcmp per member. */
	for (m = x402_json_child(j, obj); m != NULL; m = x402_json_next(j, m)) {
		name = j->copy + m->key;
		for (k = 0; k < m->key_len && name[k] == key[k]; k++)
			continue;
		if (k == m->key_len && key[k] == '\0')
			return m;
	}
	return NULL;
}

void
x402_json_pick(const struct x402_json *j, const struct x402_json_node *obj,
    const struct x402_json_name *names, size_t n,
    const struct x402_json_node **out)
{
	const struct x402_json_node	*m;
	size_t				 k;

	for (k = 0; k < n; k++)
		out[k] = NULL;
	if (obj == NULL || obj->type != X402_JSON_OBJECT)
		return;
	for (m = x402_json_child(j, obj); m != NULL; m = x402_json_next(j, m))
		for (k = 0; k < n; k++)
			if (m->key_len == names[k].len &&
			    (m->key_len == 0 ||
			    (j->copy[m->key] == names[k].s[0] &&
			    memcmp(j->copy + m->key, names[k].s,
			    names[k].len) == 0))) {
				if (out[k] == NULL)
					out[k] = m;
				break;
			}
}

const struct x402_json_node *
x402_json_child(const struct x402_json *j, const struct x402_json_node *v)
{

	return v->child != 0 ? &j->nodes[v->child] : NULL;
}

const struct x402_json_node *
x402_json_next(const struct x402_json *j, const struct x402_json_node *v)
{

	return v->next != 0 ? &j->nodes[v->next] : NULL;
}

const char *
x402_json_string(const struct x402_json *j, const struct x402_json_node *v)
{

	return v->type == X402_JSON_STRING ? j->copy + v->val : NULL;
}

const char *
x402_json_name(const struct x402_json *j, const struct x402_json_node *v)
{

	return v->key_len > 0 ? j->copy + v->key : "";
}

double
x402_json_number(const struct x402_json *j, const struct x402_json_node *v)
{
	char		 small[64], *t, *q, point, ch;
	double		 d;
	uint64_t	 u;
	size_t		 k;

	if (v->type != X402_JSON_NUMBER)
		return 0;
	/* Up to 15 digits, no sign, point or exponent: exact as an integer,
	   as strtod reads it too (the versions and timeouts are these). */
	if (v->val_len <= 15) {
		for (k = 0, u = 0; k < v->val_len &&
		    (ch = j->text[v->val + k]) >= '0' && ch <= '9'; k++)
			u = u * 10 + (uint64_t)(ch - '0');
		if (k == v->val_len)
			return (double)u;
	}
	if (v->val_len < sizeof(small))
		t = small;
	else if ((t = malloc(v->val_len + 1)) == NULL)
		return 0;
	memcpy(t, j->text + v->val, v->val_len);
	t[v->val_len] = '\0';
	/* strtod reads the locale's decimal point, as cJSON arranges too. */
	point = localeconv()->decimal_point[0];
	if (point != '.' && point != '\0' && (q = strchr(t, '.')) != NULL)
		*q = point;
	d = strtod(t, NULL);
	if (t != small)
		free(t);
	return d;
}
