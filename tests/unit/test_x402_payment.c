/* Payment header decoding: reference vectors decode, malformations fail. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/err.h"
#include "tap.h"

/* TAP_OK evaluates its condition twice; these conditions have effects. */
#define T_OK(cond, ...) do {						\
	int t_ok_ = (cond) ? 1 : 0;					\
	TAP_OK(t_ok_, __VA_ARGS__);					\
	if (!t_ok_)							\
		printf("#   condition: %s\n", #cond);			\
} while (0)
#include "x402/x402_payment.h"

/* x402.md §14.2 (transport spec vectors). */
static const char *V1_B64 = "eyJ4NDAyVmVyc2lvbiI6MSwic2NoZW1lIjoiZXhhY3QiLCJuZXR3b3JrIjoiYmFzZS1zZXBvbGlhIiwicGF5bG9hZCI6eyJzaWduYXR1cmUiOiIweDJkNmE3NTg4ZDZhY2NhNTA1Y2JmMGQ5YTRhMjI3ZTBjNTJjNmMzNDAwOGM4ZTg5ODZhMTI4MzI1OTc2NDE3MzYwOGEyY2U2NDk2NjQyZTM3N2Q2ZGE4ZGJiZjU4MzZlOWJkMTUwOTJmOWVjYWIwNWRlZDNkNjI5M2FmMTQ4YjU3MWMiLCJhdXRob3JpemF0aW9uIjp7ImZyb20iOiIweDg1N2IwNjUxOUU5MWUzQTU0NTM4NzkxYkRiYjBFMjIzNzNlMzZiNjYiLCJ0byI6IjB4MjA5NjkzQmM2YWZjMEM1MzI4YkEzNkZhRjAzQzUxNEVGMzEyMjg3QyIsInZhbHVlIjoiMTAwMDAiLCJ2YWxpZEFmdGVyIjoiMTc0MDY3MjA4OSIsInZhbGlkQmVmb3JlIjoiMTc0MDY3MjE1NCIsIm5vbmNlIjoiMHhmMzc0NjYxM2MyZDkyMGI1ZmRhYmMwODU2ZjJhZWIyZDRmODhlZTYwMzdiOGNjNWQwNGE3MWE0NDYyZjEzNDgwIn19fQ==";
static const char *V1_JSON = "{\"x402Version\":1,\"scheme\":\"exact\",\"network\":\"base-sepolia\",\"payload\":{\"signature\":\"0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c\",\"authorization\":{\"from\":\"0x857b06519E91e3A54538791bDbb0E22373e36b66\",\"to\":\"0x209693Bc6afc0C5328bA36FaF03C514EF312287C\",\"value\":\"10000\",\"validAfter\":\"1740672089\",\"validBefore\":\"1740672154\",\"nonce\":\"0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480\"}}}";
static const char *V2_B64 = "eyJ4NDAyVmVyc2lvbiI6MiwicmVzb3VyY2UiOnsidXJsIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20vcHJlbWl1bS1kYXRhIiwiZGVzY3JpcHRpb24iOiJBY2Nlc3MgdG8gcHJlbWl1bSBtYXJrZXQgZGF0YSIsIm1pbWVUeXBlIjoiYXBwbGljYXRpb24vanNvbiJ9LCJhY2NlcHRlZCI6eyJzY2hlbWUiOiJleGFjdCIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJhbW91bnQiOiIxMDAwMCIsImFzc2V0IjoiMHgwMzZDYkQ1Mzg0MmM1NDI2NjM0ZTc5Mjk1NDFlQzIzMThmM2RDRjdlIiwicGF5VG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMxMjI4N0MiLCJtYXhUaW1lb3V0U2Vjb25kcyI6NjAsImV4dHJhIjp7Im5hbWUiOiJVU0RDIiwidmVyc2lvbiI6IjIifX0sInBheWxvYWQiOnsic2lnbmF0dXJlIjoiMHgyZDZhNzU4OGQ2YWNjYTUwNWNiZjBkOWE0YTIyN2UwYzUyYzZjMzQwMDhjOGU4OTg2YTEyODMyNTk3NjQxNzM2MDhhMmNlNjQ5NjY0MmUzNzdkNmRhOGRiYmY1ODM2ZTliZDE1MDkyZjllY2FiMDVkZWQzZDYyOTNhZjE0OGI1NzFjIiwiYXV0aG9yaXphdGlvbiI6eyJmcm9tIjoiMHg4NTdiMDY1MTlFOTFlM0E1NDUzODc5MWJEYmIwRTIyMzczZTM2YjY2IiwidG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMxMjI4N0MiLCJ2YWx1ZSI6IjEwMDAwIiwidmFsaWRBZnRlciI6IjE3NDA2NzIwODkiLCJ2YWxpZEJlZm9yZSI6IjE3NDA2NzIxNTQiLCJub25jZSI6IjB4ZjM3NDY2MTNjMmQ5MjBiNWZkYWJjMDg1NmYyYWViMmQ0Zjg4ZWU2MDM3YjhjYzVkMDRhNzFhNDQ2MmYxMzQ4MCJ9fX0=";
static const char *V2_JSON = "{\"x402Version\":2,\"resource\":{\"url\":\"https://api.example.com/premium-data\",\"description\":\"Access to premium market data\",\"mimeType\":\"application/json\"},\"accepted\":{\"scheme\":\"exact\",\"network\":\"eip155:84532\",\"amount\":\"10000\",\"asset\":\"0x036CbD53842c5426634e7929541eC2318f3dCF7e\",\"payTo\":\"0x209693Bc6afc0C5328bA36FaF03C514EF312287C\",\"maxTimeoutSeconds\":60,\"extra\":{\"name\":\"USDC\",\"version\":\"2\"}},\"payload\":{\"signature\":\"0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c\",\"authorization\":{\"from\":\"0x857b06519E91e3A54538791bDbb0E22373e36b66\",\"to\":\"0x209693Bc6afc0C5328bA36FaF03C514EF312287C\",\"value\":\"10000\",\"validAfter\":\"1740672089\",\"validBefore\":\"1740672154\",\"nonce\":\"0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480\"}}}";
/* @x402/fetch 2.27.0 header from x402lab/captures/e2e-84532/v2-1.json. */
static const char *LAB_B64 = "eyJ4NDAyVmVyc2lvbiI6MiwicGF5bG9hZCI6eyJhdXRob3JpemF0aW9uIjp7ImZyb20iOiIweDcwOTk3OTcwQzUxODEyZGMzQTAxMEM3ZDAxYjUwZTBkMTdkYzc5QzgiLCJ0byI6IjB4M0M0NENkRGRCNmE5MDBmYTJiNTg1ZGQyOTllMDNkMTJGQTQyOTNCQyIsInZhbHVlIjoiMTAwMDAiLCJ2YWxpZEFmdGVyIjoiMCIsInZhbGlkQmVmb3JlIjoiMTc5NTMwMTM0MSIsIm5vbmNlIjoiMHhmMTIxMTBiNTk0ODdjZDQ3YWZmODlmMWJmOWEyNjE2MGI4OGZkMTIzNjdjYWQyZDVlMDU3NDJiMmEyZThiMmVkIn0sInNpZ25hdHVyZSI6IjB4NTQ4NDI1ZTM1YmM2NGRiOGVkODMwNmI1MTEyNmI2ZTg2YTQ1ZWVjMzNlYzg0YTcxYjBiY2VjNTA1NmQyMTY3ZjE3YmM3M2ZhYTJkZDQyMGE0YTQ0M2MxNWE5ZTk3OWRhNmU2Yzg2N2U1ZTdiNWJhOGZkNTgyZjA3YzRlZGM5ZjUxYiJ9LCJyZXNvdXJjZSI6eyJ1cmwiOiJodHRwOi8vMTI3LjAuMC4xOjQwMjEvdjIvd2VhdGhlciIsImRlc2NyaXB0aW9uIjoidGVzdCByZXNvdXJjZSIsIm1pbWVUeXBlIjoiYXBwbGljYXRpb24vanNvbiJ9LCJhY2NlcHRlZCI6eyJzY2hlbWUiOiJleGFjdCIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJhbW91bnQiOiIxMDAwMCIsImFzc2V0IjoiMHg1ZmJkYjIzMTU2NzhhZmVjYjM2N2YwMzJkOTNmNjQyZjY0MTgwYWEzIiwicGF5VG8iOiIweDNDNDRDZERkQjZhOTAwZmEyYjU4NWRkMjk5ZTAzZDEyRkE0MjkzQkMiLCJtYXhUaW1lb3V0U2Vjb25kcyI6NjAsImV4dHJhIjp7Im5hbWUiOiJVU0QgQ29pbiIsInZlcnNpb24iOiIyIn19fQ==";

