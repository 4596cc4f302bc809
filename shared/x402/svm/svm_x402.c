#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/b58.h"
#include "basics/u256.h"
#include "x402/svm/svm_x402.h"

static int
svm_x402_match(const struct x402_payment *p, const struct x402_offer *o)
{
	const struct x402_accepted	*c = &p->accepted;
	uint8_t				 a[U256_LEN], b[U256_LEN];

	if (!o->svm)
		return 0;
	if (p->version == 1)
		return o->network_v1[0] != '\0' &&
		    strcmp(p->scheme, o->scheme) == 0 &&
		    strcmp(p->network, o->network_v1) == 0;
	return strcmp(c->scheme, o->scheme) == 0 &&
	    strcmp(c->network, o->network) == 0 &&
	    u256_from_dec(c->amount, a) == 0 &&
	    u256_from_dec(o->amount, b) == 0 && u256_cmp(a, b) == 0 &&
	    strcmp(c->asset, o->asset) == 0 &&
	    strcmp(c->pay_to, o->pay_to) == 0 &&
	    c->max_timeout == o->max_timeout &&
	    c->has_fee_payer && strcmp(c->fee_payer, o->fee_payer) == 0;
}

/* Our offer in bytes; -1 if it is misconfigured. */
static int
svm_x402_expect(const struct x402_offer *o, struct svm_expect *e)
{
	unsigned long long	 n;
	char			*end;

	memset(e, 0, sizeof(*e));
	errno = 0;
	n = strtoull(o->amount, &end, 10);
	if (o->amount[0] < '0' || o->amount[0] > '9' || *end != '\0' ||
	    errno != 0 || o->decimals > 255)
		return -1;
	e->amount = n;
	e->decimals = (uint8_t)o->decimals;
	if (b58_decode_fixed(o->fee_payer, e->fee_payer, 32) == -1 ||
	    b58_decode_fixed(o->asset, e->mint, 32) == -1 ||
	    b58_decode_fixed(o->pay_to, e->pay_to, 32) == -1)
		return -1;
	return 0;
}

int
svm_x402_verify(const struct x402_payment *p, const struct x402_offer *offers,
    size_t noffers, struct x402_verdict *v, struct svm_verdict *tx)
{
	struct svm_expect	 e;
	size_t			 i;

	memset(v, 0, sizeof(*v));
	memset(tx, 0, sizeof(*tx));
	for (i = 0; i < noffers; i++)
		if (svm_x402_match(p, &offers[i]))
			break;
	if (i == noffers) {
		v->reason = X402_R_NO_MATCH;
		snprintf(v->message, sizeof(v->message), "No matching payment "
		    "requirements for %s on %s", p->scheme, p->network);
		return 0;
	}
	v->offer = &offers[i];
	v->offer_index = i;
	if (svm_x402_expect(&offers[i], &e) == -1) {
		v->reason = X402_R_UNEXPECTED;
		snprintf(v->message, sizeof(v->message), "offer %zu is "
		    "misconfigured (asset, payTo, feePayer or amount)", i);
		return 0;
	}
	svm_verify_tx(p->svm_tx, p->svm_tx_len, &e, tx);
	v->valid = tx->valid;
	v->reason = tx->reason;
	snprintf(v->message, sizeof(v->message), "%s", tx->message);
	/* Malformed bytes are a malformed payload, the reason in the message. */
	if (tx->reason != NULL && strcmp(tx->reason, SVM_R_DECODE) == 0) {
		v->reason = X402_R_INVALID_PAYLOAD;
		snprintf(v->message, sizeof(v->message), "payload.transaction: "
		    "%s", tx->message);
	}
	snprintf(v->payer, sizeof(v->payer), "%s", tx->payer);
	return 0;
}
