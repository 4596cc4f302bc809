#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "basics/now.h"
#include "basics/str.h"
#include "x402/settle.h"
#include "x402/x402_scheme.h"

int
settle_mode_parse(const char *s, enum settle_mode *m)
{
	if (s == NULL || strcmp(s, "facilitator") == 0)
		*m = SETTLE_MODE_FACILITATOR;
	else if (strcmp(s, "direct") == 0)
		*m = SETTLE_MODE_DIRECT;
	else
		return -1;
	return 0;
}

const char *
settle_outcome_name(enum settle_outcome o)
{
	switch (o) {
	case SETTLE_OK:
		return "ok";
	case SETTLE_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}

void
settle_facilitator(const struct settle_config *c, int version,
    const char *payload, const char *reqs, struct settle_result *r,
    struct facilitator_result *out)
{
	struct facilitator_result	 fr;

	facilitator_settle(&c->facilitator, version, payload, reqs, &fr);
	r->outcome = fr.outcome == FACILITATOR_OK ? SETTLE_OK :
	    fr.outcome == FACILITATOR_FAILED ? SETTLE_FAILED : SETTLE_UNKNOWN;
	/* A definite "no" from the facilitator: nothing moved. */
	r->retryable = fr.outcome == FACILITATOR_FAILED;
	str_copy(r->tx, sizeof(r->tx), fr.transaction);
	str_copy(r->reason, sizeof(r->reason), fr.reason);
	str_copy(r->message, sizeof(r->message), fr.message);
	if (fr.network[0] != '\0')
		str_copy(r->network, sizeof(r->network), fr.network);
	if (fr.payer[0] != '\0')
		str_copy(r->payer, sizeof(r->payer), fr.payer);
	if (out != NULL)
		*out = fr;
}

/* One attempt by the payment's family, r zeroed but for the network. */
static void
settle_attempt(const struct x402_scheme *s, const struct settle_config *c,
    int version, const char *payload, const char *reqs, int64_t since,
    int fresh, struct settle_result *r)
{
	cJSON	*j;

	memset(r, 0, sizeof(*r));
	if ((j = cJSON_Parse(reqs)) != NULL) {
		str_copy(r->network, sizeof(r->network), cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(j, "network")));
		cJSON_Delete(j);
	}
	s->settle_once(c, version, payload, reqs, since, fresh, r);
}

enum settle_outcome
settle_payment(const struct settle_config *c, int version,
    const char *payload, const char *reqs, struct settle_result *r)
{
	struct settle_opts	 o = { 0, 0, 0, 0 };

	return settle_payment_opts(c, version, payload, reqs, &o, r);
}

int
settle_transient(const struct settle_result *r)
{
	static const char *const transient[] = {
		"unexpected_settle_error", "settlement_pending",
		"invalid_exact_evm_transaction_failed", "transaction_failed",
		"facilitator_unreachable", "facilitator_bad_response",
		"rpc_unreachable", "http_timeout", "http_transport",
		"settle_exact_svm_transaction_confirmation_timed_out",
	};
	size_t	 i;

	if (r->outcome == SETTLE_UNKNOWN)
		return 1;
	if (r->outcome != SETTLE_FAILED)
		return 0;
	for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
		if (strcmp(r->reason, transient[i]) == 0)
			return 1;
	return 0;
}

enum settle_outcome
settle_payment_opts(const struct settle_config *c, int version,
    const char *payload, const char *reqs, const struct settle_opts *o,
    struct settle_result *r)
{
	const struct x402_scheme	*s = x402_scheme_of_requirements(reqs);
	int64_t				 end, until, delay = 500;
	int				 n;

	end = now_wall_ms() + (o->budget_ms > 0 ? o->budget_ms : 0);
	/* The chain refuses within a block time of the end (§6.1 #7).  A
	   family that cannot read the end from the payload (Solana) is
	   given the ledger's. */
	if ((until = s->settle_until_ms(payload)) == 0 && o->valid_before > 0)
		until = o->valid_before < INT64_MAX / 1000 ?
		    o->valid_before * 1000 : INT64_MAX;
	if (until > INT64_MIN + 6000)
		until -= 6000;
	for (n = 1;; n++) {
		settle_attempt(s, c, version, payload, reqs, o->since,
		    n == 1 && o->fresh, r);
		r->attempts = n;
		if (!settle_transient(r) || now_wall_ms() + delay > end ||
		    now_wall_ms() + delay > until)
			break;
		nanosleep(&(struct timespec){ delay / 1000,
		    (delay % 1000) * 1000000 }, NULL);
		delay = delay * 2 > 8000 ? 8000 : delay * 2;
	}
	return r->outcome;
}
