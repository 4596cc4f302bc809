/*
 * Sign-In-With-X (x402/siwx.h, siwx_msg.h, evm/eip191.h) against vectors
 * the official @x402/extensions 2.27.0 made (siwx_vectors.h, written by
 * tests/vectors/siwx_vectors.mjs): the challenge it builds, the messages
 * it prints, the headers its client signs; then the clock boundaries, the
 * order of the checks, single use of the nonce, the store and the
 * contract-wallet hook failing.  The wide comparison with the official
 * verifier is tests/diff/siwx_diff.mjs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "siwx_vectors.h"

#include "basics/b58.h"
#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/msg.h"
#include "x402/evm/eip191.h"
#include "x402/siwx.h"
#include "x402/siwx_msg.h"

#define NV	(sizeof(siwx_vecs) / sizeof(siwx_vecs[0]))

/* --- an in-memory nonce store ----------------------------------------- */

struct store {
	char	 nonce[16][SIWX_NONCE_LEN + 1];
	int64_t	 expires[16];
	int	 used[16];
	int	 n;
	int	 fail_issue, fail_consume;
	int	 consumed;		/* consume() calls */
	char	 last_issued[SIWX_NONCE_LEN + 1];
	int64_t	 last_expires;
};

static int
st_issue(void *ctx, const char *nonce, int64_t expires)
{
	struct store	*s = ctx;

	if (s->fail_issue || s->n == 16)
		return -1;
	snprintf(s->nonce[s->n], sizeof(s->nonce[0]), "%s", nonce);
	s->expires[s->n] = expires;
	s->used[s->n++] = 0;
	snprintf(s->last_issued, sizeof(s->last_issued), "%s", nonce);
	s->last_expires = expires;
	return 0;
}

static int
st_consume(void *ctx, const char *nonce, int64_t now)
{
	struct store	*s = ctx;
	int		 i;

	s->consumed++;
	if (s->fail_consume)
		return -1;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->nonce[i], nonce) == 0) {
			if (s->used[i] || s->expires[i] <= now)
				return 0;
			s->used[i] = 1;
			return 1;
		}
	return 0;
}

static struct store	 st;

/* Forget everything, then hold the vectors' nonces as issued. */
static void
st_reset(void)
{
	size_t	 i;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < NV; i++)
		st_issue(&st, siwx_vecs[i].nonce, SIWX_VEC_NOW_MS + 3600000);
}

/* --- a contract-wallet hook that records what it was asked ------------ */

struct hook {
	int	 answer;
	int	 calls;
	char	 chain[72];
	uint8_t	 addr[20];
	uint8_t	 digest[32];
	char	 msg[2048];
	size_t	 siglen;
};

static int
hk_verify(void *ctx, const char *chain, const uint8_t addr[20],
    const char *msg, size_t msglen, const uint8_t digest[32],
    const uint8_t *sig, size_t siglen)
{
	struct hook	*h = ctx;

	(void)sig;
	h->calls++;
	snprintf(h->chain, sizeof(h->chain), "%s", chain);
	memcpy(h->addr, addr, 20);
	memcpy(h->digest, digest, 32);
	snprintf(h->msg, sizeof(h->msg), "%.*s", (int)msglen, msg);
	h->siglen = siglen;
	return h->answer;
}

/* --- helpers ----------------------------------------------------------- */

static const struct siwx_vec *
vec(const char *name)
{
	size_t	 i;

	for (i = 0; i < NV; i++)
		if (strcmp(siwx_vecs[i].name, name) == 0)
			return &siwx_vecs[i];
	fprintf(stderr, "no vector %s\n", name);
	exit(2);
}

static void
config(struct siwx_config *c)
{
	const char			*nets[] = { "base-sepolia", "solana-devnet" };
	struct siwx_nonce_store		 s = { &st, st_issue, st_consume };
	struct sf_err			 err;

	if (siwx_config_init(c, SIWX_VEC_ORIGIN "/", nets, 2, &s, &err) == -1) {
		fprintf(stderr, "config: %s\n", err.message);
		exit(2);
	}
	snprintf(c->statement, sizeof(c->statement), "%s", SIWX_VEC_STATEMENT);
}

static cJSON *
decode(const char *hdr)
{
	unsigned char	*j;
	cJSON		*o;

	if ((j = b64_decode(hdr, NULL)) == NULL)
		return NULL;
	o = cJSON_Parse((char *)j);
	free(j);
	return o;
}

/* Base64 of the JSON, malloc'd. */
static char *
encode(const cJSON *o)
{
	struct buf	 b;
	char		*t = cJSON_PrintUnformatted(o);

	buf_init(&b);
	b64_encode(t, strlen(t), &b);
	free(t);
	return buf_steal(&b, NULL);
}

/* A vector's payload with one string member set (NULL: removed). */
static char *
edited(const char *name, const char *key, const char *val)
{
	cJSON	*o = decode(vec(name)->header);
	char	*h;

	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	if (val != NULL)
		cJSON_AddStringToObject(o, key, val);
	h = encode(o);
	cJSON_Delete(o);
	return h;
}

static struct siwx_verdict
verify(const struct siwx_config *c, const char *hdr, int64_t now, int *rc,
    struct sf_err *err)
{
	struct siwx_verdict	 v;
	struct sf_err		 e;

	*rc = siwx_verify(c, hdr, now, &v, err != NULL ? err : &e);
	return v;
}

