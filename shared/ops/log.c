#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/now.h"
#include "flow/flow.h"
#include "ops/log.h"

#define LOG_LINE_MAX	4096

/* -2: not opened yet; otherwise the descriptor lines go to. */
static atomic_int	 log_fd = -2;
/* LOG_CHALLENGES, read with LOG_FILE: 1 logs plain 402s too. */
static atomic_int	 log_challenges;
static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;

int
log_open(const struct cfg *c)
{
	const char	*path;
	int		 fd, rc = 0;

	pthread_mutex_lock(&log_lock);
	if (atomic_load(&log_fd) != -2)
		goto out;
	path = c != NULL ? cfg_get(c, "LOG_FILE") : NULL;
	atomic_store(&log_challenges, c != NULL &&
	    strcmp(cfg_get_or(c, "LOG_CHALLENGES", "0"), "1") == 0);
	fd = STDERR_FILENO;
	if (path != NULL && *path != '\0' && strcmp(path, "-") != 0) {
		/* O_APPEND: concurrent writers each land a whole line. */
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0640);
		if (fd == -1) {
			fprintf(stderr, "synthforge: LOG_FILE %s: %s; logging "
			    "to stderr\n", path, strerror(errno));
			fd = STDERR_FILENO;
			rc = -1;
		}
	}
	atomic_store(&log_fd, fd);
out:
	pthread_mutex_unlock(&log_lock);
	return rc;
}

void
log_close(void)
{
	int	 fd;

	pthread_mutex_lock(&log_lock);
	fd = atomic_exchange(&log_fd, -2);
	if (fd > STDERR_FILENO)
		close(fd);
	pthread_mutex_unlock(&log_lock);
}

struct log_buf {
	char	*p;
	size_t	 sz, len;	/* len counts what would have been written */
};

static void
log_putc(struct log_buf *b, char ch)
{
	if (b->len + 1 < b->sz)
		b->p[b->len] = ch;
	b->len++;
}

static void
log_printf(struct log_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 room;
	int	 n;

	room = b->len < b->sz ? b->sz - b->len : 0;
	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? b->p + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

/* A literal, copied (printf costs more than the rest of a 402's line). */
static void
log_puts(struct log_buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		log_putc(b, *s);
}

/* "key":"value" with JSON escaping; upstream ids are foreign text. */
static void
log_str(struct log_buf *b, const char *key, const char *v)
{
	const unsigned char	*s;

	log_puts(b, ",\"");
	log_puts(b, key);
	log_puts(b, "\":\"");
	for (s = (const unsigned char *)(v != NULL ? v : ""); *s; s++) {
		if (*s == '"' || *s == '\\') {
			log_putc(b, '\\');
			log_putc(b, (char)*s);
		} else if (*s < 0x20 || *s == 0x7f)
			log_printf(b, "\\u%04x", *s);
		else
			log_putc(b, (char)*s);
	}
	log_putc(b, '"');
}

/* Only present fields: a 402 line stays short. */
static void
log_opt(struct log_buf *b, const char *key, const char *v)
{
	if (v != NULL && *v != '\0')
		log_str(b, key, v);
}

size_t
log_format(char *buf, size_t sz, const char *endpoint,
    const struct flow_outcome *o, long long latency_ms, long long now_ms)
{
	struct log_buf	 b = { buf, sz, 0 };
	struct tm	 tm;
	time_t		 t;
	char		 ts[32];

	t = (time_t)(now_ms / 1000);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(ts, sizeof(ts), "1970-01-01T00:00:00");
	log_printf(&b, "{\"time\":\"%s.%03lldZ\"", ts, now_ms % 1000);
	log_str(&b, "endpoint", endpoint);
	log_printf(&b, ",\"status\":%d,\"latency_ms\":%lld",
	    o != NULL ? o->status : 0, latency_ms);
	if (o != NULL) {
		log_opt(&b, "pay", flow_pay_name(o->pay));
		log_opt(&b, "reason", o->reason);
		log_opt(&b, "payer", o->payer);
		log_opt(&b, "amount", o->amount);
		log_opt(&b, "network", o->network);
		log_opt(&b, "tx", o->tx);
		log_opt(&b, "provider", o->provider);
		log_opt(&b, "upstream_id", o->upstream_id);
		if (o->upstream_ms >= 0)
			log_printf(&b, ",\"upstream_ms\":%lld", o->upstream_ms);
	}
	log_printf(&b, "}\n");
	if (sz > 0)
		buf[b.len < sz ? b.len : sz - 1] = '\0';
	return b.len;
}

void
log_request(const struct cfg *c, const char *endpoint,
    const struct flow_outcome *o, long long latency_ms)
{
	char		 line[LOG_LINE_MAX];
	size_t		 n;
	ssize_t		 w;
	int		 fd;

	if (atomic_load(&log_fd) == -2)
		(void)log_open(c);
	fd = atomic_load(&log_fd);
	if (fd < 0)
		return;
	/* A plain HTTP 402 (no payment sent) is counted in /metrics, not
	   logged: the line and its write(2) cost a 402 about as much as the
	   rest of our own code (perf).  MCP's answers are 200s: logged. */
	if (o != NULL && o->pay == FLOW_PAY_REQUIRED && o->status == 402 &&
	    !atomic_load(&log_challenges))
		return;
	n = log_format(line, sizeof(line), endpoint, o, latency_ms,
	    (long long)now_wall_ms());
	if (n >= sizeof(line)) {
		/* Cannot happen with bounded outcome fields; keep it JSON. */
		n = (size_t)snprintf(line, sizeof(line), "{\"endpoint\":"
		    "\"%.64s\",\"error\":\"log line too long\"}\n",
		    endpoint != NULL ? endpoint : "");
		if (n >= sizeof(line))
			return;
	}
	/* One write per line; a short write (full disk) is not retried so
	   that a line is never split around another process's. */
	do
		w = write(fd, line, n);
	while (w == -1 && errno == EINTR);
}

int
log_check_cfg(const struct cfg *c, struct sf_err *err)
{
	const char	*path = cfg_get(c, "LOG_FILE");
	int		 fd;

	if (cfg_check_oneof(c, "LOG_CHALLENGES", "0|1", err) == -1)
		return -1;
	if (path == NULL || *path == '\0' || strcmp(path, "-") == 0)
		return 0;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1)
		return sf_err_set(err, 500, "config_invalid", "LOG_FILE",
		    "LOG_FILE %.200s cannot be opened for appending: %s",
		    path, strerror(errno));
	close(fd);
	return 0;
}
