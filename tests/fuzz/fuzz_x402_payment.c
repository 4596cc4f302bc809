/*
 * libFuzzer target for the payment header decoder and the verify path.
 * The first input byte picks the mode: '1'/'2' the rest is a header value
 * for x402Version 1/2; 'a'/'b' the rest is JSON, base64-encoded here first
 * (so mutations reach the JSON parser instead of dying in base64).  Beyond
 * "no crash", the verdict's invariants are asserted, and the decoder is
 * compared with the one it replaced (x402_payment_ref.c: a prescan and
 * cJSON): the same refusal, status, code, field and message, or the same
 * decoded payment, byte for byte.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/err.h"
#include "x402/x402_offer.h"
#include "x402/x402_payment.h"
#include "x402/evm/x402_verify.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	x402_payment_ref_decode(const char *, int, struct x402_payment *,
	    struct sf_err *);

/* The payment's owned blocks, compared apart, then the rest as bytes. */
static void
fuzz_same_payment(const struct x402_payment *a, const struct x402_payment *b)
{
	struct x402_payment	 x = *a, y = *b;

	assert((a->resource_url == NULL) == (b->resource_url == NULL));
	assert(a->resource_url == NULL ||
	    strcmp(a->resource_url, b->resource_url) == 0);
	assert(a->sig_len == b->sig_len);
	assert((a->sig_bytes == NULL) == (b->sig_bytes == NULL));
	assert(a->sig_bytes == NULL ||
	    memcmp(a->sig_bytes, b->sig_bytes, a->sig_len) == 0);
	assert(a->canonical_len == b->canonical_len &&
	    memcmp(a->canonical, b->canonical, a->canonical_len) == 0);
	x.resource_url = y.resource_url = NULL;
	x.sig_bytes = y.sig_bytes = NULL;
	x.canonical = y.canonical = NULL;
	assert(memcmp(&x, &y, sizeof(x)) == 0);
}

/* x402_payment_decode and the decoder it replaced agree on hdr. */
static void
fuzz_same_decode(const char *hdr, int version)
{
	struct x402_payment	 p, r;
	struct sf_err		 ep, er;
	int			 rp, rr;

	sf_err_clear(&ep);
	sf_err_clear(&er);
	rp = x402_payment_decode(hdr, version, &p, &ep);
	rr = x402_payment_ref_decode(hdr, version, &r, &er);
	assert(rp == rr);
	if (rp == -1) {
		assert(ep.status == er.status);
		assert(strcmp(ep.code, er.code) == 0);
		assert(strcmp(ep.field, er.field) == 0);
		assert(strcmp(ep.message, er.message) == 0);
		return;
	}
	fuzz_same_payment(&p, &r);
	x402_payment_free(&p);
	x402_payment_free(&r);
}

static void
fuzz_offer(struct x402_offer *o, const char *net, const char *v1,
    uint64_t chain, const char *asset, const char *pay_to, const char *name)
{

	memset(o, 0, sizeof(*o));
	strcpy(o->scheme, "exact");
	strcpy(o->network, net);
	strcpy(o->network_v1, v1);
	o->chain_id = chain;
	strcpy(o->amount, "10000");
	strcpy(o->asset, asset);
	strcpy(o->pay_to, pay_to);
	o->max_timeout = 60;
	strcpy(o->name, name);
	strcpy(o->version, "2");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct x402_offer	 offers[2];
	static int			 init;
	struct x402_payment		 p;
	struct x402_verdict		 v;
	struct buf			 b;
	char				*hdr;
	int				 version, rc;

	if (!init) {
		/* The reference vectors' offer and the x402lab one. */
		fuzz_offer(&offers[0], "eip155:84532", "base-sepolia", 84532,
		    "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
		    "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "USDC");
		fuzz_offer(&offers[1], "eip155:84532", "base-sepolia", 84532,
		    "0x5FbDB2315678afecb367f032d93F642f64180aa3",
		    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "USD Coin");
		init = 1;
	}
	if (size < 1)
		return 0;
	version = (data[0] == '1' || data[0] == 'a') ? 1 : 2;
	buf_init(&b);
	if (data[0] == 'a' || data[0] == 'b') {
		if (b64_encode(data + 1, size - 1, &b) == -1 ||
		    buf_puts(&b, "") == -1) {
			buf_free(&b);
			return 0;
		}
		hdr = b.p;
	} else {
		if ((hdr = malloc(size)) == NULL)
			return 0;
		memcpy(hdr, data + 1, size - 1);
		hdr[size - 1] = '\0';
	}
	fuzz_same_decode(hdr, version);
	rc = x402_verify_header(hdr, version, offers, 2, 1740672100, &p, &v);
	assert(rc == 0);
	if (v.valid) {
		assert(v.reason == NULL && v.offer != NULL && v.payer[0] == '0');
		assert(p.sig_len == 65 && p.canonical != NULL);
	} else
		assert(v.reason != NULL && v.message[0] != '\0');
	if (p.canonical != NULL) {
		assert(strlen(p.canonical) == p.canonical_len);
		assert(p.version == version);
		/* An SVM payload carries a transaction instead of a nonce. */
		assert(p.svm ? p.svm_tx_len > 0 && p.svm_tx_len <= SVM_TX_MAX :
		    strlen(p.auth.nonce_hex) == 66);
		assert(!p.has_id || (strlen(p.id) >= X402_PAYMENT_ID_MIN &&
		    strlen(p.id) <= X402_PAYMENT_ID_MAX));
	}
	x402_payment_free(&p);
	if (hdr != b.p)
		free(hdr);
	buf_free(&b);
	return 0;
}
