/*
 * The EVM "exact" scheme family as an entry of the scheme table
 * (x402_scheme.h): an EIP-3009 transferWithAuthorization signed by the
 * payer, an EOA or a contract wallet (ERC-1271, ERC-6492).  Local checks
 * in evm/x402_verify.h (a signature that is no EOA's passes verify marked
 * vd.wallet, for prove); the proof before work on chain when the network
 * has an RPC (RPC_URL*, or its public default: evm/x402_chain.h for an
 * EOA, evm/x402_wallet.h for a contract wallet), within RPC_TIMEOUT_MS,
 * else, or when the RPC cannot be asked (x402/rpc_watch.h), the
 * facilitator's /verify; settlement by the facilitator or our relayer
 * (evm/evm_settle.h, evm/settle_direct.h).  The payer chooses the window
 * (validBefore).
 */
#ifndef SF_EVM_SCHEME_H
#define SF_EVM_SCHEME_H

#include "x402/x402_scheme.h"

extern const struct x402_scheme evm_scheme;

/* What an EVM 402 says of contract wallets (evm_scheme.pay_note). */
#define EVM_WALLET_NOTE "Contract wallets pay too (ERC-1271 smart " \
	"accounts sign the same authorization as the wallet verifies it; a " \
	"wallet not deployed yet wraps its signature per ERC-6492, through a " \
	"factory this server allows): the signature is proven on chain or by " \
	"the facilitator before any work."


#endif
