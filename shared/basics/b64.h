/*
 * Standard padded base64 (RFC 4648 §4), as x402 headers use it, and
 * unpadded base64url (RFC 4648 §5, as JWS wants it: RFC 7515 §2).  Thin,
 * strict wrappers over nettle: decoding refuses anything outside
 * ^[A-Za-z0-9+/]*={0,2}$ with a length that is a multiple of 4 (base64),
 * or ^[A-Za-z0-9_-]*$ of a length that is not 1 mod 4 and whose unused
 * bits are zero (base64url).
 */
#ifndef SF_B64_H
#define SF_B64_H

#include <stddef.h>

struct buf;

/* Append the encoding of src to out.  0 or -1 (out of memory). */
int	b64_encode(const void *src, size_t len, struct buf *out);
/*
 * Decode src (NUL-terminated) into a fresh malloc'd, NUL-terminated block.
 * Returns NULL on malformed input or out of memory; *lenp gets the length.
 */
unsigned char	*b64_decode(const char *src, size_t *lenp);
/* Append the base64url encoding of src, without '=' padding.  0 or -1. */
int	b64url_encode(const void *src, size_t len, struct buf *out);
/* Decode len bytes of unpadded base64url as b64_decode does (NULL: bad
   input or out of memory). */
unsigned char	*b64url_decode(const char *src, size_t len, size_t *lenp);

#endif
