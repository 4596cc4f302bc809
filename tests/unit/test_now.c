/* now_wall_ms against gettimeofday, read just before and just after. */
#include <sys/time.h>

#include <stdint.h>
#include <stdio.h>

#include "basics/now.h"
#include "tap.h"

static int64_t
tod_ms(void)
{
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int
main(void)
{
	int64_t	 before, n, after;
	int	 i, within = 1;

	for (i = 0; i < 1000; i++) {
		before = tod_ms();
		n = now_wall_ms();
		after = tod_ms();
		if (n < before || n > after) {
			within = 0;
			printf("# %lld not in [%lld, %lld]\n", (long long)n,
			    (long long)before, (long long)after);
			break;
		}
	}
	TAP_OK(within, "milliseconds since the epoch, as gettimeofday reads them");
	/* 2026 and later, in milliseconds, not seconds or microseconds. */
	TAP_OK(n > 1767225600000LL && n < 4102444800000LL,
	    "in milliseconds (%lld)", (long long)n);
	return tap_done();
}
