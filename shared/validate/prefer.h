/*
 * The Prefer request header (RFC 7240), read the way §2 asks: a
 * comma-separated list, possibly over several header lines, of
 *
 *   preference = token [ BWS "=" BWS word ] *( OWS ";" [ OWS parameter ] )
 *   word       = token / quoted-string
 *
 * preference names compared case-insensitively, only the first instance
 * of each considered, an empty value ("wait=" or wait="") the same as no
 * value, unknown preferences and all parameters ignored, and a malformed
 * list element skipped without spoiling the others (a value of a
 * preference we read longer than 64 characters counts as malformed).  The preferences a
 * job route acts on:
 *
 *   respond-async (§4.1)	answer 202 and a job now;
 *   wait=N (§4.3)		the client waits N seconds (delta-seconds,
 *				at most 2^31, RFC 9111 §1.2.2) for a final
 *				answer;
 *   wait			without a value (our reading, as Replicate's
 *				"Prefer: wait"): wait for the final answer,
 *				however long the work takes;
 *   return=minimal|representation (§4.2), handling=strict|lenient (§4.4).
 *
 * When the server honours one it says so in Preference-Applied (§3), e.g.
 * "Preference-Applied: respond-async".  Pure, no allocation.
 */
#ifndef SF_PREFER_H
#define SF_PREFER_H

#include <stdint.h>

#define PREFER_WAIT_UNBOUNDED	(-1)		/* "wait" without a value */
#define PREFER_WAIT_MAX		2147483648LL	/* delta-seconds cap, s */

struct prefer {
	int		 respond_async;		/* 1: respond-async given */
	int		 wait;			/* 1: a valid wait given */
	int64_t		 wait_s;		/* its seconds, or PREFER_WAIT_UNBOUNDED */
	int		 return_minimal;
	int		 return_representation;
	int		 handling_strict;
	int		 handling_lenient;
	unsigned	 malformed;		/* elements skipped: syntax, or a bad
						 * value of one of the above */
	unsigned	 seen;			/* bit per preference above: its first
						 * instance was read (internal) */
};

/* Start empty: no preference. */
void	prefer_init(struct prefer *);
/*
 * Add one Prefer field value (one header line, or the lines joined with
 * ","; NULL or "" adds nothing).  Call once per line, in order: the first
 * instance of a preference wins across lines too.
 */
void	prefer_parse(struct prefer *, const char *value);

#endif
