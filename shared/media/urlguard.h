/*
 * Guard for caller-chosen URLs fetched server-side (image_url, mask_url,
 * ...): http(s) only, no userinfo; after DNS resolution every address
 * must pass: an address of this host's own interfaces is refused whatever
 * its range (media/hostaddrs.h), and so is every address the IANA
 * special-purpose registries do not mark globally reachable
 * (urlguard_ranges below: loopback, private, link-local and metadata,
 * shared, documentation, benchmarking, reserved, ...; multicast), the
 * forms that embed an IPv4 address (IPv4-mapped, -compatible and
 * -translated, NAT64 64:ff9b::/96, 6to4, both addresses of Teredo) by
 * that address, unless URL_ALLOW (comma-separated hosts or addresses,
 * for tests) lists the host or the address.  The fetch pins the
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
 * For a caller's URL this server sends to rather than fetches (a job's
 * webhook_url): urlguard_check's checks, and the address that passed them
 * as a CURLOPT_RESOLVE entry "host:port:addr" in pin (http_req.resolve),
 * so the request goes to the address checked and a DNS answer that
 * changes meanwhile (rebinding) cannot send it elsewhere; "" when the
 * host is an address literal (nothing to resolve).  Use it with noproxy
 * and no redirects followed.  0, or -1 with urlguard_check's errors.
 */
#define URLGUARD_PIN_LEN	320
int		 urlguard_pin(const struct cfg *, const char *url,
		    const char *field, char pin[URLGUARD_PIN_LEN],
		    struct sf_err *);
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
/*
 * Why an address literal (v4 or v6, no brackets) is refused, NULL when it
 * may be fetched: this host's own (the live interface list), then the
 * table.  The text lives until the thread's next call.
 */
const char	*urlguard_ip_refused(const char *ip);
/* The same against own, a list of the host's addresses given by a test. */
struct hostaddrs;
const char	*urlguard_ip_refused_on(const char *ip,
		    const struct hostaddrs *own);

/* What the table does with an address it holds. */
enum urlguard_verdict {
	URLGUARD_REFUSE = 1,	/* not globally reachable */
	URLGUARD_REACHABLE,	/* globally reachable inside a refused block */
	URLGUARD_EMBEDS_V4,	/* judged by the IPv4 address in bytes 12-15 */
	URLGUARD_6TO4,		/* judged by the IPv4 address in bytes 2-5 */
	URLGUARD_TEREDO,	/* judged by its server and client addresses */
};

/* One row: a prefix ("10.0.0.0/8"), what it is, the RFC that made it. */
struct urlguard_range {
	const char		*prefix;
	const char		*name;
	const char		*rfc;
	enum urlguard_verdict	 verdict;
};

/* The table, ending with a NULL prefix; the most specific row decides. */
extern const struct urlguard_range urlguard_ranges[];
/* Index of the row that decides family/addr (network order), or -1. */
int	urlguard_range_of(int family, const unsigned char *addr);

#endif
