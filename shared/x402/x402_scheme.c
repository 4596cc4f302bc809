#include <stdio.h>
#include <string.h>
#include <time.h>

#include "basics/err.h"
#include "basics/net.h"
#include "x402/evm/evm_scheme.h"
#include "x402/facilitator.h"
#include "x402/svm/svm_scheme.h"
#include "x402/x402_scheme.h"

/* The families, by the network family that names them. */
static const struct x402_scheme *const x402_schemes[] = {
	[NET_EVM] = &evm_scheme,
	[NET_SVM] = &svm_scheme,
};

const struct x402_scheme *
x402_scheme_for(const char *network)
{
	struct net_info	 ni;

	if (network == NULL || net_lookup(network, &ni) == -1)
		return &evm_scheme;
	return x402_schemes[ni.family];
}

const struct x402_scheme *
x402_scheme_of_offer(const struct x402_offer *o)
{
	return x402_schemes[o->svm ? NET_SVM : NET_EVM];
}

const struct x402_scheme *
x402_scheme_of_requirements(const char *json)
{
	const struct x402_scheme	*s;
	cJSON				*j;

	j = json != NULL ? cJSON_Parse(json) : NULL;
	s = x402_scheme_for(cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(j, "network")));
	cJSON_Delete(j);
	return s;
}

int
x402_scheme_verify_header(const char *hdr, int version,
    const struct x402_offer *offers, size_t noffers, time_t now,
    struct x402_check *c)
{
	struct sf_err	 err;

	memset(c, 0, sizeof(*c));
	sf_err_clear(&err);
	if (x402_payment_decode(hdr, version, &c->pay, &err) == -1) {
		c->vd.reason = err.status >= 500 ? X402_R_UNEXPECTED :
		    strcmp(err.code, X402_R_INVALID_VERSION) == 0 ?
		    X402_R_INVALID_VERSION : X402_R_INVALID_PAYLOAD;
		memcpy(c->vd.message, err.message, sizeof(c->vd.message) - 1);
		c->vd.message[sizeof(c->vd.message) - 1] = '\0';
		return err.status >= 500 ? -1 : 0;
	}
	/* The decoder told the payload's family by its network. */
	c->scheme = x402_schemes[c->pay.svm ? NET_SVM : NET_EVM];
	return c->scheme->verify(offers, noffers, now, c);
}

void
x402_check_free(struct x402_check *c)
{
	x402_payment_free(&c->pay);
}

int
x402_scheme_prove_facilitator(const struct facilitator_config *fc,
    int version, const char *payload, const char *requirements,
    struct x402_proof *pr)
{
	struct facilitator_result	 fr;

	memset(pr, 0, sizeof(*pr));
	facilitator_verify(fc, version, payload, requirements, &fr);
	if (fr.outcome == FACILITATOR_UNKNOWN)
		return -1;
	if (fr.outcome == FACILITATOR_FAILED || !fr.success) {
		snprintf(pr->reason, sizeof(pr->reason), "%s",
		    fr.reason[0] ? fr.reason : X402_R_UNEXPECTED);
		snprintf(pr->message, sizeof(pr->message), "%.250s",
		    fr.message[0] ? fr.message : "the facilitator refused");
		return 0;
	}
	pr->settleable = 1;
	return 0;
}
