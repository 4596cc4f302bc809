/*
 * A tiny HTTP/1.0 server for the unit tests (header-only, one thread):
 * serves a fixed table of routes on 127.0.0.1 (or ::1) at an ephemeral
 * port, one connection at a time, and records the last request so a test
 * can look at what the client sent (method, headers, body).
 */
#ifndef SF_MINIHTTPD_H
#define SF_MINIHTTPD_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct mh_route {
	const char	*path;		/* exact match, query included */
	int		 status;
	const char	*headers;	/* extra "Name: value\r\n" lines */
	const void	*body;
	size_t		 len;
};

struct mh {
	int			 fd;
	int			 port;
	volatile int		 stop;
	pthread_t		 th;
	const struct mh_route	*routes;
	pthread_mutex_t		 mu;
	char			 req[65536];	/* last request head */
	char			 log[65536];	/* every request line */
	unsigned char		*body;		/* last request body */
	size_t			 bodylen;
	int			 hits;
};

static void
mh_serve_one(struct mh *m, int c)
{
	char			 buf[65536], path[1024], meth[16], hdr[1024];
	const struct mh_route	*r;
	const char		*e, *cl;
	size_t			 n = 0, need, blen = 0;
	ssize_t			 k;

	for (;;) {
		if (n == sizeof(buf) - 1)
			return;
		if ((k = read(c, buf + n, sizeof(buf) - 1 - n)) <= 0)
			return;
		n += (size_t)k;
		buf[n] = '\0';
		if ((e = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	e += 4;
	if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL && cl < e)
		blen = strtoul(cl + 17, NULL, 10);
	need = (size_t)(e - buf) + blen;
	pthread_mutex_lock(&m->mu);
	free(m->body);
	m->body = malloc(blen + 1);
	m->bodylen = 0;
	snprintf(m->req, sizeof(m->req), "%.*s", (int)(e - buf), buf);
	k = (ssize_t)strlen(m->log);
	snprintf(m->log + k, sizeof(m->log) - (size_t)k, "%.*s\n",
	    (int)strcspn(buf, "\r"), buf);
	if (m->body != NULL && n > (size_t)(e - buf)) {
		memcpy(m->body, e, n - (size_t)(e - buf));
		m->bodylen = n - (size_t)(e - buf);
	}
	while (m->body != NULL && m->bodylen < blen) {
		if ((k = read(c, m->body + m->bodylen, blen - m->bodylen)) <= 0)
			break;
		m->bodylen += (size_t)k;
	}
	m->hits++;
	pthread_mutex_unlock(&m->mu);
	(void)need;
	if (sscanf(buf, "%15s %1023s", meth, path) != 2)
		return;
	for (r = m->routes; r->path != NULL; r++)
		if (strcmp(r->path, path) == 0)
			break;
	if (r->path == NULL) {
		dprintf(c, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n"
		    "\r\n");
		return;
	}
	snprintf(hdr, sizeof(hdr), "HTTP/1.0 %d X\r\nContent-Length: %zu\r\n"
	    "%s\r\n", r->status, r->len, r->headers ? r->headers : "");
	if (write(c, hdr, strlen(hdr)) < 0)
		return;
	if (r->len > 0 && strcmp(meth, "HEAD") != 0)
		(void)!write(c, r->body, r->len);
}

static void *
mh_loop(void *arg)
{
	struct mh	*m = arg;
	struct pollfd	 p;
	int		 c;

	while (!m->stop) {
		p.fd = m->fd;
		p.events = POLLIN;
		if (poll(&p, 1, 50) <= 0)
			continue;
		if ((c = accept(m->fd, NULL, NULL)) == -1)
			continue;
		mh_serve_one(m, c);
		shutdown(c, SHUT_WR);
		close(c);
	}
	return NULL;
}

/* Start on 127.0.0.1 (v6 = 0) or ::1; 0 on success. */
static int
mh_start(struct mh *m, const struct mh_route *routes, int v6)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	int			 one = 1;

	memset(m, 0, sizeof(*m));
	m->routes = routes;
	pthread_mutex_init(&m->mu, NULL);
	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*s4);
	}
	if ((m->fd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(m->fd, (struct sockaddr *)&ss, sl) == -1 ||
	    listen(m->fd, 16) == -1 ||
	    getsockname(m->fd, (struct sockaddr *)&ss, &sl) == -1) {
		close(m->fd);
		return -1;
	}
	m->port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	if (pthread_create(&m->th, NULL, mh_loop, m) != 0) {
		close(m->fd);
		return -1;
	}
	return 0;
}

static void
mh_stop(struct mh *m)
{
	m->stop = 1;
	pthread_join(m->th, NULL);
	close(m->fd);
	free(m->body);
	m->body = NULL;
	pthread_mutex_destroy(&m->mu);
}

#endif
