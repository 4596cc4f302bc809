/*
 * Contract-wallet signatures and the calldata of their proof and
 * settlement, without a chain: the ERC-6492 parser (strict, outside input),
 * Coinbase's SignatureWrapper, the universal validator's eth_call data,
 * transferWithAuthorization(..., bytes), Multicall3 tryAggregate both ways,
 * the EIP-3009 digest.  Vectors: the lab's captures and viem 2.57.20
 * (wallet_vectors.h, written by tests/vectors/smartwallet/wallet_vectors.mjs).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/keccak.h"
#include "basics/u256.h"
#include "x402/evm/abi.h"
#include "x402/evm/eip712.h"
#include "x402/evm/erc6492.h"
#include "x402/evm/multicall3.h"
#include "x402/evm/rpc.h"
#include "x402/evm/wallet_sig.h"
#include "x402/evm/x402_wallet.h"
#include "x402/x402_payment.h"
#include "tap.h"
#include "wallet_vectors.h"

/* Decode 0x-hex into a malloc'd buffer (abort on bad test data). */
static uint8_t *
unhex(const char *s, size_t *len)
{
	uint8_t	*p;
	size_t	 n = (strlen(s) - 2) / 2;

	if ((p = malloc(n ? n : 1)) == NULL)
		abort();
	*len = 0;
	if (n > 0 && hex_decode(s, p, n, len) == -1)
		abort();
	return p;
}

/* buf equals the 0x-hex string? */
static int
buf_is(const struct buf *b, const char *hex)
{
	size_t	 n;
	uint8_t	*p = unhex(hex, &n);
	int	 eq = n == b->len && memcmp(p, b->p, n) == 0;

	free(p);
	return eq;
}

static void
keccak_hex(const void *p, size_t n, char out[67])
{
	uint8_t	 h[32];

	keccak256(p, n, h);
	hex_encode(h, 32, out);
}

static void
auth_of(const struct wv_capture *c, struct x402_offer *o,
    struct x402_authorization *a)
{
	memset(o, 0, sizeof(*o));
	memset(a, 0, sizeof(*a));
	strcpy(o->name, "USD Coin");
	strcpy(o->version, "2");
	o->chain_id = c->chain_id;
	strcpy(o->asset, c->asset);
	if (hex_decode_fixed(c->from, a->from, 20) == -1 ||
	    hex_decode_fixed(c->to, a->to, 20) == -1 ||
	    u256_from_dec(c->value, a->value) == -1 ||
	    u256_from_dec(c->valid_after, a->valid_after) == -1 ||
	    u256_from_dec(c->valid_before, a->valid_before) == -1 ||
	    hex_decode_fixed(c->nonce, a->nonce, 32) == -1)
		abort();
}

static void
test_validator(void)
{
	struct buf	 b;
	uint8_t		 code[ERC6492_VALIDATOR_LEN], signer[20], hash[32];
	uint8_t		*sig;
	size_t		 n;
	char		 k[67];

	TAP_OK(strlen(erc6492_validator_hex) == 2 + 2 * wv_validator_len &&
	    hex_decode_fixed(erc6492_validator_hex, code, sizeof(code)) == 0,
	    "validator creation code: %zu bytes as viem's", wv_validator_len);
	keccak_hex(code, sizeof(code), k);
	TAP_STREQ(k, wv_validator_keccak, "validator code is viem's "
	    "erc6492SignatureValidatorByteCode");
	buf_init(&b);
	sig = unhex(wv_uv_sig, &n);
	if (hex_decode_fixed(wv_uv_signer, signer, 20) == -1 ||
	    hex_decode_fixed(wv_uv_hash, hash, 32) == -1)
		abort();
	TAP_OK(erc6492_validator_calldata(signer, hash, sig, n, &b) == 0 &&
	    b.len == wv_uv_data_len, "validator call data: %zu bytes",
	    b.len);
	keccak_hex(b.p, b.len, k);
	TAP_STREQ(k, wv_uv_data_keccak, "the lab's eth_call data, byte for "
	    "byte (viem encodeDeployData)");
	free(sig);
	buf_free(&b);
	TAP_OK(erc6492_validator_result(wv_uv_result) == 1, "0x01: valid");
	TAP_OK(erc6492_validator_result("0x00") == 0, "0x00: not valid");
	TAP_OK(erc6492_validator_result("0x") == -1 &&
	    erc6492_validator_result("0x0001") == -1 &&
	    erc6492_validator_result("0x02") == -1 &&
	    erc6492_validator_result(NULL) == -1, "anything else: no answer");
}

