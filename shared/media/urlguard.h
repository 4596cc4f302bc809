/*
 * Guard for caller-chosen URLs fetched server-side (image_url, mask_url,
 * ...): http(s) only, no userinfo; after DNS resolution refuse loopback,
 * private, link-local, CGNAT, multicast, reserved, unspecified and metadata
 * addresses (v4 and v6; v4-mapped, v4-compatible, NAT64 and 6to4 forms by
 * their embedded v4 address) unless URL_ALLOW (comma-separated hosts or
 * addresses, for tests) lists the host or the address.  The fetch pins the
 * address it checked (CURLOPT_RESOLVE), uses no proxy, follows no redirect
 * by itself: each Location hop (at most 3) is checked again.  Caps:
 * INPUT_MAX_BYTES (default 20 MiB), INPUT_TIMEOUT_MS (default 20000, and
 * never past the caller's deadline).
 */
#ifndef SF_URLGUARD_H
#define SF_URLGUARD_H

#include <stddef.h>
#include <stdint.h>

struct cfg;
struct sf_err;

/* 0 when the URL may be fetched; else -1 with a 400 url_refused naming field. */
int		 urlguard_check(const struct cfg *, const char *url,
		    const char *field, struct sf_err *);
/*
 * Fetch with the same checks at every hop; bytes must be an image
 * (media_sniff): mime gets its type.  Errors name field: 400 url_refused,
 * 400 input_fetch_failed (HTTP error, DNS, timeout, too many redirects),
 * 413 input_too_large, 415 input_not_image.
 */
int		 urlguard_fetch_image(const struct cfg *, const char *url,
		    const char *field, int64_t deadline_ms,
		    unsigned char **data, size_t *len, char mime[48],
		    struct sf_err *);
/* Why an address literal (v4 or v6, no brackets) is refused; NULL = public. */
const char	*urlguard_ip_refused(const char *ip);

#endif
