/*
 * AWS Signature Version 4 (docs.aws.amazon.com/IAM/latest/UserGuide/
 * create-signed-request.html) computed here with nettle's SHA-256 and
 * HMAC-SHA256, for S3 uploads.  We sign ourselves rather than through
 * CURLOPT_AWS_SIGV4: libcurl before 8.3 (Debian 12 ships 7.88.1) lists a
 * header removed with "Expect:" in SignedHeaders without sending it (curl
 * issue 11664), and S3 refuses that signature.  Exactly the headers given
 * are signed; the caller sends exactly those.
 */
#ifndef SF_SIGV4_H
#define SF_SIGV4_H

#include <stddef.h>
#include <time.h>

struct sigv4_hdr {
	const char	*name;		/* lower case, e.g. "host" */
	const char	*value;		/* trimmed, as sent */
};

struct sigv4_req {
	const char		*method;	/* "PUT" */
	const char		*path;		/* canonical (URI-encoded) path */
	const char		*query;		/* canonical query, "" = none */
	const struct sigv4_hdr	*hdrs;		/* every header to sign */
	size_t			 nhdrs;
	const char		*payload;	/* hex SHA-256 of the body */
	const char		*amzdate;	/* "YYYYMMDDTHHMMSSZ" (x-amz-date) */
	const char		*region;	/* "us-east-1" */
	const char		*service;	/* "s3" */
	const char		*access_key;
	const char		*secret_key;
};

/* x-amz-date of t (UTC): 16 characters + NUL. */
void	sigv4_amzdate(time_t t, char out[17]);
/*
 * URI-encode s per SigV4 (RFC 3986 unreserved kept, the rest %XX upper
 * case; '/' kept when keep_slash).  Returns the length, or -1 when it
 * does not fit in out (size sz).
 */
int	sigv4_encode(const char *s, int keep_slash, char *out, size_t sz);
/*
 * The Authorization header value ("AWS4-HMAC-SHA256 Credential=...,
 * SignedHeaders=..., Signature=...") into out (size sz).  Returns 0, or
 * -1 when a field is missing, there are more than 16 headers, or it does
 * not fit.  The secret never leaves this function.
 */
int	sigv4_authorization(const struct sigv4_req *, char *out, size_t sz);

#endif
