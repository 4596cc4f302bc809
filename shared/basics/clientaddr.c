#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/clientaddr.h"
#include "basics/err.h"
#include "basics/str.h"

/* An address (no brackets, no port) into a (16 bytes, v4 mapped into
   ::ffff:0:0/96 so one comparison serves both).  0 or -1. */
static int
clientaddr_parse(const char *s, size_t n, unsigned char a[16])
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	char	 buf[64];

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, a + 12) == 1) {
		memcpy(a, mapped, sizeof(mapped));
		return 0;
	}
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

/* One TRUSTED_PROXIES item: its prefix and length in the v6 space. */
static int
clientaddr_prefix(const char *s, size_t n, unsigned char net[16], int *bits)
{
	const char	*slash = memchr(s, '/', n);
	char		*end, num[8];
	size_t		 an = slash != NULL ? (size_t)(slash - s) : n;
	long		 b;
	int		 v4;

	if (clientaddr_parse(s, an, net) == -1)
		return -1;
	v4 = memcmp(net, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 &&
	    memchr(s, ':', an) == NULL;
	*bits = 128;
	if (slash == NULL)
		return 0;
	if (n - an - 1 == 0 || n - an - 1 >= sizeof(num))
		return -1;
	memcpy(num, slash + 1, n - an - 1);
	num[n - an - 1] = '\0';
	b = strtol(num, &end, 10);
	if (*end != '\0' || num[0] < '0' || num[0] > '9' || b < 0 ||
	    b > (v4 ? 32 : 128))
		return -1;
	*bits = (int)b + (v4 ? 96 : 0);
	return 0;
}

static int
clientaddr_in(const unsigned char a[16], const unsigned char net[16],
    int bits)
{
	int	 full = bits / 8, rest = bits % 8;

	if (memcmp(a, net, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ net[full]) &
	    (unsigned char)(0xff << (8 - rest))) == 0;
}

/* Whether a is in the list trusted. */
static int
clientaddr_trusted(const char *trusted, const unsigned char a[16])
{
	unsigned char	 net[16];
	const char	*p, *e;
	int		 bits;

	for (p = trusted; p != NULL && *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		if (clientaddr_prefix(p, (size_t)(e - p), net, &bits) == 0 &&
		    clientaddr_in(a, net, bits))
			return 1;
	}
	return 0;
}

int
clientaddr_check(const char *trusted, struct sf_err *err)
{
	unsigned char	 net[16];
	const char	*p, *e;
	int		 bits;

	for (p = trusted; p != NULL && *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		if (clientaddr_prefix(p, (size_t)(e - p), net, &bits) == -1)
			return sf_err_set(err, 500, "config_invalid",
			    "TRUSTED_PROXIES", "TRUSTED_PROXIES: \"%.*s\" is "
			    "not an IP address or CIDR prefix (such as "
			    "10.0.0.0/8 or 2001:db8::/32)",
			    (int)(e - p > 64 ? 64 : e - p), p);
	}
	return 0;
}

void
clientaddr_resolve(const char *trusted, const char *remote_addr,
    const char *xff, char *out, size_t sz)
{
	unsigned char	 a[16];
	const char	*p, *s, *t;
	size_t		 n;

	str_copy(out, sz, remote_addr != NULL ? remote_addr : "");
	if (remote_addr == NULL || xff == NULL || trusted == NULL ||
	    clientaddr_parse(remote_addr, strlen(remote_addr), a) == -1 ||
	    !clientaddr_trusted(trusted, a))
		return;
	/* From the right: each entry is what the proxy after it saw. */
	for (p = xff + strlen(xff);; p = s - 1) {
		for (s = p; s > xff && s[-1] != ','; s--)
			continue;
		if (clientaddr_parse(s, (size_t)(p - s), a) == -1)
			return;		/* the last proxy's view stands */
		for (t = s; *t == ' ' || *t == '\t'; t++)
			continue;
		for (n = (size_t)(p - t); n > 0 && (t[n - 1] == ' ' ||
		    t[n - 1] == '\t'); n--)
			continue;
		snprintf(out, sz, "%.*s", (int)n, t);
		/* A client, or the leftmost entry: the chain ends here. */
		if (!clientaddr_trusted(trusted, a) || s == xff)
			return;
	}
}
