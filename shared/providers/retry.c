#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/http.h"
#include "providers/retry.h"

#define RETRY_MAX_BACKOFF 30000	/* ms, without a server hint */
#define RETRY_MAX_HINT	60000	/* ms, a server hint we still honour */

int64_t
retry_after_ms(const char *v, time_t now)
{
	struct tm	 tm;
	const char	*p;
	char		*end;
	long long	 s;
	time_t		 t;

	if (v == NULL)
		return -1;
	while (*v == ' ')
		v++;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		s = strtoll(v, &end, 10);
		while (*end == ' ')
			end++;
		if (errno != 0 || *end != '\0' || s > 86400)
			return -1;
		return s * 1000;
	}
	/* IMF-fixdate, the only date form RFC 9110 senders may use. */
	memset(&tm, 0, sizeof(tm));
	p = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (p == NULL || *p != '\0')
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	return t <= now ? 0 : (int64_t)(t - now) * 1000;
}

int64_t
retry_reset_ms(const char *v, time_t now)
{
	double		 n, total = 0;
	char		*end;
	int		 any = 0;

	if (v == NULL)
		return -1;
	while (*v == ' ')
		v++;
	errno = 0;
	n = strtod(v, &end);
	/* strtod also reads "nan" and "inf": no wait is that long. */
	if (end == v || errno != 0 || n < 0 || !isfinite(n))
		return -1;
	if (*end == '\0') {
		/* A bare number this large is a unix time, else seconds; a
		   day away or more is no hint we follow (fuzz_provider_
		   replicate: a huge one overflowed the conversion). */
		if (n > 1e9)
			return n <= (double)now ? 0 : n - (double)now > 86400 ?
			    -1 : (int64_t)((n - (double)now) * 1000);
		return n > 86400 ? -1 : (int64_t)(n * 1000);
	}
	/* Go duration: 1h2m3.5s, 250ms. */
	while (*v != '\0') {
		errno = 0;
		n = strtod(v, &end);
		if (end == v || errno != 0 || n < 0 || !isfinite(n) ||
		    n > 86400000.0)
			return -1;
		if (strncmp(end, "ms", 2) == 0) {
			total += n;
			end += 2;
		} else if (*end == 'h') {
			total += n * 3600000;
			end++;
		} else if (*end == 'm') {
			total += n * 60000;
			end++;
		} else if (*end == 's') {
			total += n * 1000;
			end++;
		} else
			return -1;
		any = 1;
		v = end;
	}
	if (!any || total > 86400000.0)
		return -1;
	return (int64_t)total;
}

int64_t
retry_backoff_ms(int n, long base_ms, int64_t hint_ms, uint32_t rnd)
{
	int64_t	 d, j;

	if (hint_ms > 0)
		/* A little spread so a herd told "1 s" does not return as one. */
		return (hint_ms > RETRY_MAX_HINT ? RETRY_MAX_HINT : hint_ms) +
		    (int64_t)(rnd % 251);
	if (base_ms <= 0)
		base_ms = 1000;
	d = base_ms;
	while (n-- > 0 && d < RETRY_MAX_BACKOFF)
		d *= 2;
	if (d > RETRY_MAX_BACKOFF)
		d = RETRY_MAX_BACKOFF;
	/* +-25 % jitter. */
	j = d / 2;
	if (j > 0)
		d = d - d / 4 + (int64_t)(rnd % (uint32_t)(j + 1));
	return d;
}

int
retry_status(long status, const char *timeout_type)
{
	switch (status) {
	case 429:
	case 502:
	case 503:
		return 1;
	case 504:
		/*
		 * fal: the caller's own start timeout expired; a retry
		 * would only start the clock (and the bill) again.
		 */
		return timeout_type == NULL ||
		    strcasecmp(timeout_type, "user") != 0;
	default:
		return 0;
	}
}

int
retry_should(enum retry_kind k, int rc, const struct http_resp *r)
{
	if (k == RETRY_NONE)
		return 0;
	if (rc == 0) {
		if (k == RETRY_SUBMIT)
			/* A 429 is a refusal before any job exists. */
			return r->status == 429;
		return retry_status(r->status,
		    http_header(r, "x-fal-request-timeout-type"));
	}
	switch (r->fail) {
	case HTTP_UNSENT:
		return 1;
	case HTTP_TRANSPORT:
		return k == RETRY_IDEMPOTENT;
	default:
		/* Timeouts use the deadline up; the rest will not improve. */
		return 0;
	}
}

int64_t
retry_hint_ms(const struct http_resp *r, time_t now)
{
	static const char *const resets[] = {
		"x-ratelimit-reset-requests", "x-ratelimit-reset",
		"ratelimit-reset", "x-ratelimit-reset-tokens", NULL
	};
	const char	*v;
	int64_t		 ms;
	size_t		 i;

	if ((v = http_header(r, "retry-after-ms")) != NULL &&
	    (ms = strtoll(v, NULL, 10)) > 0)
		return ms;
	if ((ms = retry_after_ms(http_header(r, "retry-after"), now)) >= 0)
		return ms;
	/* Resets only mean "wait" when we were actually limited. */
	if (r->status != 429)
		return -1;
	for (i = 0; resets[i] != NULL; i++)
		if ((ms = retry_reset_ms(http_header(r, resets[i]), now)) >= 0)
			return ms;
	return -1;
}
