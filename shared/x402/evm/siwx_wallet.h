/*
 * Sign-In-With-X for contract wallets (ERC-1271, ERC-6492): a
 * struct siwx_contract_verifier (x402/siwx.h) backed by the chain, as the
 * official server's evmVerifier.  The signature is checked by the
 * universal ERC-6492 validator (x402_wallet_check_sig) on the RPC of the
 * chain signed for (RPC_URL_<NETWORK> or its public default, within
 * RPC_TIMEOUT_MS); a counterfactual wallet's factory must be on that
 * network's ERC6492_FACTORIES.  A chain we do not serve, or one without
 * an RPC, cannot tell (-1: the sign-in is refused, fail closed).
 */
#ifndef SF_SIWX_WALLET_H
#define SF_SIWX_WALLET_H

struct cfg;
struct siwx_contract_verifier;

/* Fill out with the hook; cfg must outlive it. */
void	siwx_wallet_verifier(const struct cfg *,
	    struct siwx_contract_verifier *out);

#endif
