#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/cfg.h"
#include "x402/x402_offer.h"

/* src into dst, cut to sz - 1 bytes as snprintf "%s" would (every 402
   builds its offers: eight snprintf calls each were a tenth of it). */
static void
x402_offer_copy(char *dst, size_t sz, const char *src)
{
	size_t	 n = strnlen(src, sz - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

size_t
x402_offers(const struct cfg *c, const char *amount, struct x402_offer *out,
    size_t max)
{
	size_t	 i;

	for (i = 0; i < c->nnets && i < max; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		x402_offer_copy(out[i].scheme, sizeof(out[i].scheme), "exact");
		x402_offer_copy(out[i].network, sizeof(out[i].network),
		    c->nets[i].network);
		x402_offer_copy(out[i].network_v1, sizeof(out[i].network_v1),
		    c->nets[i].network_v1);
		out[i].chain_id = c->nets[i].chain_id;
		x402_offer_copy(out[i].amount, sizeof(out[i].amount), amount);
		x402_offer_copy(out[i].asset, sizeof(out[i].asset),
		    c->nets[i].asset);
		/* Solana pays into PAY_TO_<NET>: an EVM address cannot. */
		x402_offer_copy(out[i].pay_to, sizeof(out[i].pay_to),
		    c->nets[i].svm ? c->nets[i].pay_to : c->pay_to);
		out[i].svm = c->nets[i].svm;
		out[i].decimals = c->nets[i].decimals;
		out[i].max_timeout = c->max_timeout;
		x402_offer_copy(out[i].name, sizeof(out[i].name),
		    c->nets[i].asset_name);
		x402_offer_copy(out[i].version, sizeof(out[i].version),
		    c->nets[i].asset_version);
		out[i].mainnet = c->nets[i].mainnet;
	}
	return i;
}

int
x402_offer_equal(const struct x402_offer *a, const struct x402_offer *b)
{
	return a->svm == b->svm && a->chain_id == b->chain_id &&
	    a->max_timeout == b->max_timeout && a->decimals == b->decimals &&
	    a->mainnet == b->mainnet && strcmp(a->scheme, b->scheme) == 0 &&
	    strcmp(a->network, b->network) == 0 &&
	    strcmp(a->network_v1, b->network_v1) == 0 &&
	    strcmp(a->amount, b->amount) == 0 &&
	    strcmp(a->asset, b->asset) == 0 &&
	    strcmp(a->pay_to, b->pay_to) == 0 &&
	    strcmp(a->name, b->name) == 0 &&
	    strcmp(a->version, b->version) == 0 &&
	    strcmp(a->fee_payer, b->fee_payer) == 0;
}

unsigned
x402_window(const struct cfg *c, unsigned deadline)
{
	return deadline + c->settle_margin;
}

size_t
x402_offers_ep(const struct cfg *c, const char *amount, unsigned deadline,
    struct x402_offer *out, size_t max)
{
	size_t		 i, n;
	unsigned	 w;

	n = x402_offers(c, amount, out, max);
	w = x402_window(c, deadline) + X402_SIGN_SLACK;
	for (i = 0; i < n; i++)
		if (deadline > 0 && out[i].max_timeout < w)
			out[i].max_timeout = w;
	return n;
}

int
x402_settle_first(const struct cfg *c, const char *endpoint,
    const char *amount)
{
	const char		*list = cfg_get_or(c, "SETTLE_FIRST", "");
	const char		*p;
	size_t			 n = strlen(endpoint);
	unsigned long long	 a;
	char			*end;

	for (p = list; *p != '\0'; p += strcspn(p, ", ")) {
		p += strspn(p, ", ");
		if ((strncmp(p, endpoint, n) == 0 && strchr(", ", p[n]) != NULL)
		    || (strncmp(p, "all", 3) == 0 && strchr(", ", p[3]) != NULL))
			return 1;
	}
	if (amount == NULL || c->settle_first_above == 0)
		return 0;
	errno = 0;
	a = strtoull(amount, &end, 10);
	/* Longer than 64 bits is above any threshold. */
	return errno == ERANGE || (*end == '\0' && a > c->settle_first_above);
}