/* base64 of n bytes of s (n may cover embedded NULs). */
static char *
enc(const char *s, size_t n)
{
	struct buf	 b;

	buf_init(&b);
	if (b64_encode(s, n, &b) == -1)
		abort();
	buf_puts(&b, "");
	return buf_steal(&b, NULL);
}

/* s with the first occurrence of from replaced by to; aborts if absent. */
static char *
subst(const char *s, const char *from, const char *to)
{
	const char	*p;
	char		*r;
	size_t		 n;

	if ((p = strstr(s, from)) == NULL) {
		fprintf(stderr, "subst: \"%s\" not found\n", from);
		abort();
	}
	n = strlen(s) - strlen(from) + strlen(to);
	if ((r = malloc(n + 1)) == NULL)
		abort();
	memcpy(r, s, (size_t)(p - s));
	strcpy(r + (p - s), to);
	strcat(r, p + strlen(from));
	return r;
}

static int
dec_raw(const char *json, size_t n, int version, struct x402_payment *p,
    struct sf_err *err)
{
	char	*h;
	int	 rc;

	h = enc(json, n);
	sf_err_clear(err);
	rc = x402_payment_decode(h, version, p, err);
	free(h);
	return rc;
}

/* Expect json (as a header of the given version) to fail with code. */
static void
bad(const char *json, int version, const char *code, const char *what)
{
	struct x402_payment	 p;
	struct sf_err		 err;
	int			 rc;

	rc = dec_raw(json, strlen(json), version, &p, &err);
	T_OK(rc == -1 && strcmp(err.code, code) == 0 && err.status == 402,
	    "reject %s (%s: %s)", what, err.code, err.message);
	if (rc == 0)
		x402_payment_free(&p);
}

