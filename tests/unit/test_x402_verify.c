/* x402_verify: every check's reason, the order, both versions, matching. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "x402/evm/eip712.h"
#include "basics/hex.h"
#include "tap.h"

/* TAP_OK evaluates its condition twice; these conditions have effects. */
#define T_OK(cond, ...) do {						\
	int t_ok_ = (cond) ? 1 : 0;					\
	TAP_OK(t_ok_, __VA_ARGS__);					\
	if (!t_ok_)							\
		printf("#   condition: %s\n", #cond);			\
} while (0)
#include "basics/u256.h"
#include "x402/x402_offer.h"
#include "x402/x402_payment.h"
#include "x402/evm/x402_verify.h"

/* anvil #1 (public test key) and its address. */
#define KEY	"0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
#define PAYER	"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define OTHER	"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
#define USDC_BS	"0x036CbD53842c5426634e7929541eC2318f3dCF7e"
#define PAYTO	"0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
#define NOW	1740672100

enum sigmode { SIG_OK, SIG_HIGH_S, SIG_V01, SIG_TRUNC, SIG_PAD, SIG_V29,
    SIG_FLIP_R, SIG_ZERO, SIG_6492_BAD };

struct spec {
	int		 ver;
	const char	*scheme, *network;		/* v1 top level / accepted */
	const char	*amount, *asset, *pay_to, *name, *dver;
	unsigned	 maxto;
	const char	*from, *to, *value, *after, *before, *nonce;
	const char	*sname, *sver, *sasset;		/* signing domain */
	uint64_t	 schain;
	enum sigmode	 sig;
};

static struct x402_offer offers[3];

static void
offer(struct x402_offer *o, const char *net, const char *v1, uint64_t chain,
    const char *amount, const char *asset, const char *name)
{

	memset(o, 0, sizeof(*o));
	strcpy(o->scheme, "exact");
	strcpy(o->network, net);
	strcpy(o->network_v1, v1);
	o->chain_id = chain;
	strcpy(o->amount, amount);
	strcpy(o->asset, asset);
	strcpy(o->pay_to, PAYTO);
	o->max_timeout = 60;
	strcpy(o->name, name);
	strcpy(o->version, "2");
}

static struct spec
base(int ver)
{
	struct spec	 s;

	memset(&s, 0, sizeof(s));
	s.ver = ver;
	s.scheme = "exact";
	s.network = ver == 1 ? "base-sepolia" : "eip155:84532";
	s.amount = "10000";
	s.asset = USDC_BS;
	s.pay_to = PAYTO;
	s.name = "USDC";
	s.dver = "2";
	s.maxto = 60;
	s.from = PAYER;
	s.to = PAYTO;
	s.value = "10000";
	s.after = "1740672000";
	s.before = "1740672200";
	s.nonce = "0x00000000000000000000000000000000000000000000000000000000000000a1";
	s.sname = "USDC";
	s.sver = "2";
	s.sasset = USDC_BS;
	s.schain = 84532;
	s.sig = SIG_OK;
	return s;
}

