/*
 * The wall clock in milliseconds, for what is stored or sent: ledger
 * times, job and webhook schedules, SIWX expiry, log lines, the x402
 * validity window.  Deadlines within one process use the monotonic clock
 * instead (http_now_ms, http/http.h), which no clock step moves.
 */
#ifndef SF_NOW_H
#define SF_NOW_H

#include <stdint.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME), truncated. */
int64_t	now_wall_ms(void);

#endif
