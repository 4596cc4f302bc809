/*
 * The payment header decoder as it was before x402_json.h (commit
 * 6fc7c84): a prescan, cJSON_Parse and a walk for duplicate keys.  Kept
 * only as the oracle of tests/fuzz/fuzz_x402_payment.c, which asks it and
 * x402_payment_decode the same inputs and wants the same answer: the same
 * refusal (status, code, field, message) or the same decoded payment.
 * Not built into the product.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/err.h"
#include "basics/b58.h"
#include "basics/hex.h"
#include "basics/net.h"
#include "basics/u256.h"
#include "x402/x402_payment.h"

int	x402_payment_ref_decode(const char *, int, struct x402_payment *,
	    struct sf_err *);

#define X402_PAYMENT_BAD(err, field, ...) \
	sf_err_set((err), 402, "invalid_payload", (field), __VA_ARGS__)

/* Length of a valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t
x402_payment_utf8(const unsigned char *p, size_t n)
{
	size_t		 len, i;
	uint32_t	 cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Length of an RFC 8259 number at p, 0 if malformed (cJSON uses strtod). */
static size_t
x402_payment_number(const unsigned char *p, size_t n)
{
	size_t	 i = 0, d;

	if (i < n && p[i] == '-')
		i++;
	if (i < n && p[i] == '0')
		i++;
	else if (i < n && p[i] >= '1' && p[i] <= '9')
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && p[i] == '.') {
		for (d = ++i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			continue;
		if (i == d)
			return 0;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		for (d = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			continue;
		if (i == d)
			return 0;
	}
	/* "01", "1.e5", "1x" and the like end up here. */
	if (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
	    p[i] == 'e' || p[i] == 'E' || p[i] == '+' || p[i] == '-'))
		return 0;
	return i;
}

