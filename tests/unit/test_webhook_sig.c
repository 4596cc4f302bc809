/*
 * Standard Webhooks signing (http/webhook_sig.h) against vectors the
 * reference standardwebhooks package made (webhook_vectors.h, written by
 * tests/vectors/webhook_vectors.mjs; its first case is the package's own
 * test vector), then the secrets, ids and verification rules.  The
 * reference receiver verifying what we send is tests/diff/webhook_diff.mjs.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "webhook_vectors.h"

#include "basics/err.h"
#include "http/webhook_sig.h"

#define NV	(sizeof(webhook_vecs) / sizeof(webhook_vecs[0]))

static void
test_vectors(void)
{
	struct webhook_sig_headers	 h;
	struct sf_err			 err;
	char				 sig[WEBHOOK_SIG_STRLEN], ts[32];
	size_t				 i;

	for (i = 0; i < NV; i++) {
		const struct webhook_vec *v = &webhook_vecs[i];

		TAP_OK(webhook_sig_sign(v->secret, v->id, v->ts, v->body, v->len,
		    sig) == 0, "%s: signed", v->name);
		TAP_STREQ(sig, v->signature, "  as Webhook.sign");
		TAP_OK(webhook_sig_headers(v->secret, v->id, v->ts, v->body, v->len,
		    &h, &err) == 0, "  headers");
		snprintf(ts, sizeof(ts), "%lld", v->ts);
		TAP_OK(strcmp(h.id, v->id) == 0 && strcmp(h.timestamp, ts) == 0 &&
		    strcmp(h.signature, v->signature) == 0,
		    "  webhook-id %s, webhook-timestamp %s, webhook-signature", h.id, h.timestamp);
		TAP_OK(webhook_sig_verify(v->secret, v->id, ts, v->signature, v->body,
		    v->len, v->ts, WEBHOOK_SIG_TOLERANCE) == 1, "  and our verifier takes it");
	}
}

static void
test_secret(void)
{
	char	 s[WEBHOOK_SIG_SECRET_STRLEN], s2[WEBHOOK_SIG_SECRET_STRLEN];
	uint8_t	 key[WEBHOOK_SIG_KEY_MAX];
	size_t	 n, i;
	int	 okchars = 1;

	TAP_OK(webhook_sig_secret_new(s) == 0 && webhook_sig_secret_new(s2) == 0,
	    "two secrets made");
	TAP_OK(strncmp(s, "whsec_", 6) == 0 && strlen(s) == 6 + 44 && s[49] == '=',
	    "  whsec_ + 44 base64 characters: %s", s);
	for (i = 6; i < 49; i++)
		okchars &= (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '/';
	TAP_OK(okchars, "  standard base64 alphabet");
	TAP_OK(strcmp(s, s2) != 0, "  different each time");
	TAP_OK(webhook_sig_secret_decode(s, key, &n) == 0 && n == WEBHOOK_SIG_KEY_BYTES,
	    "  it decodes to 32 bytes");
	TAP_OK(webhook_sig_secret_decode(s + 6, key, &n) == 0 && n == 32,
	    "a secret without its prefix is taken (as the reference does)");
	/* 23 and 65 bytes: outside the spec's 24..64. */
	TAP_OK(webhook_sig_secret_decode("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", key, &n) == -1,
	    "a 23-byte secret refused");
	TAP_OK(webhook_sig_secret_decode("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", key, &n) == 0 &&
	    n == 24, "a 24-byte secret taken");
	TAP_OK(webhook_sig_secret_decode("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", key, &n) == 0 && n == 64,
	    "a 64-byte secret taken");
	TAP_OK(webhook_sig_secret_decode("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", key, &n) == -1, "a 65-byte secret refused");
	TAP_OK(webhook_sig_secret_decode("whsec_not base64!", key, &n) == -1, "not base64 refused");
	TAP_OK(webhook_sig_secret_decode("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", key, &n) == -1,
	    "unpadded base64 refused");
	TAP_OK(webhook_sig_secret_decode(NULL, key, &n) == -1, "NULL refused");
}

static void
test_id(void)
{
	char	 a[WEBHOOK_SIG_ID_MAX + 1], b[WEBHOOK_SIG_ID_MAX + 1], big[WEBHOOK_SIG_ID_MAX + 2];

	TAP_OK(webhook_sig_id_new(a) == 0 && webhook_sig_id_new(b) == 0, "two ids made");
	TAP_OK(strncmp(a, "msg_", 4) == 0 && strlen(a) == 26 && webhook_sig_id_ok(a),
	    "  msg_ + 22 base64url characters: %s", a);
	TAP_OK(strcmp(a, b) != 0, "  different each time");
	TAP_OK(webhook_sig_id_ok("job_J-123_succeeded"), "letters, digits, _ and - are fine");
	TAP_OK(!webhook_sig_id_ok("msg.1"), "a '.' refused (it separates the signed parts)");
	TAP_OK(!webhook_sig_id_ok("msg 1") && !webhook_sig_id_ok("msg\r\n1") &&
	    !webhook_sig_id_ok("m\xc3\xa9"), "space, CR LF, non-ASCII refused");
	TAP_OK(!webhook_sig_id_ok("") && !webhook_sig_id_ok(NULL), "empty refused");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	TAP_OK(!webhook_sig_id_ok(big), "%d characters refused", WEBHOOK_SIG_ID_MAX + 1);
	big[WEBHOOK_SIG_ID_MAX] = '\0';
	TAP_OK(webhook_sig_id_ok(big), "%d characters taken", WEBHOOK_SIG_ID_MAX);
}

