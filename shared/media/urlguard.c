#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "media/fetch.h"
#include "http/http.h"
#include "media/media.h"
#include "media/urlguard.h"

#define URLGUARD_HOPS	3

/* One parsed and resolved URL: what to connect to. */
struct urlguard_dest {
	char	host[256];	/* without brackets, lower case */
	long	port;
	char	addr[INET6_ADDRSTRLEN];
	char	pin[URLGUARD_PIN_LEN];	/* CURLOPT_RESOLVE entry, "" for
					   literals */
};

/* Is host or addr in URL_ALLOW? */
static int
urlguard_allowed(const struct cfg *c, const char *host, const char *addr)
{
	const char	*list, *p, *e;
	size_t		 n;

	if ((list = cfg_get(c, "URL_ALLOW")) == NULL)
		return 0;
	for (p = list; *p != '\0'; p = *e ? e + 1 : e) {
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0)
			continue;
		if ((host != NULL && strlen(host) == n &&
		    strncasecmp(host, p, n) == 0) ||
		    (addr != NULL && strlen(addr) == n &&
		    strncasecmp(addr, p, n) == 0))
			return 1;
	}
	return 0;
}

static int
urlguard_refuse(const char *field, struct sf_err *err, const char *what,
    const char *why)
{
	return sf_err_set(err, 400, "url_refused", field,
	    "%s: %s%s%s", field ? field : "url", what, why ? ": " : "",
	    why ? why : "");
}

/*
 * A private URL under our own PUBLIC_URL is a result of this server fed
 * back in (make run serves media on 127.0.0.1): say how to allow it.
 */
static void
urlguard_own_hint(const struct cfg *c, const char *url, struct sf_err *err)
{
	const char	*h;
	size_t		 n, m, hl;

	if (c == NULL || (n = strlen(c->public_url)) == 0 ||
	    strncmp(url, c->public_url, n) != 0 || url[n] != '/' ||
	    (h = strstr(c->public_url, "://")) == NULL)
		return;
	h += 3;
	hl = strcspn(h, ":/");
	m = strlen(err->message);
	snprintf(err->message + m, sizeof(err->message) - m, "; it is this "
	    "server's own local address: to feed its media back in, start "
	    "it with SYNTHFORGE_URL_ALLOW=%.*s", (int)hl, h);
}

/* Parse, check the form, resolve, check every address. */
static int
urlguard_resolve(const struct cfg *c, const char *url, const char *field,
    struct urlguard_dest *d, struct sf_err *err)
{
	struct http_url		 u;
	struct sf_err		 pe;
	const char		*host;
	struct addrinfo		 hints, *res = NULL, *ai;
	const char		*why;
	char			 a[INET6_ADDRSTRLEN], portstr[16];
	size_t			 i, hl;
	int			 ret = -1, rc, allow, literal;

	memset(d, 0, sizeof(*d));
	if (url == NULL || *url == '\0')
		return urlguard_refuse(field, err, "empty URL", NULL);
	if (strlen(url) > 2048)
		return urlguard_refuse(field, err, "URL longer than 2048 "
		    "characters", NULL);
	for (i = 0; url[i] != '\0'; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return urlguard_refuse(field, err, "URL contains "
			    "spaces or control characters", NULL);
	if (http_url_parse(url, &u, &pe) == -1) {
		if (pe.status == 500)
			return sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
		return urlguard_refuse(field, err,
		    "not an absolute http(s) URL", NULL);
	}
	if (strcasecmp(u.scheme, "http") != 0 &&
	    strcasecmp(u.scheme, "https") != 0) {
		urlguard_refuse(field, err, "only http and https URLs are "
		    "fetched", NULL);
		goto out;
	}
	if (u.user != NULL || u.password != NULL) {
		urlguard_refuse(field, err, "URLs with user names or "
		    "passwords are not fetched", NULL);
		goto out;
	}
	if (u.zoneid != NULL) {
		urlguard_refuse(field, err, "IPv6 zone ids are not fetched",
		    NULL);
		goto out;
	}
	if (u.host == NULL || *u.host == '\0' || u.port == 0) {
		urlguard_refuse(field, err, "URL has no host", NULL);
		goto out;
	}
	host = u.host;
	hl = strlen(host);
	literal = host[0] == '[';
	if (literal) {
		if (hl < 3 || host[hl - 1] != ']' || hl - 2 >= sizeof(d->host)) {
			urlguard_refuse(field, err, "malformed IPv6 host",
			    NULL);
			goto out;
		}
		memcpy(d->host, host + 1, hl - 2);
	} else if (hl >= sizeof(d->host)) {
		urlguard_refuse(field, err, "host name too long", NULL);
		goto out;
	} else
		memcpy(d->host, host, hl);
	for (i = 0; d->host[i] != '\0'; i++)
		d->host[i] = (char)tolower((unsigned char)d->host[i]);
	d->port = u.port;
	if (d->port <= 0 || d->port > 65535) {
		urlguard_refuse(field, err, "bad port", NULL);
		goto out;
	}

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%ld", d->port);
	if ((rc = getaddrinfo(d->host, portstr, &hints, &res)) != 0) {
		sf_err_set(err, 400, "input_fetch_failed", field,
		    "%s: cannot resolve host %s", field ? field : "url",
		    d->host);
		goto out;
	}
	allow = urlguard_allowed(c, d->host, NULL);
	/* Every address must pass: a name must not straddle both sides. */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)
			    (void *)ai->ai_addr)->sin_addr, a, sizeof(a));
		else if (ai->ai_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)
			    (void *)ai->ai_addr)->sin6_addr, a, sizeof(a));
		else
			continue;
		if (!allow && !urlguard_allowed(c, NULL, a) &&
		    (why = urlguard_ip_refused(a)) != NULL) {
			urlguard_refuse(field, err, d->host, why);
			urlguard_own_hint(c, url, err);
			goto out;
		}
		if (d->addr[0] == '\0')
			snprintf(d->addr, sizeof(d->addr), "%s", a);
	}
	if (d->addr[0] == '\0') {
		sf_err_set(err, 400, "input_fetch_failed", field,
		    "%s: host %s has no address", field ? field : "url",
		    d->host);
		goto out;
	}
	/* Literals are not resolved by curl; names are pinned. */
	if (!literal && inet_pton(AF_INET, d->host, a) != 1)
		snprintf(d->pin, sizeof(d->pin), strchr(d->addr, ':') ?
		    "%s:%ld:[%s]" : "%s:%ld:%s", d->host, d->port, d->addr);
	ret = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	http_url_free(&u);
	return ret;
}

