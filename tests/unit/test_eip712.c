/* EIP-712 TransferWithAuthorization hashing against x402.md §5.1, §14. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "x402/evm/eip712.h"
#include "basics/hex.h"
#include "basics/keccak.h"
#include "tap.h"
#include "basics/u256.h"
#include "x402/evm/x402_verify.h"

static void
dom(struct eip712_domain *d, const char *name, uint64_t chain,
    const char *contract)
{

	d->name = name;
	d->name_len = strlen(name);
	d->version = "2";
	d->version_len = 1;
	d->chain_id = chain;
	hex_decode_fixed(contract, d->contract, 20);
}

static void
msg(struct eip712_twa *m, const char *from, const char *to, const char *value,
    const char *after, const char *before, const char *nonce)
{

	hex_decode_fixed(from, m->from, 20);
	hex_decode_fixed(to, m->to, 20);
	u256_from_dec(value, m->value);
	u256_from_dec(after, m->valid_after);
	u256_from_dec(before, m->valid_before);
	hex_decode_fixed(nonce, m->nonce, 32);
}

static const char *
hx(const uint8_t h[32])
{
	static char	 s[4][67];
	static int	 i;

	i = (i + 1) % 4;
	hex_encode(h, 32, s[i]);
	return s[i];
}

static const char *
recover(const uint8_t digest[32], const char *sighex, int low_s)
{
	static char	 s[HEX_ADDR_STRLEN];
	uint8_t		 sig[65], a[20];

	if (hex_decode_fixed(sighex, sig, 65) == -1 ||
	    x402_verify_recover(digest, sig, low_s, a) == -1)
		return "(none)";
	hex_eip55(a, s);
	return s;
}

int
main(void)
{
	static const struct {
		const char *what, *name, *asset, *sep;
		uint64_t chain;
	} seps[] = {
		{ "Base", "USD Coin", "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
		  "0x02fa7265e7c5d81118673727957699e4d68f74cd74b7db77da710fe8a2c7834f", 8453 },
		{ "Base Sepolia", "USDC", "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
		  "0x71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818", 84532 },
		{ "Polygon", "USD Coin", "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359",
		  "0xcaa2ce1a5703ccbe253a34eb3166df60a705c561b44b192061e28f2a985be2ca", 137 },
		{ "Avalanche", "USD Coin", "0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E",
		  "0xbbea200329a938bc3438984a49cb0732e66d66d7bd59c127abacc1710e77f7b3", 43114 },
		{ "Fuji", "USD Coin", "0x5425890298aed601595a70AB815c96711a31Bc65",
		  "0xfe9fa105a0e9629446730e544caa6b8d05d8d4fc93451750dc50e2ddd6d374b3", 43113 },
		{ "Arbitrum One", "USD Coin", "0xaf88d065e77c8cC2239327C5EDb3A432268e5831",
		  "0x08d11903f8419e68b1b8721bcbe2e9fc68569122a77ef18c216f10b3b5112c78", 42161 },
	};
	static const char *spec_sig = "0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c";
	static const char *vec_sig_bs = "0x2a6e9cd4ba590f022441c7da722afef19eb4278216fbd95ef8147bba523a2d054f03f61699948daec65f227142fcd7058a09225e8a93866aa4ff8fd9fc9a674b1b";
	static const char *vec_sig_base = "0x7796853e405360adfe5d87b01beff5bb408d539d247b88dc2af35d9924196baf57f16f12b1677ddb2ba03b0743c5ee8684aac1a60dbc0c758d59d9bafe121a2a1b";
	/* n - s for the Base Sepolia vector, with v flipped: same signer, high s. */
	static const char *vec_sig_bs_high = "0x2a6e9cd4ba590f022441c7da722afef19eb4278216fbd95ef8147bba523a2d05b0fc09e9666b725139a0dd8ebd0328f930a5ba8824b519d11ad2ceb2d39bd9f61c";
	struct eip712_domain	 d;
	struct eip712_twa	 m;
	uint8_t			 h[32], sh[32], dg[32], sig[65];
	char			 s[133];
	size_t			 i;

	keccak256(EIP712_TWA_TYPE, strlen(EIP712_TWA_TYPE), h);
	TAP_STREQ(hx(h), "0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267",
	    "TYPEHASH from the type string");
	TAP_STREQ(hx(eip712_twa_typehash), hx(h), "TYPEHASH constant");
	keccak256(EIP712_DOMAIN_TYPE, strlen(EIP712_DOMAIN_TYPE), h);
	TAP_STREQ(hx(h), "0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f",
	    "DOMAIN_TYPEHASH from the type string");
	TAP_STREQ(hx(eip712_domain_typehash), hx(h), "DOMAIN_TYPEHASH constant");

	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		dom(&d, seps[i].name, seps[i].chain, seps[i].asset);
		eip712_domain_separator(&d, h);
		TAP_STREQ(hx(h), seps[i].sep, "domain separator %s", seps[i].what);
	}

	/* §14.2: the official spec example, a genuine signature. */
	dom(&d, "USDC", 84532, "0x036CbD53842c5426634e7929541eC2318f3dCF7e");
	msg(&m, "0x857b06519E91e3A54538791bDbb0E22373e36b66",
	    "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "10000",
	    "1740672089", "1740672154",
	    "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480");
	eip712_twa_hash(&m, sh);
	TAP_STREQ(hx(sh), "0x49ad644555c7bdf3ea4fc022a4940ae5589b230b1dde0065c5504fa19bbe39a4",
	    "spec structHash");
	eip712_twa_digest(&d, &m, dg);
	TAP_STREQ(hx(dg), "0xf256992871671abcb27ff92885a7afa46218724e5fc0bac35d050115aa1d22e6",
	    "spec digest");
	TAP_STREQ(recover(dg, spec_sig, 1), "0x857b06519E91e3A54538791bDbb0E22373e36b66",
	    "spec signature recovers to from");
	/* Same with the Base mainnet name: different digest, random signer. */
	dom(&d, "USD Coin", 84532, "0x036CbD53842c5426634e7929541eC2318f3dCF7e");
	eip712_twa_digest(&d, &m, dg);
	TAP_STREQ(hx(dg), "0x08b2e57b843f2308c5dd5a889c935d2d02976522e733ee56dacccd429ef3072a",
	    "negative: \"USD Coin\" digest");
	TAP_STREQ(recover(dg, spec_sig, 1), "0xED07B31Fa76779c7A25BA712fB1bFBECefa2ad7e",
	    "negative: recovers to another address");

	/* §14.3: deterministic RFC 6979 vectors, anvil account #0. */
	msg(&m, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
	    "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "10000",
	    "1740671489", "1740672149",
	    "0x0000000000000000000000000000000000000000000000000000000000000001");
	eip712_twa_hash(&m, sh);
	TAP_STREQ(hx(sh), "0x5f535c0b0085a26c523f2432ccec1e5c9220900e02f220ed76af724fc38f5ee7",
	    "vector structHash");
	dom(&d, "USDC", 84532, "0x036CbD53842c5426634e7929541eC2318f3dCF7e");
	eip712_twa_digest(&d, &m, dg);
	TAP_STREQ(hx(dg), "0x6d2be4d68b1af132b9287ce51373f9c93ef9ef2a29b15fb52a073a960e2abebb",
	    "vector digest Base Sepolia");
	TAP_STREQ(recover(dg, vec_sig_bs, 1), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
	    "vector Base Sepolia recovers");
	TAP_STREQ(recover(dg, vec_sig_bs_high, 0), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
	    "high-s twin recovers to the same signer without the low-s rule");
	TAP_STREQ(recover(dg, vec_sig_bs_high, 1), "(none)",
	    "high-s twin refused with the low-s rule");
	/* v = 0 must act like 27. */
	hex_decode_fixed(vec_sig_bs, sig, 65);
	sig[64] = 0;
	hex_encode(sig, 65, s);
	TAP_STREQ(recover(dg, s, 1), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
	    "v = 0 normalised to 27");
	sig[64] = 1;
	hex_encode(sig, 65, s);
	TAP_OK(strcmp(recover(dg, s, 1), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") != 0,
	    "v = 1 gives another signer");
	sig[64] = 29;
	hex_encode(sig, 65, s);
	TAP_STREQ(recover(dg, s, 1), "(none)", "v = 29 refused");
	sig[64] = 27;
	sig[5] ^= 0x01;
	hex_encode(sig, 65, s);
	TAP_OK(strcmp(recover(dg, s, 1), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") != 0,
	    "flipped r byte gives another signer");
	/* r = 0 and s = n are not signatures at all. */
	memset(sig, 0, 32);
	sig[64] = 27;
	hex_encode(sig, 65, s);
	TAP_STREQ(recover(dg, s, 0), "(none)", "r = 0 refused");
	hex_decode_fixed(vec_sig_bs, sig, 65);
	hex_decode_fixed("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
	    sig + 32, 32);
	hex_encode(sig, 65, s);
	TAP_STREQ(recover(dg, s, 0), "(none)", "s = n refused");

	dom(&d, "USD Coin", 8453, "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913");
	eip712_twa_digest(&d, &m, dg);
	TAP_STREQ(hx(dg), "0xbc812937a6b84857818669be159905cae2ab8ec7fc9173f917446ff5da468ffa",
	    "vector digest Base");
	TAP_STREQ(recover(dg, vec_sig_base, 1), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
	    "vector Base recovers");
	/* value 10001: digest changes, signer does not match. */
	u256_from_dec("10001", m.value);
	eip712_twa_digest(&d, &m, dg);
	TAP_OK(strcmp(hx(dg), "0xbc812937a6b84857818669be159905cae2ab8ec7fc9173f917446ff5da468ffa") != 0 &&
	    strcmp(recover(dg, vec_sig_base, 1), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") != 0,
	    "value 10001 breaks the signature");
	return tap_done();
}
