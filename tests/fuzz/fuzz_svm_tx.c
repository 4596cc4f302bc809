/*
 * libFuzzer target for the Solana wire-transaction decoder and the x402
 * SVM checks (shared/x402/svm/).  The input is the transaction bytes; the
 * expectation is the x402lab-svm capture's (so seeds from it reach deep).
 * Beyond "no crash", invariants: a decoded transaction's parts lie inside
 * the input, and a valid verdict implies a decodable transaction with a
 * payer and its signature.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "basics/b58.h"
#include "x402/svm/svm_tx.h"
#include "x402/svm/svm_verify.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
inside(const uint8_t *base, size_t len, const uint8_t *p, size_t n)
{
	return p >= base && n <= len && (size_t)(p - base) <= len - n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct svm_expect e;
	static int		 init;
	struct svm_tx		 t;
	struct svm_verdict	 v;
	const char		*why = NULL;
	size_t			 i;

	if (!init) {
		b58_decode_fixed("4KD5FoVYVpCizak6tmiw99icE4t1H9Vty9cLkhtnXJea",
		    e.fee_payer, 32);
		b58_decode_fixed("4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU",
		    e.mint, 32);
		b58_decode_fixed("35ebCdUBY5LreFuVrevsLJreAcmusV38wcsTLjWaMgZB",
		    e.pay_to, 32);
		e.amount = 10000;
		e.decimals = 6;
		init = 1;
	}
	if (svm_tx_decode(data, len, &t, &why) == 0) {
		assert(inside(data, len, t.sigs, 64 * t.nsigs));
		assert(inside(data, len, t.keys, 32 * t.nkeys));
		assert(inside(data, len, t.blockhash, 32));
		assert(inside(data, len, t.msg, t.msg_len));
		for (i = 0; i < t.nix; i++) {
			assert(t.ix[i].program < t.nkeys);
			assert(inside(data, len, t.ix[i].data, t.ix[i].ndata));
		}
	} else
		assert(why != NULL);
	svm_verify_tx(data, len, &e, &v);
	assert(v.valid == (v.reason == NULL));
	if (v.valid) {
		assert(svm_tx_decode(data, len, &t, NULL) == 0);
		assert(b58_is_address(v.payer) && strlen(v.payer_sig) > 80);
	}
	return 0;
}
