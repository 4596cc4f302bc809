/*
 * metrics_token_ok: the METRICS_TOKEN check of /metrics.  The scheme name
 * is case-insensitive and 1*SP separates it from the token (RFC 9110
 * §11.4); the token itself is compared exactly.
 */
#include <stddef.h>

#include "ops/metrics.h"
#include "tap.h"

int
main(void)
{
	TAP_OK(metrics_token_ok("s3cret", "Bearer s3cret"), "Bearer");
	TAP_OK(metrics_token_ok("s3cret", "bearer s3cret"), "bearer");
	TAP_OK(metrics_token_ok("s3cret", "BEARER s3cret"), "BEARER");
	TAP_OK(metrics_token_ok("s3cret", "bEaReR s3cret"), "bEaReR");
	TAP_OK(metrics_token_ok("s3cret", "Bearer   s3cret"), "several spaces");
	TAP_OK(!metrics_token_ok("s3cret", "Bearer S3CRET"),
	    "the token is case-sensitive");
	TAP_OK(!metrics_token_ok("s3cret", "Bearer s3cre"), "shorter token");
	TAP_OK(!metrics_token_ok("s3cret", "Bearer s3crets"), "longer token");
	TAP_OK(!metrics_token_ok("s3cret", "Bearers3cret"), "no space");
	TAP_OK(!metrics_token_ok("s3cret", "Basic s3cret"), "other scheme");
	TAP_OK(!metrics_token_ok("s3cret", "s3cret"), "no scheme");
	TAP_OK(!metrics_token_ok("s3cret", "Bearer "), "no token");
	TAP_OK(!metrics_token_ok("s3cret", NULL), "no header");
	TAP_OK(!metrics_token_ok("", "Bearer "), "an empty token never passes");
	return tap_done();
}