static void
test_capture(const struct wv_capture *c)
{
	struct erc6492_sig		 e;
	struct wallet_sig_wrapper	 w;
	struct x402_offer		 o;
	struct x402_authorization	 a;
	struct eip712_twa		 t;
	struct buf			 b;
	uint8_t				*sig, *inner, digest[32], f[20];
	size_t				 n, ni;
	char				 d[67];
	int				 rc;

	sig = unhex(c->sig, &n);
	inner = unhex(c->inner, &ni);
	TAP_STREQ(wallet_sig_shape_name(wallet_sig_shape(sig, n)), c->shape,
	    "%s: shape", c->name);
	rc = erc6492_parse(sig, n, &e, NULL, 0);
	if (c->factory[0] == '\0')
		TAP_OK(rc == 0, "%s: no ERC-6492 wrapper", c->name);
	else {
		if (hex_decode_fixed(c->factory, f, 20) == -1)
			abort();
		buf_init(&b);
		TAP_OK(rc == 1 && memcmp(e.factory, f, 20) == 0 &&
		    e.inner_len == ni && memcmp(e.inner, inner, ni) == 0,
		    "%s: factory and inner signature as viem "
		    "parseErc6492Signature", c->name);
		buf_append(&b, e.factory_calldata, e.factory_calldata_len);
		TAP_OK(buf_is(&b, c->factory_calldata), "%s: factory "
		    "calldata as viem", c->name);
		buf_reset(&b);
		TAP_OK(erc6492_wrap(e.factory, e.factory_calldata,
		    e.factory_calldata_len, e.inner, e.inner_len, &b) == 0 &&
		    b.len == n && memcmp(b.p, sig, n) == 0,
		    "%s: wrapping it again gives the same bytes", c->name);
		buf_free(&b);
	}
	/* The lab's owner signatures are all 65 bytes inside a wrapper. */
	if (ni != 65)
		TAP_OK(wallet_sig_wrapper_parse(inner, ni, &w) == 1 &&
		    u256_cmp(w.owner_index, (const uint8_t *)
		    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
		    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0") == 0 &&
		    w.sig_len == 65, "%s: SignatureWrapper(0, 65 bytes)",
		    c->name);
	auth_of(c, &o, &a);
	TAP_OK(x402_wallet_digest(&o, &a, digest) == 0, "%s: digest",
	    c->name);
	hex_encode(digest, 32, d);
	TAP_STREQ(d, c->digest, "%s: EIP-3009 digest as viem hashTypedData",
	    c->name);
	buf_init(&b);
	x402_wallet_twa(&a, &t);
	TAP_OK(x402_wallet_twa_calldata(&t, inner, ni, &b) == 0 &&
	    buf_is(&b, c->twa_calldata), "%s: transferWithAuthorization(..."
	    ", bytes) calldata as viem encodeFunctionData", c->name);
	buf_free(&b);
	free(sig);
	free(inner);
}

/* A copy of the counterfactual capture's signature to break. */
static uint8_t *
cf_sig(size_t *n)
{
	return unhex(wv_captures[2].sig, n);
}

static void
put_u64(uint8_t *w, uint64_t v)
{
	int	 i;

	memset(w, 0, 32);
	for (i = 31; i >= 24; i--, v >>= 8)
		w[i] = (uint8_t)v;
}

#define BAD6492(sig, n, what) do {					\
	struct erc6492_sig e_;						\
	char why_[160] = "";						\
	int rc_ = erc6492_parse((sig), (n), &e_, why_, sizeof(why_));	\
	TAP_OK(rc_ == -1 && strncmp(why_, "ERC-6492 wrapper: ", 18) == 0, \
	    "malformed: %s (%s)", what, why_);				\
} while (0)

