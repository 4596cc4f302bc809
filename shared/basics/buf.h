/*
 * Growable byte buffer.  Allocation failure is sticky: once a call fails,
 * buf->oom is set, later appends are no-ops, and the owner checks once at the
 * end (so building a response needs no check per line).
 */
#ifndef SF_BUF_H
#define SF_BUF_H

#include <stddef.h>

struct buf {
	char	*p;	/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
	int	 oom;
};

void	buf_init(struct buf *);
void	buf_free(struct buf *);
void	buf_reset(struct buf *);
int	buf_append(struct buf *, const void *, size_t);
int	buf_puts(struct buf *, const char *);
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Take ownership of the bytes; the buffer is left empty. */
char	*buf_steal(struct buf *, size_t *lenp);

#endif