/* Replace from by to in base and expect invalid_payload. */
static void
bad_sub(const char *base, int version, const char *from, const char *to,
    const char *what)
{
	char	*j;

	j = subst(base, from, to);
	bad(j, version, "invalid_payload", what);
	free(j);
}

static void
good_sub(const char *base, int version, const char *from, const char *to,
    const char *what)
{
	struct x402_payment	 p;
	struct sf_err		 err;
	char			*j;

	j = subst(base, from, to);
	T_OK(dec_raw(j, strlen(j), version, &p, &err) == 0,
	    "accept %s (%s)", what, err.message);
	x402_payment_free(&p);
	free(j);
}

/* V2_JSON with an "extensions" member holding ext. */
static void
ext_case(const char *ext, int ok, const char *want_id, const char *what)
{
	struct x402_payment	 p;
	struct sf_err		 err;
	char			*k;
	size_t			 n;
	int			 rc;

	n = strlen(V2_JSON) - 1;	/* drop the closing brace */
	if ((k = malloc(n + strlen(ext) + 20)) == NULL)
		abort();
	memcpy(k, V2_JSON, n);
	sprintf(k + n, ",\"extensions\":%s}", ext);
	rc = dec_raw(k, strlen(k), 2, &p, &err);
	if (ok) {
		T_OK(rc == 0, "accept %s (%s)", what, err.message);
		if (want_id != NULL)
			T_OK(rc == 0 && p.has_id && strcmp(p.id, want_id) == 0,
			    "payment id of %s", what);
		else
			T_OK(rc == 0 && !p.has_id, "no payment id in %s", what);
	} else
		T_OK(rc == -1 && strcmp(err.code, "invalid_payload") == 0,
		    "reject %s (%s)", what, err.message);
	if (rc == 0)
		x402_payment_free(&p);
	free(k);
}