static void
test_malformed(void)
{
	struct erc6492_sig	 e;
	struct buf		 b;
	uint8_t			*s, f[20];
	size_t			 n;

	TAP_STREQ(wv_captures[2].name, "erc6492-counterfactual", "base case");
	/* Layout: factory | 0x60 | off2 | len1 @0x60 | calldata (68 B,
	   padded 96) | len2 @0xe0 | inner (192 B) | magic. */
	s = cf_sig(&n);
	TAP_OK(n == 480 && erc6492_parse(s, n, &e, NULL, 0) == 1 &&
	    e.factory_calldata_len == 68 && e.inner_len == 192,
	    "base case parses (480 bytes, calldata 68, inner 192)");
	s[0] = 1;
	BAD6492(s, n, "factory word with a non-zero high byte");
	free(s);
	s = cf_sig(&n);
	put_u64(s + 32, 0x40);
	BAD6492(s, n, "calldata offset 0x40");
	put_u64(s + 32, 0x80);
	BAD6492(s, n, "calldata offset 0x80");
	put_u64(s + 32, 0x60 + ((uint64_t)1 << 40));
	BAD6492(s, n, "calldata offset beyond 64 bits of sense");
	free(s);
	s = cf_sig(&n);
	put_u64(s + 64, 0xe0 - 32);
	BAD6492(s, n, "signature offset one word early");
	put_u64(s + 64, 0xe0 + 32);
	BAD6492(s, n, "signature offset one word late");
	free(s);
	s = cf_sig(&n);
	put_u64(s + 0x60, 64);
	BAD6492(s, n, "calldata length 64: the signature offset then "
	    "points elsewhere");
	put_u64(s + 0x60, 97);
	BAD6492(s, n, "calldata length spilling into the next word");
	put_u64(s + 0x60, n);
	BAD6492(s, n, "calldata length past the end");
	memset(s + 0x60, 0xff, 32);
	BAD6492(s, n, "calldata length 2^256-1");
	free(s);
	s = cf_sig(&n);
	s[0x80 + 68] = 1;
	BAD6492(s, n, "non-zero padding after the calldata");
	free(s);
	s = cf_sig(&n);
	put_u64(s + 0xe0, 193);
	BAD6492(s, n, "inner length 193: past the end");
	put_u64(s + 0xe0, 160);
	BAD6492(s, n, "inner length 160: bytes left over");
	free(s);
	s = cf_sig(&n);
	memmove(s + n - 33, s + n - 32, 32);	/* drop one byte */
	BAD6492(s, n - 1, "one byte short");
	free(s);
	s = cf_sig(&n);
	if ((s = realloc(s, n + 32)) == NULL)
		abort();
	memmove(s + n, s + n - 32, 32);		/* a zero word before magic */
	memset(s + n - 32, 0, 32);
	BAD6492(s, n + 32, "a word left over before the magic");
	free(s);
	BAD6492(erc6492_magic, 32, "the magic alone");
	buf_init(&b);
	memset(f, 0x11, sizeof(f));
	TAP_OK(erc6492_wrap(f, NULL, 0, NULL, 0, &b) == 0 &&
	    b.len == 5 * 32 + 32 && erc6492_parse((uint8_t *)b.p, b.len, &e,
	    NULL, 0) == 1 && e.factory_calldata_len == 0 && e.inner_len == 0,
	    "empty calldata and signature: the shortest wrapper parses");
	BAD6492((uint8_t *)b.p + 32, b.len - 32, "four words and the magic");
	buf_free(&b);
	s = cf_sig(&n);
	s[n - 1] ^= 1;
	TAP_OK(erc6492_parse(s, n, &e, NULL, 0) == 0 &&
	    wallet_sig_shape(s, n) == WALLET_SIG_OTHER,
	    "last magic byte changed: no wrapper at all");
	s[n - 1] ^= 1;
	s[0x80 + 68] = 1;
	TAP_OK(wallet_sig_shape(s, n) == WALLET_SIG_ERC6492_BAD,
	    "shape of a malformed wrapper: erc6492_malformed");
	free(s);
}