/* Verify at now with fresh nonces; the reason ("ok" when valid). */
static const char *
reason_at(struct siwx_config *c, const char *hdr, int64_t now)
{
	struct siwx_verdict	 v;
	int			 rc;

	st_reset();
	c->nonces.ctx = &st;
	v = verify(c, hdr, now, &rc, NULL);
	if (rc != 0)
		return "rc=-1";
	return v.valid ? "ok" : v.reason;
}

static void
fields_of(const cJSON *o, struct siwx_fields *f, const char **res)
{
	const cJSON	*r, *it;
	size_t		 n = 0;

#define S(k) (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, k)) ? \
	cJSON_GetObjectItemCaseSensitive(o, k)->valuestring : NULL)
	memset(f, 0, sizeof(*f));
	f->domain = S("domain");
	f->address = S("address");
	f->statement = S("statement");
	f->uri = S("uri");
	f->version = S("version");
	f->chain_id = S("chainId");
	f->nonce = S("nonce");
	f->issued_at = S("issuedAt");
	f->expiration_time = S("expirationTime");
	f->not_before = S("notBefore");
	f->request_id = S("requestId");
#undef S
	if ((r = cJSON_GetObjectItemCaseSensitive(o, "resources")) != NULL) {
		cJSON_ArrayForEach(it, r)
			res[n++] = it->valuestring;
		f->resources = res;
		f->nresources = n;
	}
}

/* --- the tests --------------------------------------------------------- */

static void
test_origin(void)
{
	static const struct { const char *url, *origin, *host; } ok[] = {
		{ "https://api.example.com", "https://api.example.com", "api.example.com" },
		{ "HTTPS://API.Example.COM:443/x?y#z", "https://api.example.com", "api.example.com" },
		{ "http://127.0.0.1:8080/prefix/", "http://127.0.0.1:8080", "127.0.0.1:8080" },
		{ "http://h:80", "http://h", "h" },
		{ "https://h:80", "https://h:80", "h:80" },
		{ "http://h:08080", "http://h:8080", "h:8080" },
		{ "https://h:", "https://h", "h" },
		{ "http://[0:0:0:0:0:0:0:1]:9000/", "http://[::1]:9000", "[::1]:9000" },
		{ "http://[::ffff:1.2.3.4]/", "http://[::ffff:102:304]", "[::ffff:102:304]" },
		{ "https://[2001:DB8:0:0:0:0:0:1]:443", "https://[2001:db8::1]", "[2001:db8::1]" },
		{ "http://[1:0:1:0:0:1:0:0]", "http://[1:0:1::1:0:0]", "[1:0:1::1:0:0]" },
		{ "http://[1:0:0:0:0:0:0:0]", "http://[1::]", "[1::]" },
		{ "http://[::]", "http://[::]", "[::]" },
		{ "http://[1:2:3:4:5:6:0:8]", "http://[1:2:3:4:5:6:0:8]", "[1:2:3:4:5:6:0:8]" },
	};
	static const char *bad[] = { "ftp://h", "https://", "https://user@h/", "https://h:65536",
	    "https://h h", "https:h", "https://h%41", "https://[::g]/", "//h", "https://h:8a" };
	char	 o[256], h[256];
	size_t	 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		TAP_OK(siwx_origin(ok[i].url, o, sizeof(o), h, sizeof(h), NULL) == 0,
		    "origin of %s", ok[i].url);
		TAP_STREQ(o, ok[i].origin, "  its origin");
		TAP_STREQ(h, ok[i].host, "  its host");
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_OK(siwx_origin(bad[i], o, sizeof(o), h, sizeof(h), NULL) == -1,
		    "no origin for %s", bad[i]);
	TAP_OK(siwx_origin("https://a.example.com", o, 10, h, sizeof(h), NULL) == -1,
	    "origin too long for its buffer: refused");
}

