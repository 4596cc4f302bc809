/*
 * The 402 challenge, answered in both protocol versions at once: the v2
 * PaymentRequired (base64 JSON in PAYMENT-REQUIRED) and a v1
 * PaymentRequirementsResponse as the JSON body (reference x402.md §4).
 */
#ifndef SF_X402_CHALLENGE_H
#define SF_X402_CHALLENGE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "x402/x402_offer.h"

struct def_endpoint;
struct msg_resp;

/* One v2 PaymentRequirements object (also what registry.json lists). */
cJSON	*x402_offer_v2(const struct x402_offer *);
/* v1 requirements for one offer; NULL when the network has no v1 name. */
cJSON	*x402_offer_v1(const struct def_endpoint *, const char *resource,
	    const struct x402_offer *);
cJSON	*x402_required_v2(const struct def_endpoint *, const char *resource,
	    const struct x402_offer *, size_t, const char *error);
cJSON	*x402_required_v1(const struct def_endpoint *, const char *resource,
	    const struct x402_offer *, size_t, const char *error);
/*
 * The same with the description given (NULL = the definition's summary):
 * the flow adds what a settle-first endpoint does when the work fails.
 */
cJSON	*x402_offer_v1_desc(const struct def_endpoint *, const char *resource,
	    const struct x402_offer *, const char *desc);
cJSON	*x402_required_v2_desc(const struct def_endpoint *,
	    const char *resource, const struct x402_offer *, size_t,
	    const char *error, const char *desc);
int	x402_challenge_desc(struct msg_resp *, int status,
	    const struct def_endpoint *, const char *resource,
	    const struct x402_offer *, size_t, const char *error,
	    const char *message, const char *desc);
/* What a settle-first endpoint promises the buyer (pages and 402s). */
#define X402_SETTLE_FIRST_NOTE "Payment is settled before the work " \
	"starts. If the work then fails there is no refund: send the same " \
	"request with the same payment again while the payment is valid " \
	"and the work is redone at no further charge."
/*
 * What a job's 402 adds (a paid call that runs as a job, flow_job.h): how
 * it answers, and when it is charged (unless settled first).
 */
#define X402_JOB_NOTE "Runs as a job: the paid call answers 202 " \
	"Accepted with a status URL to poll for free (DELETE cancels)."
#define X402_JOB_PAY_NOTE "The payment is settled only when the job " \
	"succeeds: a job that fails, is cancelled or would outrun the " \
	"payment's validBefore is not charged."
/*
 * Fill resp with a 402 (or status) carrying both versions.  error is the
 * reason code ("payment_required" or a verification reason), message a
 * sentence for humans.  Returns 0 or -1 (out of memory).
 */
int	x402_challenge(struct msg_resp *, int status,
	    const struct def_endpoint *, const char *resource,
	    const struct x402_offer *, size_t, const char *error,
	    const char *message);

#endif
