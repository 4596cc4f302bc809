/*
 * EVM networks we can take payments on: v1 name, CAIP-2 id, chain id and
 * Circle USDC with its EIP-712 domain (reference x402.md §2.4, §5.1).
 */
#ifndef SF_NET_H
#define SF_NET_H

#include <stdint.h>

struct net_info {
	const char	*v1name;	/* "base-sepolia"; NULL if v1 has none */
	uint64_t	 chain_id;
	const char	*usdc;		/* default asset, NULL if none known */
	const char	*usdc_name;	/* EIP-712 domain name */
	const char	*usdc_version;
	int		 mainnet;
};

/*
 * Look up "base-sepolia", "eip155:84532" or any "eip155:<id>".  An unknown
 * eip155 id yields a static-per-thread entry with no v1 name and no asset.
 * Returns 0 on success, -1 when the string is neither form.
 */
int	net_lookup(const char *, struct net_info *);
/* Write "eip155:<id>" into buf. */
void	net_caip2(const struct net_info *, char *, unsigned long);

#endif
