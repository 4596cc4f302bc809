#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "x402/evm/eip712.h"
#include "x402/evm/erc6492.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/keccak.h"
#include "basics/net.h"
#include "basics/u256.h"
#include "x402/x402_offer.h"
#include "x402/x402_payment.h"
#include "x402/evm/x402_verify.h"

/* secp256k1 n / 2: USDC's ecrecover refuses s above it (EIP-2). */
static const uint8_t x402_verify_half_n[32] = {
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d,
	0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};

/* One context for all FastCGI worker threads; read-only once created. */
static secp256k1_context	*x402_verify_ctx;
static pthread_once_t		 x402_verify_once = PTHREAD_ONCE_INIT;

static void
x402_verify_ctx_init(void)
{

	x402_verify_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
}

int
x402_verify_recover(const uint8_t digest[32], const uint8_t sig[65],
    int low_s, uint8_t addr[HEX_ADDR_LEN])
{
	secp256k1_ecdsa_recoverable_signature	 rs;
	secp256k1_pubkey			 pk;
	uint8_t					 pub[65], h[32];
	size_t					 publen = sizeof(pub);
	int					 recid;

	if (pthread_once(&x402_verify_once, x402_verify_ctx_init) != 0 ||
	    x402_verify_ctx == NULL)
		return -1;
	/* Same v rule as viem: 27/28 and bare y-parity 0/1. */
	if (sig[64] == 27 || sig[64] == 28)
		recid = sig[64] - 27;
	else if (sig[64] == 0 || sig[64] == 1)
		recid = sig[64];
	else
		return -1;
	if (low_s && memcmp(sig + 32, x402_verify_half_n, 32) > 0)
		return -1;
	/* Parsing refuses r, s >= n; recovery refuses r or s == 0. */
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(
	    x402_verify_ctx, &rs, sig, recid) ||
	    !secp256k1_ecdsa_recover(x402_verify_ctx, &pk, &rs, digest) ||
	    !secp256k1_ec_pubkey_serialize(x402_verify_ctx, pub, &publen,
	    &pk, SECP256K1_EC_UNCOMPRESSED))
		return -1;
	keccak256(pub + 1, 64, h);
	memcpy(addr, h + 12, HEX_ADDR_LEN);
	return 0;
}

/*
 * A server has a handful of offers and hashes the same domains on every
 * request: keep their separators per thread (no locking needed).
 */
#define X402_VERIFY_DSEPS	4
struct x402_verify_dsep {
	int		 used;
	uint64_t	 chain_id;
	uint8_t		 contract[HEX_ADDR_LEN];
	char		 name[sizeof(((struct x402_offer *)0)->name)];
	char		 version[sizeof(((struct x402_offer *)0)->version)];
	uint8_t		 sep[32];
};
static _Thread_local struct x402_verify_dsep	x402_verify_dseps[X402_VERIFY_DSEPS];
static _Thread_local unsigned			x402_verify_dsep_next;

static void
x402_verify_domain(const struct x402_offer *o, const struct eip712_domain *d,
    uint8_t sep[32])
{
	struct x402_verify_dsep	*e;
	size_t			 i;

	for (i = 0; i < X402_VERIFY_DSEPS; i++) {
		e = &x402_verify_dseps[i];
		if (e->used && e->chain_id == d->chain_id &&
		    memcmp(e->contract, d->contract, HEX_ADDR_LEN) == 0 &&
		    strcmp(e->name, o->name) == 0 &&
		    strcmp(e->version, o->version) == 0) {
			memcpy(sep, e->sep, 32);
			return;
		}
	}
	eip712_domain_separator(d, sep);
	e = &x402_verify_dseps[x402_verify_dsep_next++ % X402_VERIFY_DSEPS];
	e->used = 1;
	e->chain_id = d->chain_id;
	memcpy(e->contract, d->contract, HEX_ADDR_LEN);
	memcpy(e->name, o->name, sizeof(e->name));
	memcpy(e->version, o->version, sizeof(e->version));
	memcpy(e->sep, sep, 32);
}

