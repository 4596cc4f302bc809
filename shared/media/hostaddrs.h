/*
 * The addresses of this host's own interfaces, for the input-URL guard:
 * a caller's URL on one of them reaches a service of ours (anything bound
 * to 0.0.0.0 or ::), whatever range it is in, so it is refused even when
 * the address is globally routable.
 *
 * Kept current without a thread or a timer: at the first use a netlink
 * socket subscribed to address changes (RTMGRP_IPV4_IFADDR,
 * RTMGRP_IPV6_IFADDR) is opened, then the interfaces are read
 * (getifaddrs).  Every later look-up first drains that socket without
 * waiting (one recv); any message, or an overflow of it, means an address
 * came or went, and the interfaces are read again.  The kernel queues the
 * event when the address is added, before anything can connect to it, so
 * a new address is refused from the next look-up on; the steady-state cost
 * is one non-blocking recv per URL checked.  Where no netlink socket can
 * be opened, the interfaces are read at every look-up instead.
 * Thread-safe.
 */
#ifndef SF_HOSTADDRS_H
#define SF_HOSTADDRS_H

#include <stddef.h>

#define HOSTADDRS_MAX	256

struct hostaddrs {
	size_t		 n;
	struct {
		int		 family;	/* AF_INET or AF_INET6 */
		unsigned char	 addr[16];	/* network order; v4 in [0..4) */
		char		 ifname[16];
	}		 a[HOSTADDRS_MAX];
};

/*
 * Add an address literal (v4 or v6, no brackets) to set, named ifname:
 * how tests give the guard an interface list of their own.  0, or -1
 * (not an address, or the set is full).
 */
int	hostaddrs_add(struct hostaddrs *set, const char *ip, const char *ifname);
/*
 * Whether family/addr (network order, 4 or 16 bytes) is in set; with set
 * NULL, in this host's current interfaces (read as described above).
 * When found and ifname is not NULL, it gets the interface's name.
 */
int	hostaddrs_has(const struct hostaddrs *set, int family,
	    const unsigned char *addr, char ifname[16]);

#endif
