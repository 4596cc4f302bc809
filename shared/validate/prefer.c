#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "validate/prefer.h"

#define PREFER_VAL_MAX	64	/* longer values fit no preference we read */

/* Bits of struct prefer.seen. */
#define SEEN_ASYNC	0x1u
#define SEEN_WAIT	0x2u
#define SEEN_RETURN	0x4u
#define SEEN_HANDLING	0x8u

void
prefer_init(struct prefer *p)
{

	memset(p, 0, sizeof(*p));
}

/* RFC 9110 §5.6.2 tchar. */
static int
prefer_tchar(int c)
{

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *
prefer_ows(const char *s)
{

	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * word = token / quoted-string, at s; the unescaped value (truncated to
 * PREFER_VAL_MAX, *over set then) into v.  End of it, or NULL.
 */
static const char *
prefer_word(const char *s, char v[PREFER_VAL_MAX + 1], int *over)
{
	size_t		 n = 0;
	unsigned char	 c;

	*over = 0;
	if (*s != '"') {
		for (; prefer_tchar((unsigned char)*s); s++)
			if (n < PREFER_VAL_MAX)
				v[n++] = *s;
			else
				*over = 1;
		v[n] = '\0';
		return s;
	}
	for (s++; (c = (unsigned char)*s) != '"'; s++) {
		if (c == '\\') {
			c = (unsigned char)*++s;
			/* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
			if (c != '\t' && (c < 0x20 || c == 0x7f))
				return NULL;
		} else if (c != '\t' && (c < 0x20 || c == 0x7f))
			return NULL;	/* qdtext; also the end of the string */
		if (n < PREFER_VAL_MAX)
			v[n++] = (char)c;
		else
			*over = 1;
	}
	v[n] = '\0';
	return s + 1;
}

/* delta-seconds = 1*DIGIT, capped at 2^31.  0 or -1. */
static int
prefer_delta(const char *v, int64_t *out)
{
	int64_t	 x = 0;

	if (*v == '\0')
		return -1;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		if ((x = x * 10 + (*v - '0')) > PREFER_WAIT_MAX)
			x = PREFER_WAIT_MAX;
	}
	*out = x;
	return 0;
}

/* Act on the first instance of a preference we know.  0, or -1 (bad value). */
static int
prefer_apply(struct prefer *p, const char *name, size_t nlen, const char *v,
    int over)
{
#define IS(s)	(nlen == sizeof(s) - 1 && strncasecmp(name, s, nlen) == 0)
	int64_t	 w;

	if (IS("respond-async")) {
		if (!(p->seen & SEEN_ASYNC))
			p->respond_async = 1;
		p->seen |= SEEN_ASYNC;
	} else if (IS("wait")) {
		if (p->seen & SEEN_WAIT)
			return 0;
		p->seen |= SEEN_WAIT;
		if (*v == '\0' && !over)
			w = PREFER_WAIT_UNBOUNDED;
		else if (over || prefer_delta(v, &w) == -1)
			return -1;
		p->wait = 1;
		p->wait_s = w;
	} else if (IS("return")) {
		if (p->seen & SEEN_RETURN)
			return 0;
		p->seen |= SEEN_RETURN;
		if (strcasecmp(v, "minimal") == 0)
			p->return_minimal = 1;
		else if (strcasecmp(v, "representation") == 0)
			p->return_representation = 1;
		else
			return -1;
	} else if (IS("handling")) {
		if (p->seen & SEEN_HANDLING)
			return 0;
		p->seen |= SEEN_HANDLING;
		if (strcasecmp(v, "strict") == 0)
			p->handling_strict = 1;
		else if (strcasecmp(v, "lenient") == 0)
			p->handling_lenient = 1;
		else
			return -1;
	}
	return 0;
#undef IS
}

/*
 * One list element at s: 0 with *end at its ',' or NUL; -1 when it does
 * not parse (*end where it stopped).
 */
static int
prefer_element(struct prefer *p, const char *s, const char **end)
{
	const char	*name, *q;
	char		 v[PREFER_VAL_MAX + 1], pv[PREFER_VAL_MAX + 1];
	size_t		 nlen;
	int		 over = 0, pover;

	v[0] = '\0';
	s = prefer_ows(s);
	*end = s;
	if (*s == ',' || *s == '\0')
		return 0;		/* an empty element: allowed (#rule) */
	for (name = s; prefer_tchar((unsigned char)*s); s++)
		continue;
	if ((nlen = (size_t)(s - name)) == 0)
		return -1;
	s = prefer_ows(s);
	if (*s == '=') {
		s = prefer_ows(s + 1);
		if ((s = prefer_word(s, v, &over)) == NULL)
			return -1;
	}
	for (;;) {
		s = prefer_ows(s);
		if (*s != ';')
			break;
		s = prefer_ows(s + 1);
		for (q = s; prefer_tchar((unsigned char)*s); s++)
			continue;
		if (s == q)
			continue;	/* ";" with no parameter */
		s = prefer_ows(s);
		if (*s == '=' && (s = prefer_word(prefer_ows(s + 1), pv,
		    &pover)) == NULL)
			return -1;
	}
	*end = s;
	if (*s != ',' && *s != '\0')
		return -1;
	return prefer_apply(p, name, nlen, v, over);
}

void
prefer_parse(struct prefer *p, const char *value)
{
	const char	*s = value, *end;
	int		 inq;

	if (s == NULL)
		return;
	while (*s != '\0') {
		if (prefer_element(p, s, &end) == -1) {
			p->malformed++;
			/* Skip to the next ',' outside a quoted-string. */
			for (inq = 0, s = end; *s != '\0' && (inq ||
			    *s != ','); s++) {
				if (*s == '\\' && inq && s[1] != '\0')
					s++;
				else if (*s == '"')
					inq = !inq;
			}
		} else
			s = end;
		if (*s == ',')
			s++;
	}
}
