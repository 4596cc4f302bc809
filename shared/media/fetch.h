/*
 * One HTTP GET of a media URL into memory over the one transport
 * (http/http.h), for media_fetch (upstream
 * results) and urlguard (caller URLs): a size cap enforced while reading,
 * an absolute deadline, optionally one pinned address (CURLOPT_RESOLVE)
 * and no proxy, redirects followed or handed back to the caller.
 */
#ifndef SF_FETCH_H
#define SF_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct sf_err;

struct fetch_req {
	const char	*url;
	const char	*resolve;	/* "host:port:addr" to pin, or NULL */
	int		 noproxy;	/* ignore *_proxy environment */
	int		 follow;	/* max redirects curl follows, 0 = none */
	size_t		 max;		/* body cap in bytes */
	int64_t		 deadline_ms;	/* absolute, http_now_ms() clock */
};

struct fetch_resp {
	long		 status;	/* 0 when no HTTP answer */
	unsigned char	*data;		/* malloc'd body, NUL-terminated */
	size_t		 len;
	char		*location;	/* malloc'd Location of a 3xx, or NULL */
	int		 toolarge;	/* body (or Content-Length) over max */
	int		 timedout;
};

/*
 * 0 on any HTTP answer (resp->status set; even 4xx/5xx), -1 with err set
 * (status 0 in err is never used: 502 transport, 504 deadline, 413 over
 * the cap, 500 local) otherwise.  Free resp with fetch_free either way.
 */
int	fetch_get(const struct fetch_req *, struct fetch_resp *,
	    struct sf_err *);
void	fetch_free(struct fetch_resp *);

#endif
