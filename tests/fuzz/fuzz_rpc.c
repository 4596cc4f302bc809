/*
 * libFuzzer target: chain nodes' JSON-RPC replies (x402/evm/rpc.h) as they
 * arrive over HTTP (the scripted transport, fuzz_http.h).  The first byte
 * picks the call (chain id, block number, nonce, fees, gas estimate,
 * eth_call, raw send, receipt, authorizationState, balanceOf, the
 * AuthorizationUsed search, the Transfer check, a block's time); the rest
 * is the script of answers.  Beyond "no crash": each call either succeeds
 * with a well-formed value or fails with an error code and message.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basics/err.h"
#include "x402/evm/rpc.h"
#include "fuzz_http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define TOKEN	"0x036CbD53842c5426634e7929541eC2318f3dCF7e"
#define FROM	"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define TO	"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
#define NONCE	"0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
#define TX	"0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t	 value[32] = { [30] = 0x27, [31] = 0x10 };
	struct rpc		 r = { .url = "http://fuzz.invalid/rpc" };
	struct rpc_fees		 f;
	struct rpc_receipt	 rc;
	struct sf_err		 err;
	uint64_t		 v = 0;
	char			 tx[67], bal[79], *out = NULL;
	int			 used = -1, ret = 0;

	if (size < 1)
		return 0;
	fuzz_http_script(data + 1, size - 1);
	sf_err_clear(&err);
	memset(tx, 0, sizeof(tx));
	switch (data[0] % 14) {
	case 0:
		ret = rpc_chain_id(&r, &v, &err);
		break;
	case 1:
		ret = rpc_block_number(&r, &v, &err);
		break;
	case 2:
		ret = rpc_nonce(&r, FROM, &v, &err);
		break;
	case 3:
		ret = rpc_gas_price(&r, &v, &err);
		break;
	case 4:
		if ((ret = rpc_fees(&r, &f, &err)) == 0)
			assert(f.max_fee >= f.max_priority_fee);
		break;
	case 5:
		ret = rpc_estimate_gas(&r, FROM, TOKEN, "0x", &v, &err);
		break;
	case 6:
		if ((ret = rpc_eth_call(&r, TOKEN, "0x", &out, &err)) == 0)
			assert(out != NULL && strncmp(out, "0x", 2) == 0);
		free(out);
		break;
	case 7:
		if ((ret = rpc_send_raw(&r, "0x02", tx, &err)) == 0)
			assert(memchr(tx, '\0', sizeof(tx)) != NULL);
		break;
	case 8:
		if ((ret = rpc_receipt(&r, TX, &rc, &err)) == 1)
			assert(rc.status == 0 || rc.status == 1);
		ret = ret == -1 ? -1 : 0;
		break;
	case 9:
		if ((ret = rpc_authorization_state(&r, TOKEN, FROM, NONCE,
		    &used, &err)) == 0)
			assert(used == 0 || used == 1);
		break;
	case 10:
		if ((ret = rpc_balance_of(&r, TOKEN, FROM, bal, &err)) == 0)
			assert(memchr(bal, '\0', sizeof(bal)) != NULL &&
			    strspn(bal, "0123456789") == strlen(bal));
		break;
	case 11:
		if ((ret = rpc_find_authorization_tx(&r, TOKEN, FROM, NONCE, 1,
		    tx, &err)) == 1)
			assert(memchr(tx, '\0', sizeof(tx)) != NULL);
		ret = ret == -1 ? -1 : 0;
		break;
	case 12:
		ret = rpc_tx_has_transfer(&r, TX, TOKEN, FROM, TO, value, &err);
		assert(ret >= -1 && ret <= 1);
		ret = ret == -1 ? -1 : 0;
		break;
	default:
		ret = rpc_tx_block_time(&r, TX, &v, &err);
	}
	if (ret == -1)
		assert(err.status >= 400 && err.code[0] != '\0' &&
		    err.message[0] != '\0');
	return 0;
}