/* The reference vectors (x402.md §2.2, §3.2) and the lab capture. */
static void
test_vectors(void)
{
	struct x402_payment	 p;
	struct sf_err		 err;

	T_OK(x402_payment_decode(V1_B64, 1, &p, &err) == 0, "v1 spec vector decodes");
	T_OK(p.version == 1, "v1 version");
	TAP_STREQ(p.scheme, "exact", "v1 scheme");
	TAP_STREQ(p.network, "base-sepolia", "v1 network");
	TAP_STREQ(p.auth.from_hex, "0x857b06519E91e3A54538791bDbb0E22373e36b66", "v1 from");
	TAP_STREQ(p.auth.to_hex, "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "v1 to");
	TAP_STREQ(p.auth.value_dec, "10000", "v1 value");
	TAP_STREQ(p.auth.valid_after_dec, "1740672089", "v1 validAfter");
	TAP_STREQ(p.auth.valid_before_dec, "1740672154", "v1 validBefore");
	TAP_STREQ(p.auth.nonce_hex, "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480", "v1 nonce");
	T_OK(p.sig_len == 65 && p.sig[0] == 0x2d && p.sig[64] == 0x1c, "v1 signature bytes");
	T_OK(p.auth.value[31] == 0x10 && p.auth.value[30] == 0x27, "value as uint256 (0x2710)");
	T_OK(p.canonical_len == strlen(V1_JSON) &&
	    memcmp(p.canonical, V1_JSON, p.canonical_len) == 0,
	    "v1 canonical bytes are the decoded JSON");
	T_OK(!p.has_id && p.resource_url == NULL, "v1 has no id, no resource");
	x402_payment_free(&p);

	T_OK(x402_payment_decode(V2_B64, 2, &p, &err) == 0, "v2 spec vector decodes");
	T_OK(p.version == 2, "v2 version");
	TAP_STREQ(p.accepted.scheme, "exact", "accepted.scheme");
	TAP_STREQ(p.accepted.network, "eip155:84532", "accepted.network");
	TAP_STREQ(p.network, "eip155:84532", "network mirrors accepted");
	TAP_STREQ(p.accepted.amount, "10000", "accepted.amount");
	TAP_STREQ(p.accepted.asset, "0x036CbD53842c5426634e7929541eC2318f3dCF7e", "accepted.asset");
	TAP_STREQ(p.accepted.pay_to, "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "accepted.payTo");
	T_OK(p.accepted.max_timeout == 60, "accepted.maxTimeoutSeconds");
	T_OK(p.accepted.has_name && strcmp(p.accepted.name, "USDC") == 0 &&
	    p.accepted.has_version && strcmp(p.accepted.version, "2") == 0,
	    "accepted.extra");
	TAP_STREQ(p.resource_url, "https://api.example.com/premium-data", "resource.url");
	T_OK(p.canonical_len == strlen(V2_JSON) &&
	    memcmp(p.canonical, V2_JSON, p.canonical_len) == 0,
	    "v2 canonical bytes are the decoded JSON");
	x402_payment_free(&p);

	T_OK(x402_payment_decode(LAB_B64, 2, &p, &err) == 0,
	    "lab capture (payload before accepted, validAfter 0) decodes");
	TAP_STREQ(p.auth.valid_after_dec, "0", "lab validAfter");
	TAP_STREQ(p.accepted.asset, "0x5fbdb2315678afecb367f032d93f642f64180aa3", "lab asset lower case");
	x402_payment_free(&p);
}

/* The version must agree with the header. */
static void
test_version(void)
{
	struct x402_payment	 p;
	struct sf_err		 err;

	T_OK(x402_payment_decode(V1_B64, 2, &p, &err) == -1 &&
	    strcmp(err.code, "invalid_x402_version") == 0, "v1 payload in PAYMENT-SIGNATURE");
	T_OK(x402_payment_decode(V2_B64, 1, &p, &err) == -1 &&
	    strcmp(err.code, "invalid_x402_version") == 0, "v2 payload in X-PAYMENT");
	{
		char	*j = subst(V1_JSON, "\"x402Version\":1", "\"x402Version\":3");

		bad(j, 1, "invalid_x402_version", "x402Version 3");
		free(j);
	}
}

/* Standard padded base64 only, within the size limit. */
static void
test_base64(void)
{
	struct x402_payment	 p;
	struct sf_err		 err;
	char			*h;
	char			*big;

	T_OK(x402_payment_decode("", 2, &p, &err) == -1 &&
	    strcmp(err.code, "invalid_payload") == 0, "empty header");
	T_OK(x402_payment_decode(NULL, 2, &p, &err) == -1, "NULL header");
	h = strdup(V2_B64);
	h[strlen(h) - 1] = '\0';
	T_OK(x402_payment_decode(h, 2, &p, &err) == -1, "padding stripped");
	free(h);
	h = strdup(V2_B64);
	h[10] = '-';
	T_OK(x402_payment_decode(h, 2, &p, &err) == -1, "base64url character");
	h[10] = ' ';
	T_OK(x402_payment_decode(h, 2, &p, &err) == -1, "space inside base64");
	free(h);
	h = malloc(strlen(V2_B64) + 2);
	sprintf(h, "%s\n", V2_B64);
	T_OK(x402_payment_decode(h, 2, &p, &err) == -1, "trailing newline");
	free(h);
	big = malloc(X402_PAYMENT_HDR_MAX + 8);
	memset(big, 'A', X402_PAYMENT_HDR_MAX + 4);
	big[X402_PAYMENT_HDR_MAX + 4] = '\0';
	T_OK(x402_payment_decode(big, 2, &p, &err) == -1 &&
	    strcmp(err.code, "invalid_payload") == 0, "header over the size limit");
	free(big);
}

/* Strict JSON text: one document, UTF-8, no duplicate keys. */
static void
test_json_text(void)
{
	struct x402_payment	 p;
	struct sf_err		 err;

	bad("not json", 1, "invalid_payload", "not JSON");
	bad("[1,2]", 1, "invalid_payload", "top level array");
	bad("\"x\"", 1, "invalid_payload", "top level string");
	{
		char	*j = malloc(strlen(V1_JSON) + 8);

		sprintf(j, "%sx", V1_JSON);
		bad(j, 1, "invalid_payload", "trailing garbage");
		sprintf(j, "%s{}", V1_JSON);
		bad(j, 1, "invalid_payload", "second document");
		sprintf(j, "\xef\xbb\xbf%s", V1_JSON);
		bad(j, 1, "invalid_payload", "UTF-8 BOM");
		sprintf(j, "%s\x01", V1_JSON);
		bad(j, 1, "invalid_payload", "control character as whitespace");
		sprintf(j, " %s\n", V1_JSON);
		T_OK(dec_raw(j, strlen(j), 1, &p, &err) == 0, "JSON whitespace allowed");
		x402_payment_free(&p);
		memcpy(j, V1_JSON, strlen(V1_JSON) + 1);
		T_OK(dec_raw(j, strlen(j) + 1, 1, &p, &err) == -1,
		    "trailing NUL byte");
		free(j);
	}
	bad_sub(V1_JSON, 1, "base-sepolia", "base-sepolia\\u0000junk", "\\u0000 in a string");
	good_sub(V1_JSON, 1, "base-sepolia", "base\\\\u0000", "escaped backslash before u0000");
	/* cJSON reads a \u without four hex digits as U+0000; JSON.parse
	   refuses it. */
	bad_sub(V1_JSON, 1, "base-sepolia", "base-sepolia\\uzzzzjunk", "\\u without hex digits");
	bad_sub(V1_JSON, 1, "base-sepolia", "base-sepolia\\u00zzjunk", "\\u with two hex digits");
	good_sub(V1_JSON, 1, "base-sepolia", "base-sepoli\\u0061", "\\u0061 (a)");
	good_sub(V1_JSON, 1, "base-sepolia", "base-sepoli\\u00C0", "\\u00C0 in upper case");
	bad_sub(V1_JSON, 1, "base-sepolia", "base\tsepolia", "raw tab in a string");
	bad_sub(V1_JSON, 1, "base-sepolia", "base\xc3(sepolia", "invalid UTF-8");
	bad_sub(V1_JSON, 1, "base-sepolia", "base\xed\xa0\x80", "UTF-8 surrogate");
	bad_sub(V1_JSON, 1, "base-sepolia", "base\xc0\xaf", "overlong UTF-8");
	good_sub(V1_JSON, 1, "base-sepolia", "b\xc3\xa4se", "valid UTF-8 (fails matching later)");
	bad_sub(V1_JSON, 1, "\"x402Version\":1", "\"x402Version\":01", "number with a leading zero");
	bad_sub(V1_JSON, 1, "\"x402Version\":1", "\"x402Version\":1.", "number \"1.\"");
	bad_sub(V1_JSON, 1, "\"x402Version\":1", "\"x402Version\":+1", "number \"+1\"");
	bad_sub(V1_JSON, 1, "\"x402Version\":1", "\"x402Version\":1.5", "fractional version");
	bad_sub(V1_JSON, 1, "\"x402Version\":1", "\"x402Version\":\"1\"", "version as a string");
	bad_sub(V1_JSON, 1, "\"x402Version\":1", "\"X402Version\":1", "version key in another case");
	bad_sub(V1_JSON, 1, "\"x402Version\":1,", "", "version missing");
	bad_sub(V1_JSON, 1, "{\"x402Version\":1", "{\"x402Version\":1,\"x402Version\":1",
	    "duplicate top-level key");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"", "\"value\":\"10000\",\"value\":\"99\"",
	    "duplicate nested key");
	bad_sub(V1_JSON, 1, "\"payload\":{", "\"x\":{\"a\":1,\"a\":2},\"payload\":{",
	    "duplicate key in an unknown member");
	good_sub(V1_JSON, 1, "\"payload\":{", "\"x\":[{\"a\":1},{\"a\":2}],\"payload\":{",
	    "same key in sibling objects");
}

/* The v1 payload's fields, each malformed in turn. */
static void
test_v1_fields(void)
{
	struct x402_payment	 p;
	struct sf_err		 err;

	bad_sub(V1_JSON, 1, "\"scheme\":\"exact\",", "", "scheme missing");
	bad_sub(V1_JSON, 1, "\"network\":\"base-sepolia\"", "\"network\":84532", "network a number");
	bad_sub(V1_JSON, 1, "\"payload\":{", "\"payload\":[{", "payload an array");
	bad_sub(V1_JSON, 1, "\"authorization\":{", "\"authorization\":null,\"a\":{", "authorization null");
	bad_sub(V1_JSON, 1, "\"signature\":", "\"sig\":", "signature missing");
	bad_sub(V1_JSON, 1, "\"signature\":\"0x2d6a", "\"signature\":\"2d6a", "signature without 0x");
	bad_sub(V1_JSON, 1, "\"signature\":\"0x2d6a", "\"signature\":\"0x2d6", "signature odd length");
	bad_sub(V1_JSON, 1, "\"signature\":\"0x2d6a", "\"signature\":\"0xzd6a", "signature non-hex");
	good_sub(V1_JSON, 1, "571c\"", "571c\",\"x\":\"\"", "unknown keys ignored");
	/* A short signature is syntax-valid; x402_verify says it is not 65 bytes. */
	{
		char	*j = subst(V1_JSON, "0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c", "0x1234");

		T_OK(dec_raw(j, strlen(j), 1, &p, &err) == 0 && p.sig_len == 2,
		    "signature 0x1234 decodes with length 2");
		x402_payment_free(&p);
		free(j);
	}
	bad_sub(V1_JSON, 1, "\"signature\":\"0x2d6a", "\"signature\":\"0x\",\"s\":\"0x2d6a", "empty signature");
	bad_sub(V1_JSON, 1, "\"signature\":\"0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c\"",
	    "\"signature\":1", "signature a number");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"", "\"value\":10000", "value a number");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"", "\"value\":\"-1\"", "value negative");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"", "\"value\":\"+10000\"", "value with +");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"", "\"value\":\"010000\"", "value leading zero");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"", "\"value\":\"10000.0\"", "value fraction");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"", "\"value\":\"1e4\"", "value exponent");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"", "\"value\":\"0x2710\"", "value hex");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"", "\"value\":\" 10000\"", "value with space");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"", "\"value\":\"\"", "value empty");
	bad_sub(V1_JSON, 1, "\"value\":\"10000\"",
	    "\"value\":\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"",
	    "value 2^256");
	good_sub(V1_JSON, 1, "\"value\":\"10000\"",
	    "\"value\":\"115792089237316195423570985008687907853269984665640564039457584007913129639935\"",
	    "value 2^256-1");
	bad_sub(V1_JSON, 1, "\"validAfter\":\"1740672089\"", "\"validAfter\":1740672089", "validAfter a number");
	bad_sub(V1_JSON, 1, "\"validBefore\":\"1740672154\",", "", "validBefore missing");
	bad_sub(V1_JSON, 1, "0x857b06519E91e3A54538791bDbb0E22373e36b66", "0x857b06519E91e3A54538791bDbb0E22373e36b6", "from 39 digits");
	bad_sub(V1_JSON, 1, "0x857b06519E91e3A54538791bDbb0E22373e36b66", "0x857b06519E91e3A54538791bDbb0E22373e36b6600", "from 21 bytes");
	bad_sub(V1_JSON, 1, "0x857b06519E91e3A54538791bDbb0E22373e36b66", "857b06519E91e3A54538791bDbb0E22373e36b66ab", "from without 0x");
	bad_sub(V1_JSON, 1, "\"to\":\"0x209693Bc6afc0C5328bA36FaF03C514EF312287C\"", "\"to\":null", "to null");
	bad_sub(V1_JSON, 1, "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480", "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f134", "nonce 31 bytes");
	bad_sub(V1_JSON, 1, "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480", "0xg3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480", "nonce non-hex");
	{
		char	*j = subst(V1_JSON, "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480",
		    "0xF3746613C2D920B5FDABC0856F2AEB2D4F88EE6037B8CC5D04A71A4462F13480");

		T_OK(dec_raw(j, strlen(j), 1, &p, &err) == 0 &&
		    strcmp(p.auth.nonce_hex, "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480") == 0,
		    "upper-case nonce normalised to lower case");
		x402_payment_free(&p);
		free(j);
	}
	bad_sub(V1_JSON, 1, "\"authorization\":{", "\"permit2Authorization\":{},\"authorization\":{", "Permit2 payload");
}

