/*
 * The bench's load generator: HTTP/1.1 keep-alive POSTs from C connections
 * at once, each request carrying the next pre-signed payment header, until
 * N answers (without -p: N requests with no payment header, e.g. N 402s;
 * or for D seconds).  Wall time runs from the
 * first connect to the last answer counted, so a run of N payments is
 * timed exactly (wrk's thread:stop() still waits out its -d).
 *
 *	loadgen -c CONNS (-n N [-p PAYFILE] | -d SECS) -b BODY HOST:PORT PATH
 *
 * PAYFILE: one "Header-Name: value" line per payment, each sent once.
 * Prints one line: "RESULT n=.. ok=.. s402=.. other=.. secs=.. p50_ms=..
 * p99_ms=..".  Answers need a Content-Length (ours, lighttpd's and
 * express's all carry one); anything else counts as an error.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LG_MAXC		1024
#define LG_RBUF		(4 * 1024 * 1024)

struct conn {
	int	 fd;
	char	*out;		/* request being sent */
	size_t	 outlen, sent;
	char	*in;
	size_t	 inlen;
	double	 t0;		/* when the request was started */
	int	 busy;
};

static char		**pays;
static size_t		  npays, next, want;
static const char	 *body, *path, *hostport;
static struct sockaddr_in addr;
static double		 *lat;
static size_t		  nlat;

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
load_pays(const char *file)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0, n = 0;
	ssize_t	 len;

	if ((f = fopen(file, "r")) == NULL) {
		perror(file);
		exit(2);
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (npays == n) {
			n = n ? 2 * n : 1024;
			if ((pays = realloc(pays, n * sizeof(*pays))) == NULL)
				exit(1);
		}
		if ((pays[npays++] = strdup(line)) == NULL)
			exit(1);
	}
	free(line);
	fclose(f);
}

static int
conn_open(struct conn *c)
{
	int	 one = 1;

	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) == -1 &&
	    errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	c->inlen = 0;
	return 0;
}

/* The next request on c; 0 when no payment is left. */
static int
conn_start(struct conn *c)
{
	char	 hdr[64 * 1024];
	int	 n;

	if (pays != NULL ? next >= npays : want > 0 && next >= want)
		return 0;
	n = snprintf(hdr, sizeof(hdr), "POST %s HTTP/1.1\r\nHost: %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "%s%s\r\n%s", path, hostport, strlen(body),
	    pays != NULL ? pays[next] : "", pays != NULL ? "\r\n" : "", body);
	if (n < 0 || (size_t)n >= sizeof(hdr)) {
		fprintf(stderr, "loadgen: request too large\n");
		exit(2);
	}
	next++;
	free(c->out);
	if ((c->out = strdup(hdr)) == NULL)
		exit(1);
	c->outlen = (size_t)n;
	c->sent = 0;
	c->t0 = now();
	c->busy = 1;
	return 1;
}

