/*
 * Fixed-size string copies for the request path.  snprintf(dst, sz, "%s",
 * src) costs ~600 instructions a call in glibc (a FILE set up per call);
 * the 402 path made a dozen of them (make bench-instr), this costs the
 * bytes copied.  Same contract as snprintf's "%s" and BSD strlcpy.
 */
#ifndef SF_STR_H
#define SF_STR_H

#include <stddef.h>

/*
 * Copies src (NULL = "") into dst of sz bytes, truncated to sz - 1 bytes
 * and always NUL-terminated when sz > 0.  Returns strlen(src): a result
 * >= sz means it was truncated, as with snprintf.
 */
size_t	str_copy(char *dst, size_t sz, const char *src);

/* The same for the first n bytes of src (which need no NUL). */
size_t	str_copy_n(char *dst, size_t sz, const char *src, size_t n);

/* Unsigned decimal of v into dst (at least 21 bytes); its length. */
size_t	str_u64(char *dst, unsigned long long v);

#endif
