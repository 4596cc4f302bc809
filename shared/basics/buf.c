#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/buf.h"

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static int
buf_grow(struct buf *b, size_t need)
{
	size_t	 ncap;
	char	*np;

	if (b->oom)
		return -1;
	if (need + 1 <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need + 1) {
		if (ncap > ((size_t)-1) / 2) {
			b->oom = 1;
			return -1;
		}
		ncap *= 2;
	}
	if ((np = realloc(b->p, ncap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

int
buf_append(struct buf *b, const void *data, size_t n)
{
	if (n > ((size_t)-1) - b->len - 1 || buf_grow(b, b->len + n) == -1) {
		b->oom = 1;
		return -1;
	}
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	/*
	 * Straight into the free space when it fits (the usual case): a
	 * sizing pass with vsnprintf(NULL, 0) costs as much as the printing,
	 * one character at a time (seen at the top of the 402 path's profile).
	 */
	if (b->oom || buf_grow(b, b->len + 64) == -1)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->p[b->len] = '\0';
		b->oom = 1;
		return -1;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (buf_grow(b, b->len + (size_t)n) == -1) {
			b->p[b->len] = '\0';
			return -1;
		}
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
	return 0;
}

char *
buf_steal(struct buf *b, size_t *lenp)
{
	char	*p;

	if (b->p == NULL && !b->oom)
		buf_append(b, "", 0);
	p = b->oom ? NULL : b->p;
	if (lenp != NULL)
		*lenp = b->oom ? 0 : b->len;
	if (b->oom)
		free(b->p);
	memset(b, 0, sizeof(*b));
	return p;
}
