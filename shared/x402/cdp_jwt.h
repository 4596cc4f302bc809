/*
 * Coinbase CDP API bearer tokens (x402.md §7.6): an ES256 JWT per request,
 * header {alg, kid, typ, nonce}, claims {sub, iss:"cdp", aud:["cdp_service"],
 * uris:["METHOD host/path"], iat, nbf, exp = iat + 120}.  The secret is a PEM
 * (RFC 7468) EC P-256 key: SEC1 "EC PRIVATE KEY" (RFC 5915) or unencrypted
 * PKCS#8 "PRIVATE KEY" (RFC 5208, algorithm id-ecPublicKey, curve
 * prime256v1), read with nettle's DER iterator; a key on another curve,
 * an encrypted one and EdDSA keys are refused.  Encoded as JWS compact
 * serialisation: base64url without padding, signature raw r||s, not DER.
 */
#ifndef SF_CDP_JWT_H
#define SF_CDP_JWT_H

#include <stdint.h>
#include <time.h>

struct buf;
struct sf_err;

/*
 * Append the JWT for "method url" to out.  now = 0 means time(NULL).
 * Errors never quote the secret.
 */
int	cdp_jwt_make(const char *key_id, const char *pem, const char *method,
	    const char *url, time_t now, struct buf *out, struct sf_err *);
/* Verify a token with the public key of pem (tests).  0 valid, -1 not. */
int	cdp_jwt_verify(const char *token, const char *pem);

#endif
