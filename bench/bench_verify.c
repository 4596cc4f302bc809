/*
 * Verifications per second on one core (one thread) for the local x402
 * verifier: the full path (base64 + JSON decode, EIP-712 hashing, ECDSA
 * recovery, checks) and its parts.  Prints "full <n>/s" first for scripts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "x402/evm/eip712.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/u256.h"
#include "basics/x402_offer.h"
#include "x402/x402_payment.h"
#include "x402/evm/x402_verify.h"

#define KEY	"0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
#define PAYTO	"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
#define ASSET	"0x5FbDB2315678afecb367f032d93F642f64180aa3"
#define NOW	1740672100
#define SECS	1.5

static double
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A v2 header as @x402/fetch would send it, signed with anvil #1. */
static char *
bench_header(struct eip712_domain *d, struct eip712_twa *m, uint8_t sig[65])
{
	secp256k1_context			*ctx;
	secp256k1_ecdsa_recoverable_signature	 rs;
	struct buf				 j, h;
	uint8_t					 key[32], dg[32];
	char					 sighex[133];
	int					 recid;

	d->name = "USD Coin";
	d->name_len = strlen(d->name);
	d->version = "2";
	d->version_len = 1;
	d->chain_id = 84532;
	hex_decode_fixed(ASSET, d->contract, 20);
	hex_decode_fixed("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", m->from, 20);
	hex_decode_fixed(PAYTO, m->to, 20);
	u256_from_dec("10000", m->value);
	u256_from_dec("0", m->valid_after);
	u256_from_dec("1740672160", m->valid_before);
	hex_decode_fixed("0xf12110b59487cd47aff89f1bf9a26160b88fd12367cad2d5e05742b2a2e8b2ed",
	    m->nonce, 32);
	hex_decode_fixed(KEY, key, 32);
	eip712_twa_digest(d, m, dg);
	ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	if (ctx == NULL ||
	    !secp256k1_ecdsa_sign_recoverable(ctx, &rs, dg, key, NULL, NULL) ||
	    !secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig,
	    &recid, &rs))
		abort();
	secp256k1_context_destroy(ctx);
	sig[64] = (uint8_t)(27 + recid);
	hex_encode(sig, 65, sighex);
	buf_init(&j);
	buf_init(&h);
	buf_printf(&j, "{\"x402Version\":2,\"payload\":{\"authorization\":{"
	    "\"from\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\",\"to\":"
	    "\"%s\",\"value\":\"10000\",\"validAfter\":\"0\",\"validBefore\":"
	    "\"1740672160\",\"nonce\":\"0xf12110b59487cd47aff89f1bf9a26160b88fd"
	    "12367cad2d5e05742b2a2e8b2ed\"},\"signature\":\"%s\"},\"resource\":"
	    "{\"url\":\"http://127.0.0.1:4021/v2/weather\",\"description\":"
	    "\"test resource\",\"mimeType\":\"application/json\"},\"accepted\":"
	    "{\"scheme\":\"exact\",\"network\":\"eip155:84532\",\"amount\":"
	    "\"10000\",\"asset\":\"%s\",\"payTo\":\"%s\",\"maxTimeoutSeconds\":60,"
	    "\"extra\":{\"name\":\"USD Coin\",\"version\":\"2\"}}}", PAYTO,
	    sighex, ASSET, PAYTO);
	if (j.oom || b64_encode(j.p, j.len, &h) == -1 || buf_puts(&h, "") == -1)
		abort();
	buf_free(&j);
	return buf_steal(&h, NULL);
}

int
main(void)
{
	struct x402_offer	 o;
	struct x402_payment	 p;
	struct x402_verdict	 v;
	struct eip712_domain	 d;
	struct eip712_twa	 m;
	struct sf_err		 err;
	uint8_t			 sig[65], dg[32], addr[20];
	char			*hdr;
	double			 t0, t;
	long			 n, i;

	memset(&o, 0, sizeof(o));
	strcpy(o.scheme, "exact");
	strcpy(o.network, "eip155:84532");
	strcpy(o.network_v1, "base-sepolia");
	o.chain_id = 84532;
	strcpy(o.amount, "10000");
	strcpy(o.asset, ASSET);
	strcpy(o.pay_to, PAYTO);
	o.max_timeout = 60;
	strcpy(o.name, "USD Coin");
	strcpy(o.version, "2");
	hdr = bench_header(&d, &m, sig);

	if (x402_verify_header(hdr, 2, &o, 1, NOW, &p, &v) != 0 || !v.valid) {
		fprintf(stderr, "bench: header does not verify: %s\n", v.message);
		return 1;
	}
	x402_payment_free(&p);

	/* Full path, as a FastCGI worker runs it per paid request. */
	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < SECS; ) {
		for (i = 0; i < 100; i++, n++) {
			x402_verify_header(hdr, 2, &o, 1, NOW, &p, &v);
			if (!v.valid)
				abort();
			x402_payment_free(&p);
		}
	}
	printf("full %.0f/s  (decode + EIP-712 + recover + checks, %.1f us each)\n",
	    n / t, 1e6 * t / n);

	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < SECS; ) {
		for (i = 0; i < 100; i++, n++) {
			if (x402_payment_decode(hdr, 2, &p, &err) == -1)
				abort();
			x402_payment_free(&p);
		}
	}
	printf("decode %.0f/s  (base64 + strict JSON, %.1f us each)\n",
	    n / t, 1e6 * t / n);

	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < SECS; )
		for (i = 0; i < 1000; i++, n++)
			eip712_twa_digest(&d, &m, dg);
	printf("digest %.0f/s  (domain separator + struct hash + digest, %.2f us each)\n",
	    n / t, 1e6 * t / n);

	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < SECS; )
		for (i = 0; i < 100; i++, n++)
			if (x402_verify_recover(dg, sig, 1, addr) == -1)
				abort();
	printf("recover %.0f/s  (libsecp256k1 recovery + keccak, %.1f us each)\n",
	    n / t, 1e6 * t / n);
	free(hdr);
	return 0;
}
