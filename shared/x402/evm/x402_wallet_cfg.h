/*
 * The ERC-6492 factory allow-list: which factories may deploy a payer's
 * contract wallet before it pays (a counterfactual wallet), as the official
 * facilitator's eip6492AllowedFactories option (@x402/evm 2.27.0).  A
 * deployed ERC-1271 wallet needs no list; an empty list refuses every
 * counterfactual wallet.  Keys (docs/configuration.md):
 *
 *	ERC6492_FACTORIES=0xabc…,0xdef…   every EVM network served
 *	ERC6492_FACTORIES_BASE_SEPOLIA=…  replaces it on one network (v1 name
 *	ERC6492_FACTORIES_84532=…         in capitals, - as _, or chain id);
 *	                                  "none" = no factory there
 *
 * Unset or empty = none.  Addresses are 0x + 40 hex digits, not zero, at
 * most X402_WALLET_FACTORIES_MAX, none twice.
 */
#ifndef SF_X402_WALLET_CFG_H
#define SF_X402_WALLET_CFG_H

#include <stddef.h>
#include <stdint.h>

struct cfg;
struct sf_err;

#define X402_WALLET_CFG_KEY		"ERC6492_FACTORIES"
#define X402_WALLET_FACTORIES_MAX	8

struct x402_wallet_factories {
	size_t		 n;
	uint8_t		 addr[X402_WALLET_FACTORIES_MAX][20];
};

/*
 * Parse one value ("", "none" or a comma-separated list; blanks around
 * items ignored).  0, or -1 with err (500 config_invalid, field key)
 * naming key and the faulty item.
 */
int	x402_wallet_factories_parse(const char *key, const char *val,
	    struct x402_wallet_factories *, struct sf_err *);
/*
 * The list for one EVM network of the configuration (CAIP-2 id, as in
 * struct cfg_net): the per-network key, else the plain one, else empty.
 * 0, or -1 with err (a value cfg_check would have refused, or a network
 * not served).
 */
int	x402_wallet_factories_for(const struct cfg *, const char *network,
	    struct x402_wallet_factories *, struct sf_err *);
/* 1 when factory is on the list, else 0. */
int	x402_wallet_factory_allowed(const struct x402_wallet_factories *,
	    const uint8_t factory[20]);
/*
 * Start-up check (serve_check_keys): ERC6492_FACTORIES and every
 * ERC6492_FACTORIES_<NET> parse, and each <NET> names an EVM network
 * (a v1 name or a chain id).  0, or -1 with err naming the key.
 */
int	x402_wallet_check_cfg(const struct cfg *, struct sf_err *);

#endif