/* n - s, big-endian. */
static void
negate_s(uint8_t s[32])
{
	static const uint8_t n[32] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
		0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
	};
	int	 i, borrow = 0, d;

	for (i = 31; i >= 0; i--) {
		d = n[i] - s[i] - borrow;
		borrow = d < 0;
		s[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

/* Sign the message of s with KEY over its signing domain: 0x + hex. */
static void
sign(const struct spec *s, char *out)
{
	static secp256k1_context		*ctx;
	secp256k1_ecdsa_recoverable_signature	 rs;
	struct eip712_domain			 d;
	struct eip712_twa			 m;
	uint8_t					 key[32], dg[32], sig[97];
	size_t					 len = 65;
	int					 recid;

	if (ctx == NULL)
		ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	d.name = s->sname;
	d.name_len = strlen(s->sname);
	d.version = s->sver;
	d.version_len = strlen(s->sver);
	d.chain_id = s->schain;
	if (hex_decode_fixed(s->sasset, d.contract, 20) == -1 ||
	    hex_decode_fixed(s->from, m.from, 20) == -1 ||
	    hex_decode_fixed(s->to, m.to, 20) == -1 ||
	    u256_from_dec(s->value, m.value) == -1 ||
	    u256_from_dec(s->after, m.valid_after) == -1 ||
	    u256_from_dec(s->before, m.valid_before) == -1 ||
	    hex_decode_fixed(s->nonce, m.nonce, 32) == -1 ||
	    hex_decode_fixed(KEY, key, 32) == -1)
		abort();
	eip712_twa_digest(&d, &m, dg);
	if (!secp256k1_ecdsa_sign_recoverable(ctx, &rs, dg, key, NULL, NULL) ||
	    !secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx,
	    sig, &recid, &rs))
		abort();
	sig[64] = (uint8_t)(27 + recid);
	switch (s->sig) {
	case SIG_OK:
		break;
	case SIG_HIGH_S:
		negate_s(sig + 32);
		sig[64] = (uint8_t)(sig[64] == 27 ? 28 : 27);
		break;
	case SIG_V01:
		sig[64] -= 27;
		break;
	case SIG_TRUNC:
		len = 64;
		break;
	case SIG_PAD:
		sig[65] = 0;
		len = 66;
		break;
	case SIG_V29:
		sig[64] = 29;
		break;
	case SIG_FLIP_R:
		sig[3] ^= 0x40;
		break;
	case SIG_ZERO:
		memset(sig, 0, 64);
		break;
	case SIG_6492_BAD:	/* the magic suffix on no ABI encoding */
		memset(sig + 65, 0x64, 32);
		for (len = 66; len < 97; len += 2)
			sig[len] = 0x92;
		len = 97;
		break;
	}
	hex_encode(sig, len, out);
}

static char *
header(const struct spec *s)
{
	struct buf	 j, h;
	char		 sig[200];

	sign(s, sig);
	buf_init(&j);
	buf_init(&h);
	if (s->ver == 1)
		buf_printf(&j, "{\"x402Version\":1,\"scheme\":\"%s\","
		    "\"network\":\"%s\",", s->scheme, s->network);
	else
		buf_printf(&j, "{\"x402Version\":2,\"accepted\":{"
		    "\"scheme\":\"%s\",\"network\":\"%s\",\"amount\":\"%s\","
		    "\"asset\":\"%s\",\"payTo\":\"%s\",\"maxTimeoutSeconds\":%u,"
		    "\"extra\":{\"name\":\"%s\",\"version\":\"%s\"}},",
		    s->scheme, s->network, s->amount, s->asset, s->pay_to,
		    s->maxto, s->name, s->dver);
	buf_printf(&j, "\"payload\":{\"signature\":\"%s\",\"authorization\":{"
	    "\"from\":\"%s\",\"to\":\"%s\",\"value\":\"%s\",\"validAfter\":"
	    "\"%s\",\"validBefore\":\"%s\",\"nonce\":\"%s\"}}}", sig, s->from,
	    s->to, s->value, s->after, s->before, s->nonce);
	if (j.oom || b64_encode(j.p, j.len, &h) == -1 || buf_puts(&h, "") == -1)
		abort();
	buf_free(&j);
	return buf_steal(&h, NULL);
}

/* Verify s against offers[0..n) at time now; return the reason ("ok"). */
static const char *
run_n(const struct spec *s, size_t n, long now, struct x402_verdict *v)
{
	struct x402_payment	 p;
	char			*h;

	h = header(s);
	x402_verify_header(h, s->ver, offers, n, (time_t)now, &p, v);
	x402_payment_free(&p);
	free(h);
	return v->valid ? "ok" : v->reason;
}

static const char *
run(const struct spec *s)
{
	struct x402_verdict	 v;

	return run_n(s, 3, NOW, &v);
}

static void *
thread_main(void *arg)
{
	struct spec	 s = base(2);
	int		 i, *bad = arg;

	for (i = 0; i < 100; i++)
		if (strcmp(run(&s), "ok") != 0)
			(*bad)++;
	return NULL;
}

/* x402.md §14.2 v2 vector, the §14.3 v1 vector and the lab capture,
   genuine signatures. */
static const char *spec_v2 = "eyJ4NDAyVmVyc2lvbiI6MiwicmVzb3VyY2UiOnsidXJsIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20vcHJlbWl1bS1kYXRhIiwiZGVzY3JpcHRpb24iOiJBY2Nlc3MgdG8gcHJlbWl1bSBtYXJrZXQgZGF0YSIsIm1pbWVUeXBlIjoiYXBwbGljYXRpb24vanNvbiJ9LCJhY2NlcHRlZCI6eyJzY2hlbWUiOiJleGFjdCIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJhbW91bnQiOiIxMDAwMCIsImFzc2V0IjoiMHgwMzZDYkQ1Mzg0MmM1NDI2NjM0ZTc5Mjk1NDFlQzIzMThmM2RDRjdlIiwicGF5VG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMxMjI4N0MiLCJtYXhUaW1lb3V0U2Vjb25kcyI6NjAsImV4dHJhIjp7Im5hbWUiOiJVU0RDIiwidmVyc2lvbiI6IjIifX0sInBheWxvYWQiOnsic2lnbmF0dXJlIjoiMHgyZDZhNzU4OGQ2YWNjYTUwNWNiZjBkOWE0YTIyN2UwYzUyYzZjMzQwMDhjOGU4OTg2YTEyODMyNTk3NjQxNzM2MDhhMmNlNjQ5NjY0MmUzNzdkNmRhOGRiYmY1ODM2ZTliZDE1MDkyZjllY2FiMDVkZWQzZDYyOTNhZjE0OGI1NzFjIiwiYXV0aG9yaXphdGlvbiI6eyJmcm9tIjoiMHg4NTdiMDY1MTlFOTFlM0E1NDUzODc5MWJEYmIwRTIyMzczZTM2YjY2IiwidG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMxMjI4N0MiLCJ2YWx1ZSI6IjEwMDAwIiwidmFsaWRBZnRlciI6IjE3NDA2NzIwODkiLCJ2YWxpZEJlZm9yZSI6IjE3NDA2NzIxNTQiLCJub25jZSI6IjB4ZjM3NDY2MTNjMmQ5MjBiNWZkYWJjMDg1NmYyYWViMmQ0Zjg4ZWU2MDM3YjhjYzVkMDRhNzFhNDQ2MmYxMzQ4MCJ9fX0=";
static const char *vec_v1 = "eyJ4NDAyVmVyc2lvbiI6MSwic2NoZW1lIjoiZXhhY3QiLCJuZXR3b3JrIjoiYmFzZS1zZXBvbGlhIiwicGF5bG9hZCI6eyJzaWduYXR1cmUiOiIweDJhNmU5Y2Q0YmE1OTBmMDIyNDQxYzdkYTcyMmFmZWYxOWViNDI3ODIxNmZiZDk1ZWY4MTQ3YmJhNTIzYTJkMDU0ZjAzZjYxNjk5OTQ4ZGFlYzY1ZjIyNzE0MmZjZDcwNThhMDkyMjVlOGE5Mzg2NmFhNGZmOGZkOWZjOWE2NzRiMWIiLCJhdXRob3JpemF0aW9uIjp7ImZyb20iOiIweGYzOUZkNmU1MWFhZDg4RjZGNGNlNmFCODgyNzI3OWNmZkZiOTIyNjYiLCJ0byI6IjB4MjA5NjkzQmM2YWZjMEM1MzI4YkEzNkZhRjAzQzUxNEVGMzEyMjg3QyIsInZhbHVlIjoiMTAwMDAiLCJ2YWxpZEFmdGVyIjoiMTc0MDY3MTQ4OSIsInZhbGlkQmVmb3JlIjoiMTc0MDY3MjE0OSIsIm5vbmNlIjoiMHgwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAxIn19fQ==";
static const char *lab_v2 = "eyJ4NDAyVmVyc2lvbiI6MiwicGF5bG9hZCI6eyJhdXRob3JpemF0aW9uIjp7ImZyb20iOiIweDcwOTk3OTcwQzUxODEyZGMzQTAxMEM3ZDAxYjUwZTBkMTdkYzc5QzgiLCJ0byI6IjB4M0M0NENkRGRCNmE5MDBmYTJiNTg1ZGQyOTllMDNkMTJGQTQyOTNCQyIsInZhbHVlIjoiMTAwMDAiLCJ2YWxpZEFmdGVyIjoiMCIsInZhbGlkQmVmb3JlIjoiMTc5NTMwMTM0MSIsIm5vbmNlIjoiMHhmMTIxMTBiNTk0ODdjZDQ3YWZmODlmMWJmOWEyNjE2MGI4OGZkMTIzNjdjYWQyZDVlMDU3NDJiMmEyZThiMmVkIn0sInNpZ25hdHVyZSI6IjB4NTQ4NDI1ZTM1YmM2NGRiOGVkODMwNmI1MTEyNmI2ZTg2YTQ1ZWVjMzNlYzg0YTcxYjBiY2VjNTA1NmQyMTY3ZjE3YmM3M2ZhYTJkZDQyMGE0YTQ0M2MxNWE5ZTk3OWRhNmU2Yzg2N2U1ZTdiNWJhOGZkNTgyZjA3YzRlZGM5ZjUxYiJ9LCJyZXNvdXJjZSI6eyJ1cmwiOiJodHRwOi8vMTI3LjAuMC4xOjQwMjEvdjIvd2VhdGhlciIsImRlc2NyaXB0aW9uIjoidGVzdCByZXNvdXJjZSIsIm1pbWVUeXBlIjoiYXBwbGljYXRpb24vanNvbiJ9LCJhY2NlcHRlZCI6eyJzY2hlbWUiOiJleGFjdCIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJhbW91bnQiOiIxMDAwMCIsImFzc2V0IjoiMHg1ZmJkYjIzMTU2NzhhZmVjYjM2N2YwMzJkOTNmNjQyZjY0MTgwYWEzIiwicGF5VG8iOiIweDNDNDRDZERkQjZhOTAwZmEyYjU4NWRkMjk5ZTAzZDEyRkE0MjkzQkMiLCJtYXhUaW1lb3V0U2Vjb25kcyI6NjAsImV4dHJhIjp7Im5hbWUiOiJVU0QgQ29pbiIsInZlcnNpb24iOiIyIn19fQ==";

/* Genuine external signatures. */
static void
test_genuine(void)
{
	struct x402_payment	 p;
	struct x402_verdict	 v;
	struct x402_offer	 lab;

	T_OK(x402_verify_header(spec_v2, 2, offers, 3, 1740672100, &p, &v) == 0 &&
	    v.valid, "spec v2 vector verifies (%s)", v.message);
	TAP_STREQ(v.payer, "0x857b06519E91e3A54538791bDbb0E22373e36b66", "spec payer");
	T_OK(v.offer == &offers[1] && v.offer_index == 1, "matched offer 1");
	TAP_STREQ(v.auth.nonce_hex, "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480",
	    "verdict carries the authorization");
	TAP_STREQ(v.auth.valid_before_dec, "1740672154", "verdict validBefore");
	x402_payment_free(&p);
	T_OK(x402_verify_header(spec_v2, 2, offers, 3, 1740672154 - 5, &p, &v) == 0 &&
	    !v.valid && strcmp(v.reason, X402_R_VALID_BEFORE) == 0,
	    "spec v2 vector 5 s before expiry: valid_before");
	x402_payment_free(&p);
	T_OK(x402_verify_header(vec_v1, 1, offers, 3, 1740672000, &p, &v) == 0 &&
	    v.valid, "§14.3 v1 vector verifies (%s)", v.message);
	TAP_STREQ(v.payer, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "§14.3 payer");
	x402_payment_free(&p);
	offer(&lab, "eip155:84532", "base-sepolia", 84532, "10000",
	    "0x5FbDB2315678afecb367f032d93F642f64180aa3", "USD Coin");
	strcpy(lab.pay_to, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
	T_OK(x402_verify_header(lab_v2, 2, &lab, 1, 1795301341 - 60, &p, &v) == 0 &&
	    v.valid, "lab capture verifies (%s)", v.message);
	TAP_STREQ(v.payer, PAYER, "lab payer");
	x402_payment_free(&p);
}

/* Happy paths of our own. */
static void
test_happy(void)
{
	struct x402_verdict	 v;
	struct spec		 s;
	char			 addr[HEX_ADDR_STRLEN];

	s = base(2);
	TAP_STREQ(run_n(&s, 3, NOW, &v), "ok", "v2 valid");
	TAP_STREQ(v.payer, PAYER, "payer is EIP-55");
	hex_eip55(v.recovered, addr);
	T_OK(v.recovered_ok && strcmp(addr, PAYER) == 0, "recovered signer reported");
	s = base(1);
	TAP_STREQ(run(&s), "ok", "v1 valid");
	s = base(2);
	s.sig = SIG_V01;
	TAP_STREQ(run(&s), "ok", "v2 with v = 0/1 normalised");
	s = base(1);
	s.sig = SIG_V01;
	TAP_STREQ(run(&s), "ok", "v1 with v = 0/1 normalised");
	s = base(2);
	s.asset = "0x036cbd53842c5426634e7929541ec2318f3dcf7e";
	s.pay_to = "0x209693BC6AFC0C5328BA36FAF03C514EF312287C";
	TAP_STREQ(run(&s), "ok", "accepted addresses in another case still match");
	s = base(2);
	s.to = "0x209693bc6afc0c5328ba36faf03c514ef312287c";
	s.from = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
	TAP_STREQ(run(&s), "ok", "lower-case from/to");
	TAP_STREQ(v.payer, PAYER, "payer checksummed even if sent lower case");
	s = base(2);
	s.network = "eip155:31337";
	s.schain = 31337;
	s.amount = s.value = "500";
	s.asset = s.sasset = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
	s.name = s.sname = "USD Coin";
	TAP_STREQ(run_n(&s, 3, NOW, &v), "ok", "third offer (local chain)");
	T_OK(v.offer_index == 2, "matched offer 2");
}

/* Offer matching: the accepted copy must equal one of our offers. */
static void
test_matching(void)
{
	struct x402_verdict	 v;
	struct spec		 s;

	s = base(2);
	s.amount = s.value = "10001";
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v2 accepted.amount differs");
	s = base(2);
	s.amount = "010000";
	TAP_STREQ(run(&s), X402_R_INVALID_PAYLOAD, "v2 accepted.amount not canonical");
	s = base(2);
	s.asset = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v2 accepted.asset differs");
	s = base(2);
	s.pay_to = OTHER;
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v2 accepted.payTo differs");
	s = base(2);
	s.maxto = 300;
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v2 maxTimeoutSeconds differs");
	s = base(2);
	s.name = "USD Coin";
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v2 extra.name differs");
	s = base(2);
	s.dver = "1";
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v2 extra.version differs");
	s = base(2);
	s.network = "eip155:1";
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v2 network not offered");
	s = base(2);
	s.scheme = "upto";
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v2 scheme not offered");
	s = base(1);
	s.network = "base";
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v1 network offered to v2 only");
	s = base(1);
	s.network = "eip155:84532";
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v1 with a CAIP-2 network");
	s = base(1);
	s.scheme = "EXACT";
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "v1 scheme is case-sensitive");
	s = base(2);
	TAP_STREQ(run_n(&s, 0, NOW, &v), X402_R_NO_MATCH, "no offers at all");
	TAP_STREQ(v.payer, PAYER, "payer reported even without a match");
}

/* 1. scheme, 2/4. network, 3. domain: our offer is odd. */
static void
test_offer_checks(void)
{
	struct x402_offer	 save;
	struct spec		 s;

	save = offers[1];
	strcpy(offers[1].scheme, "upto");
	s = base(2);
	s.scheme = "upto";
	TAP_STREQ(run(&s), X402_R_SCHEME, "scheme other than exact");
	s = base(1);
	s.scheme = "upto";
	TAP_STREQ(run(&s), X402_R_SCHEME, "v1 scheme other than exact");
	offers[1] = save;
	strcpy(offers[1].network_v1, "kairos-testnet");
	s = base(1);
	s.network = "kairos-testnet";
	TAP_STREQ(run(&s), X402_R_NETWORK, "v1 network name without a chain id");
	offers[1] = save;
	offers[1].chain_id = 8453;
	s = base(1);
	TAP_STREQ(run(&s), X402_R_NETWORK, "v1 name maps to another chain than the offer's");
	s = base(2);
	TAP_STREQ(run(&s), X402_R_NETWORK, "v2 CAIP-2 id is another chain than the offer's");
	offers[1] = save;
	offers[1].name[0] = '\0';
	s = base(2);
	s.name = "";
	TAP_STREQ(run(&s), X402_R_DOMAIN, "offer without EIP-712 name");
	offers[1] = save;
	strcpy(offers[1].asset, "USDC");
	s = base(1);
	TAP_STREQ(run(&s), X402_R_UNEXPECTED, "misconfigured offer asset");
	offers[1] = save;
}

/* 5. signature. */
static void
test_signature(void)
{
	struct x402_verdict	 v;
	struct spec		 s;
	char			 addr[HEX_ADDR_STRLEN];

	s = base(2);
	s.sig = SIG_HIGH_S;
	TAP_STREQ(run_n(&s, 3, NOW, &v), X402_R_SIGNATURE, "high-s rejected");
	hex_eip55(v.recovered, addr);
	T_OK(v.recovered_ok && strcmp(addr, PAYER) == 0,
	    "high-s twin does recover to the payer (so only the s rule rejects it)");
	s = base(1);
	s.sig = SIG_HIGH_S;
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "v1 high-s rejected");
	s = base(2);
	s.sig = SIG_TRUNC;
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "64-byte signature");
	s.sig = SIG_PAD;
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "66-byte signature");
	s.sig = SIG_V29;
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "v = 29");
	s.sig = SIG_FLIP_R;
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "flipped bit in r");
	s.sig = SIG_ZERO;
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "r = s = 0");
	s = base(2);
	s.sname = "USD Coin";
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "signed with the wrong domain name");
	s = base(2);
	s.sver = "1";
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "signed with the wrong domain version");
	s = base(2);
	s.schain = 8453;
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "signed for another chain");
	s = base(2);
	s.sasset = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "signed for another token");
	s = base(2);
	s.from = OTHER;
	TAP_STREQ(run_n(&s, 3, NOW, &v), X402_R_SIGNATURE, "from is not the signer");
	TAP_STREQ(v.payer, OTHER, "payer is the claimed from");
	T_OK(strstr(v.message, PAYER) != NULL, "message names the real signer");
}

