/*
 * Networks we can take payments on (reference x402.md §2.4, §5.1): EVM
 * chains (v1 name, chain id, Circle USDC with its EIP-712 domain) and
 * Solana (v1 name, CAIP-2 id from the genesis hash, Circle's USDC mint).
 */
#ifndef SF_NET_H
#define SF_NET_H

#include <stdint.h>

enum net_family {
	NET_EVM = 0,
	NET_SVM,
};

struct net_info {
	enum net_family	 family;
	const char	*v1name;	/* "base-sepolia"; NULL if v1 has none */
	uint64_t	 chain_id;
	const char	*caip2;		/* SVM: "solana:<genesis>"; EVM: NULL */
	const char	*usdc;		/* default asset, NULL if none known */
	unsigned	 decimals;	/* of usdc: 6 */
	const char	*usdc_name;	/* EIP-712 domain name */
	const char	*usdc_version;
	int		 mainnet;
	const char	*rpc;		/* public JSON-RPC endpoint, NULL if
					   none is known (cfg.h: RPC_URL*) */
};

/*
 * Look up "base-sepolia", "eip155:84532", any "eip155:<id>", "solana",
 * "solana-devnet" or their CAIP-2 ids.  An unknown eip155 id yields an
 * entry with no v1 name and no asset.  Returns 0 on success, -1 when the
 * string is none of these.
 */
int	net_lookup(const char *, struct net_info *);
/* Write the CAIP-2 id ("eip155:<id>", "solana:<genesis>") into buf. */
void	net_caip2(const struct net_info *, char *, unsigned long);

#endif