static void
test_config(void)
{
	struct siwx_nonce_store	 s = { &st, st_issue, st_consume }, none = { 0 };
	struct siwx_config	 c;
	struct sf_err		 err;
	const char		*nets[] = { "base-sepolia", "eip155:84532", "solana-devnet", "solana" };
	const char		*badnet[] = { "dogecoin" };

	TAP_OK(siwx_config_init(&c, "https://x.example", nets, 4, &s, &err) == 0,
	    "config with four networks");
	TAP_OK(c.nchains == 3, "  a network named twice is offered once (%zu)", c.nchains);
	TAP_STREQ(c.chains[0].id, "eip155:84532", "  CAIP-2 ids, in order");
	TAP_STREQ(c.chains[1].id, "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1", "  solana-devnet");
	TAP_STREQ(c.chains[2].id, "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "  solana");
	TAP_OK(c.ttl_ms == SIWX_TTL_DEFAULT && c.skew_ms == SIWX_SKEW_DEFAULT &&
	    c.contract.verify == NULL && c.statement[0] == '\0', "  defaults");
	TAP_OK(siwx_config_init(&c, "https://x.example", badnet, 1, &s, &err) == -1 &&
	    err.status == 500, "unknown network refused: %s", err.message);
	TAP_OK(siwx_config_init(&c, "https://x.example", nets, 0, &s, &err) == -1,
	    "no network refused");
	TAP_OK(siwx_config_init(&c, "https://x.example", nets, 1, &none, &err) == -1,
	    "no nonce store refused");
	TAP_OK(siwx_config_init(&c, "ftp://x.example", nets, 1, &s, &err) == -1 &&
	    strcmp(err.field, "PUBLIC_URL") == 0, "PUBLIC_URL without an http(s) origin refused");
}

static void
test_challenge(void)
{
	struct siwx_config	 c;
	struct sf_err		 err;
	struct msg_resp		 r;
	struct siwx_verdict	 why;
	cJSON			*ext, *info, *pr, *body;
	char			*txt, *p;
	const char		*h;

	st_reset();
	config(&c);
	ext = siwx_extension(&c, SIWX_VEC_RESOURCE, SIWX_VEC_NOW_MS, &err);
	TAP_OK(ext != NULL, "extension built");
	info = cJSON_GetObjectItemCaseSensitive(ext, "info");
	TAP_OK(strlen(st.last_issued) == SIWX_NONCE_LEN && strcmp(st.last_issued,
	    cJSON_GetObjectItemCaseSensitive(info, "nonce")->valuestring) == 0,
	    "  its nonce went to the store (%s)", st.last_issued);
	TAP_OK(st.last_expires == SIWX_VEC_NOW_MS + c.ttl_ms + c.skew_ms,
	    "  usable until the expiry plus the skew");
	/* The official builder's document, but for the random nonce. */
	txt = cJSON_PrintUnformatted(ext);
	if ((p = strstr(txt, st.last_issued)) != NULL)
		memcpy(p, "abababababababababababababababab", SIWX_NONCE_LEN);
	TAP_STREQ(txt, siwx_vec_extension,
	    "  byte for byte createSIWxResourceServerExtension's challenge");
	free(txt);
	cJSON_Delete(ext);

	TAP_OK(siwx_extension(&c, "ftp://x/y", SIWX_VEC_NOW_MS, &err) == NULL &&
	    err.status == 500, "a resource that is no http(s) URL: 500");
	TAP_OK(siwx_extension(&c, "https://h/a b", SIWX_VEC_NOW_MS, &err) == NULL,
	    "a resource path that is no URI: refused");
	st.fail_issue = 1;
	TAP_OK(siwx_extension(&c, SIWX_VEC_RESOURCE, SIWX_VEC_NOW_MS, &err) == NULL &&
	    err.status == 503 && strcmp(err.code, "siwx_store_unavailable") == 0,
	    "the store cannot record the nonce: 503, no challenge");
	st.fail_issue = 0;
	snprintf(c.statement, sizeof(c.statement), "two\nlines");
	TAP_OK(siwx_extension(&c, SIWX_VEC_RESOURCE, SIWX_VEC_NOW_MS, &err) == NULL,
	    "a statement EIP-4361 forbids is a configuration error");
	config(&c);

	ext = siwx_extension(&c, "https://api.example.com", SIWX_VEC_NOW_MS, &err);
	info = cJSON_GetObjectItemCaseSensitive(ext, "info");
	TAP_STREQ(cJSON_GetObjectItemCaseSensitive(info, "uri")->valuestring,
	    "https://api.example.com/", "a resource without a path gets \"/\" (URL.pathname)");
	cJSON_Delete(ext);
	ext = siwx_extension(&c, "http://other.example:81/v1/jobs?x=1#frag",
	    SIWX_VEC_NOW_MS, &err);
	info = cJSON_GetObjectItemCaseSensitive(ext, "info");
	TAP_STREQ(cJSON_GetObjectItemCaseSensitive(info, "uri")->valuestring,
	    "https://api.example.com/v1/jobs?x=1",
	    "the resource's path and query on our origin, no fragment (rebaseResourcePath)");
	cJSON_Delete(ext);
	c.statement[0] = '\0';
	ext = siwx_extension(&c, SIWX_VEC_RESOURCE, SIWX_VEC_NOW_MS, &err);
	info = cJSON_GetObjectItemCaseSensitive(ext, "info");
	TAP_OK(cJSON_GetObjectItemCaseSensitive(info, "statement") == NULL,
	    "no statement configured: none in the challenge");
	cJSON_Delete(ext);

	config(&c);
	msg_resp_init(&r);
	TAP_OK(siwx_challenge(&r, &c, SIWX_VEC_RESOURCE, "Your jobs", NULL,
	    SIWX_VEC_NOW_MS, &err) == 0 && r.status == 402, "challenge: 402");
	h = msg_resp_get_header(&r, "PAYMENT-REQUIRED");
	pr = h != NULL ? decode(h) : NULL;
	TAP_OK(pr != NULL, "  PAYMENT-REQUIRED is base64 JSON");
	TAP_OK(cJSON_GetObjectItemCaseSensitive(pr, "x402Version")->valueint == 2 &&
	    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(pr, "accepts")) &&
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pr, "accepts")) == 0,
	    "  x402Version 2, accepts: []");
	TAP_STREQ(cJSON_GetObjectItemCaseSensitive(pr, "error")->valuestring,
	    "sign_in_required", "  error sign_in_required");
	TAP_STREQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pr,
	    "resource"), "url")->valuestring, SIWX_VEC_RESOURCE, "  resource.url");
	TAP_OK(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pr,
	    "extensions"), SIWX_EXT) != NULL, "  extensions[\"sign-in-with-x\"]");
	TAP_STREQ(msg_resp_get_header(&r, "Cache-Control"), "no-store", "  Cache-Control: no-store");
	body = cJSON_Parse(r.body);
	TAP_STREQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body,
	    "error"), "code")->valuestring, "sign_in_required", "  our error body");
	cJSON_Delete(body);
	cJSON_Delete(pr);
	msg_resp_free(&r);

	memset(&why, 0, sizeof(why));
	why.reason = SIWX_R_EXPIRED;
	snprintf(why.message, sizeof(why.message), "the sign-in expired");
	msg_resp_init(&r);
	siwx_challenge(&r, &c, SIWX_VEC_RESOURCE, "Your jobs", &why, SIWX_VEC_NOW_MS, &err);
	body = cJSON_Parse(r.body);
	TAP_STREQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body,
	    "error"), "code")->valuestring, SIWX_R_EXPIRED, "a refused sign-in: its reason in the body");
	pr = decode(msg_resp_get_header(&r, "PAYMENT-REQUIRED"));
	TAP_STREQ(cJSON_GetObjectItemCaseSensitive(pr, "error")->valuestring, SIWX_R_EXPIRED,
	    "  and in the new challenge");
	cJSON_Delete(pr);
	cJSON_Delete(body);
	msg_resp_free(&r);
}

