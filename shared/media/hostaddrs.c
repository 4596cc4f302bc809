#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <ifaddrs.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "media/hostaddrs.h"

/* This host's addresses and the netlink socket that says when they move. */
static pthread_mutex_t	 hostaddrs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hostaddrs	 hostaddrs_live;
static int		 hostaddrs_sock = -1;
static int		 hostaddrs_ready;

int
hostaddrs_add(struct hostaddrs *set, const char *ip, const char *ifname)
{
	unsigned char	 a[16];
	int		 fam;

	if (set->n == HOSTADDRS_MAX)
		return -1;
	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, ip, a) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, ip, a) == 1)
		fam = AF_INET6;
	else
		return -1;
	set->a[set->n].family = fam;
	memcpy(set->a[set->n].addr, a, sizeof(a));
	snprintf(set->a[set->n].ifname, sizeof(set->a[set->n].ifname), "%s",
	    ifname != NULL ? ifname : "");
	set->n++;
	return 0;
}

/* Read the interfaces into hostaddrs_live (under the lock). */
static void
hostaddrs_read(void)
{
	struct ifaddrs	*ifs, *i;
	struct hostaddrs *s = &hostaddrs_live;
	const void	*src;
	size_t		 len;

	s->n = 0;
	if (getifaddrs(&ifs) == -1)
		return;
	for (i = ifs; i != NULL && s->n < HOSTADDRS_MAX; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			src = &((const struct sockaddr_in *)(const void *)
			    i->ifa_addr)->sin_addr;
			len = 4;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			src = &((const struct sockaddr_in6 *)(const void *)
			    i->ifa_addr)->sin6_addr;
			len = 16;
		} else
			continue;
		memset(s->a[s->n].addr, 0, sizeof(s->a[s->n].addr));
		memcpy(s->a[s->n].addr, src, len);
		s->a[s->n].family = i->ifa_addr->sa_family;
		snprintf(s->a[s->n].ifname, sizeof(s->a[s->n].ifname), "%s",
		    i->ifa_name != NULL ? i->ifa_name : "");
		s->n++;
	}
	freeifaddrs(ifs);
}

/* The netlink socket for address changes, or -1. */
static int
hostaddrs_subscribe(void)
{
	struct sockaddr_nl	 sa;
	int			 fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE);
	if (fd == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Whether the socket says something changed (drains it); 1 without one. */
static int
hostaddrs_changed(void)
{
	char	 buf[8192];
	ssize_t	 n;
	int	 changed = 0;

	if (hostaddrs_sock == -1)
		return 1;
	for (;;) {
		n = recv(hostaddrs_sock, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			changed = 1;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		/* ENOBUFS: events were lost, so something changed. */
		if (n == -1 && errno == ENOBUFS) {
			changed = 1;
			continue;
		}
		break;
	}
	return changed;
}

static int
hostaddrs_in(const struct hostaddrs *s, int family, const unsigned char *a,
    char ifname[16])
{
	size_t	 i, len = family == AF_INET ? 4 : 16;

	for (i = 0; i < s->n; i++)
		if (s->a[i].family == family &&
		    memcmp(s->a[i].addr, a, len) == 0) {
			if (ifname != NULL)
				memcpy(ifname, s->a[i].ifname, 16);
			return 1;
		}
	return 0;
}

int
hostaddrs_has(const struct hostaddrs *set, int family,
    const unsigned char *addr, char ifname[16])
{
	int	 found;

	if (set != NULL)
		return hostaddrs_in(set, family, addr, ifname);
	pthread_mutex_lock(&hostaddrs_lock);
	if (!hostaddrs_ready) {
		/* Subscribe first, then read: no change falls in between. */
		hostaddrs_sock = hostaddrs_subscribe();
		hostaddrs_read();
		hostaddrs_ready = 1;
	} else if (hostaddrs_changed())
		hostaddrs_read();
	found = hostaddrs_in(&hostaddrs_live, family, addr, ifname);
	pthread_mutex_unlock(&hostaddrs_lock);
	return found;
}