/*
 * A signature that is no EOA's of from may be a contract wallet's: refused
 * with the signature reason and marked for the proof (wallet), unless the
 * terms fail (their reason, unmarked) or it is an EOA's the token refuses
 * (high s).
 */
static void
test_wallet_candidate(void)
{
	static const int	 shapes[] = { SIG_TRUNC, SIG_PAD, SIG_V29,
				    SIG_FLIP_R, SIG_ZERO, SIG_V01 };
	static const char	*names[] = { "64 bytes", "66 bytes", "v = 29",
				    "another signer", "no signer", "v = 0/1" };
	struct x402_verdict	 v;
	struct spec		 s;
	size_t			 i;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		s = base(2);
		s.sig = shapes[i];
		run_n(&s, 3, NOW, &v);
		if (shapes[i] == SIG_V01) {
			T_OK(v.valid && !v.wallet, "%s: an EOA's (not marked)",
			    names[i]);
			continue;
		}
		T_OK(!v.valid && strcmp(v.reason, X402_R_SIGNATURE) == 0 &&
		    v.wallet && v.offer == &offers[1],
		    "%s: signature, marked a possible contract wallet",
		    names[i]);
	}
	s = base(2);
	s.from = OTHER;
	run_n(&s, 3, NOW, &v);
	T_OK(!v.valid && v.wallet && strstr(v.message, PAYER) != NULL,
	    "from is not the signer: marked, and the signer named");
	s = base(2);
	s.sig = SIG_HIGH_S;
	run_n(&s, 3, NOW, &v);
	T_OK(!v.valid && !v.wallet, "high s recovering to from: an EOA's the "
	    "token refuses, not marked");
	s = base(2);
	s.sig = SIG_PAD;
	s.to = OTHER;
	run_n(&s, 3, NOW, &v);
	T_OK(!v.valid && strcmp(v.reason, X402_R_RECIPIENT) == 0 && !v.wallet,
	    "possible contract wallet paying someone else: recipient, not "
	    "marked (refused free)");
	s = base(2);
	s.sig = SIG_TRUNC;
	s.before = "1";
	run_n(&s, 3, NOW, &v);
	T_OK(!v.valid && strcmp(v.reason, X402_R_VALID_BEFORE) == 0 &&
	    !v.wallet, "possible contract wallet, expired: validBefore (so a "
	    "replay can find its stored result), not marked");
	s = base(2);
	run_n(&s, 3, NOW, &v);
	T_OK(v.valid && !v.wallet, "an EOA's payment is not marked");
	s = base(2);
	s.sig = SIG_6492_BAD;
	run_n(&s, 3, NOW, &v);
	T_OK(!v.valid && strcmp(v.reason, X402_R_SIGNATURE) == 0 && !v.wallet &&
	    strncmp(v.message, "ERC-6492 wrapper", 16) == 0,
	    "a malformed ERC-6492 wrapper: refused free, not marked (%s)",
	    v.message);
}

