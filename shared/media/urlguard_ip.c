#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/hostaddrs.h"
#include "media/urlguard.h"

/*
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890;
 * the registries as of 2025-04), every row whose "Globally Reachable" is
 * False refused, the rows marked True inside a refused block let through,
 * and the forms that embed an IPv4 address judged by that address.  Two
 * rows of other registries join them: multicast (never a unicast server)
 * and the deprecated IPv6 site-local block.  The most specific row that
 * holds an address decides (2001:1::1 is reachable inside the refused
 * 2001::/23).  tests/unit/test_urlguard.c checks an address in every row.
 */
const struct urlguard_range urlguard_ranges[] = {
	/* IPv4 Special-Purpose Address Registry */
	{ "0.0.0.0/8", "\"this network\" address", "RFC 791", URLGUARD_REFUSE },
	{ "0.0.0.0/32", "\"this host on this network\" address", "RFC 1122",
	  URLGUARD_REFUSE },
	{ "10.0.0.0/8", "private-use address", "RFC 1918", URLGUARD_REFUSE },
	{ "100.64.0.0/10", "shared (carrier-grade NAT) address", "RFC 6598",
	  URLGUARD_REFUSE },
	{ "127.0.0.0/8", "loopback address", "RFC 1122", URLGUARD_REFUSE },
	{ "169.254.0.0/16", "link-local or cloud metadata address",
	  "RFC 3927", URLGUARD_REFUSE },
	{ "172.16.0.0/12", "private-use address", "RFC 1918", URLGUARD_REFUSE },
	{ "192.0.0.0/24", "IETF protocol assignment", "RFC 6890",
	  URLGUARD_REFUSE },
	{ "192.0.0.0/29", "IPv4 service continuity prefix", "RFC 7335",
	  URLGUARD_REFUSE },
	{ "192.0.0.8/32", "IPv4 dummy address", "RFC 7600", URLGUARD_REFUSE },
	{ "192.0.0.9/32", "Port Control Protocol anycast", "RFC 7723",
	  URLGUARD_REACHABLE },
	{ "192.0.0.10/32", "TURN anycast", "RFC 8155", URLGUARD_REACHABLE },
	{ "192.0.0.170/32", "NAT64/DNS64 discovery address", "RFC 8880",
	  URLGUARD_REFUSE },
	{ "192.0.0.171/32", "NAT64/DNS64 discovery address", "RFC 8880",
	  URLGUARD_REFUSE },
	{ "192.0.2.0/24", "documentation address (TEST-NET-1)", "RFC 5737",
	  URLGUARD_REFUSE },
	{ "192.31.196.0/24", "AS112-v4", "RFC 7535", URLGUARD_REACHABLE },
	{ "192.52.193.0/24", "AMT", "RFC 7450", URLGUARD_REACHABLE },
	{ "192.88.99.0/24", "deprecated 6to4 relay anycast address",
	  "RFC 7526", URLGUARD_REFUSE },
	{ "192.88.99.2/32", "6a44-relay anycast address", "RFC 6751",
	  URLGUARD_REFUSE },
	{ "192.168.0.0/16", "private-use address", "RFC 1918",
	  URLGUARD_REFUSE },
	{ "192.175.48.0/24", "AS112 direct delegation", "RFC 7534",
	  URLGUARD_REACHABLE },
	{ "198.18.0.0/15", "benchmarking address", "RFC 2544",
	  URLGUARD_REFUSE },
	{ "198.51.100.0/24", "documentation address (TEST-NET-2)", "RFC 5737",
	  URLGUARD_REFUSE },
	{ "203.0.113.0/24", "documentation address (TEST-NET-3)", "RFC 5737",
	  URLGUARD_REFUSE },
	{ "240.0.0.0/4", "reserved address", "RFC 1112", URLGUARD_REFUSE },
	{ "255.255.255.255/32", "limited broadcast address", "RFC 919",
	  URLGUARD_REFUSE },
	/* IPv4 Multicast Address Space Registry */
	{ "224.0.0.0/4", "multicast address", "RFC 5771", URLGUARD_REFUSE },

	/* IPv6 Special-Purpose Address Registry */
	{ "::1/128", "loopback address", "RFC 4291", URLGUARD_REFUSE },
	{ "::/128", "unspecified address", "RFC 4291", URLGUARD_REFUSE },
	{ "::ffff:0:0/96", "IPv4-mapped address", "RFC 4291",
	  URLGUARD_EMBEDS_V4 },
	{ "64:ff9b::/96", "IPv4/IPv6 translation address", "RFC 6052",
	  URLGUARD_EMBEDS_V4 },
	{ "64:ff9b:1::/48", "local-use IPv4/IPv6 translation address",
	  "RFC 8215", URLGUARD_REFUSE },
	{ "100::/64", "discard-only address", "RFC 6666", URLGUARD_REFUSE },
	{ "100:0:0:1::/64", "dummy IPv6 address", "RFC 9780",
	  URLGUARD_REFUSE },
	{ "2001::/23", "IETF protocol assignment", "RFC 2928",
	  URLGUARD_REFUSE },
	{ "2001::/32", "Teredo address", "RFC 4380", URLGUARD_TEREDO },
	{ "2001:1::1/128", "Port Control Protocol anycast", "RFC 7723",
	  URLGUARD_REACHABLE },
	{ "2001:1::2/128", "TURN anycast", "RFC 8155", URLGUARD_REACHABLE },
	{ "2001:1::3/128", "DNS-SD service registration anycast", "RFC 9665",
	  URLGUARD_REACHABLE },
	{ "2001:2::/48", "benchmarking address", "RFC 5180", URLGUARD_REFUSE },
	{ "2001:3::/32", "AMT", "RFC 7450", URLGUARD_REACHABLE },
	{ "2001:4:112::/48", "AS112-v6", "RFC 7535", URLGUARD_REACHABLE },
	{ "2001:10::/28", "deprecated ORCHID address", "RFC 4843",
	  URLGUARD_REFUSE },
	{ "2001:20::/28", "ORCHIDv2", "RFC 7343", URLGUARD_REACHABLE },
	{ "2001:30::/28", "drone remote ID entity tag", "RFC 9374",
	  URLGUARD_REACHABLE },
	{ "2001:db8::/32", "documentation address", "RFC 3849",
	  URLGUARD_REFUSE },
	{ "2002::/16", "6to4 address", "RFC 3056", URLGUARD_6TO4 },
	{ "2620:4f:8000::/48", "AS112 direct delegation", "RFC 7534",
	  URLGUARD_REACHABLE },
	{ "3fff::/20", "documentation address", "RFC 9637", URLGUARD_REFUSE },
	{ "5f00::/16", "SRv6 segment identifier", "RFC 9602",
	  URLGUARD_REFUSE },
	{ "fc00::/7", "unique local address", "RFC 4193", URLGUARD_REFUSE },
	{ "fe80::/10", "link-local address", "RFC 4291", URLGUARD_REFUSE },
	/* Deprecated forms, and the IPv6 multicast block */
	{ "::/96", "IPv4-compatible address (deprecated)", "RFC 4291",
	  URLGUARD_EMBEDS_V4 },
	{ "::ffff:0:0:0/96", "IPv4-translated address", "RFC 2765",
	  URLGUARD_EMBEDS_V4 },
	{ "fec0::/10", "site-local address (deprecated)", "RFC 3879",
	  URLGUARD_REFUSE },
	{ "ff00::/8", "multicast address", "RFC 4291", URLGUARD_REFUSE },
	{ NULL, NULL, NULL, 0 },
};