/* The v2 accepted copy and resource. */
static void
test_v2_fields(void)
{
	char			*big;

	bad_sub(V2_JSON, 2, "\"accepted\":{", "\"accepted\":null,\"x\":{", "accepted null (#3171)");
	bad_sub(V2_JSON, 2, "\"accepted\":{", "\"accepted\":[],\"x\":{", "accepted an array");
	bad_sub(V2_JSON, 2, "\"scheme\":\"exact\",", "", "accepted.scheme missing");
	bad_sub(V2_JSON, 2, "\"amount\":\"10000\"", "\"amount\":10000", "accepted.amount a number");
	bad_sub(V2_JSON, 2, "\"amount\":\"10000\"", "\"amount\":\"1e4\"", "accepted.amount exponent");
	bad_sub(V2_JSON, 2, "\"maxTimeoutSeconds\":60", "\"maxTimeoutSeconds\":\"60\"", "maxTimeoutSeconds a string");
	bad_sub(V2_JSON, 2, "\"maxTimeoutSeconds\":60", "\"maxTimeoutSeconds\":-60", "maxTimeoutSeconds negative");
	bad_sub(V2_JSON, 2, "\"maxTimeoutSeconds\":60", "\"maxTimeoutSeconds\":60.5", "maxTimeoutSeconds fraction");
	bad_sub(V2_JSON, 2, "\"maxTimeoutSeconds\":60", "\"maxTimeoutSeconds\":1e300", "maxTimeoutSeconds huge");
	bad_sub(V2_JSON, 2, ",\"extra\":{\"name\":\"USDC\",\"version\":\"2\"}", "", "extra missing");
	bad_sub(V2_JSON, 2, "\"name\":\"USDC\"", "\"name\":1", "extra.name a number");
	good_sub(V2_JSON, 2, "\"name\":\"USDC\",", "", "extra.name absent (fails matching later)");
	good_sub(V2_JSON, 2, "\"version\":\"2\"}", "\"version\":\"2\",\"assetTransferMethod\":\"eip3009\"}", "extra with more keys");
	bad_sub(V2_JSON, 2, "\"asset\":\"0x036CbD53842c5426634e7929541eC2318f3dCF7e\"", "\"asset\":\"USDC\"", "asset not an address");
	bad_sub(V2_JSON, 2, "\"payTo\":\"0x209693Bc6afc0C5328bA36FaF03C514EF312287C\"", "\"payTo\":\"0x209693Bc\"", "payTo short");
	bad_sub(V2_JSON, 2, "\"resource\":{", "\"resource\":\"https://x\",\"r\":{", "resource a string");
	bad_sub(V2_JSON, 2, "\"url\":\"https://api.example.com/premium-data\",", "", "resource.url missing");
	good_sub(V2_JSON, 2, "\"resource\":{", "\"r\":{", "resource absent");
	big = malloc(300);
	memset(big, 'a', 200);
	strcpy(big + 200, "\"");
	{
		char	*j = malloc(strlen(V2_JSON) + 300);
		char	*k;

		snprintf(j, strlen(V2_JSON) + 300, "\"network\":\"%s", big);
		k = subst(V2_JSON, "\"network\":\"eip155:84532\"", j);
		bad(k, 2, "invalid_payload", "network longer than the buffer");
		free(k);
		free(j);
	}
	free(big);
}

