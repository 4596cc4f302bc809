/*
 * The Solana parts of the paid flow (flow_paid.c calls them; everything
 * else is shared with EVM): offers completed with the facilitator's fee
 * payer, and the facilitator settings of a Solana network, which both
 * prove it settleable (/verify, its simulation) and settle it.
 */
#ifndef SF_FLOW_SVM_H
#define SF_FLOW_SVM_H

#include <stddef.h>

#include "basics/x402_offer.h"
#include "x402/settle.h"

struct flow_ctx;

/*
 * Fill extra.feePayer of each Solana offer from its facilitator's
 * /supported (cached); drop the offers it cannot be had for, saying why on
 * stderr when the facilitator was asked.  Returns the new count.
 */
size_t	flow_svm_offers(const struct flow_ctx *, struct x402_offer *, size_t);
/* The facilitator settings that settle (and verify) on this network. */
void	flow_svm_settle_config(const struct flow_ctx *,
	    const struct x402_offer *, struct settle_config *out);

#endif