/* The table in binary: prefix bytes and length, parsed once. */
static struct {
	int		 family;
	unsigned char	 net[16];
	int		 len;
}			 urlguard_bin[sizeof(urlguard_ranges) /
			    sizeof(urlguard_ranges[0])];
static pthread_once_t	 urlguard_once = PTHREAD_ONCE_INIT;

static void
urlguard_parse(void)
{
	char	 ip[64];
	size_t	 i, n;

	for (i = 0; urlguard_ranges[i].prefix != NULL; i++) {
		n = strcspn(urlguard_ranges[i].prefix, "/");
		snprintf(ip, sizeof(ip), "%.*s", (int)n,
		    urlguard_ranges[i].prefix);
		urlguard_bin[i].len = atoi(urlguard_ranges[i].prefix + n + 1);
		if (inet_pton(AF_INET, ip, urlguard_bin[i].net) == 1)
			urlguard_bin[i].family = AF_INET;
		else if (inet_pton(AF_INET6, ip, urlguard_bin[i].net) == 1)
			urlguard_bin[i].family = AF_INET6;
		else
			abort();	/* a typo in the table above */
	}
}

static int
urlguard_in(const unsigned char *a, const unsigned char *net, int len)
{
	int	 full = len / 8, rest = len % 8;

	if (memcmp(a, net, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ net[full]) &
	    (unsigned char)(0xff << (8 - rest))) == 0;
}