/* 6. recipient. */
static void
test_recipient(void)
{
	struct spec		 s;

	s = base(2);
	s.to = OTHER;
	TAP_STREQ(run(&s), X402_R_RECIPIENT, "v2 authorization.to is not payTo");
	s = base(1);
	s.to = OTHER;
	TAP_STREQ(run(&s), X402_R_RECIPIENT, "v1 authorization.to is not payTo");
}

/* 7-8. time window. */
static void
test_window(void)
{
	struct x402_verdict	 v;
	struct spec		 s;

	s = base(2);
	s.before = "1740672105";
	TAP_STREQ(run(&s), X402_R_VALID_BEFORE, "validBefore = now + 5");
	s.before = "1740672106";
	TAP_STREQ(run(&s), "ok", "validBefore = now + 6");
	s.before = "0";
	TAP_STREQ(run(&s), X402_R_VALID_BEFORE, "validBefore 0");
	s.before = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
	TAP_STREQ(run(&s), "ok", "validBefore 2^256-1");
	s = base(2);
	s.after = "1740672101";
	TAP_STREQ(run(&s), X402_R_VALID_AFTER, "validAfter = now + 1");
	s.after = "1740672100";
	TAP_STREQ(run(&s), "ok", "validAfter = now");
	s.after = "0";
	TAP_STREQ(run(&s), "ok", "validAfter 0 (@x402/evm v2 client)");
	s.after = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
	TAP_STREQ(run(&s), X402_R_VALID_AFTER, "validAfter 2^256-1");
	s = base(1);
	s.after = "1740672101";
	TAP_STREQ(run(&s), X402_R_VALID_AFTER, "v1 validAfter in the future");
	s = base(2);
	TAP_STREQ(run_n(&s, 3, -5, &v), X402_R_VALID_AFTER, "negative clock treated as 0");
}

