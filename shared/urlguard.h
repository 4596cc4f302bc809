/*
 * Guard for caller-chosen URLs fetched server-side (image_url, mask_url,
 * ...): http(s) only; after DNS resolution refuse loopback, private,
 * link-local, CGNAT, multicast, unspecified and metadata addresses (v4 and
 * v6, v4-mapped too) unless URL_ALLOW lists the host or address (tests).
 * The fetch pins the resolved address (CURLOPT_RESOLVE) and follows no
 * redirect to a refused address.
 */
#ifndef SF_URLGUARD_H
#define SF_URLGUARD_H

#include <stddef.h>
#include <stdint.h>

struct cfg;
struct sf_err;

/* 0 when the URL may be fetched; else -1 with a 400 naming field. */
int	urlguard_check(const struct cfg *, const char *url, const char *field,
	    struct sf_err *);
/* Fetch with the same checks at every hop; bytes must be an image. */
int	urlguard_fetch_image(const struct cfg *, const char *url,
	    const char *field, int64_t deadline_ms, unsigned char **data,
	    size_t *len, char mime[48], struct sf_err *);

#endif