int
urlguard_range_of(int family, const unsigned char *a)
{
	int	 i, best = -1;

	pthread_once(&urlguard_once, urlguard_parse);
	for (i = 0; urlguard_ranges[i].prefix != NULL; i++)
		if (urlguard_bin[i].family == family &&
		    urlguard_in(a, urlguard_bin[i].net, urlguard_bin[i].len) &&
		    (best == -1 || urlguard_bin[i].len > urlguard_bin[best].len))
			best = i;
	return best;
}

/* The reason of a refusal, per thread (urlguard_ip_refused's answer). */
static __thread char	 urlguard_why[768];

static int	urlguard_judge(int, const unsigned char *,
		    const struct hostaddrs *, char *, size_t);

/* An embedded IPv4 address: refused when it would be refused alone. */
static int
urlguard_embedded(const struct urlguard_range *r, const unsigned char *v4,
    const struct hostaddrs *own, char *why, size_t sz)
{
	char	 ip[INET_ADDRSTRLEN], inner[256];

	if (!urlguard_judge(AF_INET, v4, own, inner, sizeof(inner)))
		return 0;
	inet_ntop(AF_INET, v4, ip, sizeof(ip));
	snprintf(why, sz, "%s (%s, %s) of %s, %s", r->name, r->prefix, r->rfc,
	    ip, inner);
	return 1;
}

/*
 * Whether the table refuses family/a (network order), the reason in why;
 * an embedded IPv4 address is judged whole (urlguard_judge: the host's
 * own addresses too).  IPv4 rows never embed: the recursion is one level.
 */
static int
urlguard_by_range(int family, const unsigned char *a,
    const struct hostaddrs *own, char *why, size_t sz)
{
	const struct urlguard_range	*r;
	unsigned char			 client[4];
	int				 i;

	if ((i = urlguard_range_of(family, a)) == -1)
		return 0;
	r = &urlguard_ranges[i];
	switch (r->verdict) {
	case URLGUARD_REACHABLE:
		return 0;
	case URLGUARD_EMBEDS_V4:
		return urlguard_embedded(r, a + 12, own, why, sz);
	case URLGUARD_6TO4:		/* 2002:AABB:CCDD::/48 */
		return urlguard_embedded(r, a + 2, own, why, sz);
	case URLGUARD_TEREDO:
		/* RFC 4380 section 4: the server's address in bits 32-63,
		   the client's in 96-127 with every bit flipped. */
		for (i = 0; i < 4; i++)
			client[i] = (unsigned char)~a[12 + i];
		return urlguard_embedded(r, a + 4, own, why, sz) ||
		    urlguard_embedded(r, client, own, why, sz);
	default:
		snprintf(why, sz, "%s (%s, %s)", r->name, r->prefix, r->rfc);
		return 1;
	}
}

/*
 * Whether family/a (network order) is refused, the reason in why: an
 * address of the host itself (own, NULL = the live list), or the table's.
 */
static int
urlguard_judge(int family, const unsigned char *a,
    const struct hostaddrs *own, char *why, size_t sz)
{
	char	 range[320], ifname[16];
	int	 refused;

	refused = urlguard_by_range(family, a, own, range, sizeof(range));
	/* Its own address, whatever its range: it reaches our services. */
	if (hostaddrs_has(own, family, a, ifname)) {
		snprintf(why, sz, "an address of this host itself (interface "
		    "%.16s), where services bound to all addresses answer%s%s",
		    ifname, refused ? "; also a " : "", refused ? range : "");
		return 1;
	}
	if (refused)
		snprintf(why, sz, "%s", range);
	return refused;
}

const char *
urlguard_ip_refused_on(const char *ip, const struct hostaddrs *own)
{
	unsigned char	 a[16];
	int		 fam;

	if (ip == NULL)
		return "no address";
	if (inet_pton(AF_INET, ip, a) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, ip, a) == 1)
		fam = AF_INET6;
	else
		return "not an IP address";
	return urlguard_judge(fam, a, own, urlguard_why,
	    sizeof(urlguard_why)) ? urlguard_why : NULL;
}

const char *
urlguard_ip_refused(const char *ip)
{
	return urlguard_ip_refused_on(ip, NULL);
}
