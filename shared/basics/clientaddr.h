/*
 * Who the client is behind proxies.  REMOTE_ADDR is the peer of the web
 * server; behind a load balancer every request has the balancer's.  The
 * balancer's X-Forwarded-For is believed only when the peer is listed in
 * TRUSTED_PROXIES (comma-separated addresses or CIDR prefixes, IPv4 or
 * IPv6; empty by default: nobody's is believed).  The list is then walked
 * from the right, the end each proxy appends to: the first address not
 * itself a trusted proxy is the client (what a client writes on the left
 * is never reached while a trusted proxy stands between; nginx's
 * real_ip_recursive and Apache's mod_remoteip read it the same way).
 */
#ifndef SF_CLIENTADDR_H
#define SF_CLIENTADDR_H

#include <stddef.h>

struct sf_err;

/*
 * Check a TRUSTED_PROXIES value: each item an IPv4 or IPv6 address, with
 * an optional "/bits" (0-32 or 0-128).  0, or -1 with 500 config_invalid
 * naming TRUSTED_PROXIES and the item.
 */
int	clientaddr_check(const char *trusted, struct sf_err *);
/*
 * The client's address into out (sz bytes; INET6_ADDRSTRLEN is enough):
 * remote_addr, unless it is a trusted proxy (trusted: the TRUSTED_PROXIES
 * value, NULL or "" = none) and xff (the X-Forwarded-For value, several
 * header lines joined with ", "; NULL = none) names someone before it.
 * An entry that is not an address stops the walk at the proxy that sent
 * it.  remote_addr NULL gives "".
 */
void	clientaddr_resolve(const char *trusted, const char *remote_addr,
	    const char *xff, char *out, size_t sz);

#endif
