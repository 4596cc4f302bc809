/*
 * libFuzzer target: the facilitator's replies (x402/facilitator.h) as they
 * arrive over HTTP (the scripted transport, fuzz_http.h), and the
 * /supported document as the Solana offers read it (svm_fee_payer_parse).
 * The first byte picks the call: /verify (v1 or v2), /settle (v1 or v2),
 * /supported; the rest is the script of answers.  Beyond "no crash", the
 * outcome's invariants: OK only for a 2xx success (a settlement with its
 * transaction), every other outcome with a reason.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basics/b58.h"
#include "basics/err.h"
#include "x402/facilitator.h"
#include "x402/svm/svm_fee_payer.h"
#include "fuzz_http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char payload[] = "{\"x402Version\":2,\"accepted\":{\"scheme\":"
    "\"exact\",\"network\":\"eip155:84532\"},\"payload\":{\"signature\":"
    "\"0x00\",\"authorization\":{\"from\":\"0x0000000000000000000000000000"
    "000000000001\"}}}";
static const char reqs[] = "{\"scheme\":\"exact\",\"network\":"
    "\"eip155:84532\",\"amount\":\"10000\",\"asset\":\"0x036CbD53842c5426634"
    "e7929541eC2318f3dCF7e\",\"payTo\":\"0x3C44CdDdB6a900fa2b585dd299e03d12F"
    "A4293BC\",\"maxTimeoutSeconds\":300,\"extra\":{\"name\":\"USDC\","
    "\"version\":\"2\"}}";

static int
fuzz_terminated(const char *s, size_t sz)
{
	return memchr(s, '\0', sz) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct facilitator_config	 fc;
	struct facilitator_result	 r;
	enum facilitator_outcome	 o;
	struct sf_err			 err;
	char				*json = NULL, fp[B58_ADDR_STRLEN];
	char				 why[256];
	int				 op;

	if (size < 1)
		return 0;
	op = data[0] % 5;
	fuzz_http_script(data + 1, size - 1);
	memset(&fc, 0, sizeof(fc));
	fc.url = "http://fuzz.invalid/facilitator";
	fc.supported_tries = 1;
	if (op < 4) {
		o = op < 2 ? facilitator_verify(&fc, 1 + (op & 1), payload,
		    reqs, &r) : facilitator_settle(&fc, 1 + (op & 1), payload,
		    reqs, &r);
		assert(o == r.outcome);
		assert(fuzz_terminated(r.reason, sizeof(r.reason)) &&
		    fuzz_terminated(r.message, sizeof(r.message)) &&
		    fuzz_terminated(r.transaction, sizeof(r.transaction)) &&
		    fuzz_terminated(r.payer, sizeof(r.payer)) &&
		    fuzz_terminated(r.network, sizeof(r.network)));
		if (o == FACILITATOR_OK)
			assert(r.success && r.http_status >= 200 &&
			    r.http_status < 300 &&
			    (op < 2 || r.transaction[0] != '\0'));
		else
			assert(r.reason[0] != '\0');
		assert(fuzz_http_calls() == 1);
		return 0;
	}
	sf_err_clear(&err);
	if (facilitator_supported(&fc, &json, &err) == 0) {
		assert(json != NULL);
		if (svm_fee_payer_parse(json, "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1",
		    fp, why, sizeof(why)) == 0)
			assert(b58_is_address(fp));
		else
			assert(why[0] != '\0');
		free(json);
	} else
		assert(err.status >= 400 && err.message[0] != '\0');
	return 0;
}