static void
test_wrapper(void)
{
	struct wallet_sig_wrapper	 w;
	uint8_t				*s;
	size_t				 n;

	s = unhex(wv_captures[1].sig, &n);	/* erc1271-wrapped, 192 B */
	TAP_OK(n == 192 && wallet_sig_wrapper_parse(s, n, &w) == 1,
	    "SignatureWrapper of the capture");
	put_u64(s + 32, 0x60);
	TAP_OK(wallet_sig_wrapper_parse(s, n, &w) == 0, "offset 0x60: no");
	put_u64(s + 32, 0x40);
	s[64 + 32 + 65] = 7;
	TAP_OK(wallet_sig_wrapper_parse(s, n, &w) == 0, "dirty padding: no");
	TAP_OK(wallet_sig_wrapper_parse(s, n - 32, &w) == 0 &&
	    wallet_sig_shape(s, n - 32) == WALLET_SIG_OTHER, "truncated: no");
	free(s);
	s = unhex(wv_captures[0].sig, &n);
	TAP_OK(wallet_sig_shape(s, n) == WALLET_SIG_ECDSA65 &&
	    wallet_sig_shape(s, 64) == WALLET_SIG_OTHER &&
	    wallet_sig_shape(s, 0) == WALLET_SIG_OTHER, "65 bytes, or other");
	free(s);
}

static void
test_multicall(void)
{
	struct multicall3_call		 c[2];
	struct multicall3_result	 r[3];
	struct erc6492_sig		 e;
	struct buf			 b;
	uint8_t				*s, *twa, *res;
	size_t				 n, nt, nr;
	char				 why[128];
	uint8_t				 sel[4];

	rpc_selector("tryAggregate(bool,(address,bytes)[])", sel);
	hex_encode(sel, 4, why);
	TAP_STREQ(why + 2, MULTICALL3_SEL_TRY_AGGREGATE, "tryAggregate "
	    "selector");
	rpc_selector("transferWithAuthorization(address,address,uint256,"
	    "uint256,uint256,bytes32,bytes)", sel);
	hex_encode(sel, 4, why);
	TAP_STREQ(why + 2, X402_WALLET_SEL_TWA_BYTES, "transferWith"
	    "Authorization(..., bytes) selector");
	s = unhex(wv_captures[2].sig, &n);
	twa = unhex(wv_captures[2].twa_calldata, &nt);
	if (erc6492_parse(s, n, &e, NULL, 0) != 1 ||
	    hex_decode_fixed(wv_captures[2].asset, c[1].target, 20) == -1)
		abort();
	memcpy(c[0].target, e.factory, 20);
	c[0].data = e.factory_calldata;
	c[0].len = e.factory_calldata_len;
	c[1].data = twa;
	c[1].len = nt;
	buf_init(&b);
	TAP_OK(multicall3_try_aggregate(0, c, 2, &b) == 0 &&
	    buf_is(&b, wv_try_aggregate_false), "tryAggregate(false, "
	    "[factory, transfer]) as viem");
	buf_reset(&b);
	TAP_OK(multicall3_try_aggregate(1, c, 2, &b) == 0 &&
	    buf_is(&b, wv_try_aggregate_true), "tryAggregate(true, ...) as "
	    "viem");
	buf_free(&b);
	res = unhex(wv_try_result, &nr);
	TAP_OK(multicall3_try_aggregate_result(res, nr, r, 2) == 0 &&
	    r[0].success == 1 && r[0].ret_len == 32 && r[1].success == 0,
	    "tryAggregate answer decoded");
	abi_revert_reason(r[1].ret, r[1].ret_len, why, sizeof(why));
	TAP_STREQ(why, "FiatTokenV2: invalid signature", "revert reason of "
	    "the second call");
	TAP_OK(multicall3_try_aggregate_result(res, nr, r, 3) == -1,
	    "three results wanted, two given: refused");
	TAP_OK(multicall3_try_aggregate_result(res, nr - 33, r, 2) == -1 &&
	    multicall3_try_aggregate_result(res, 31, r, 2) == -1 &&
	    multicall3_try_aggregate_result(res, 0, r, 2) == -1,
	    "truncated answers refused");
	res[0x80 + 31] = 2;	/* first result's success word */
	TAP_OK(multicall3_try_aggregate_result(res, nr, r, 2) == -1,
	    "a success word of 2 refused");
	free(res);
	free(s);
	free(twa);
}