/* extensions / payment-identifier (x402.md §11). */
static void
test_extensions(void)
{


	ext_case("{}", 1, NULL, "empty extensions");
	ext_case("{\"payment-identifier\":{\"info\":{\"id\":\"pay_0123456789abcdef\"}}}", 1,
	    "pay_0123456789abcdef", "payment id");
	ext_case("{\"payment-identifier\":{\"info\":{\"required\":false},\"schema\":{}}}", 1,
	    NULL, "echoed extension without an id");
	ext_case("{\"bazaar\":{\"info\":{\"x\":[1,2]},\"schema\":{}}}", 1, NULL,
	    "other extension");
	ext_case("{\"payment-identifier\":{\"info\":{\"id\":\"0123456789abcde\"}}}", 0, NULL,
	    "id of 15 characters");
	ext_case("{\"payment-identifier\":{\"info\":{\"id\":\"0123456789abcdef\"}}}", 1,
	    "0123456789abcdef", "id of 16 characters");
	ext_case("{\"payment-identifier\":{\"info\":{\"id\":\"pay.0123456789abcdef\"}}}", 0, NULL,
	    "id with a dot");
	ext_case("{\"payment-identifier\":{\"info\":{\"id\":\"pay 0123456789abcdef\"}}}", 0, NULL,
	    "id with a space");
	ext_case("{\"payment-identifier\":{\"info\":{\"id\":12345678901234567}}}", 0, NULL,
	    "id a number");
	ext_case("{\"payment-identifier\":{\"info\":\"pay_0123456789abcdef\"}}", 0, NULL,
	    "info a string");
	ext_case("{\"payment-identifier\":\"x\"}", 0, NULL, "extension a string");
	ext_case("[]", 0, NULL, "extensions an array");
	{
		char	 ext[400], id[200];

		memset(id, 'a', 128);
		id[128] = '\0';
		snprintf(ext, sizeof(ext), "{\"payment-identifier\":{\"info\":{\"id\":\"%s\"}}}", id);
		ext_case(ext, 1, id, "id of 128 characters");
		id[128] = 'a';
		id[129] = '\0';
		snprintf(ext, sizeof(ext), "{\"payment-identifier\":{\"info\":{\"id\":\"%s\"}}}", id);
		ext_case(ext, 0, NULL, "id of 129 characters");
	}
}