static void
test_errors(void)
{
	struct webhook_sig_headers	 h;
	struct sf_err			 err;
	const struct webhook_vec	*v = &webhook_vecs[0];
	char				 sig[WEBHOOK_SIG_STRLEN];

	TAP_OK(webhook_sig_headers(v->secret, "bad.id", 1, "x", 1, &h, &err) == -1 &&
	    err.status == 500 && strcmp(err.code, "webhook_id_invalid") == 0,
	    "headers: a bad id is webhook_id_invalid");
	TAP_OK(webhook_sig_headers("whsec_x", "ok", 1, "x", 1, &h, &err) == -1 &&
	    strcmp(err.code, "webhook_secret_invalid") == 0, "a bad secret is webhook_secret_invalid");
	TAP_OK(strstr(err.message, "whsec_x") == NULL, "  and the error does not repeat the secret");
	TAP_OK(webhook_sig_headers(v->secret, "ok", -1, "x", 1, &h, &err) == -1,
	    "a timestamp before 1970 refused");
	TAP_OK(webhook_sig_sign(v->secret, "a.b", 1, "", 0, sig) == -1, "sign: bad id refused");
}

static void
test_verify(void)
{
	const struct webhook_vec	*v = &webhook_vecs[0];
	char				 many[256], bad[WEBHOOK_SIG_STRLEN];
	const char			*ts = "1614265330";
	const int64_t			 t = 1614265330;

#define VER(sec, id, tss, sigs, body, len, now) \
	webhook_sig_verify(sec, id, tss, sigs, body, len, now, WEBHOOK_SIG_TOLERANCE)
	TAP_OK(VER(v->secret, v->id, ts, v->signature, v->body, v->len, t + 300) == 1,
	    "300 s late: within the tolerance");
	TAP_OK(VER(v->secret, v->id, ts, v->signature, v->body, v->len, t + 301) == 0,
	    "301 s late: too old");
	TAP_OK(VER(v->secret, v->id, ts, v->signature, v->body, v->len, t - 300) == 1,
	    "300 s early: within the tolerance");
	TAP_OK(VER(v->secret, v->id, ts, v->signature, v->body, v->len, t - 301) == 0,
	    "301 s early: too new");
	snprintf(many, sizeof(many), "v1a,%s v1,AAAA %s", "hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhq",
	    v->signature);
	TAP_OK(VER(v->secret, v->id, ts, many, v->body, v->len, t) == 1,
	    "found among several signatures (key rotation, v1a skipped)");
	TAP_OK(VER(v->secret, v->id, ts, "v1,AAAA v1a,BBBB", v->body, v->len, t) == 0,
	    "none of several");
	TAP_OK(VER(v->secret, v->id, "1614265330x", v->signature, v->body, v->len, t) == 0 &&
	    VER(v->secret, v->id, "", v->signature, v->body, v->len, t) == 0 &&
	    VER(v->secret, v->id, "-1", v->signature, v->body, v->len, t) == 0,
	    "timestamps that are not plain digits refused");
	TAP_OK(VER(v->secret, v->id, ts, v->signature, v->body, v->len - 1, t) == 0,
	    "a body one byte shorter refused");
	TAP_OK(VER(v->secret, "msg_p5jXN8AQM9LWM0D4loKWxJeK", ts, v->signature, v->body,
	    v->len, t) == 0, "another id refused");
	TAP_OK(VER(webhook_vecs[1].secret, v->id, ts, v->signature, v->body, v->len, t) == 0,
	    "another secret refused");
	snprintf(bad, sizeof(bad), "%s", v->signature);
	bad[strlen(bad) - 1] = 'A';
	TAP_OK(VER(v->secret, v->id, ts, bad, v->body, v->len, t) == 0,
	    "the last character changed refused");
	TAP_OK(VER(v->secret, v->id, ts, v->signature + 1, v->body, v->len, t) == 0 &&
	    VER(v->secret, v->id, ts, "", v->body, v->len, t) == 0 &&
	    VER(v->secret, v->id, ts, NULL, v->body, v->len, t) == 0,
	    "a mangled or missing signature header refused");
#undef VER
}

int
main(void)
{

	test_vectors();
	test_secret();
	test_id();
	test_errors();
	test_verify();
	return tap_done();
}