static void
test_messages(void)
{
	struct siwx_fields	 f;
	struct buf		 b;
	struct sf_err		 err;
	const char		*res[8];
	uint8_t			 d[32], want[32];
	size_t			 i;
	cJSON			*o;
	int			 rc;

	for (i = 0; i < NV; i++) {
		o = decode(siwx_vecs[i].header);
		fields_of(o, &f, res);
		buf_init(&b);
		if (strncmp(siwx_vecs[i].chain, "eip155:", 7) == 0)
			rc = siwx_msg_siwe(&f, &b, &err);
		else
			rc = siwx_msg_siws(&f, &b, &err);
		TAP_OK(rc == 0, "%s: message built", siwx_vecs[i].name);
		TAP_STREQ(b.p, siwx_vecs[i].message, "  as createSIWxMessage prints it");
		if (*siwx_vecs[i].digest != '\0') {
			eip191_hash(b.p, b.len, d);
			hex_decode_fixed(siwx_vecs[i].digest, want, 32);
			TAP_OK(memcmp(d, want, 32) == 0, "  EIP-191 hash as viem hashMessage");
		}
		buf_free(&b);
		cJSON_Delete(o);
	}
	/* The address as SiweMessage prints it. */
	o = decode(vec("evm_hook")->header);
	fields_of(o, &f, res);
	f.address = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
	buf_init(&b);
	TAP_OK(siwx_msg_siwe(&f, &b, &err) == 0 && strcmp(b.p, vec("evm_hook")->message) == 0,
	    "a lower-case address is printed EIP-55 (SiweMessage checksums it)");
	buf_reset(&b);
	f.address = "0xf39fd6e51aad88f6f4ce6ab8827279cffFb92266";
	TAP_OK(siwx_msg_siwe(&f, &b, &err) == -1 && strcmp(err.field, "address") == 0 &&
	    strcmp(err.code, "invalid_siwx_message") == 0 && err.status == 402,
	    "mixed case with a wrong checksum: refused, field address");
	f.address = vec("evm_hook")->address;
	f.statement = "a \"quoted\" statement";
	TAP_OK(siwx_msg_siwe(&f, &b, &err) == -1 && strcmp(err.field, "statement") == 0,
	    "a statement EIP-4361 forbids: refused");
	f.statement = NULL;
	f.chain_id = "eip155:9007199254740992";
	TAP_OK(siwx_msg_siwe(&f, &b, &err) == -1 && strcmp(err.field, "chainId") == 0,
	    "a chain id beyond 2^53-1 (JavaScript would round it): refused");
	f.chain_id = "eip155:0084532";
	buf_reset(&b);
	TAP_OK(siwx_msg_siwe(&f, &b, &err) == 0 && strstr(b.p, "\nChain ID: 84532\n") != NULL,
	    "leading zeros of the chain id dropped (parseInt)");
	buf_free(&b);
	cJSON_Delete(o);
}

static void
test_time(void)
{
	static const struct { const char *s; int64_t ms; } ok[] = {
		{ "2026-01-15T10:30:00.000Z", 1768473000000LL },
		{ "2026-01-15t10:30:00z", 1768473000000LL },
		{ "2026-01-15T11:30:00+01:00", 1768473000000LL },
		{ "2026-01-15T10:30:00.1239Z", 1768473000123LL },
		{ "1970-01-01T00:00:00.5+00:01", -59500LL },
		{ "2024-02-29T00:00:00Z", 1709164800000LL },
		{ "0000-01-01T00:00:00Z", -62167219200000LL },
		{ "9999-12-31T23:59:59.999Z", 253402300799999LL },
	};
	static const char *bad[] = { "2026-01-15T10:30:60Z", "2023-02-29T00:00:00Z",
	    "2026-01-15T24:00:00Z", "2026-01-15T10:30Z", "2026-01-15", "2026-01-15T10:30:00",
	    "2026-01-15T10:30:00.Z", "2026-01-15T10:30:00+0100", "2026-01-15T10:30:00+24:00",
	    " 2026-01-15T10:30:00Z", "2026-01-15T10:30:00Z ", "2026-13-01T00:00:00Z", "" };
	char	 iso[25];
	int64_t	 ms;
	size_t	 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		TAP_OK(siwx_msg_time(ok[i].s, &ms) == 0 && ms == ok[i].ms,
		    "time %s = %lld", ok[i].s, (long long)ok[i].ms);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_OK(siwx_msg_time(bad[i], &ms) == -1, "time \"%s\" refused", bad[i]);
	TAP_OK(siwx_msg_time_iso(1768473000123LL, iso) == 0 &&
	    strcmp(iso, "2026-01-15T10:30:00.123Z") == 0, "toISOString form: %s", iso);
	TAP_OK(siwx_msg_time_iso(-59500LL, iso) == 0 &&
	    strcmp(iso, "1969-12-31T23:59:00.500Z") == 0, "before the epoch: %s", iso);
	TAP_OK(siwx_msg_time_iso(253402300800000LL, iso) == -1, "year 10000 refused");
}

