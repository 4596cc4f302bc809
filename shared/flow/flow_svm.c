#include <stdio.h>
#include <string.h>
#include <time.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "flow/flow.h"
#include "flow/flow_svm.h"
#include "x402/facilitator.h"
#include "x402/svm/svm_fee_payer.h"

static const struct cfg_net *
flow_svm_net(const struct cfg *c, const char *network)
{
	size_t	 i;

	for (i = 0; i < c->nnets; i++)
		if (strcmp(c->nets[i].network, network) == 0)
			return &c->nets[i];
	return NULL;
}

void
flow_svm_settle_config(const struct flow_ctx *ctx, const struct x402_offer *o,
    struct settle_config *out)
{
	const struct cfg_net	*n = flow_svm_net(ctx->cfg, o->network);

	/* Only a facilitator can co-sign as fee payer: never direct. */
	*out = ctx->settle;
	out->mode = SETTLE_MODE_FACILITATOR;
	if (n != NULL && n->facilitator_url[0] != '\0')
		out->facilitator.url = n->facilitator_url;
	/* The EVM chain check cannot read Solana: unknown stays unknown. */
	out->rpc_url = NULL;
	out->direct.rpc_url = NULL;
}

size_t
flow_svm_offers(const struct flow_ctx *ctx, struct x402_offer *offers,
    size_t n)
{
	struct settle_config	 sc;
	char			 why[256];
	size_t			 i, k;
	int			 fresh;

	for (i = k = 0; i < n; i++) {
		if (offers[i].svm) {
			flow_svm_settle_config(ctx, &offers[i], &sc);
			if (svm_fee_payer(&sc.facilitator, offers[i].network,
			    time(NULL), offers[i].fee_payer, why, sizeof(why),
			    &fresh) == -1) {
				if (fresh)
					fprintf(stderr, "%s: Solana (%s) not "
					    "offered: %s\n", ctx->ep->name,
					    offers[i].network, why);
				continue;
			}
		}
		if (k != i)
			offers[k] = offers[i];
		k++;
	}
	return k;
}
