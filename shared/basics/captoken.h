/*
 * Capability tokens: a secret that is itself the permission, such as the
 * token in a job's status URL (whoever holds the link may read the job).
 * 256 bits from getrandom(2), written base64url without padding (RFC 4648
 * §5: 43 characters, safe in a URL path or query as they are).  The
 * server keeps only the SHA-256 (FIPS 180-4) of the token text, so a copy
 * of the database hands out no links; a presented token is hashed and
 * compared with the stored hash in constant time (nettle's memeql_sec).
 * Pure but for getrandom; thread-safe.
 */
#ifndef SF_CAPTOKEN_H
#define SF_CAPTOKEN_H

#include <stdint.h>

#define CAPTOKEN_BYTES		32	/* entropy: 256 bits (>= 128 asked) */
#define CAPTOKEN_LEN		43	/* base64url characters */
#define CAPTOKEN_STRLEN		44	/* + NUL */
#define CAPTOKEN_HASH_LEN	32	/* SHA-256 */
#define CAPTOKEN_HASH_HEXLEN	65	/* 64 lower-case hex digits + NUL */

/*
 * A fresh token into tok, and the hash to store into hash.  0, or -1 when
 * getrandom failed (no token then: never a weak one).
 */
int	captoken_new(char tok[CAPTOKEN_STRLEN], uint8_t hash[CAPTOKEN_HASH_LEN]);
/*
 * Is s shaped like one of our tokens: exactly CAPTOKEN_LEN characters of
 * [A-Za-z0-9_-], the last one carrying no stray bits (canonical)?  1 or 0.
 * Use it to refuse junk before any lookup.
 */
int	captoken_valid(const char *s);
/* SHA-256 of the token text (any string; NULL hashes as ""). */
void	captoken_hash(const char *tok, uint8_t hash[CAPTOKEN_HASH_LEN]);
/* The hash as 64 lower-case hex digits, for a TEXT column. */
void	captoken_hash_hex(const uint8_t hash[CAPTOKEN_HASH_LEN],
	    char out[CAPTOKEN_HASH_HEXLEN]);
/* Back from that hex form.  0, or -1 when malformed. */
int	captoken_hash_parse(const char *hex, uint8_t hash[CAPTOKEN_HASH_LEN]);
/*
 * Does the presented token match the stored hash?  1 or 0; 0 too for a
 * token that is not captoken_valid().  The hashes are compared in
 * constant time; the shape check leaks only the shape.
 */
int	captoken_check(const char *presented,
	    const uint8_t stored[CAPTOKEN_HASH_LEN]);

#endif