static void
test_reasons(void)
{
	uint8_t	 p[36], e[4] = { 0xde, 0xad, 0xbe, 0xef };
	char	 why[64];

	memcpy(p, "\x4e\x48\x7b\x71", 4);
	put_u64(p + 4, 0x11);
	abi_revert_reason(p, sizeof(p), why, sizeof(why));
	TAP_STREQ(why, "panic 0x11", "Panic(uint256)");
	abi_revert_reason(e, 4, why, sizeof(why));
	TAP_STREQ(why, "error 0xdeadbeef (4 bytes)", "custom error");
	abi_revert_reason(e, 0, why, sizeof(why));
	TAP_STREQ(why, "no data", "empty revert");
}

static void
test_payload_sig(void)
{
	struct sf_err	 err;
	struct buf	 b;
	char		*big;
	size_t		 i;

	buf_init(&b);
	TAP_OK(x402_wallet_payload_sig("{\"payload\":{\"signature\":\"0x0102"
	    "\"}}", &b, &err) == 0 && b.len == 2 && b.p[1] == 2,
	    "payload.signature decoded");
	buf_reset(&b);
	TAP_OK(x402_wallet_payload_sig("{\"payload\":{}}", &b, &err) == -1 &&
	    strcmp(err.code, "invalid_payload") == 0, "no signature");
	TAP_OK(x402_wallet_payload_sig("{\"payload\":{\"signature\":\"0x0g"
	    "\"}}", &b, &err) == -1, "not hex");
	TAP_OK(x402_wallet_payload_sig("nope", &b, &err) == -1, "not JSON");
	if ((big = malloc(2 * X402_PAYMENT_SIG_MAX + 64)) == NULL)
		abort();
	strcpy(big, "{\"payload\":{\"signature\":\"0x");
	i = strlen(big);
	memset(big + i, '0', 2 * X402_PAYMENT_SIG_MAX + 2);
	strcpy(big + i + 2 * X402_PAYMENT_SIG_MAX + 2, "\"}}");
	TAP_OK(x402_wallet_payload_sig(big, &b, &err) == -1 && b.len == 0,
	    "a signature over %d bytes refused", X402_PAYMENT_SIG_MAX);
	free(big);
	buf_free(&b);
}

int
main(void)
{
	size_t	 i;

	test_validator();
	for (i = 0; i < sizeof(wv_captures) / sizeof(wv_captures[0]); i++)
		test_capture(&wv_captures[i]);
	test_malformed();
	test_wrapper();
	test_multicall();
	test_reasons();
	test_payload_sig();
	return tap_done();
}