static void
test_uri(void)
{
	static const char *ok[] = { "https://api.example.com/v1/jobs?x=1#f", "urn:isbn:1",
	    "https://[::1]:9/", "https://[v7.a:b]/", "https://u:p@h/", "a:", "https:x",
	    "https://h/%41", "https://h/?q=a/b?c" };
	static const char *bad[] = { "", "https://h/a b", "https://h/%zz", "://x", "1a:b",
	    "https://[::g]/", "https://h/\\", "https://h/é", "https://h/#a#b", "https://h:8a/" };
	size_t	 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		TAP_OK(siwx_msg_is_uri(ok[i]), "URI %s", ok[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_OK(!siwx_msg_is_uri(bad[i]), "not a URI: \"%s\"", bad[i]);
}

static void
test_vectors(void)
{
	struct siwx_config	 c;
	struct siwx_verdict	 v;
	size_t			 i;
	int			 rc;

	config(&c);
	for (i = 0; i < NV; i++) {
		st_reset();
		v = verify(&c, siwx_vecs[i].header, SIWX_VEC_NOW_MS + 60000, &rc, NULL);
		TAP_OK(rc == 0 && v.valid == siwx_vecs[i].valid, "%s: %s as the official "
		    "verifier (%s)", siwx_vecs[i].name, siwx_vecs[i].valid ? "valid" :
		    "refused", v.valid ? "valid" : v.reason);
		if (!siwx_vecs[i].valid)
			continue;
		TAP_STREQ(v.address, siwx_vecs[i].address, "  signer");
		TAP_STREQ(v.chain_id, siwx_vecs[i].chain, "  chain");
		TAP_OK(v.family == (strncmp(v.chain_id, "solana:", 7) == 0 ? NET_SVM : NET_EVM) &&
		    v.contract == 0, "  family, not a contract wallet");
		v = verify(&c, siwx_vecs[i].header, SIWX_VEC_NOW_MS + 61000, &rc, NULL);
		TAP_OK(rc == 0 && !v.valid && strcmp(v.reason, SIWX_R_NONCE) == 0,
		    "  the same header again: %s", v.reason ? v.reason : "valid");
	}
	/* A nonce we never issued. */
	memset(&st, 0, sizeof(st));
	v = verify(&c, vec("evm_hook")->header, SIWX_VEC_NOW_MS + 60000, &rc, NULL);
	TAP_OK(rc == 0 && !v.valid && strcmp(v.reason, SIWX_R_NONCE) == 0 &&
	    v.address[0] == '\0', "a nonce we did not issue: %s", v.reason);
	/* An expired nonce (the store's expiry). */
	st_reset();
	st.expires[0] = SIWX_VEC_NOW_MS + 60000;
	v = verify(&c, vec("evm_hook")->header, SIWX_VEC_NOW_MS + 60000, &rc, NULL);
	TAP_OK(!v.valid && strcmp(v.reason, SIWX_R_NONCE) == 0, "a nonce the store let expire");
}

/* The clock: ttl 300 s, skew 5 s, evm_hook issued at NOW, expiring NOW + 300 s. */
static void
test_clock(void)
{
	struct siwx_config	 c;
	const char		*h = vec("evm_hook")->header;
	const int64_t		 T = SIWX_VEC_NOW_MS;

	config(&c);
	TAP_STREQ(reason_at(&c, h, T - 5000), "ok", "issuedAt 5 s ahead of us: within the skew");
	TAP_STREQ(reason_at(&c, h, T - 5001), SIWX_R_IN_FUTURE, "5.001 s ahead: in the future");
	TAP_STREQ(reason_at(&c, h, T + 300000), "ok", "exactly ttl old, expiring now: still good");
	TAP_STREQ(reason_at(&c, h, T + 300001), SIWX_R_TOO_OLD, "1 ms older than ttl: too old");
	c.ttl_ms = 600000;
	TAP_STREQ(reason_at(&c, h, T + 300001), SIWX_R_EXPIRED, "past expirationTime: expired");
	c.ttl_ms = SIWX_TTL_DEFAULT;
	c.skew_ms = 0;
	TAP_STREQ(reason_at(&c, h, T - 1), SIWX_R_IN_FUTURE, "skew 0: 1 ms ahead is the future (official)");
	config(&c);
	/* notBefore through the skew (an edited header: the check comes
	 * before the signature, which the edit breaks). */
	{
		char *e = edited("evm_hook", "notBefore", "2026-01-15T10:32:00.000Z");

		c.skew_ms = 60000;
		TAP_STREQ(reason_at(&c, e, T + 60000), SIWX_R_SIGNATURE,
		    "notBefore 60 s ahead, skew 60 s: past the clock checks");
		c.skew_ms = 59999;
		TAP_STREQ(reason_at(&c, e, T + 60000), SIWX_R_NOT_YET,
		    "skew 59.999 s: not yet valid");
		free(e);
	}
}

/* Each check, in the official order: a changed field fails its own check
 * before the signature (which it also breaks). */
static void
test_order(void)
{
	static const struct { const char *vec, *key, *val, *want, *what; } t[] = {
		{ "evm_hook", "domain", "evil.example", SIWX_R_DOMAIN, "another domain" },
		{ "evm_hook", "domain", "API.example.com", SIWX_R_DOMAIN, "domain compared exactly (URL.host)" },
		{ "evm_hook", "uri", "https://evil.example/v1/jobs/j_123", SIWX_R_URI, "uri at another origin" },
		{ "evm_hook", "uri", "http://api.example.com/v1/jobs/j_123", SIWX_R_URI, "uri over http" },
		{ "evm_hook", "uri", "https://user@api.example.com/x", SIWX_R_URI, "uri with user info (ours)" },
		{ "evm_hook", "uri", "HTTPS://API.EXAMPLE.COM:443/x", SIWX_R_SIGNATURE, "uri origin in another spelling passes the origin check" },
		{ "evm_hook", "issuedAt", "2026-01-15T10:30:00", SIWX_R_ISSUED_AT, "issuedAt without zone" },
		{ "evm_hook", "issuedAt", "2026-01-15T10:20:00.000Z", SIWX_R_TOO_OLD, "issuedAt 10 min old" },
		{ "evm_hook", "expirationTime", "2026-01-15T10:30:59Z", SIWX_R_EXPIRED, "expired a second ago" },
		{ "evm_hook", "expirationTime", "soon", SIWX_R_EXPIRATION, "expirationTime unreadable" },
		{ "evm_hook", "expirationTime", "", SIWX_R_SIGNATURE, "empty expirationTime is no expiry" },
		{ "evm_hook", "notBefore", "2026-01-15T10:32:00Z", SIWX_R_NOT_YET, "notBefore ahead" },
		{ "evm_hook", "notBefore", "x", SIWX_R_NOT_BEFORE, "notBefore unreadable" },
		{ "evm_hook", "chainId", "eip155:1", SIWX_R_CHAIN, "a chain we did not offer" },
		{ "evm_hook", "type", "ed25519", SIWX_R_CHAIN, "EVM chain, ed25519 type" },
		{ "svm_hook", "type", "eip191", SIWX_R_CHAIN, "Solana chain, eip191 type" },
		{ "evm_hook", "statement", "a\nb", SIWX_R_MESSAGE, "statement with a line feed (EVM)" },
		{ "svm_hook", "statement", "a\nURI: https://evil.example", SIWX_R_MESSAGE, "statement with a line feed (Solana, ours)" },
		{ "svm_hook", "version", "2", SIWX_R_MESSAGE, "Solana version 2 (ours)" },
		{ "evm_hook", "version", "2", SIWX_R_MESSAGE, "EVM version 2" },
		{ "evm_hook", "address", "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266", "ok", "address in upper case: same signer" },
		{ "evm_hook", "address", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", SIWX_R_SIGNATURE, "another address" },
		{ "evm_hook", "nonce", "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", SIWX_R_SIGNATURE, "another (issued) nonce: the signature fails first" },
		{ "evm_hook", "statement", "Sign in to read all jobs", SIWX_R_SIGNATURE, "a changed statement" },
		{ "evm_hook", "signature", "0x1234", SIWX_R_SIGNATURE, "a short EVM signature" },
		{ "evm_hook", "signature", "0xzz", SIWX_R_SIGNATURE, "EVM signature not hex" },
		{ "svm_hook", "signature", "0OIl", SIWX_R_MALFORMED_SIG, "Solana signature not base58" },
		{ "svm_hook", "address", "9C6hybhQ6Aycep9ja", SIWX_R_MALFORMED_SIG, "Solana address too short for 32 bytes" },
		{ "svm_hook", "address", "8C6hybhQ6Aycep9jaUnP6uL9ZYvDjUp1aSkFWPUFJtpj", SIWX_R_SIGNATURE, "another Solana address" },
		{ "evm_hook", "domain", NULL, SIWX_R_HEADER, "domain missing" },
		{ "evm_hook", "signature", NULL, SIWX_R_HEADER, "signature missing" },
		{ "evm_hook", "type", "secp256k1", SIWX_R_HEADER, "type outside the enum" },
		{ "evm_hook", "signatureScheme", "eip712", SIWX_R_HEADER, "signatureScheme outside the enum" },
		{ "evm_hook", "signatureScheme", "eip191", "ok", "signatureScheme eip191: a hint only" },
		{ "evm_hook", "somethingElse", "x", "ok", "an unknown member is ignored (zod strips it)" },
	};
	struct siwx_config	 c;
	char			*h;
	size_t			 i;

	config(&c);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		h = edited(t[i].vec, t[i].key, t[i].val);
		TAP_STREQ(reason_at(&c, h, SIWX_VEC_NOW_MS + 60000), t[i].want, "%s", t[i].what);
		free(h);
	}
}

static void
test_header(void)
{
	struct siwx_config	 c;
	struct buf		 b;
	char			*h, big[SIWX_HDR_MAX + 2];
	cJSON			*o, *r;
	int			 i;
	static const char *json[] = { "[]", "{\"domain\":1}", "not json", "{\"a\":\"\\u0000\"}",
	    "{\"domain\":\"api.example.com\",\"domain\":\"x\"}" };

	config(&c);
	TAP_STREQ(reason_at(&c, NULL, SIWX_VEC_NOW_MS), SIWX_R_HEADER, "no header");
	TAP_STREQ(reason_at(&c, "", SIWX_VEC_NOW_MS), SIWX_R_HEADER, "empty header");
	TAP_STREQ(reason_at(&c, "eyJh*", SIWX_VEC_NOW_MS), SIWX_R_HEADER, "not base64");
	h = strdup(vec("evm_hook")->header);
	h[strcspn(h, "=")] = '\0';
	TAP_STREQ(reason_at(&c, h, SIWX_VEC_NOW_MS), SIWX_R_HEADER, "base64 without its padding (ours)");
	free(h);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	TAP_STREQ(reason_at(&c, big, SIWX_VEC_NOW_MS), SIWX_R_HEADER, "longer than SIWX_HDR_MAX");
	for (i = 0; i < (int)(sizeof(json) / sizeof(json[0])); i++) {
		buf_init(&b);
		b64_encode(json[i], strlen(json[i]), &b);
		TAP_STREQ(reason_at(&c, b.p, SIWX_VEC_NOW_MS), SIWX_R_HEADER, "payload %s", json[i]);
		buf_free(&b);
	}
	/* Duplicate keys: JSON.parse keeps the last, cJSON the first. */
	o = decode(vec("evm_hook")->header);
	h = cJSON_PrintUnformatted(o);
	buf_init(&b);
	buf_puts(&b, "{\"nonce\":\"x\",");
	buf_puts(&b, h + 1);
	free(h);
	h = b.p;
	b.p = NULL;
	buf_init(&b);
	b64_encode(h, strlen(h), &b);
	TAP_STREQ(reason_at(&c, b.p, SIWX_VEC_NOW_MS + 60000), SIWX_R_HEADER, "a duplicate key");
	free(h);
	buf_free(&b);
	/* Invalid UTF-8 in a string. */
	buf_init(&b);
	b64_encode("{\"domain\":\"\xc3\x28\"}", 16, &b);
	TAP_STREQ(reason_at(&c, b.p, SIWX_VEC_NOW_MS), SIWX_R_HEADER, "invalid UTF-8");
	buf_free(&b);
	/* resources: an object, a number inside, and too many. */
	cJSON_ReplaceItemInObjectCaseSensitive(o, "resources", cJSON_CreateObject());
	h = encode(o);
	TAP_STREQ(reason_at(&c, h, SIWX_VEC_NOW_MS + 60000), SIWX_R_HEADER, "resources an object");
	free(h);
	r = cJSON_CreateArray();
	cJSON_AddItemToArray(r, cJSON_CreateNumber(1));
	cJSON_ReplaceItemInObjectCaseSensitive(o, "resources", r);
	h = encode(o);
	TAP_STREQ(reason_at(&c, h, SIWX_VEC_NOW_MS + 60000), SIWX_R_HEADER, "resources holding a number");
	free(h);
	r = cJSON_CreateArray();
	for (i = 0; i <= SIWX_RESOURCES_MAX; i++)
		cJSON_AddItemToArray(r, cJSON_CreateString("https://x/"));
	cJSON_ReplaceItemInObjectCaseSensitive(o, "resources", r);
	h = encode(o);
	TAP_STREQ(reason_at(&c, h, SIWX_VEC_NOW_MS + 60000), SIWX_R_HEADER, "more than SIWX_RESOURCES_MAX resources");
	free(h);
	cJSON_Delete(o);
}

/* Signature encodings viem takes, and one libsodium refuses. */
static void
test_signatures(void)
{
	static const uint8_t	 n[32] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0,
	    0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41 };
	static const uint8_t	 L[32] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6,
	    0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0x10 };
	struct siwx_config	 c;
	cJSON			*o;
	uint8_t			 sig[65], s64[64];
	char			 hex[133], b58[B58_SIG_STRLEN], *h;
	size_t			 len;
	int			 i, carry, borrow, d;

	config(&c);
	o = decode(vec("evm_hook")->header);
	hex_decode(cJSON_GetObjectItemCaseSensitive(o, "signature")->valuestring, sig, 65, &len);
	sig[64] -= 27;
	hex_encode(sig, 65, hex);
	h = edited("evm_hook", "signature", hex);
	TAP_STREQ(reason_at(&c, h, SIWX_VEC_NOW_MS + 60000), "ok", "v as y-parity 0/1 (viem takes it)");
	free(h);
	sig[64] += 27;
	/* s' = n - s, v flipped: the same signer (viem accepts high s). */
	for (i = 31, borrow = 0; i >= 0; i--) {
		d = n[i] - sig[32 + i] - borrow;
		borrow = d < 0;
		sig[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
	sig[64] = sig[64] == 27 ? 28 : 27;
	hex_encode(sig, 65, hex);
	h = edited("evm_hook", "signature", hex);
	TAP_STREQ(reason_at(&c, h, SIWX_VEC_NOW_MS + 60000), "ok", "the high-s twin (viem takes it)");
	free(h);
	sig[64] = 29;
	hex_encode(sig, 65, hex);
	h = edited("evm_hook", "signature", hex);
	TAP_STREQ(reason_at(&c, h, SIWX_VEC_NOW_MS + 60000), SIWX_R_SIGNATURE, "v = 29 refused");
	free(h);
	cJSON_Delete(o);
	/* ed25519 S + L: tweetnacl takes it, RFC 8032 and libsodium do not. */
	o = decode(vec("svm_hook")->header);
	b58_decode_fixed(cJSON_GetObjectItemCaseSensitive(o, "signature")->valuestring, s64, 64);
	for (i = 0, carry = 0; i < 32; i++) {
		d = s64[32 + i] + L[i] + carry;
		s64[32 + i] = (uint8_t)d;
		carry = d >> 8;
	}
	b58_encode(s64, 64, b58, sizeof(b58));
	h = edited("svm_hook", "signature", b58);
	TAP_STREQ(reason_at(&c, h, SIWX_VEC_NOW_MS + 60000), SIWX_R_SIGNATURE,
	    "ed25519 S + L (non-canonical) refused (ours)");
	free(h);
	cJSON_Delete(o);
}

static void
test_nonce_last(void)
{
	struct siwx_config	 c;
	struct siwx_verdict	 v;
	struct sf_err		 err;
	char			*h;
	int			 rc;

	config(&c);
	st_reset();
	h = edited("evm_hook", "statement", "changed");
	v = verify(&c, h, SIWX_VEC_NOW_MS + 60000, &rc, NULL);
	free(h);
	TAP_OK(!v.valid && st.consumed == 0, "a forged header does not reach the nonce store");
	v = verify(&c, vec("evm_hook")->header, SIWX_VEC_NOW_MS + 60000, &rc, NULL);
	TAP_OK(v.valid, "  so the genuine one still signs in");
	st_reset();
	st.fail_consume = 1;
	v = verify(&c, vec("evm_hook")->header, SIWX_VEC_NOW_MS + 60000, &rc, &err);
	TAP_OK(rc == -1 && err.status == 503 && strcmp(err.code, "siwx_store_unavailable") == 0 &&
	    !v.valid && strcmp(v.reason, SIWX_R_NONCE) == 0,
	    "the store fails: -1, 503, not signed in (fail closed)");
}

static void
test_contract(void)
{
	struct siwx_config	 c;
	struct siwx_verdict	 v;
	struct sf_err		 err;
	struct hook		 hk;
	const struct siwx_vec	*o = vec("evm_other_signer");
	uint8_t			 want[32], addr[20];
	int			 rc;

	config(&c);
	st_reset();
	v = verify(&c, o->header, SIWX_VEC_NOW_MS + 60000, &rc, NULL);
	TAP_OK(!v.valid && strcmp(v.reason, SIWX_R_SIGNATURE) == 0,
	    "signed by another key, no contract verifier: refused (as the official, EOA only)");
	memset(&hk, 0, sizeof(hk));
	c.contract.ctx = &hk;
	c.contract.verify = hk_verify;
	hk.answer = 1;
	st_reset();
	v = verify(&c, o->header, SIWX_VEC_NOW_MS + 60000, &rc, NULL);
	TAP_OK(rc == 0 && v.valid && v.contract == 1 && strcmp(v.address, SIWX_VEC_EVM0) == 0,
	    "the contract verifier vouches: signed in as %s, contract", v.address);
	hex_decode_fixed(o->digest, want, 32);
	hex_decode_fixed(SIWX_VEC_EVM0, addr, 20);
	TAP_OK(hk.calls == 1 && strcmp(hk.chain, SIWX_VEC_EVM) == 0 &&
	    memcmp(hk.addr, addr, 20) == 0 && memcmp(hk.digest, want, 32) == 0 &&
	    strcmp(hk.msg, o->message) == 0 && hk.siglen == 65,
	    "  it was asked with the chain, the claimed address, the EIP-4361 text and its EIP-191 hash");
	hk.answer = 0;
	st_reset();
	v = verify(&c, o->header, SIWX_VEC_NOW_MS + 60000, &rc, NULL);
	TAP_OK(rc == 0 && !v.valid && strcmp(v.reason, SIWX_R_SIGNATURE) == 0,
	    "the contract verifier says no: refused");
	hk.answer = -1;
	st_reset();
	v = verify(&c, o->header, SIWX_VEC_NOW_MS + 60000, &rc, &err);
	TAP_OK(rc == -1 && err.status == 503 && strcmp(v.reason, SIWX_R_VERIFIER) == 0 &&
	    st.consumed == 0, "the contract verifier cannot tell: 503, nonce kept");
	hk.calls = 0;
	hk.answer = 0;
	st_reset();
	v = verify(&c, vec("evm_hook")->header, SIWX_VEC_NOW_MS + 60000, &rc, NULL);
	TAP_OK(v.valid && v.contract == 0 && hk.calls == 0,
	    "an EOA signature never asks the contract verifier");
}

int
main(void)
{

	test_origin();
	test_config();
	test_challenge();
	test_messages();
	test_time();
	test_uri();
	test_vectors();
	test_clock();
	test_order();
	test_header();
	test_signatures();
	test_nonce_last();
	test_contract();
	return tap_done();
}