/* Decoding leaves nothing to free on failure, and free is idempotent. */
static void
test_failed_decode(void)
{
	struct x402_payment	 p;
	struct sf_err		 err;

	memset(&p, 0xa5, sizeof(p));
	T_OK(x402_payment_decode("!!!!", 2, &p, &err) == -1 &&
	    p.canonical == NULL && p.resource_url == NULL, "failed decode zeroes the payment");
	x402_payment_free(&p);
	x402_payment_free(NULL);
}

/* The resource a payment was made for against ours (x402_payment_for). */
static void
test_resource(void)
{
	static const struct {
		const char	*paid_for;	/* NULL: none named */
		const char	*ours;
		int		 same;
		const char	*what;
	} c[] = {
		{ NULL, "https://a.example/v1/image-generate", 1,
		    "no resource named: nothing to hold it to" },
		{ "https://a.example/v1/image-generate",
		    "https://a.example/v1/image-generate", 1, "the same URL" },
		{ "https://a.example/v1/sound-effects",
		    "https://a.example/v1/image-generate", 0,
		    "another endpoint of the same service" },
		{ "http://127.0.0.1:8080/v1/image-generate",
		    "https://a.example/v1/image-generate", 1,
		    "another name of the service: the path decides" },
		{ "HTTPS://A.EXAMPLE:443/v1/image-generate/",
		    "https://a.example/v1/image-generate", 1,
		    "a trailing slash, case of scheme and host" },
		{ "https://a.example/v1/image%2Dgenerate?x=1#f",
		    "https://a.example/v1/image-generate", 1,
		    "an escaped unreserved character, query and fragment" },
		{ "https://a.example/v1/Image-Generate",
		    "https://a.example/v1/image-generate", 0,
		    "paths keep their case" },
		{ "https://a.example/v1/image%2fgenerate",
		    "https://a.example/v1/image/generate", 0,
		    "an escaped slash is not a slash" },
		{ "https://a.example/v1/image%2fgenerate",
		    "https://a.example/v1/image%2Fgenerate", 1,
		    "escapes compare upper-cased" },
		{ "https://a.example/shop/v1/image-generate",
		    "https://a.example/v1/image-generate", 0,
		    "a path prefix counts" },
		{ "/v1/image-generate", "https://a.example/v1/image-generate", 1,
		    "a bare path" },
		{ "https://a.example", "https://a.example/v1/image-generate", 0,
		    "the service's root" },
		{ "https://a.example/v1/image-generate%00",
		    "https://a.example/v1/image-generate", 0,
		    "an escaped NUL is no terminator" },
		{ "image-generate", "https://a.example/v1/image-generate", 0,
		    "a relative name" },
	};
	struct x402_payment	 p;
	size_t			 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.resource_url = (char *)c[i].paid_for;
		T_OK(x402_payment_for(&p, c[i].ours) == c[i].same, "resource: %s",
		    c[i].what);
	}
}

