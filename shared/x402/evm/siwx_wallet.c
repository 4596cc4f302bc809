#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "http/http.h"
#include "x402/evm/rpc.h"
#include "x402/evm/siwx_wallet.h"
#include "x402/evm/x402_wallet.h"
#include "x402/evm/x402_wallet_cfg.h"
#include "x402/siwx.h"

/* The hook (siwx.h): 1 valid, 0 invalid, -1 could not tell. */
static int
siwx_wallet_verify(void *ctx, const char *chain_id, const uint8_t address[20],
    const char *message, size_t msglen, const uint8_t digest[32],
    const uint8_t *sig, size_t siglen)
{
	const struct cfg		*c = ctx;
	struct x402_wallet_factories	 allow;
	struct sf_err			 err;
	struct rpc			 r;
	const char			*url = cfg_rpc_for(c, chain_id);
	char				 why[200];

	(void)message;		/* the digest is its EIP-191 hash */
	(void)msglen;
	if (url == NULL)
		return -1;
	if (x402_wallet_factories_for(c, chain_id, &allow, &err) == -1)
		allow.n = 0;
	memset(&r, 0, sizeof(r));
	r.url = url;
	r.connect_ms = r.total_ms = c->rpc_timeout_ms;
	r.deadline_ms = http_now_ms() + c->rpc_timeout_ms;
	return x402_wallet_check_sig(&r, &allow, address, digest, sig, siglen,
	    why, sizeof(why));
}

void
siwx_wallet_verifier(const struct cfg *c, struct siwx_contract_verifier *out)
{
	out->ctx = (void *)(uintptr_t)c;
	out->verify = siwx_wallet_verify;
}
