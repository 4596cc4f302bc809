#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/net.h"

/*
 * Circle USDC deployments; names and versions as signed by clients.  The
 * public JSON-RPC endpoint of a chain, where one is published for general
 * use, as viem 2.57.20 carries it (src/chains/definitions: base,
 * baseSepolia, polygon, polygonAmoy); Solana's are the clusters' own
 * (docs.solana.com/cluster/rpc-endpoints).  docs/configuration.md says
 * what they see.
 */
static const struct net_info nets[] = {
	{ NET_EVM, "base", 8453, NULL,
	    "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", 6, "USD Coin", "2", 1,
	    "https://mainnet.base.org" },
	{ NET_EVM, "base-sepolia", 84532, NULL,
	    "0x036CbD53842c5426634e7929541eC2318f3dCF7e", 6, "USDC", "2", 0,
	    "https://sepolia.base.org" },
	{ NET_EVM, "polygon", 137, NULL,
	    "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359", 6, "USD Coin", "2", 1,
	    "https://polygon.drpc.org" },
	{ NET_EVM, "polygon-amoy", 80002, NULL,
	    "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582", 6, "USDC", "2", 0,
	    "https://polygon-amoy.drpc.org" },
	{ NET_EVM, "avalanche", 43114, NULL,
	    "0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E", 6, "USD Coin", "2", 1,
	    NULL },
	{ NET_EVM, "avalanche-fuji", 43113, NULL,
	    "0x5425890298aed601595a70AB815c96711a31Bc65", 6, "USD Coin", "2", 0,
	    NULL },
	{ NET_EVM, NULL, 42161, NULL,
	    "0xaf88d065e77c8cC2239327C5EDb3A432268e5831", 6, "USD Coin", "2", 1,
	    NULL },
	{ NET_EVM, NULL, 421614, NULL,
	    "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d", 6, "USD Coin", "2", 0,
	    NULL },
	{ NET_EVM, "ethereum", 1, NULL,
	    "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6, "USD Coin", "2", 1,
	    NULL },
	{ NET_EVM, "sepolia", 11155111, NULL,
	    "0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238", 6, "USDC", "2", 0,
	    NULL },
};

/* Solana: v1 names and CAIP-2 ids as @x402/svm spells them; Circle USDC. */
static const struct net_info svm_nets[] = {
	{ NET_SVM, "solana", 0, "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",
	    "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", 6, NULL, NULL, 1,
	    "https://api.mainnet-beta.solana.com" },
	{ NET_SVM, "solana-devnet", 0, "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1",
	    "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU", 6, NULL, NULL, 0,
	    "https://api.devnet.solana.com" },
};

int
net_lookup(const char *s, struct net_info *out)
{
	unsigned long long	 id;
	char			*end;
	size_t			 i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(svm_nets) / sizeof(svm_nets[0]); i++)
		if (strcmp(svm_nets[i].v1name, s) == 0 ||
		    strcmp(svm_nets[i].caip2, s) == 0) {
			*out = svm_nets[i];
			return 0;
		}
	if (strncmp(s, "eip155:", 7) == 0) {
		if (s[7] < '1' || s[7] > '9')
			return -1;
		errno = 0;
		id = strtoull(s + 7, &end, 10);
		if (errno != 0 || *end != '\0' || id == 0)
			return -1;
		for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
			if (nets[i].chain_id == id) {
				*out = nets[i];
				return 0;
			}
		memset(out, 0, sizeof(*out));
		out->chain_id = id;
		/* Unknown chains are local/test chains unless configured otherwise. */
		return 0;
	}
	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		if (nets[i].v1name != NULL && strcmp(nets[i].v1name, s) == 0) {
			*out = nets[i];
			return 0;
		}
	return -1;
}

void
net_caip2(const struct net_info *n, char *buf, unsigned long sz)
{
	if (n->family == NET_SVM)
		snprintf(buf, sz, "%s", n->caip2);
	else
		snprintf(buf, sz, "eip155:%llu", (unsigned long long)n->chain_id);
}
