/*
 * The outbound transport for fuzz targets: http_do (http/http.h) answers
 * from a script, so a target feeds its input to the code that reads
 * replies of providers, the facilitator and chain nodes as they would
 * arrive, in process and without a network.  Targets link with
 * -Wl,--wrap=http_do -Wl,--wrap=http_sleep_ms (tests/fuzz/fuzz.mk): every
 * call of the core reaches __wrap_http_do here; sleeps return at once.
 *
 * A script is the answers in order, separated by a line "===":
 *
 *	HTTP 202			optional status line (default 200)
 *	Content-Type: application/json	optional headers, then a blank line
 *
 *	{"status":"IN_QUEUE"}		the body (the rest of the part)
 *	===
 *	!timeout			or a failure: !timeout, !unsent,
 *					!transport, !toolarge
 *
 * A part that does not begin with "HTTP " is all body (status 200).  When
 * the script runs out, every further call fails as !unsent.
 *
 * Record mode: with fuzz_http_record(1) the real transport answers
 * (__real_http_do) and each answer is appended to a script, which
 * fuzz_http_recorded returns: seeds recorded from the strict fakes of the
 * providers (tests/fuzz/record.mjs).
 */
#ifndef SF_FUZZ_HTTP_H
#define SF_FUZZ_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "basics/buf.h"

/* Answer the next calls from data[0..len) (copied). */
void	fuzz_http_script(const uint8_t *data, size_t len);
/* Calls made since the last fuzz_http_script. */
size_t	fuzz_http_calls(void);
/* Record mode on (1) or off (0); on clears the recording. */
void	fuzz_http_record(int on);
/* The recorded script (owned by fuzz_http.c). */
const struct buf *fuzz_http_recorded(void);

#endif