/* v1 names no resource; one echoed anyway is read. */
static void
test_v1_resource(void)
{
	struct x402_payment	 p;
	struct sf_err		 err;
	char			*j, *h;

	j = malloc(strlen(V1_JSON) + 64);
	snprintf(j, strlen(V1_JSON) + 64, "{\"resource\":\"https://a.example/v1/x\",%s",
	    V1_JSON + 1);
	h = enc(j, strlen(j));
	T_OK(x402_payment_decode(h, 1, &p, &err) == 0 && p.resource_url != NULL &&
	    strcmp(p.resource_url, "https://a.example/v1/x") == 0,
	    "v1: an echoed resource string is read");
	x402_payment_free(&p);
	free(h);
	snprintf(j, strlen(V1_JSON) + 64, "{\"resource\":{\"url\":\"x\"},%s", V1_JSON + 1);
	h = enc(j, strlen(j));
	T_OK(x402_payment_decode(h, 1, &p, &err) == -1 &&
	    strcmp(err.code, "invalid_payload") == 0, "v1: a resource that is "
	    "not a string is refused");
	free(h);
	free(j);
}

int
main(void)
{
	test_vectors();
	test_version();
	test_base64();
	test_json_text();
	test_v1_fields();
	test_v2_fields();
	test_extensions();
	test_failed_decode();
	test_resource();
	test_v1_resource();
	return tap_done();
}
