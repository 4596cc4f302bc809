/*
 * Retry-After (RFC 9110 §10.2.3): "delay-seconds" (1*DIGIT) or an
 * HTTP-date.  We write the first (no clock to trust on the other side);
 * receivers of ours (webhook deliveries, upstreams) may send either, and
 * RFC 9110 §5.6.7 asks a recipient to read all three date formats.
 */
#ifndef SF_RETRY_AFTER_H
#define SF_RETRY_AFTER_H

#include <stdint.h>
#include <time.h>

#define RETRY_AFTER_STRLEN	12		/* up to RETRY_AFTER_MAX + NUL */
#define RETRY_AFTER_MAX		31536000	/* s: a year, the cap we write */
#define RETRY_AFTER_DATE_STRLEN	30		/* IMF-fixdate + NUL */

/*
 * The delay-seconds value for a wait of delay_ms milliseconds: rounded up
 * to whole seconds (a client told "0" for a 300 ms wait polls at once),
 * 0 for delay_ms <= 0, at most RETRY_AFTER_MAX.  Always NUL-terminated.
 */
void	retry_after_format(int64_t delay_ms, char out[RETRY_AFTER_STRLEN]);
/*
 * Unix time t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT",
 * RFC 9110 §5.6.7), for Retry-After, Date or Expires.  0, or -1 when the
 * year is outside 1..9999.
 */
int	retry_after_http_date(time_t t, char out[RETRY_AFTER_DATE_STRLEN]);
/*
 * Read a Retry-After value: delay-seconds (capped at RETRY_AFTER_MAX), or
 * an HTTP-date in any of its three forms (IMF-fixdate, RFC 850, asctime),
 * turned into the delay from now (0 when it is past).  *delay_ms gets
 * milliseconds.  0, or -1 when v is neither.
 */
int	retry_after_parse(const char *v, time_t now, int64_t *delay_ms);

#endif
