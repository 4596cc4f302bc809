/*
 * libFuzzer target for Sign-In-With-X (shared/x402/siwx*.c): the
 * SIGN-IN-WITH-X header parser and verifier, and the small parsers under
 * them (RFC 3339 times, RFC 3986 URIs, origins).  The first input byte
 * picks how the rest is used:
 *
 *   0..127	the rest is the JSON payload: base64-encoded, then verified
 *		(seeds are the official client's payloads, tests/fuzz/corpus/
 *		siwx, so the fuzzer starts past base64 and into the checks);
 *   128..255	the rest is the raw header value, and is also read as a
 *		time, a URI and a URL.
 *
 * The store accepts every nonce, so a payload whose fields and signature
 * hold reaches the end; the contract-wallet hook answers from a bit of
 * the first byte.  Invariants beyond "no crash": a verdict always has a
 * reason unless valid; a valid verdict names a signer and one of our
 * chains; a refused one names neither; siwx_verify() never returns -1
 * (the store and the hook never fail here, memory does not run out).
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/err.h"
#include "x402/siwx.h"
#include "x402/siwx_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The seeds' clock: issued 2026-01-15T10:30:00Z, checked a minute later. */
#define FUZZ_NOW	(1768473000000LL + 60000)

static int	hook_answer;

static int
st_issue(void *ctx, const char *n, int64_t e)
{
	(void)ctx; (void)n; (void)e;
	return 0;
}

static int
st_consume(void *ctx, const char *n, int64_t now)
{
	(void)ctx; (void)now;
	assert(strlen(n) == SIWX_NONCE_LEN);
	return 1;
}

static int
hk(void *ctx, const char *chain, const uint8_t a[20], const char *m,
    size_t mlen, const uint8_t d[32], const uint8_t *sig, size_t siglen)
{
	(void)ctx; (void)a; (void)d; (void)sig;
	assert(strncmp(chain, "eip155:", 7) == 0);
	assert(strlen(m) >= mlen);
	assert(siglen > 0 && siglen <= SIWX_SIG_MAX);
	return hook_answer;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct siwx_config	 c;
	static int			 init;
	struct siwx_nonce_store		 st = { NULL, st_issue, st_consume };
	const char			*nets[] = { "base-sepolia", "solana-devnet" };
	struct siwx_verdict		 v;
	struct sf_err			 err;
	struct buf			 b;
	char				*s, o[256], h[256];
	int64_t				 ms;
	size_t				 i;
	int				 rc;

	if (!init) {
		if (siwx_config_init(&c, "https://api.example.com", nets, 2,
		    &st, &err) == -1)
			abort();
		c.contract.verify = hk;
		init = 1;
	}
	if (len == 0)
		return 0;
	if ((s = malloc(len)) == NULL)
		return 0;
	memcpy(s, data + 1, len - 1);
	s[len - 1] = '\0';
	hook_answer = data[0] & 1;
	buf_init(&b);
	if (data[0] < 128) {
		b64_encode(s, strlen(s), &b);
		rc = siwx_verify(&c, b.oom ? "" : b.p, FUZZ_NOW, &v, &err);
	} else {
		rc = siwx_verify(&c, s, FUZZ_NOW, &v, &err);
		if (siwx_msg_time(s, &ms) == 0) {
			char iso[25];

			if (siwx_msg_time_iso(ms, iso) == 0)
				assert(siwx_msg_time(iso, &ms) == 0);
		}
		(void)siwx_msg_is_uri(s);
		if (siwx_origin(s, o, sizeof(o), h, sizeof(h), NULL) == 0)
			assert(strstr(o, h) != NULL);
	}
	assert(rc == 0);
	if (v.valid) {
		assert(v.reason == NULL && v.address[0] != '\0');
		for (i = 0; i < c.nchains; i++)
			if (strcmp(v.chain_id, c.chains[i].id) == 0)
				break;
		assert(i < c.nchains);
	} else
		assert(v.reason != NULL && v.address[0] == '\0' &&
		    v.chain_id[0] == '\0');
	buf_free(&b);
	free(s);
	return 0;
}