static int
x402_payment_xdigit(unsigned char c)
{

	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * What cJSON lets through but JSON (RFC 8259) and JSON.parse do not:
 * a BOM, control characters (cJSON treats any byte <= 0x20 as space),
 * invalid UTF-8, sloppy numbers, and "\u0000", which would cut a C string
 * short and so make "eip155:1\u0000junk" compare equal to "eip155:1";
 * so would "\u" without four hex digits ("\uzzzz"), which cJSON reads as
 * U+0000 where JSON.parse refuses it.
 */
static int
x402_payment_prescan(const unsigned char *p, size_t n)
{
	size_t	 i, k;
	int	 instr = 0;

	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return -1;
	for (i = 0; i < n; i += k) {
		k = 1;
		if (!instr && (p[i] == '-' || (p[i] >= '0' && p[i] <= '9'))) {
			if ((k = x402_payment_number(p + i, n - i)) == 0)
				return -1;
			continue;
		}
		if (p[i] < 0x20) {
			if (instr || (p[i] != ' ' && p[i] != '\t' &&
			    p[i] != '\n' && p[i] != '\r'))
				return -1;
			continue;
		}
		if (p[i] >= 0x80) {
			if ((k = x402_payment_utf8(p + i, n - i)) == 0)
				return -1;
			continue;
		}
		if (p[i] == '"')
			instr = !instr;
		else if (instr && p[i] == '\\') {
			if (i + 1 >= n)
				return -1;
			if (p[i + 1] == 'u' && (i + 5 >= n ||
			    !x402_payment_xdigit(p[i + 2]) ||
			    !x402_payment_xdigit(p[i + 3]) ||
			    !x402_payment_xdigit(p[i + 4]) ||
			    !x402_payment_xdigit(p[i + 5]) ||
			    memcmp(p + i + 2, "0000", 4) == 0))
				return -1;
			k = 2;
		}
	}
	return 0;
}

/* cJSON keeps duplicate keys and returns the first; JS keeps the last. */
static int
x402_payment_nodup(const cJSON *j)
{
	const cJSON	*a, *b;

	for (a = j->child; a != NULL; a = a->next) {
		if (cJSON_IsObject(j))
			for (b = a->next; b != NULL; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return -1;
		if (x402_payment_nodup(a) == -1)
			return -1;
	}
	return 0;
}

static const cJSON *
x402_payment_get(const cJSON *obj, const char *key)
{

	/* cJSON_GetObjectItem() is case-insensitive; the wire is not. */
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int
x402_payment_obj(const cJSON *obj, const char *key, const char *field,
    int required, const cJSON **out, struct sf_err *err)
{
	const cJSON	*j;

	*out = NULL;
	if ((j = x402_payment_get(obj, key)) == NULL) {
		if (required)
			return X402_PAYMENT_BAD(err, field,
			    "%s: missing", field);
		return 0;
	}
	if (!cJSON_IsObject(j))
		return X402_PAYMENT_BAD(err, field, "%s: not an object", field);
	*out = j;
	return 0;
}

/* Copy a string member; *present says whether it was there. */
static int
x402_payment_str(const cJSON *obj, const char *key, const char *field,
    char *out, size_t outsz, int *present, struct sf_err *err)
{
	const cJSON	*j;
	size_t		 len;

	if (present != NULL)
		*present = 0;
	if ((j = x402_payment_get(obj, key)) == NULL) {
		if (present != NULL)
			return 0;
		return X402_PAYMENT_BAD(err, field, "%s: missing", field);
	}
	if (!cJSON_IsString(j) || j->valuestring == NULL)
		return X402_PAYMENT_BAD(err, field, "%s: not a string", field);
	if ((len = strlen(j->valuestring)) >= outsz)
		return X402_PAYMENT_BAD(err, field, "%s: too long", field);
	memcpy(out, j->valuestring, len + 1);
	if (present != NULL)
		*present = 1;
	return 0;
}

static int
x402_payment_addr(const cJSON *obj, const char *key, const char *field,
    char out[HEX_ADDR_STRLEN], uint8_t bytes[HEX_ADDR_LEN], struct sf_err *err)
{
	uint8_t	 tmp[HEX_ADDR_LEN];

	if (x402_payment_str(obj, key, field, out, HEX_ADDR_STRLEN, NULL,
	    err) == -1)
		return -1;
	if (hex_decode_fixed(out, bytes ? bytes : tmp, HEX_ADDR_LEN) == -1)
		return X402_PAYMENT_BAD(err, field,
		    "%s: not a 0x-prefixed 20-byte hex address", field);
	return 0;
}

static int
x402_payment_b58(const cJSON *obj, const char *key, const char *field,
    char out[X402_OFFER_ADDR], struct sf_err *err)
{
	if (x402_payment_str(obj, key, field, out, X402_OFFER_ADDR, NULL,
	    err) == -1)
		return -1;
	if (!b58_is_address(out))
		return X402_PAYMENT_BAD(err, field,
		    "%s: not a base58 32-byte address", field);
	return 0;
}

/* Is this network name (v1) or CAIP-2 id (v2) a Solana one? */
static int
x402_payment_is_svm(const char *network)
{
	struct net_info	 ni;

	if (net_lookup(network, &ni) == 0)
		return ni.family == NET_SVM;
	return strncmp(network, "solana", 6) == 0;
}

/* payload.transaction: base64 of a wire transaction of at most 1232 bytes. */
static int
x402_payment_svm(const cJSON *root, struct x402_payment *p,
    struct sf_err *err)
{
	const cJSON	*pl, *tx;
	unsigned char	*b;
	size_t		 len;

	if (x402_payment_obj(root, "payload", "payload", 1, &pl, err) == -1)
		return -1;
	tx = x402_payment_get(pl, "transaction");
	if (tx == NULL || !cJSON_IsString(tx) || tx->valuestring == NULL)
		return X402_PAYMENT_BAD(err, "payload.transaction",
		    "payload.transaction: missing or not a string");
	if (strlen(tx->valuestring) > 4 * ((SVM_TX_MAX + 2) / 3))
		return X402_PAYMENT_BAD(err, "payload.transaction",
		    "payload.transaction: longer than %d bytes", SVM_TX_MAX);
	if ((b = b64_decode(tx->valuestring, &len)) == NULL)
		return X402_PAYMENT_BAD(err, "payload.transaction",
		    "payload.transaction: not standard padded base64");
	if (len == 0 || len > SVM_TX_MAX) {
		free(b);
		return X402_PAYMENT_BAD(err, "payload.transaction",
		    "payload.transaction: %zu bytes, 1 to %d expected", len,
		    SVM_TX_MAX);
	}
	memcpy(p->svm_tx, b, len);
	p->svm_tx_len = len;
	p->svm = 1;
	free(b);
	return 0;
}

static int
x402_payment_uint(const cJSON *obj, const char *key, const char *field,
    char out[U256_DEC_SIZE], uint8_t bytes[U256_LEN], struct sf_err *err)
{
	uint8_t	 tmp[U256_LEN];

	if (x402_payment_str(obj, key, field, out, U256_DEC_SIZE, NULL,
	    err) == -1)
		return -1;
	if (u256_from_dec(out, bytes ? bytes : tmp) == -1)
		return X402_PAYMENT_BAD(err, field,
		    "%s: not a canonical decimal uint256 string", field);
	return 0;
}

/* A JSON number that is a non-negative integer <= max. */
static int
x402_payment_int(const cJSON *obj, const char *key, const char *field,
    double max, uint64_t *out, struct sf_err *err)
{
	const cJSON	*j;
	double		 d;

	if ((j = x402_payment_get(obj, key)) == NULL)
		return X402_PAYMENT_BAD(err, field, "%s: missing", field);
	if (!cJSON_IsNumber(j))
		return X402_PAYMENT_BAD(err, field, "%s: not a number", field);
	d = j->valuedouble;
	if (!isfinite(d) || d < 0 || d > max || floor(d) != d)
		return X402_PAYMENT_BAD(err, field,
		    "%s: not an integer in range", field);
	*out = (uint64_t)d;
	return 0;
}

static int
x402_payment_evm(const cJSON *root, struct x402_payment *p,
    struct sf_err *err)
{
	const cJSON			*pl, *au, *sig;
	struct x402_authorization	*a = &p->auth;
	size_t				 len;

	if (x402_payment_obj(root, "payload", "payload", 1, &pl, err) == -1)
		return -1;
	if (x402_payment_get(pl, "permit2Authorization") != NULL)
		return X402_PAYMENT_BAD(err, "payload.permit2Authorization",
		    "Permit2 payloads are not supported");
	if (x402_payment_obj(pl, "authorization", "payload.authorization", 1,
	    &au, err) == -1)
		return -1;
	if ((sig = x402_payment_get(pl, "signature")) == NULL)
		return X402_PAYMENT_BAD(err, "payload.signature",
		    "payload.signature: missing");
	if (!cJSON_IsString(sig) || sig->valuestring == NULL)
		return X402_PAYMENT_BAD(err, "payload.signature",
		    "payload.signature: not a string");
	if (hex_check(sig->valuestring, X402_PAYMENT_SIG_MAX, &len) == -1)
		return X402_PAYMENT_BAD(err, "payload.signature",
		    "payload.signature: not 0x-prefixed even-length hex "
		    "of at most %d bytes", X402_PAYMENT_SIG_MAX);
	/* Any length: a contract wallet's signature is the wallet's format
	   (x402_verify tells an EOA's from the others). */
	p->sig_len = len;
	if (len > 0 && (p->sig_bytes = malloc(len)) == NULL)
		return sf_err_set(err, 500, "out_of_memory", NULL,
		    "out of memory");
	if (len > 0 && hex_decode(sig->valuestring, p->sig_bytes, len,
	    &len) == -1)
		return X402_PAYMENT_BAD(err, "payload.signature",
		    "payload.signature: not hex");
	if (len == sizeof(p->sig))
		memcpy(p->sig, p->sig_bytes, sizeof(p->sig));

	if (x402_payment_addr(au, "from", "payload.authorization.from",
	    a->from_hex, a->from, err) == -1 ||
	    x402_payment_addr(au, "to", "payload.authorization.to",
	    a->to_hex, a->to, err) == -1 ||
	    x402_payment_uint(au, "value", "payload.authorization.value",
	    a->value_dec, a->value, err) == -1 ||
	    x402_payment_uint(au, "validAfter",
	    "payload.authorization.validAfter", a->valid_after_dec,
	    a->valid_after, err) == -1 ||
	    x402_payment_uint(au, "validBefore",
	    "payload.authorization.validBefore", a->valid_before_dec,
	    a->valid_before, err) == -1 ||
	    x402_payment_str(au, "nonce", "payload.authorization.nonce",
	    a->nonce_hex, sizeof(a->nonce_hex), NULL, err) == -1)
		return -1;
	if (hex_decode_fixed(a->nonce_hex, a->nonce, sizeof(a->nonce)) == -1)
		return X402_PAYMENT_BAD(err, "payload.authorization.nonce",
		    "payload.authorization.nonce: not 0x + 64 hex digits");
	/* Ledger keys must not depend on the client's letter case. */
	hex_encode(a->nonce, sizeof(a->nonce), a->nonce_hex);
	return 0;
}

static int
x402_payment_v2(const cJSON *root, struct x402_payment *p, struct sf_err *err)
{
	const cJSON		*acc, *ex, *res, *exts, *pid, *info, *id;
	struct x402_accepted	*c = &p->accepted;
	size_t			 len, i;
	char			 ch;

	if (x402_payment_obj(root, "accepted", "accepted", 1, &acc,
	    err) == -1 ||
	    x402_payment_str(acc, "scheme", "accepted.scheme", c->scheme,
	    sizeof(c->scheme), NULL, err) == -1 ||
	    x402_payment_str(acc, "network", "accepted.network", c->network,
	    sizeof(c->network), NULL, err) == -1 ||
	    x402_payment_uint(acc, "amount", "accepted.amount", c->amount,
	    NULL, err) == -1 ||
	    x402_payment_int(acc, "maxTimeoutSeconds",
	    "accepted.maxTimeoutSeconds", 4294967295.0, &c->max_timeout,
	    err) == -1 ||
	    x402_payment_obj(acc, "extra", "accepted.extra", 1, &ex,
	    err) == -1)
		return -1;
	if (x402_payment_is_svm(c->network)) {
		if (x402_payment_b58(acc, "asset", "accepted.asset", c->asset,
		    err) == -1 ||
		    x402_payment_b58(acc, "payTo", "accepted.payTo", c->pay_to,
		    err) == -1 ||
		    x402_payment_b58(ex, "feePayer", "accepted.extra.feePayer",
		    c->fee_payer, err) == -1)
			return -1;
		c->has_fee_payer = 1;
	} else if (x402_payment_addr(acc, "asset", "accepted.asset", c->asset,
	    NULL, err) == -1 ||
	    x402_payment_addr(acc, "payTo", "accepted.payTo", c->pay_to,
	    NULL, err) == -1 ||
	    x402_payment_str(ex, "name", "accepted.extra.name", c->name,
	    sizeof(c->name), &c->has_name, err) == -1 ||
	    x402_payment_str(ex, "version", "accepted.extra.version",
	    c->version, sizeof(c->version), &c->has_version, err) == -1)
		return -1;
	memcpy(p->scheme, c->scheme, sizeof(p->scheme));
	memcpy(p->network, c->network, sizeof(p->network));

	if (x402_payment_obj(root, "resource", "resource", 0, &res, err) == -1)
		return -1;
	if (res != NULL) {
		id = x402_payment_get(res, "url");
		if (id == NULL || !cJSON_IsString(id) || id->valuestring == NULL)
			return X402_PAYMENT_BAD(err, "resource.url",
			    "resource.url: missing or not a string");
		if ((p->resource_url = strdup(id->valuestring)) == NULL)
			return sf_err_set(err, 500, "unexpected_verify_error",
			    NULL, "out of memory");
	}

	if (x402_payment_obj(root, "extensions", "extensions", 0, &exts,
	    err) == -1)
		return -1;
	if (exts == NULL)
		return 0;
	if (x402_payment_obj(exts, "payment-identifier",
	    "extensions.payment-identifier", 0, &pid, err) == -1)
		return -1;
	if (pid == NULL)
		return 0;
	/* A client may echo the server's {info:{required}} without an id. */
	if (x402_payment_obj(pid, "info", "extensions.payment-identifier.info",
	    0, &info, err) == -1)
		return -1;
	if (info == NULL || (id = x402_payment_get(info, "id")) == NULL)
		return 0;
	if (!cJSON_IsString(id) || id->valuestring == NULL)
		return X402_PAYMENT_BAD(err,
		    "extensions.payment-identifier.info.id",
		    "payment identifier: not a string");
	len = strlen(id->valuestring);
	if (len < X402_PAYMENT_ID_MIN || len > X402_PAYMENT_ID_MAX)
		return X402_PAYMENT_BAD(err,
		    "extensions.payment-identifier.info.id",
		    "payment identifier: must be %d-%d characters",
		    X402_PAYMENT_ID_MIN, X402_PAYMENT_ID_MAX);
	for (i = 0; i < len; i++) {
		ch = id->valuestring[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return X402_PAYMENT_BAD(err,
			    "extensions.payment-identifier.info.id",
			    "payment identifier: only [A-Za-z0-9_-] allowed");
	}
	memcpy(p->id, id->valuestring, len + 1);
	p->has_id = 1;
	return 0;
}

/* v1 carries no resource (x402.md §1); a client that echoes the
   requirement's resource string anyway is held to it. */
static int
x402_payment_v1_resource(const cJSON *root, struct x402_payment *p,
    struct sf_err *err)
{
	const cJSON	*r = x402_payment_get(root, "resource");

	if (r == NULL)
		return 0;
	if (!cJSON_IsString(r) || r->valuestring == NULL)
		return X402_PAYMENT_BAD(err, "resource",
		    "resource: not a string");
	if ((p->resource_url = strdup(r->valuestring)) == NULL)
		return sf_err_set(err, 500, "unexpected_verify_error", NULL,
		    "out of memory");
	return 0;
}

static int
x402_payment_parse(const cJSON *root, int version, struct x402_payment *p,
    struct sf_err *err)
{
	uint64_t	 v;

	if (!cJSON_IsObject(root))
		return X402_PAYMENT_BAD(err, NULL, "payload is not a JSON object");
	if (x402_payment_nodup(root) == -1)
		return X402_PAYMENT_BAD(err, NULL, "duplicate key in payload");
	if (x402_payment_int(root, "x402Version", "x402Version", 1e9, &v,
	    err) == -1)
		return -1;
	if (v != (uint64_t)version)
		return sf_err_set(err, 402, "invalid_x402_version",
		    "x402Version", "x402Version %llu in a header for "
		    "version %d", (unsigned long long)v, version);
	p->version = version;
	if (version == 1) {
		if (x402_payment_str(root, "scheme", "scheme", p->scheme,
		    sizeof(p->scheme), NULL, err) == -1 ||
		    x402_payment_str(root, "network", "network", p->network,
		    sizeof(p->network), NULL, err) == -1 ||
		    x402_payment_v1_resource(root, p, err) == -1)
			return -1;
	} else if (x402_payment_v2(root, p, err) == -1)
		return -1;
	if (x402_payment_is_svm(p->network))
		return x402_payment_svm(root, p, err);
	return x402_payment_evm(root, p, err);
}

int
x402_payment_ref_decode(const char *hdr, int version, struct x402_payment *p,
    struct sf_err *err)
{
	unsigned char	*json;
	const char	*end = NULL;
	cJSON		*root;
	size_t		 len;
	int		 rc;

	memset(p, 0, sizeof(*p));
	if (version != 1 && version != 2)
		return sf_err_set(err, 500, "unexpected_verify_error", NULL,
		    "x402_payment_decode: bad version %d", version);
	if (hdr == NULL || hdr[0] == '\0')
		return X402_PAYMENT_BAD(err, NULL, "empty payment header");
	if (strnlen(hdr, X402_PAYMENT_HDR_MAX + 1) > X402_PAYMENT_HDR_MAX)
		return X402_PAYMENT_BAD(err, NULL,
		    "payment header longer than %d bytes", X402_PAYMENT_HDR_MAX);
	if ((json = b64_decode(hdr, &len)) == NULL)
		return X402_PAYMENT_BAD(err, NULL,
		    "payment header is not standard padded base64");
	if (strlen((char *)json) != len ||
	    x402_payment_prescan(json, len) == -1) {
		free(json);
		return X402_PAYMENT_BAD(err, NULL,
		    "payment is not valid UTF-8 JSON text");
	}
	/* The length includes the NUL: cJSON wants to see it to refuse garbage. */
	root = cJSON_ParseWithLengthOpts((char *)json, len + 1, &end, 1);
	if (root == NULL || end != (char *)json + len) {
		cJSON_Delete(root);
		free(json);
		return X402_PAYMENT_BAD(err, NULL, "payment is not valid JSON");
	}
	rc = x402_payment_parse(root, version, p, err);
	cJSON_Delete(root);
	if (rc == -1) {
		free(json);
		x402_payment_free(p);
		return -1;
	}
	p->canonical = (char *)json;
	p->canonical_len = len;
	return 0;
}