static int
x402_verify_fail(struct x402_verdict *v, const char *reason,
    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
x402_verify_fail(struct x402_verdict *v, const char *reason,
    const char *fmt, ...)
{
	va_list	 ap;

	v->valid = 0;
	v->reason = reason;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
	return 0;
}

/* Does the client's accepted copy equal our offer, field by field? */
static int
x402_verify_match(const struct x402_payment *p, const struct x402_offer *o)
{
	const struct x402_accepted	*c = &p->accepted;
	uint8_t				 a[U256_LEN], b[U256_LEN];

	/* Solana offers and payments are x402/svm's. */
	if (p->svm || o->svm)
		return 0;
	if (p->version == 1)
		return o->network_v1[0] != '\0' &&
		    strcmp(p->scheme, o->scheme) == 0 &&
		    strcmp(p->network, o->network_v1) == 0;
	return strcmp(c->scheme, o->scheme) == 0 &&
	    strcmp(c->network, o->network) == 0 &&
	    u256_from_dec(c->amount, a) == 0 &&
	    u256_from_dec(o->amount, b) == 0 && u256_cmp(a, b) == 0 &&
	    hex_addr_eq(c->asset, o->asset) &&
	    hex_addr_eq(c->pay_to, o->pay_to) &&
	    c->max_timeout == o->max_timeout &&
	    c->has_name && strcmp(c->name, o->name) == 0 &&
	    c->has_version && strcmp(c->version, o->version) == 0;
}

/* A refusal from one of the phases below: the verdict says why; 1. */
static int
x402_verify_no(struct x402_verdict *v, const char *reason, const char *fmt,
    ...)
	__attribute__((format(printf, 3, 4)));

static int
x402_verify_no(struct x402_verdict *v, const char *reason, const char *fmt,
    ...)
{
	va_list	 ap;

	v->valid = 0;
	v->reason = reason;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
	return 1;
}

/* What the phases read from our offer, decoded once. */
struct x402_verify_offer {
	struct eip712_domain	 dom;
	uint8_t			 pay_to[HEX_ADDR_LEN];
	uint8_t			 amount[U256_LEN];
};

/*
 * 1-4: "exact" on both sides, a v1 network name with a chain id, the
 * EIP-712 domain from our offer (never the client's), the network naming
 * the chain the offer signs for; then our offer in bytes (asset, payTo,
 * amount).  0 fine, 1 refused.
 */
static int
x402_verify_offer(const struct x402_payment *p, const struct x402_offer *o,
    struct x402_verdict *v, struct x402_verify_offer *w)
{
	struct net_info	 net;

	if (strcmp(p->scheme, "exact") != 0 || strcmp(o->scheme, "exact") != 0)
		return x402_verify_no(v, X402_R_SCHEME,
		    "scheme \"%s\" (offer \"%s\"): only \"exact\" is supported",
		    p->scheme, o->scheme);
	if (p->version == 1 && net_lookup(p->network, &net) == -1)
		return x402_verify_no(v, X402_R_NETWORK,
		    "unknown v1 network \"%s\"", p->network);
	if (o->name[0] == '\0' || o->version[0] == '\0')
		return x402_verify_no(v, X402_R_DOMAIN,
		    "offer has no EIP-712 name/version");
	if (p->version == 2) {
		if (strcmp(p->network, o->network) != 0 ||
		    net_lookup(o->network, &net) == -1)
			return x402_verify_no(v, X402_R_NETWORK,
			    "network \"%s\" does not match offer \"%s\"",
			    p->network, o->network);
	} else if (strcmp(p->network, o->network_v1) != 0)
		return x402_verify_no(v, X402_R_NETWORK,
		    "network \"%s\" does not match offer \"%s\"",
		    p->network, o->network_v1);
	if (o->chain_id == 0 || net.chain_id != o->chain_id)
		return x402_verify_no(v, X402_R_NETWORK,
		    "network \"%s\" is chain %llu, offer says %llu", p->network,
		    (unsigned long long)net.chain_id,
		    (unsigned long long)o->chain_id);
	w->dom.name = o->name;
	w->dom.name_len = strlen(o->name);
	w->dom.version = o->version;
	w->dom.version_len = strlen(o->version);
	w->dom.chain_id = o->chain_id;
	if (hex_decode_fixed(o->asset, w->dom.contract, HEX_ADDR_LEN) == -1 ||
	    hex_decode_fixed(o->pay_to, w->pay_to, HEX_ADDR_LEN) == -1 ||
	    u256_from_dec(o->amount, w->amount) == -1)
		return x402_verify_no(v, X402_R_UNEXPECTED,
		    "offer %zu is misconfigured (asset, payTo or amount)",
		    v->offer_index);
	return 0;
}

/*
 * 5: a 65-byte EOA signature over the EIP-712 digest built from our
 * domain, low s (as USDC's ecrecover), recovering to authorization.from.
 * The signer is recovered first, without the low-s rule, to report who
 * signed.  0 fine; 1 refused, and v->wallet set when the signature is
 * simply not an EOA's of from (another length, a v no EOA uses, no
 * signer, another signer): a contract wallet's, maybe.  A signature that
 * recovers to from with a high s is an EOA's the token refuses: refused.
 * A malformed ERC-6492 wrapper is refused (free, no chain asked).
 */
static int
x402_verify_signature(const struct x402_payment *p, const struct x402_offer *o,
    struct x402_verdict *v, const struct x402_verify_offer *w)
{
	const struct x402_authorization	*a = &p->auth;
	struct erc6492_sig		 e;
	struct eip712_twa		 twa;
	uint8_t				 digest[32], dsep[32], shash[32];
	char				 addr[HEX_ADDR_STRLEN], why[160];

	if (p->sig_bytes != NULL && erc6492_parse(p->sig_bytes, p->sig_len,
	    &e, why, sizeof(why)) == -1)
		return x402_verify_no(v, X402_R_SIGNATURE, "%s", why);
	v->wallet = 1;
	if (p->sig_len != 65)
		return x402_verify_no(v, X402_R_SIGNATURE,
		    "the %zu-byte signature is no EOA's (65 bytes): a contract "
		    "wallet's, to be proven on chain or by the facilitator",
		    p->sig_len);
	memcpy(twa.from, a->from, sizeof(twa.from));
	memcpy(twa.to, a->to, sizeof(twa.to));
	memcpy(twa.value, a->value, sizeof(twa.value));
	memcpy(twa.valid_after, a->valid_after, sizeof(twa.valid_after));
	memcpy(twa.valid_before, a->valid_before, sizeof(twa.valid_before));
	memcpy(twa.nonce, a->nonce, sizeof(twa.nonce));
	x402_verify_domain(o, &w->dom, dsep);
	eip712_twa_hash(&twa, shash);
	eip712_digest(dsep, shash, digest);
	if (p->sig[64] != 0 && p->sig[64] != 1 && p->sig[64] != 27 &&
	    p->sig[64] != 28)
		return x402_verify_no(v, X402_R_SIGNATURE,
		    "signature v = %u is not 27, 28, 0 or 1", p->sig[64]);
	if (x402_verify_recover(digest, p->sig, 0, v->recovered) == -1)
		return x402_verify_no(v, X402_R_SIGNATURE,
		    "signature does not recover to a public key");
	v->recovered_ok = 1;
	if (memcmp(v->recovered, a->from, HEX_ADDR_LEN) != 0) {
		hex_eip55(v->recovered, addr);
		return x402_verify_no(v, X402_R_SIGNATURE,
		    "signature recovers to %s, not %s", addr, v->payer);
	}
	v->wallet = 0;
	if (memcmp(p->sig + 32, x402_verify_half_n, 32) > 0)
		return x402_verify_no(v, X402_R_SIGNATURE,
		    "signature s is in the upper half of the curve order");
	return 0;
}

/*
 * 6-10: paid to us, inside its time window (USDC compares strictly
 * against block time), the exact price, our asset.  The value is exact in
 * both versions: the v1 spec allows more, but the current facilitators
 * (@x402/evm's v1 path) settle only the exact amount, so an overpayment
 * would get the work done and never settle.  0 fine, 1 refused.
 */
static int
x402_verify_terms(const struct x402_payment *p, const struct x402_offer *o,
    time_t now, struct x402_verdict *v, const struct x402_verify_offer *w)
{
	const struct x402_authorization	*a = &p->auth;
	uint8_t				 t[U256_LEN], asset[HEX_ADDR_LEN];
	uint64_t			 unow;

	if (memcmp(a->to, w->pay_to, HEX_ADDR_LEN) != 0)
		return x402_verify_no(v, X402_R_RECIPIENT,
		    "authorization.to %s is not payTo %s", a->to_hex,
		    o->pay_to);
	unow = now < 0 ? 0 : (uint64_t)now;
	u256_from_u64(unow + X402_VERIFY_SLACK, t);
	if (u256_cmp(a->valid_before, t) < 0)
		return x402_verify_no(v, X402_R_VALID_BEFORE,
		    "validBefore %s is earlier than now + %d (%llu)",
		    a->valid_before_dec, X402_VERIFY_SLACK,
		    (unsigned long long)(unow + X402_VERIFY_SLACK));
	u256_from_u64(unow, t);
	if (u256_cmp(a->valid_after, t) > 0)
		return x402_verify_no(v, X402_R_VALID_AFTER,
		    "validAfter %s is later than now (%llu)",
		    a->valid_after_dec, (unsigned long long)unow);
	if (u256_cmp(a->value, w->amount) != 0)
		return x402_verify_no(v, p->version == 2 ? X402_R_VALUE_V2 :
		    X402_R_VALUE_V1, "value %s is not the price %s",
		    a->value_dec, o->amount);
	/* v1 payloads name no asset; the digest already binds it.  Our
	   asset is w's, decoded once (x402_verify_offer). */
	if (p->version == 2 && (hex_decode_fixed(p->accepted.asset, asset,
	    HEX_ADDR_LEN) == -1 ||
	    memcmp(asset, w->dom.contract, HEX_ADDR_LEN) != 0))
		return x402_verify_no(v, X402_R_ASSET,
		    "asset %s is not %s", p->accepted.asset, o->asset);
	return 0;
}

_Static_assert(sizeof(((struct x402_verdict *)0)->payer) +
    sizeof("payment from  verified") <=
    sizeof(((struct x402_verdict *)0)->message), "verdict message too short");

/*
 * The checks in the reference order (x402.md §6.1); the verdict filled.
 * A signature that may be a contract wallet's (v->wallet) goes on to the
 * terms: one of them failing is the refusal (definite, free); all passing
 * leaves the signature refusal, marked for the proof.
 */
static int
x402_verify_checks(const struct x402_payment *p, const struct x402_offer *o,
    time_t now, struct x402_verdict *v)
{
	struct x402_verify_offer	 w;
	char				 sigmsg[sizeof(v->message)];
	size_t				 n;

	memset(&w, 0, sizeof(w));
	if (x402_verify_offer(p, o, v, &w))
		return 0;
	if (x402_verify_signature(p, o, v, &w)) {
		if (!v->wallet)
			return 0;
		memcpy(sigmsg, v->message, sizeof(sigmsg));
		if (x402_verify_terms(p, o, now, v, &w)) {
			v->wallet = 0;
			return 0;
		}
		x402_verify_no(v, X402_R_SIGNATURE, "%s", sigmsg);
		return 0;
	}
	if (x402_verify_terms(p, o, now, v, &w))
		return 0;
	v->valid = 1;
	v->reason = NULL;
	/* "payment from <payer> verified", without printf on the paid path
	   (the payer's 42 characters fit the message many times over). */
	n = strlen(v->payer);
	memcpy(v->message, "payment from ", 13);
	memcpy(v->message + 13, v->payer, n);
	memcpy(v->message + 13 + n, " verified", sizeof(" verified"));
	return 0;
}

int
x402_verify(const struct x402_payment *p, const struct x402_offer *offers,
    size_t noffers, time_t now, struct x402_verdict *v)
{
	size_t	 i;

	memset(v, 0, sizeof(*v));
	if (p == NULL || (p->version != 1 && p->version != 2)) {
		x402_verify_fail(v, X402_R_UNEXPECTED,
		    "x402_verify: no decoded payment");
		return -1;
	}
	v->auth = p->auth;
	hex_eip55(p->auth.from, v->payer);
	for (i = 0; i < noffers; i++)
		if (x402_verify_match(p, &offers[i]))
			break;
	if (i == noffers)
		return x402_verify_fail(v, X402_R_NO_MATCH,
		    "No matching payment requirements for %s on %s",
		    p->scheme, p->network);
	v->offer = &offers[i];
	v->offer_index = i;
	return x402_verify_checks(p, &offers[i], now, v);
}

int
x402_verify_header(const char *hdr, int version,
    const struct x402_offer *offers, size_t noffers, time_t now,
    struct x402_payment *pay, struct x402_verdict *v)
{
	struct sf_err	 err;

	sf_err_clear(&err);
	if (x402_payment_decode(hdr, version, pay, &err) == -1) {
		memset(v, 0, sizeof(*v));
		x402_verify_fail(v, err.status >= 500 ? X402_R_UNEXPECTED :
		    strcmp(err.code, X402_R_INVALID_VERSION) == 0 ?
		    X402_R_INVALID_VERSION : X402_R_INVALID_PAYLOAD,
		    "%s", err.message);
		return err.status >= 500 ? -1 : 0;
	}
	return x402_verify(pay, offers, noffers, now, v);
}