/* 9. value. */
static void
test_value(void)
{
	struct spec		 s;

	s = base(2);
	s.value = "10001";
	TAP_STREQ(run(&s), X402_R_VALUE_V2, "v2 overpays: exact required");
	s.value = "9999";
	TAP_STREQ(run(&s), X402_R_VALUE_V2, "v2 underpays");
	s.value = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
	TAP_STREQ(run(&s), X402_R_VALUE_V2, "v2 value 2^256-1");
	s = base(1);
	s.value = "10001";
	TAP_STREQ(run(&s), X402_R_VALUE_V1, "v1 overpays: exact required (facilitators settle only the exact amount)");
	s.value = "9999";
	TAP_STREQ(run(&s), X402_R_VALUE_V1, "v1 underpays");
	s.value = "0";
	TAP_STREQ(run(&s), X402_R_VALUE_V1, "v1 value 0");
}

/* The order of the checks. */
static void
test_order(void)
{
	struct x402_offer	 save;
	struct spec		 s;

	s = base(2);
	s.to = OTHER;
	s.sig = SIG_HIGH_S;
	TAP_STREQ(run(&s), X402_R_SIGNATURE, "bad EOA signature before recipient");
	s = base(2);
	s.to = OTHER;
	s.sig = SIG_FLIP_R;
	TAP_STREQ(run(&s), X402_R_RECIPIENT, "a signature that may be a "
	    "contract wallet's: recipient first (the chain judges the "
	    "signature)");
	s = base(2);
	s.to = OTHER;
	s.before = "1";
	TAP_STREQ(run(&s), X402_R_RECIPIENT, "recipient before validBefore");
	s = base(2);
	s.before = "1";
	s.after = "1740672999";
	TAP_STREQ(run(&s), X402_R_VALID_BEFORE, "validBefore before validAfter");
	s = base(2);
	s.after = "1740672999";
	s.before = "1740673999";
	s.value = "1";
	TAP_STREQ(run(&s), X402_R_VALID_AFTER, "validAfter before value");
	s = base(2);
	s.amount = "1";
	s.sname = "nope";
	TAP_STREQ(run(&s), X402_R_NO_MATCH, "matching before signature");
	save = offers[1];
	offers[1].chain_id = 1;
	s = base(2);
	s.sig = SIG_TRUNC;
	TAP_STREQ(run(&s), X402_R_NETWORK, "network before signature");
	offers[1] = save;
}

