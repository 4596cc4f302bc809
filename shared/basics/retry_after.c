#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "basics/retry_after.h"

static const char	*const ra_day[7] = { "Sun", "Mon", "Tue", "Wed", "Thu",
    "Fri", "Sat" };
static const char	*const ra_dayl[7] = { "Sunday", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday" };
static const char	*const ra_mon[12] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

void
retry_after_format(int64_t delay_ms, char out[RETRY_AFTER_STRLEN])
{
	int64_t	 s;

	if (delay_ms <= 0)
		s = 0;
	else if (delay_ms / 1000 >= RETRY_AFTER_MAX)
		s = RETRY_AFTER_MAX;
	else
		s = (delay_ms + 999) / 1000;
	snprintf(out, RETRY_AFTER_STRLEN, "%lld", (long long)s);
}

int
retry_after_http_date(time_t t, char out[RETRY_AFTER_DATE_STRLEN])
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1 ||
	    tm.tm_year + 1900 > 9999)
		return -1;
	snprintf(out, RETRY_AFTER_DATE_STRLEN,
	    "%s, %02d %s %04d %02d:%02d:%02d GMT", ra_day[tm.tm_wday % 7],
	    tm.tm_mday % 100, ra_mon[tm.tm_mon % 12], (tm.tm_year + 1900) % 10000,
	    tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100);
	return 0;
}

/* n digits at s into *v (0 or -1); for asctime's day, a leading space. */
static int
ra_num(const char *s, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (i == 0 && n == 2 && s[0] == ' ' && s[1] >= '0' && s[1] <= '9')
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int
ra_month(const char *s)
{
	int	 i;

	for (i = 0; i < 12; i++)
		if (strncmp(s, ra_mon[i], 3) == 0)
			return i;
	return -1;
}

/* "HH:MM:SS" */
static int
ra_clock(const char *s, struct tm *tm)
{

	if (ra_num(s, 2, &tm->tm_hour) == -1 || s[2] != ':' ||
	    ra_num(s + 3, 2, &tm->tm_min) == -1 || s[5] != ':' ||
	    ra_num(s + 6, 2, &tm->tm_sec) == -1 || tm->tm_hour > 23 ||
	    tm->tm_min > 59 || tm->tm_sec > 60)
		return -1;
	return 0;
}

/* The three HTTP-date forms (RFC 9110 §5.6.7) into a UTC struct tm. */
static int
ra_date(const char *v, time_t now, struct tm *tm)
{
	struct tm	 nt;
	const char	*p;
	size_t		 i, n;

	memset(tm, 0, sizeof(*tm));
	for (i = 0; i < 7; i++) {
		n = strlen(ra_dayl[i]);
		/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
		if (strncmp(v, ra_day[i], 3) == 0 && strncmp(v + 3, ", ", 2) == 0 &&
		    strlen(v) == 29) {
			p = v + 5;
			if (ra_num(p, 2, &tm->tm_mday) == -1 || p[2] != ' ' ||
			    (tm->tm_mon = ra_month(p + 3)) == -1 || p[6] != ' ' ||
			    ra_num(p + 7, 4, &tm->tm_year) == -1 || p[11] != ' ' ||
			    ra_clock(p + 12, tm) == -1 || strcmp(p + 20, " GMT") != 0)
				return -1;
			tm->tm_year -= 1900;
			return 0;
		}
		/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year
		 * more than 50 years ahead is the last past one with those
		 * digits (RFC 9110 §5.6.7). */
		if (strncmp(v, ra_dayl[i], n) == 0 && strncmp(v + n, ", ", 2) == 0) {
			p = v + n + 2;
			if (strlen(p) != 22 || ra_num(p, 2, &tm->tm_mday) == -1 ||
			    p[2] != '-' || (tm->tm_mon = ra_month(p + 3)) == -1 ||
			    p[6] != '-' || ra_num(p + 7, 2, &tm->tm_year) == -1 ||
			    p[9] != ' ' || ra_clock(p + 10, tm) == -1 ||
			    strcmp(p + 18, " GMT") != 0)
				return -1;
			if (gmtime_r(&now, &nt) == NULL)
				return -1;
			tm->tm_year += nt.tm_year / 100 * 100;
			if (tm->tm_year > nt.tm_year + 50)
				tm->tm_year -= 100;
			return 0;
		}
		/* asctime: "Sun Nov  6 08:49:37 1994" */
		if (strncmp(v, ra_day[i], 3) == 0 && v[3] == ' ' && strlen(v) == 24) {
			p = v + 4;
			if ((tm->tm_mon = ra_month(p)) == -1 || p[3] != ' ' ||
			    ra_num(p + 4, 2, &tm->tm_mday) == -1 || p[6] != ' ' ||
			    ra_clock(p + 7, tm) == -1 || p[15] != ' ' ||
			    ra_num(p + 16, 4, &tm->tm_year) == -1)
				return -1;
			tm->tm_year -= 1900;
			return 0;
		}
	}
	return -1;
}

int
retry_after_parse(const char *v, time_t now, int64_t *delay_ms)
{
	struct tm	 tm, back;
	const char	*p;
	int64_t		 s = 0;
	time_t		 t;

	if (v == NULL || *v == '\0')
		return -1;
	for (p = v; *p >= '0' && *p <= '9'; p++)
		if ((s = s * 10 + (*p - '0')) > RETRY_AFTER_MAX)
			s = RETRY_AFTER_MAX;
	if (*p == '\0') {
		*delay_ms = s * 1000;
		return 0;
	}
	if (ra_date(v, now, &tm) == -1 || tm.tm_mday < 1)
		return -1;
	back = tm;
	/* timegm() would move 31 Feb to March: refuse what it normalises. */
	if ((t = timegm(&back)) == (time_t)-1 || back.tm_mday != tm.tm_mday ||
	    back.tm_mon != tm.tm_mon)
		return -1;
	*delay_ms = t > now ? (int64_t)(t - now) * 1000 : 0;
	if (*delay_ms > (int64_t)RETRY_AFTER_MAX * 1000)
		*delay_ms = (int64_t)RETRY_AFTER_MAX * 1000;
	return 0;
}
