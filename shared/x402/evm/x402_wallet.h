/*
 * Contract-wallet payments (ERC-1271, ERC-6492) proven on chain before any
 * work, and the transaction that settles them directly.  The payer signs
 * the same EIP-3009 TransferWithAuthorization; authorization.from is the
 * wallet and the signature is whatever the wallet's isValidSignature
 * takes, wrapped per ERC-6492 while the wallet is not deployed (lab:
 * ../shared/x402lab-smartwallet/).  The token must check signatures as
 * USDC v2.2 does (ERC-1271 when `from` has code) and have the
 * transferWithAuthorization(..., bytes signature) overload.
 *
 * The proof, in order (x402.md §6.1 as the official facilitator, plus the
 * universal validator):
 *   1. the signature's shape (wallet_sig.h): a malformed ERC-6492 wrapper
 *      is refused, free;
 *   2. eth_getCode(from): deployed or not;
 *   3. a wrapper on a wallet without code names its factory: it must be
 *      on the allow-list (x402_wallet_cfg.h), else eip6492_factory_not_
 *      allowed; no wrapper and no code: refused;
 *   4. one deployless eth_call of the universal ERC-6492 validator
 *      (erc6492.h) over the EIP-3009 digest: 0x01 or refused;
 *   5. authorizationState(from, nonce) unused, balanceOf(from) >= value
 *      (x402_chain_state);
 *   6. the settling call simulated: transferWithAuthorization(..., bytes)
 *      by eth_call on the token; for a wallet without code, after its
 *      factory call, in one eth_call of Multicall3 tryAggregate (the node
 *      keeps the factory's state for the transfer, as a real block would).
 */
#ifndef SF_X402_WALLET_H
#define SF_X402_WALLET_H

#include <stddef.h>
#include <stdint.h>

#include "basics/buf.h"
#include "x402/evm/wallet_sig.h"
#include "x402/evm/x402_verify.h"
#include "x402/evm/x402_wallet_cfg.h"

struct eip712_twa;
struct rpc;
struct sf_err;

/* The facilitator's reason, verbatim (@x402/evm 2.27.0). */
#define X402_R_FACTORY_NOT_ALLOWED	"eip6492_factory_not_allowed"
/* transferWithAuthorization(address,address,uint256,uint256,uint256,
   bytes32,bytes) */
#define X402_WALLET_SEL_TWA_BYTES	"cf092995"

struct x402_wallet_proof {
	enum wallet_sig_shape	 shape;
	int			 deployed;	/* from had code */
	int			 deploy_first;	/* a counterfactual wallet:
						   settling deploys it */
	uint8_t			 factory[20];	/* deploy_first only */
	char			 balance[79];	/* balanceOf(from), decimal;
						   "" until read */
};

/* One transaction that settles a contract-wallet payment. */
struct x402_wallet_plan {
	int		 deploy;	/* the wallet is deployed by this tx */
	uint8_t		 to[20];	/* the token, or Multicall3 */
	struct buf	 data;		/* calldata; x402_wallet_plan_free */
	uint8_t		 factory[20];	/* deploy only */
};

/*
 * The EIP-3009 digest the payer signed, from OUR offer's domain (name,
 * version, chain id, asset) and the authorization.  0, or -1 when the
 * offer's asset is no address.
 */
int	x402_wallet_digest(const struct x402_offer *,
	    const struct x402_authorization *, uint8_t out[32]);
/* The authorization's fields as eip712.h words. */
void	x402_wallet_twa(const struct x402_authorization *,
	    struct eip712_twa *);
/*
 * transferWithAuthorization(from, to, value, validAfter, validBefore,
 * nonce, bytes signature) calldata (selector 0xcf092995), appended to
 * out.  sig is passed as given (the inner signature for a wrapper).  0 or
 * -1 (out of memory).
 */
int	x402_wallet_twa_calldata(const struct eip712_twa *,
	    const uint8_t *sig, size_t sig_len, struct buf *out);
/*
 * payload.signature of a stored payload (v1 and v2 alike), decoded into
 * out (at most X402_PAYMENT_SIG_MAX bytes).  0, or -1 with err 400
 * invalid_payload.
 */
int	x402_wallet_payload_sig(const char *payload_json, struct buf *out,
	    struct sf_err *);
/*
 * Prove a contract-wallet payment on chain (the steps above).  v is the
 * local verdict with every check but the signature passed: v->valid set,
 * v->offer and v->auth filled (x402_verify lets such payments through in
 * the next phase; see the report of issue 26).  sig[0..sig_len) is the
 * whole payload.signature.  allow is the network's ERC-6492 factory list
 * (NULL = empty).  proof (may not be NULL) is filled as far as the proof
 * went.
 *
 * Returns 0 when the chain answered: v stays valid ("proven on chain"),
 * or is invalid with reason X402_R_SIGNATURE, X402_R_FACTORY_NOT_ALLOWED,
 * X402_R_NONCE_USED, X402_R_BALANCE or X402_R_SIMULATION and a message
 * that says why.  -1 when it could not be asked (no RPC, transport error,
 * an answer that is not what the call returns, no Multicall3 on the
 * chain): v invalid with X402_R_UNEXPECTED.  Does nothing, returning 0,
 * when v is already invalid.
 */
int	x402_wallet_prove(const struct rpc *,
	    const struct x402_wallet_factories *allow, const uint8_t *sig,
	    size_t sig_len, struct x402_verdict *v,
	    struct x402_wallet_proof *proof);
/*
 * The one transaction that settles a proven contract-wallet payment
 * (SETTLE=direct): to the token, transferWithAuthorization(..., bytes)
 * with the signature (the inner one of a wrapper); for a wallet without
 * code (eth_getCode now), to Multicall3, tryAggregate(true, [factory
 * call, that transfer]): deploy and transfer land together or not at
 * all, so a transfer that fails never leaves us paying for a deploy.
 * token is the asset; allow as above (checked again: a wallet without
 * code whose factory is not on it is refused).  plan is initialised here;
 * free it with x402_wallet_plan_free on every path.  0, or -1 with err:
 * 400 invalid_exact_evm_signature (malformed wrapper, or no code and no
 * wrapper), 400 eip6492_factory_not_allowed, 502 rpc_* (getCode failed),
 * 500 internal_error.
 */
int	x402_wallet_settle_plan(const struct rpc *,
	    const struct x402_wallet_factories *allow, const uint8_t token[20],
	    const struct eip712_twa *, const uint8_t *sig, size_t sig_len,
	    struct x402_wallet_plan *plan, struct sf_err *);
void	x402_wallet_plan_free(struct x402_wallet_plan *);
/*
 * Does signer accept sig[0..len) over hash?  The universal ERC-6492
 * validator by one deployless eth_call (EOAs, ERC-1271 wallets, wrapped
 * counterfactual ones); a malformed wrapper is refused without the chain,
 * and a wrapper on a signer without code whose factory is not on allow
 * (NULL = empty) is refused.  1 valid, 0 not, -1 the chain could not be
 * asked; why (whysz bytes, never the URL) says which.  Sign-In-With-X's
 * contract wallets use it (evm/siwx_wallet.h).
 */
int	x402_wallet_check_sig(const struct rpc *,
	    const struct x402_wallet_factories *allow, const uint8_t signer[20],
	    const uint8_t hash[32], const uint8_t *sig, size_t len,
	    char *why, size_t whysz);
/* eth_getCode(addr, "latest") has any code: 1 yes, 0 no, -1 err. */
int	x402_wallet_has_code(const struct rpc *, const uint8_t addr[20],
	    struct sf_err *);

#endif