/* Malformed input through x402_verify_header. */
static void
test_malformed(void)
{
	struct x402_payment	 p;
	struct x402_verdict	 v;

	T_OK(x402_verify_header("%%%", 2, offers, 3, NOW, &p, &v) == 0 &&
	    !v.valid && strcmp(v.reason, X402_R_INVALID_PAYLOAD) == 0,
	    "garbage header: invalid_payload");
	x402_payment_free(&p);
	T_OK(x402_verify_header(vec_v1, 2, offers, 3, NOW, &p, &v) == 0 &&
	    !v.valid && strcmp(v.reason, X402_R_INVALID_VERSION) == 0,
	    "v1 payload in PAYMENT-SIGNATURE: invalid_x402_version");
	x402_payment_free(&p);
	T_OK(x402_verify(NULL, offers, 3, NOW, &v) == -1 && !v.valid &&
	    strcmp(v.reason, X402_R_UNEXPECTED) == 0, "NULL payment");
}

/* Threads share the lazily created secp256k1 context. */
static void
test_threads(void)
{
	pthread_t		 th[4];
	int			 bad[4] = { 0, 0, 0, 0 };
	int			 i;
	int			 tbad;

	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, thread_main, &bad[i]);
	for (tbad = 0, i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		tbad += bad[i];
	}
	T_OK(tbad == 0, "400 verifications on 4 threads (%d failed)", tbad);
}

int
main(void)
{
	/* [0] Base (v2 only), [1] Base Sepolia (v1 + v2), [2] a custom chain. */
	offer(&offers[0], "eip155:8453", "", 8453, "10000",
	    "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "USD Coin");
	offer(&offers[1], "eip155:84532", "base-sepolia", 84532, "10000",
	    USDC_BS, "USDC");
	offer(&offers[2], "eip155:31337", "", 31337, "500",
	    "0x5FbDB2315678afecb367f032d93F642f64180aa3", "USD Coin");
	test_genuine();
	test_happy();
	test_matching();
	test_offer_checks();
	test_signature();
	test_wallet_candidate();
	test_recipient();
	test_window();
	test_value();
	test_order();
	test_malformed();
	test_threads();
	return tap_done();
}