int
urlguard_check(const struct cfg *c, const char *url, const char *field,
    struct sf_err *err)
{
	struct urlguard_dest	 d;

	return urlguard_resolve(c, url, field, &d, err);
}

int
urlguard_pin(const struct cfg *c, const char *url, const char *field,
    char pin[URLGUARD_PIN_LEN], struct sf_err *err)
{
	struct urlguard_dest	 d;

	pin[0] = '\0';
	if (urlguard_resolve(c, url, field, &d, err) == -1)
		return -1;
	memcpy(pin, d.pin, URLGUARD_PIN_LEN);
	return 0;
}

static size_t
urlguard_num(const struct cfg *c, const char *key, size_t def)
{
	const char		*v = cfg_get(c, key);
	char			*end;
	unsigned long long	 n;

	if (v == NULL || *v < '0' || *v > '9')
		return def;
	n = strtoull(v, &end, 10);
	return (*end == '\0' && n > 0) ? (size_t)n : def;
}

int
urlguard_fetch_image(const struct cfg *c, const char *url,
    const char *field, int64_t deadline_ms, unsigned char **data,
    size_t *len, char mime[48], struct sf_err *err)
{
	struct urlguard_dest	 d;
	struct fetch_req	 q;
	struct fetch_resp	 r;
	struct sf_err		 e;
	const char		*m, *f = field ? field : "url";
	char			*cur;
	int64_t			 dl;
	int			 hop;

	*data = NULL;
	*len = 0;
	mime[0] = '\0';
	dl = http_now_ms() + (int64_t)urlguard_num(c, "INPUT_TIMEOUT_MS",
	    20000);
	if (deadline_ms > 0 && deadline_ms < dl)
		dl = deadline_ms;
	if ((cur = strdup(url ? url : "")) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	for (hop = 0; hop <= URLGUARD_HOPS; hop++) {
		if (urlguard_resolve(c, cur, field, &d, err) == -1)
			goto fail;
		memset(&q, 0, sizeof(q));
		q.url = cur;
		q.resolve = d.pin[0] ? d.pin : NULL;
		q.noproxy = 1;
		q.max = urlguard_num(c, "INPUT_MAX_BYTES", 20 << 20);
		q.deadline_ms = dl;
		sf_err_clear(&e);
		if (fetch_get(&q, &r, &e) == -1) {
			fetch_free(&r);
			if (e.status == 413)
				sf_err_set(err, 413, "input_too_large", field,
				    "%s: larger than %zu bytes", f, q.max);
			else if (e.status == 500)
				sf_err_set(err, 500, "internal_error", NULL,
				    "%s", e.message);
			else
				sf_err_set(err, 400, "input_fetch_failed",
				    field, "%s: download failed: %s", f,
				    e.status == 504 ? "timed out" : e.message);
			goto fail;
		}
		if (r.status >= 300 && r.status < 400 && r.location != NULL) {
			free(cur);
			cur = r.location;
			r.location = NULL;
			fetch_free(&r);
			continue;
		}
		if (r.status < 200 || r.status >= 300) {
			sf_err_set(err, 400, "input_fetch_failed", field,
			    "%s: the server answered HTTP %ld", f, r.status);
			fetch_free(&r);
			goto fail;
		}
		m = media_sniff(r.data, r.len);
		if (m == NULL || strcmp(media_kind(m), "image") != 0) {
			sf_err_set(err, 415, "input_not_image", field,
			    "%s: not a PNG, JPEG, WebP or GIF image", f);
			fetch_free(&r);
			goto fail;
		}
		snprintf(mime, 48, "%s", m);
		*data = r.data;
		*len = r.len;
		r.data = NULL;
		fetch_free(&r);
		free(cur);
		return 0;
	}
	sf_err_set(err, 400, "input_fetch_failed", field,
	    "%s: more than %d redirects", f, URLGUARD_HOPS);
fail:
	free(cur);
	return -1;
}