/* A whole answer in c->in: its status, and how many bytes it took. */
static int
parse(struct conn *c, int *status, size_t *used, int *close_after)
{
	char	*end, *p, *cl;
	size_t	 hl;
	long	 len = -1;

	if ((end = memmem(c->in, c->inlen, "\r\n\r\n", 4)) == NULL)
		return 0;
	hl = (size_t)(end - c->in) + 4;
	*end = '\0';
	if (sscanf(c->in, "HTTP/1.%*d %d", status) != 1)
		return -1;
	*close_after = 0;
	for (p = strstr(c->in, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
		cl = p + 2;
		if (strncasecmp(cl, "Content-Length:", 15) == 0)
			len = strtol(cl + 15, NULL, 10);
		else if (strncasecmp(cl, "Connection: close", 17) == 0)
			*close_after = 1;
	}
	*end = '\r';
	if (len < 0)
		return -1;
	if (c->inlen < hl + (size_t)len)
		return 0;
	*used = hl + (size_t)len;
	return 1;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	struct pollfd	 pfd[LG_MAXC];
	struct conn	*cs;
	char		 host[256], *colon;
	double		 t0, tend = 0, dur = 0, last;
	size_t		 i, n = 0, ok = 0, s402 = 0, other = 0, used;
	int		 ch, conns = 32, status, close_after, active, r;
	ssize_t		 k;

	while ((ch = getopt(argc, argv, "c:n:p:d:b:")) != -1)
		switch (ch) {
		case 'c': conns = atoi(optarg); break;
		case 'n': want = strtoul(optarg, NULL, 10); break;
		case 'p': load_pays(optarg); break;
		case 'd': dur = atof(optarg); break;
		case 'b': body = optarg; break;
		default: goto usage;
		}
	argc -= optind;
	argv += optind;
	if (argc != 2 || body == NULL || conns < 1 || conns > LG_MAXC ||
	    (want == 0) == (dur <= 0) || (pays != NULL && want > npays))
		goto usage;
	hostport = argv[0];
	path = argv[1];
	snprintf(host, sizeof(host), "%s", hostport);
	if ((colon = strchr(host, ':')) == NULL)
		goto usage;
	*colon = '\0';
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		goto usage;
	if ((cs = calloc((size_t)conns, sizeof(*cs))) == NULL ||
	    (lat = calloc(want ? want : 4 * 1024 * 1024, sizeof(*lat))) == NULL)
		return 1;

	t0 = now();
	if (dur > 0)
		tend = t0 + dur;
	for (i = 0; i < (size_t)conns; i++) {
		if ((cs[i].in = malloc(LG_RBUF)) == NULL || conn_open(&cs[i]) == -1) {
			perror("connect");
			return 1;
		}
		conn_start(&cs[i]);
	}
	last = t0;
	for (;;) {
		if (want > 0 && n >= want)
			break;
		if (tend > 0 && now() >= tend)
			break;
		for (active = 0, i = 0; i < (size_t)conns; i++) {
			pfd[i].fd = cs[i].busy ? cs[i].fd : -1;
			pfd[i].events = cs[i].sent < cs[i].outlen ? POLLOUT : POLLIN;
			pfd[i].revents = 0;
			active += cs[i].busy;
		}
		if (active == 0)
			break;
		if ((r = poll(pfd, (nfds_t)conns, 1000)) == -1) {
			perror("poll");
			return 1;
		}
		for (i = 0; i < (size_t)conns && r > 0; i++) {
			struct conn *c = &cs[i];

			if (pfd[i].revents == 0)
				continue;
			if (c->sent < c->outlen) {
				k = write(c->fd, c->out + c->sent, c->outlen - c->sent);
				if (k > 0)
					c->sent += (size_t)k;
				else if (k == -1 && errno != EAGAIN)
					goto dead;
				continue;
			}
			k = read(c->fd, c->in + c->inlen, LG_RBUF - c->inlen);
			if (k == -1 && errno == EAGAIN)
				continue;
			if (k <= 0)
				goto dead;
			c->inlen += (size_t)k;
			switch (parse(c, &status, &used, &close_after)) {
			case 0:
				if (c->inlen == LG_RBUF)
					goto dead;
				continue;
			case -1:
				goto dead;
			}
			last = now();
			lat[nlat++] = last - c->t0;
			n++;
			if (status >= 200 && status < 300)
				ok++;
			else if (status == 402)
				s402++;
			else
				other++;
			memmove(c->in, c->in + used, c->inlen - used);
			c->inlen -= used;
			c->busy = 0;
			if (close_after) {
				close(c->fd);
				if (conn_open(c) == -1)
					goto dead;
			}
			if ((want == 0 || n < want) && (dur <= 0 || nlat < 4 * 1024 * 1024))
				conn_start(c);
			continue;
dead:
			/* Counted as an error; the connection is not reused. */
			n++;
			other++;
			close(c->fd);
			c->fd = -1;
			c->busy = 0;
			last = now();
			if (conn_open(c) == 0 && (want == 0 || n < want))
				conn_start(c);
		}
	}
	qsort(lat, nlat, sizeof(*lat), cmp);
	printf("RESULT n=%zu ok=%zu s402=%zu other=%zu secs=%.3f p50_ms=%.1f "
	    "p99_ms=%.1f\n", n, ok, s402, other,
	    (want > 0 ? last : now()) - t0,
	    nlat ? lat[nlat / 2] * 1000 : 0, nlat ? lat[nlat * 99 / 100] * 1000 : 0);
	return 0;
usage:
	fprintf(stderr, "usage: loadgen -c CONNS (-n N [-p PAYFILE] | -d SECS) "
	    "-b BODY HOST:PORT PATH\n");
	return 2;
}
