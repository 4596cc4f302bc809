#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "basics/b58.h"
#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "validate/val_json.h"
#include "x402/evm/eip191.h"
#include "x402/siwx.h"
#include "x402/siwx_msg.h"

static pthread_once_t	siwx_once = PTHREAD_ONCE_INIT;
static int		siwx_sodium = -1;

static void
siwx_sodium_init(void)
{

	siwx_sodium = sodium_init() < 0 ? -1 : 0;
}

/* --- verification --------------------------------------------------- */

struct siwx_payload {
	cJSON			*root;
	struct siwx_fields	 f;
	const char		*type;
	const char		*signature;
	const char		*res[SIWX_RESOURCES_MAX];
};

static int
siwx_fail(struct siwx_verdict *v, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
siwx_fail(struct siwx_verdict *v, const char *reason, const char *fmt, ...)
{
	va_list	 ap;

	v->valid = 0;
	v->reason = reason;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
	v->address[0] = v->chain_id[0] = '\0';
	return -1;
}

/* cJSON keeps duplicate keys and returns the first; JS keeps the last. */
static int
siwx_nodup(const cJSON *o)
{
	const cJSON	*a, *b;

	for (a = o->child; a != NULL; a = a->next)
		for (b = a->next; b != NULL; b = b->next)
			if (strcmp(a->string, b->string) == 0)
				return -1;
	return 0;
}

/* A string member: 0 (set, or NULL when absent and optional) or -1. */
static int
siwx_str(const cJSON *o, const char *k, int required, const char **out)
{
	const cJSON	*j = cJSON_GetObjectItemCaseSensitive(o, k);

	*out = NULL;
	if (j == NULL)
		return required ? -1 : 0;
	if (!cJSON_IsString(j) || j->valuestring == NULL)
		return -1;
	*out = j->valuestring;
	return 0;
}

/*
 * parseSIWxHeader(): base64, JSON, SIWxPayloadSchema (zod: the strings,
 * type and signatureScheme enums, resources an array of strings; other
 * keys ignored).  Stricter: padded base64 only, UTF-8, no duplicate keys,
 * no "\u0000", at most SIWX_RESOURCES_MAX resources.  0, or -1 with the
 * verdict filled (p->root, maybe NULL, is the caller's to free).
 */
static int
siwx_parse(const char *hdr, struct siwx_payload *p, struct siwx_verdict *v)
{
	unsigned char	*json;
	const char	*scheme = NULL;
	const cJSON	*r, *it;
	struct val_json	 vj;
	struct sf_err	 e;
	size_t		 len, n = 0;
	int		 rc;

	memset(p, 0, sizeof(*p));
	if (hdr == NULL || *hdr == '\0')
		return siwx_fail(v, SIWX_R_HEADER, "no SIGN-IN-WITH-X header");
	if (strlen(hdr) > SIWX_HDR_MAX)
		return siwx_fail(v, SIWX_R_HEADER, "SIGN-IN-WITH-X is longer "
		    "than %d bytes", SIWX_HDR_MAX);
	if ((json = b64_decode(hdr, &len)) == NULL)
		return siwx_fail(v, SIWX_R_HEADER,
		    "SIGN-IN-WITH-X is not padded base64");
	/* The request body's strict parse: RFC 8259, UTF-8, no U+0000. */
	rc = val_json_parse((char *)json, len, &vj, &e);
	free(json);
	if (rc == -1 || vj.flags != 0 || vj.tree == NULL) {
		if (rc == 0)
			val_json_free(&vj);
		return siwx_fail(v, SIWX_R_HEADER,
		    "SIGN-IN-WITH-X is not base64 of UTF-8 JSON");
	}
	p->root = vj.tree;
	r = p->root;
	if (!cJSON_IsObject(r) || siwx_nodup(r) == -1 ||
	    siwx_str(r, "domain", 1, &p->f.domain) == -1 ||
	    siwx_str(r, "address", 1, &p->f.address) == -1 ||
	    siwx_str(r, "statement", 0, &p->f.statement) == -1 ||
	    siwx_str(r, "uri", 1, &p->f.uri) == -1 ||
	    siwx_str(r, "version", 1, &p->f.version) == -1 ||
	    siwx_str(r, "chainId", 1, &p->f.chain_id) == -1 ||
	    siwx_str(r, "type", 1, &p->type) == -1 ||
	    siwx_str(r, "nonce", 1, &p->f.nonce) == -1 ||
	    siwx_str(r, "issuedAt", 1, &p->f.issued_at) == -1 ||
	    siwx_str(r, "expirationTime", 0, &p->f.expiration_time) == -1 ||
	    siwx_str(r, "notBefore", 0, &p->f.not_before) == -1 ||
	    siwx_str(r, "requestId", 0, &p->f.request_id) == -1 ||
	    siwx_str(r, "signatureScheme", 0, &scheme) == -1 ||
	    siwx_str(r, "signature", 1, &p->signature) == -1)
		return siwx_fail(v, SIWX_R_HEADER, "SIGN-IN-WITH-X lacks a "
		    "field of the sign-in-with-x payload, or one is not a "
		    "string");
	if (strcmp(p->type, "eip191") != 0 && strcmp(p->type, "ed25519") != 0)
		return siwx_fail(v, SIWX_R_HEADER,
		    "type must be \"eip191\" or \"ed25519\"");
	if (scheme != NULL && strcmp(scheme, "eip191") != 0 &&
	    strcmp(scheme, "eip1271") != 0 && strcmp(scheme, "eip6492") != 0 &&
	    strcmp(scheme, "siws") != 0)
		return siwx_fail(v, SIWX_R_HEADER, "signatureScheme must be "
		    "eip191, eip1271, eip6492 or siws");
	if ((it = cJSON_GetObjectItemCaseSensitive(r, "resources")) != NULL) {
		if (!cJSON_IsArray(it))
			return siwx_fail(v, SIWX_R_HEADER,
			    "resources must be an array of strings");
		for (it = it->child; it != NULL; it = it->next) {
			if (!cJSON_IsString(it) || it->valuestring == NULL)
				return siwx_fail(v, SIWX_R_HEADER, "resources "
				    "must be an array of strings");
			if (n == SIWX_RESOURCES_MAX)
				return siwx_fail(v, SIWX_R_HEADER, "more than "
				    "%d resources", SIWX_RESOURCES_MAX);
			p->res[n++] = it->valuestring;
		}
		p->f.resources = p->res;
		p->f.nresources = n;
	}
	return 0;
}

/* validateSIWxMessage(): origin, then the clock.  0 ok, -1 refused. */
static int
siwx_validate(const struct siwx_config *c, const struct siwx_fields *f,
    int64_t now, struct siwx_verdict *v)
{
	char	 o[256], h[256];
	int64_t	 t;

	if (strcmp(f->domain, c->host) != 0)
		return siwx_fail(v, SIWX_R_DOMAIN, "domain \"%.64s\" is not "
		    "ours (%.64s)", f->domain, c->host);
	if (siwx_origin(f->uri, o, sizeof(o), h, sizeof(h), NULL) == -1 ||
	    strcmp(o, c->origin) != 0)
		return siwx_fail(v, SIWX_R_URI, "uri \"%.96s\" is not at our "
		    "origin %.64s", f->uri, c->origin);
	if (siwx_msg_time(f->issued_at, &t) == -1)
		return siwx_fail(v, SIWX_R_ISSUED_AT,
		    "issuedAt is not an RFC 3339 date-time");
	v->issued_ms = t;
	if (now - t > c->ttl_ms)
		return siwx_fail(v, SIWX_R_TOO_OLD, "issuedAt is %lld s old, "
		    "more than %lld s", (long long)((now - t) / 1000),
		    (long long)(c->ttl_ms / 1000));
	if (t - now > c->skew_ms)
		return siwx_fail(v, SIWX_R_IN_FUTURE,
		    "issuedAt is in the future");
	if (f->expiration_time != NULL && *f->expiration_time != '\0') {
		if (siwx_msg_time(f->expiration_time, &t) == -1)
			return siwx_fail(v, SIWX_R_EXPIRATION, "expirationTime "
			    "is not an RFC 3339 date-time");
		v->expires_ms = t;
		if (t < now)
			return siwx_fail(v, SIWX_R_EXPIRED,
			    "the sign-in expired");
	}
	if (f->not_before != NULL && *f->not_before != '\0') {
		if (siwx_msg_time(f->not_before, &t) == -1)
			return siwx_fail(v, SIWX_R_NOT_BEFORE, "notBefore is "
			    "not an RFC 3339 date-time");
		if (t - now > c->skew_ms)
			return siwx_fail(v, SIWX_R_NOT_YET,
			    "notBefore is in the future");
	}
	return 0;
}

/* No C0 control character or DEL. */
static int
siwx_ctl_free(const char *s)
{

	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/*
 * Solana fields: what the official verifier leaves unchecked and we do
 * not take either.  0 or -1 with the verdict.
 */
static int
siwx_siws_fields(const struct siwx_payload *p, struct siwx_verdict *v)
{
	const struct siwx_fields	*f = &p->f;
	const char			*all[11];
	size_t				 i;

	all[0] = f->domain; all[1] = f->address; all[2] = f->statement;
	all[3] = f->uri; all[4] = f->version; all[5] = f->chain_id;
	all[6] = f->nonce; all[7] = f->issued_at; all[8] = f->expiration_time;
	all[9] = f->not_before; all[10] = f->request_id;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!siwx_ctl_free(all[i]))
			return siwx_fail(v, SIWX_R_MESSAGE, "a field holds a "
			    "control character");
	if (strcmp(f->version, "1") != 0)
		return siwx_fail(v, SIWX_R_MESSAGE,
		    "version must be \"1\"");
	if (!siwx_msg_is_uri(f->uri))
		return siwx_fail(v, SIWX_R_MESSAGE,
		    "uri is not an RFC 3986 URI");
	for (i = 0; i < f->nresources; i++)
		if (!siwx_ctl_free(f->resources[i]) ||
		    !siwx_msg_is_uri(f->resources[i]))
			return siwx_fail(v, SIWX_R_MESSAGE, "resources[%zu] is "
			    "not an RFC 3986 URI", i);
	return 0;
}

/* ed25519 over the SIWS text.  0 valid, -1 refused (verdict set). */
static int
siwx_svm_sig(const struct siwx_payload *p, const struct buf *m,
    struct siwx_verdict *v)
{
	uint8_t	 sig[64], pk[32];

	if (b58_decode_fixed(p->signature, sig, sizeof(sig)) == -1)
		return siwx_fail(v, SIWX_R_MALFORMED_SIG,
		    "signature is not base58 of 64 bytes");
	if (b58_decode_fixed(p->f.address, pk, sizeof(pk)) == -1)
		return siwx_fail(v, SIWX_R_MALFORMED_SIG,
		    "address is not base58 of 32 bytes");
	/* libsodium refuses small-order keys and R, and S >= L. */
	if (crypto_sign_verify_detached(sig, (const unsigned char *)m->p,
	    m->len, pk) != 0)
		return siwx_fail(v, SIWX_R_SIGNATURE,
		    "Solana signature verification failed");
	snprintf(v->address, sizeof(v->address), "%s", p->f.address);
	return 0;
}

/*
 * EIP-191 over the EIP-4361 text: recover the EOA; else ask the
 * contract-wallet hook.  0 valid, -1 refused, -2 the hook failed.
 */
static int
siwx_evm_sig(const struct siwx_config *c, const struct siwx_payload *p,
    const struct buf *m, struct siwx_verdict *v)
{
	uint8_t		 claimed[HEX_ADDR_LEN], got[HEX_ADDR_LEN], digest[32];
	uint8_t		*sig;
	size_t		 siglen;
	int		 r, rc = -1;

	if ((sig = malloc(SIWX_SIG_MAX)) == NULL)
		return -3;
	/* siwx_msg_siwe() has checked the address. */
	if (hex_decode_fixed(p->f.address, claimed, sizeof(claimed)) == -1 ||
	    hex_decode(p->signature, sig, SIWX_SIG_MAX, &siglen) == -1) {
		siwx_fail(v, SIWX_R_SIGNATURE,
		    "signature is not 0x-hex of at most %d bytes",
		    SIWX_SIG_MAX);
		goto out;
	}
	if (eip191_recover(m->p, m->len, sig, siglen, got) == 0 &&
	    memcmp(got, claimed, sizeof(got)) == 0)
		rc = 0;
	else if (c->contract.verify == NULL)
		siwx_fail(v, SIWX_R_SIGNATURE, "signature does not recover to "
		    "the address (EOA; contract wallets are not verified here)");
	else {
		eip191_hash(m->p, m->len, digest);
		r = c->contract.verify(c->contract.ctx, p->f.chain_id, claimed,
		    m->p, m->len, digest, sig, siglen);
		if (r == 1) {
			v->contract = 1;
			rc = 0;
		} else if (r == 0)
			siwx_fail(v, SIWX_R_SIGNATURE, "neither the address nor "
			    "its contract wallet signed this message");
		else {
			siwx_fail(v, SIWX_R_VERIFIER, "the contract-wallet "
			    "verifier could not decide");
			rc = -2;
		}
	}
	if (rc == 0)
		hex_eip55(claimed, v->address);
out:
	free(sig);
	return rc;
}

/* Our chain, with its family's signature type? */
static const struct siwx_chain *
siwx_chain_of(const struct siwx_config *c, const struct siwx_payload *p,
    struct siwx_verdict *v)
{
	size_t	 i;

	for (i = 0; i < c->nchains; i++)
		if (strcmp(c->chains[i].id, p->f.chain_id) == 0)
			break;
	if (i == c->nchains) {
		siwx_fail(v, SIWX_R_CHAIN, "chainId \"%.80s\" is not one we "
		    "offered", p->f.chain_id);
		return NULL;
	}
	if (strcmp(p->type, siwx_type(c->chains[i].family)) != 0) {
		siwx_fail(v, SIWX_R_CHAIN, "type \"%s\" is not the signature "
		    "type of %s", p->type, c->chains[i].id);
		return NULL;
	}
	return &c->chains[i];
}

static int
siwx_nonce_shape(const char *s)
{
	size_t	 i;

	for (i = 0; i < SIWX_NONCE_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}

int
siwx_verify(const struct siwx_config *c, const char *hdr, int64_t now_ms,
    struct siwx_verdict *v, struct sf_err *err)
{
	struct siwx_payload		 p;
	const struct siwx_chain		*ch;
	struct buf			 m;
	struct sf_err			 merr;
	int				 rc = 0, r;

	memset(v, 0, sizeof(*v));
	buf_init(&m);
	if (pthread_once(&siwx_once, siwx_sodium_init) != 0 ||
	    siwx_sodium == -1)
		return sf_err_set(err, 500, "crypto_init", NULL,
		    "libsodium failed to initialise");
	if (siwx_parse(hdr, &p, v) == -1 ||
	    siwx_validate(c, &p.f, now_ms, v) == -1 ||
	    (ch = siwx_chain_of(c, &p, v)) == NULL)
		goto out;
	if (ch->family == NET_EVM) {
		if (siwx_msg_siwe(&p.f, &m, &merr) == -1) {
			if (merr.status == 500)
				goto oom;
			siwx_fail(v, SIWX_R_MESSAGE, "%s", merr.message);
			goto out;
		}
		if ((r = siwx_evm_sig(c, &p, &m, v)) == -3)
			goto oom;
		if (r == -2) {
			rc = sf_err_set(err, 503, "siwx_verifier_unavailable",
			    NULL, "the contract-wallet verifier could not "
			    "decide; try again shortly");
			goto out;
		}
		if (r == -1)
			goto out;
	} else {
		if (siwx_siws_fields(&p, v) == -1)
			goto out;
		if (siwx_msg_siws(&p.f, &m, &merr) == -1)
			goto oom;
		if (siwx_svm_sig(&p, &m, v) == -1)
			goto out;
	}
	/* Last: a header that fails anything above uses no nonce up. */
	r = siwx_nonce_shape(p.f.nonce) ?
	    c->nonces.consume(c->nonces.ctx, p.f.nonce, now_ms) : 0;
	if (r != 1) {
		siwx_fail(v, SIWX_R_NONCE, "nonce was not issued by us, has "
		    "expired or was used already");
		if (r == -1)
			rc = sf_err_set(err, 503, "siwx_store_unavailable",
			    NULL, "sign-in-with-x: the nonce store failed; "
			    "try again shortly");
		goto out;
	}
	v->valid = 1;
	v->reason = NULL;
	v->message[0] = '\0';
	v->family = ch->family;
	snprintf(v->chain_id, sizeof(v->chain_id), "%s", ch->id);
	goto out;
oom:
	siwx_fail(v, SIWX_R_VERIFIER, "out of memory");
	rc = sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
out:
	buf_free(&m);
	cJSON_Delete(p.root);
	return rc;
}
