#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basics/b64.h"
#include "basics/err.h"
#include "basics/b58.h"
#include "basics/hex.h"
#include "basics/net.h"
#include "basics/u256.h"
#include "x402/x402_json.h"
#include "x402/x402_payment.h"

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
 * What cJSON let through but JSON (RFC 8259) and JSON.parse do not:
 * a BOM, control characters (cJSON treats any byte <= 0x20 as space),
 * invalid UTF-8, sloppy numbers, and "\u0000", which would cut a C string
 * short and so make "eip155:1\u0000junk" compare equal to "eip155:1";
 * so would "\u" without four hex digits ("\uzzzz"), which cJSON reads as
 * U+0000 where JSON.parse refuses it.  x402_json refuses all of it in its
 * one pass; this scan only sorts what it refused, as the decoder always
 * has: these faults are "not valid UTF-8 JSON text", the rest "not valid
 * JSON".
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

/*
 * The members read are found in one walk of each object (x402_json_pick);
 * the checks below then run in the same order as ever, so the first
 * fault reported is the same.
 */
static int
x402_payment_is(const struct x402_json_node *j, enum x402_json_type t)
{

	return j != NULL && j->type == (uint32_t)t;
}

/* An object member: *out the object, or NULL when absent and optional. */
static int
x402_payment_obj(const struct x402_json_node *j, const char *field,
    int required, const struct x402_json_node **out, struct sf_err *err)
{

	*out = NULL;
	if (j == NULL) {
		if (required)
			return X402_PAYMENT_BAD(err, field,
			    "%s: missing", field);
		return 0;
	}
	if (!x402_payment_is(j, X402_JSON_OBJECT))
		return X402_PAYMENT_BAD(err, field, "%s: not an object", field);
	*out = j;
	return 0;
}

/* Copy a string member; *present says whether it was there. */
static int
x402_payment_str(const struct x402_json *doc, const struct x402_json_node *j,
    const char *field, char *out, size_t outsz, int *present,
    struct sf_err *err)
{
	size_t	 len;

	if (present != NULL)
		*present = 0;
	if (j == NULL) {
		if (present != NULL)
			return 0;
		return X402_PAYMENT_BAD(err, field, "%s: missing", field);
	}
	if (!x402_payment_is(j, X402_JSON_STRING))
		return X402_PAYMENT_BAD(err, field, "%s: not a string", field);
	/* The decoded length: a string holds no NUL (x402_json.h). */
	if ((len = j->val_len) >= outsz)
		return X402_PAYMENT_BAD(err, field, "%s: too long", field);
	/* Not memcpy: gcc inlines it as "rep movs", slow to start for the
	   few bytes of most fields. */
	strcpy(out, x402_json_string(doc, j));
	if (present != NULL)
		*present = 1;
	return 0;
}

static int
x402_payment_addr(const struct x402_json *doc, const struct x402_json_node *j,
    const char *field, char out[HEX_ADDR_STRLEN], uint8_t bytes[HEX_ADDR_LEN],
    struct sf_err *err)
{
	uint8_t	 tmp[HEX_ADDR_LEN];

	if (x402_payment_str(doc, j, field, out, HEX_ADDR_STRLEN, NULL,
	    err) == -1)
		return -1;
	if (hex_decode_fixed(out, bytes ? bytes : tmp, HEX_ADDR_LEN) == -1)
		return X402_PAYMENT_BAD(err, field,
		    "%s: not a 0x-prefixed 20-byte hex address", field);
	return 0;
}

static int
x402_payment_b58(const struct x402_json *doc, const struct x402_json_node *j,
    const char *field, char out[X402_OFFER_ADDR], struct sf_err *err)
{
	if (x402_payment_str(doc, j, field, out, X402_OFFER_ADDR, NULL,
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
x402_payment_svm(const struct x402_json *doc,
    const struct x402_json_node *payload, struct x402_payment *p,
    struct sf_err *err)
{
	const struct x402_json_node	*pl, *tx;
	const char			*t;
	unsigned char			*b;
	size_t				 len;

	if (x402_payment_obj(payload, "payload", 1, &pl, err) == -1)
		return -1;
	tx = x402_json_get(doc, pl, "transaction");
	if (tx == NULL || !x402_payment_is(tx, X402_JSON_STRING))
		return X402_PAYMENT_BAD(err, "payload.transaction",
		    "payload.transaction: missing or not a string");
	t = x402_json_string(doc, tx);
	if (strlen(t) > 4 * ((SVM_TX_MAX + 2) / 3))
		return X402_PAYMENT_BAD(err, "payload.transaction",
		    "payload.transaction: longer than %d bytes", SVM_TX_MAX);
	if ((b = b64_decode(t, &len)) == NULL)
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
x402_payment_uint(const struct x402_json *doc, const struct x402_json_node *j,
    const char *field, char out[U256_DEC_SIZE], uint8_t bytes[U256_LEN],
    struct sf_err *err)
{
	uint8_t	 tmp[U256_LEN];

	if (x402_payment_str(doc, j, field, out, U256_DEC_SIZE, NULL,
	    err) == -1)
		return -1;
	if (u256_from_dec(out, bytes ? bytes : tmp) == -1)
		return X402_PAYMENT_BAD(err, field,
		    "%s: not a canonical decimal uint256 string", field);
	return 0;
}

/* A JSON number that is a non-negative integer <= max. */
static int
x402_payment_int(const struct x402_json *doc, const struct x402_json_node *j,
    const char *field, double max, uint64_t *out, struct sf_err *err)
{
	double	 d;

	if (j == NULL)
		return X402_PAYMENT_BAD(err, field, "%s: missing", field);
	if (!x402_payment_is(j, X402_JSON_NUMBER))
		return X402_PAYMENT_BAD(err, field, "%s: not a number", field);
	d = x402_json_number(doc, j);
	if (!isfinite(d) || d < 0 || d > max || floor(d) != d)
		return X402_PAYMENT_BAD(err, field,
		    "%s: not an integer in range", field);
	*out = (uint64_t)d;
	return 0;
}

static int
x402_payment_evm(const struct x402_json *doc,
    const struct x402_json_node *payload, struct x402_payment *p,
    struct sf_err *err)
{
	static const struct x402_json_name pn[] = {
		X402_JSON_NAME("permit2Authorization"),
		X402_JSON_NAME("authorization"),
		X402_JSON_NAME("signature"),
	}, an[] = {
		X402_JSON_NAME("from"),
		X402_JSON_NAME("to"),
		X402_JSON_NAME("value"),
		X402_JSON_NAME("validAfter"),
		X402_JSON_NAME("validBefore"),
		X402_JSON_NAME("nonce"),
	};
	const struct x402_json_node	*pl, *au, *m[3], *f[6];
	struct x402_authorization	*a = &p->auth;
	const char			*sig;
	size_t				 len;

	if (x402_payment_obj(payload, "payload", 1, &pl, err) == -1)
		return -1;
	x402_json_pick(doc, pl, pn, 3, m);
	if (m[0] != NULL)
		return X402_PAYMENT_BAD(err, "payload.permit2Authorization",
		    "Permit2 payloads are not supported");
	if (x402_payment_obj(m[1], "payload.authorization", 1, &au,
	    err) == -1)
		return -1;
	if (m[2] == NULL)
		return X402_PAYMENT_BAD(err, "payload.signature",
		    "payload.signature: missing");
	if (!x402_payment_is(m[2], X402_JSON_STRING))
		return X402_PAYMENT_BAD(err, "payload.signature",
		    "payload.signature: not a string");
	sig = x402_json_string(doc, m[2]);
	/* An EOA's (65 bytes) in one pass; the rest checked, then decoded. */
	if (hex_decode(sig, p->sig, sizeof(p->sig), &len) == 0) {
		if ((p->sig_bytes = malloc(len)) == NULL)
			return sf_err_set(err, 500, "out_of_memory", NULL,
			    "out of memory");
		memcpy(p->sig_bytes, p->sig, len);
		p->sig_len = len;
		if (len != sizeof(p->sig))
			memset(p->sig, 0, sizeof(p->sig));
	} else {
		if (hex_check(sig, X402_PAYMENT_SIG_MAX, &len) == -1)
			return X402_PAYMENT_BAD(err, "payload.signature",
			    "payload.signature: not 0x-prefixed even-length "
			    "hex of at most %d bytes", X402_PAYMENT_SIG_MAX);
		/* Any length: a contract wallet's signature is the
		   wallet's format (x402_verify tells an EOA's from the
		   others). */
		p->sig_len = len;
		if ((p->sig_bytes = malloc(len)) == NULL)
			return sf_err_set(err, 500, "out_of_memory", NULL,
			    "out of memory");
		if (hex_decode(sig, p->sig_bytes, len, &len) == -1)
			return X402_PAYMENT_BAD(err, "payload.signature",
			    "payload.signature: not hex");
	}

	x402_json_pick(doc, au, an, 6, f);
	if (x402_payment_addr(doc, f[0], "payload.authorization.from",
	    a->from_hex, a->from, err) == -1 ||
	    x402_payment_addr(doc, f[1], "payload.authorization.to",
	    a->to_hex, a->to, err) == -1 ||
	    x402_payment_uint(doc, f[2], "payload.authorization.value",
	    a->value_dec, a->value, err) == -1 ||
	    x402_payment_uint(doc, f[3], "payload.authorization.validAfter",
	    a->valid_after_dec, a->valid_after, err) == -1 ||
	    x402_payment_uint(doc, f[4], "payload.authorization.validBefore",
	    a->valid_before_dec, a->valid_before, err) == -1 ||
	    x402_payment_str(doc, f[5], "payload.authorization.nonce",
	    a->nonce_hex, sizeof(a->nonce_hex), NULL, err) == -1)
		return -1;
	if (hex_decode_fixed(a->nonce_hex, a->nonce, sizeof(a->nonce)) == -1)
		return X402_PAYMENT_BAD(err, "payload.authorization.nonce",
		    "payload.authorization.nonce: not 0x + 64 hex digits");
	/* Ledger keys must not depend on the client's letter case. */
	hex_encode(a->nonce, sizeof(a->nonce), a->nonce_hex);
	return 0;
}

/* The members of the top-level object read (x402_payment_parse). */
enum {
	X402_TOP_VERSION,
	X402_TOP_SCHEME,
	X402_TOP_NETWORK,
	X402_TOP_RESOURCE,
	X402_TOP_ACCEPTED,
	X402_TOP_EXTENSIONS,
	X402_TOP_PAYLOAD,
	X402_TOP_N
};

/* *svm: the network is a Solana one (x402_payment_is_svm). */
static int
x402_payment_v2(const struct x402_json *doc,
    const struct x402_json_node *const *top, struct x402_payment *p, int *svm,
    struct sf_err *err)
{
	static const struct x402_json_name cn[] = {
		X402_JSON_NAME("scheme"),
		X402_JSON_NAME("network"),
		X402_JSON_NAME("amount"),
		X402_JSON_NAME("maxTimeoutSeconds"),
		X402_JSON_NAME("extra"),
		X402_JSON_NAME("asset"),
		X402_JSON_NAME("payTo"),
	}, xn[] = {
		X402_JSON_NAME("feePayer"),
		X402_JSON_NAME("name"),
		X402_JSON_NAME("version"),
	};
	const struct x402_json_node	*acc, *ex, *res, *exts, *pid;
	const struct x402_json_node	*info, *id, *m[7], *x[3];
	struct x402_accepted		*c = &p->accepted;
	const char			*s;
	size_t				 len, i;
	char				 ch;

	if (x402_payment_obj(top[X402_TOP_ACCEPTED], "accepted", 1, &acc,
	    err) == -1)
		return -1;
	x402_json_pick(doc, acc, cn, 7, m);
	if (x402_payment_str(doc, m[0], "accepted.scheme", c->scheme,
	    sizeof(c->scheme), NULL, err) == -1 ||
	    x402_payment_str(doc, m[1], "accepted.network", c->network,
	    sizeof(c->network), NULL, err) == -1 ||
	    x402_payment_uint(doc, m[2], "accepted.amount", c->amount, NULL,
	    err) == -1 ||
	    x402_payment_int(doc, m[3], "accepted.maxTimeoutSeconds",
	    4294967295.0, &c->max_timeout, err) == -1 ||
	    x402_payment_obj(m[4], "accepted.extra", 1, &ex, err) == -1)
		return -1;
	x402_json_pick(doc, ex, xn, 3, x);
	if ((*svm = x402_payment_is_svm(c->network))) {
		if (x402_payment_b58(doc, m[5], "accepted.asset", c->asset,
		    err) == -1 ||
		    x402_payment_b58(doc, m[6], "accepted.payTo", c->pay_to,
		    err) == -1 ||
		    x402_payment_b58(doc, x[0], "accepted.extra.feePayer",
		    c->fee_payer, err) == -1)
			return -1;
		c->has_fee_payer = 1;
	} else if (x402_payment_addr(doc, m[5], "accepted.asset", c->asset,
	    NULL, err) == -1 ||
	    x402_payment_addr(doc, m[6], "accepted.payTo", c->pay_to, NULL,
	    err) == -1 ||
	    x402_payment_str(doc, x[1], "accepted.extra.name", c->name,
	    sizeof(c->name), &c->has_name, err) == -1 ||
	    x402_payment_str(doc, x[2], "accepted.extra.version", c->version,
	    sizeof(c->version), &c->has_version, err) == -1)
		return -1;
	memcpy(p->scheme, c->scheme, sizeof(p->scheme));
	memcpy(p->network, c->network, sizeof(p->network));

	if (x402_payment_obj(top[X402_TOP_RESOURCE], "resource", 0, &res,
	    err) == -1)
		return -1;
	if (res != NULL) {
		id = x402_json_get(doc, res, "url");
		if (id == NULL || !x402_payment_is(id, X402_JSON_STRING))
			return X402_PAYMENT_BAD(err, "resource.url",
			    "resource.url: missing or not a string");
		if ((p->resource_url = strdup(x402_json_string(doc,
		    id))) == NULL)
			return sf_err_set(err, 500, "unexpected_verify_error",
			    NULL, "out of memory");
	}

	if (x402_payment_obj(top[X402_TOP_EXTENSIONS], "extensions", 0, &exts,
	    err) == -1)
		return -1;
	if (exts == NULL)
		return 0;
	if (x402_payment_obj(x402_json_get(doc, exts, "payment-identifier"),
	    "extensions.payment-identifier", 0, &pid, err) == -1)
		return -1;
	if (pid == NULL)
		return 0;
	/* A client may echo the server's {info:{required}} without an id. */
	if (x402_payment_obj(x402_json_get(doc, pid, "info"),
	    "extensions.payment-identifier.info", 0, &info, err) == -1)
		return -1;
	if (info == NULL || (id = x402_json_get(doc, info, "id")) == NULL)
		return 0;
	if (!x402_payment_is(id, X402_JSON_STRING))
		return X402_PAYMENT_BAD(err,
		    "extensions.payment-identifier.info.id",
		    "payment identifier: not a string");
	s = x402_json_string(doc, id);
	len = strlen(s);
	if (len < X402_PAYMENT_ID_MIN || len > X402_PAYMENT_ID_MAX)
		return X402_PAYMENT_BAD(err,
		    "extensions.payment-identifier.info.id",
		    "payment identifier: must be %d-%d characters",
		    X402_PAYMENT_ID_MIN, X402_PAYMENT_ID_MAX);
	for (i = 0; i < len; i++) {
		ch = s[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return X402_PAYMENT_BAD(err,
			    "extensions.payment-identifier.info.id",
			    "payment identifier: only [A-Za-z0-9_-] allowed");
	}
	memcpy(p->id, s, len + 1);
	p->has_id = 1;
	return 0;
}

/* v1 carries no resource (x402.md §1); a client that echoes the
   requirement's resource string anyway is held to it. */
static int
x402_payment_v1_resource(const struct x402_json *doc,
    const struct x402_json_node *r, struct x402_payment *p, struct sf_err *err)
{

	if (r == NULL)
		return 0;
	if (!x402_payment_is(r, X402_JSON_STRING))
		return X402_PAYMENT_BAD(err, "resource",
		    "resource: not a string");
	if ((p->resource_url = strdup(x402_json_string(doc, r))) == NULL)
		return sf_err_set(err, 500, "unexpected_verify_error", NULL,
		    "out of memory");
	return 0;
}

static int
x402_payment_parse(const struct x402_json *doc, int version,
    struct x402_payment *p, struct sf_err *err)
{
	static const struct x402_json_name tn[X402_TOP_N] = {
		[X402_TOP_VERSION] = X402_JSON_NAME("x402Version"),
		[X402_TOP_SCHEME] = X402_JSON_NAME("scheme"),
		[X402_TOP_NETWORK] = X402_JSON_NAME("network"),
		[X402_TOP_RESOURCE] = X402_JSON_NAME("resource"),
		[X402_TOP_ACCEPTED] = X402_JSON_NAME("accepted"),
		[X402_TOP_EXTENSIONS] = X402_JSON_NAME("extensions"),
		[X402_TOP_PAYLOAD] = X402_JSON_NAME("payload"),
	};
	const struct x402_json_node	*root = x402_json_root(doc);
	const struct x402_json_node	*top[X402_TOP_N];
	uint64_t			 v;
	int				 svm;

	if (!x402_payment_is(root, X402_JSON_OBJECT))
		return X402_PAYMENT_BAD(err, NULL, "payload is not a JSON object");
	/* JS keeps the last of a key given twice; we would read the first. */
	if (doc->dup)
		return X402_PAYMENT_BAD(err, NULL, "duplicate key in payload");
	x402_json_pick(doc, root, tn, X402_TOP_N, top);
	if (x402_payment_int(doc, top[X402_TOP_VERSION], "x402Version", 1e9,
	    &v, err) == -1)
		return -1;
	if (v != (uint64_t)version)
		return sf_err_set(err, 402, "invalid_x402_version",
		    "x402Version", "x402Version %llu in a header for "
		    "version %d", (unsigned long long)v, version);
	p->version = version;
	if (version == 1) {
		if (x402_payment_str(doc, top[X402_TOP_SCHEME], "scheme",
		    p->scheme, sizeof(p->scheme), NULL, err) == -1 ||
		    x402_payment_str(doc, top[X402_TOP_NETWORK], "network",
		    p->network, sizeof(p->network), NULL, err) == -1 ||
		    x402_payment_v1_resource(doc, top[X402_TOP_RESOURCE], p,
		    err) == -1)
			return -1;
		svm = x402_payment_is_svm(p->network);
	} else if (x402_payment_v2(doc, top, p, &svm, err) == -1)
		return -1;
	if (svm)
		return x402_payment_svm(doc, top[X402_TOP_PAYLOAD], p, err);
	return x402_payment_evm(doc, top[X402_TOP_PAYLOAD], p, err);
}

int
x402_payment_decode(const char *hdr, int version, struct x402_payment *p,
    struct sf_err *err)
{
	struct x402_json	 doc;
	unsigned char		*json;
	size_t			 len;
	int			 rc;

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
	/*
	 * One strict parse (x402_json.h).  What it refuses, the prescan
	 * sorts as before: bytes that are no UTF-8 JSON text, or a text
	 * that is not JSON.
	 */
	if ((rc = x402_json_parse(&doc, (char *)json, len)) != 0) {
		if (rc == -2) {
			free(json);
			return sf_err_set(err, 500, "unexpected_verify_error",
			    NULL, "out of memory");
		}
		rc = strlen((char *)json) != len ||
		    x402_payment_prescan(json, len) == -1;
		free(json);
		return X402_PAYMENT_BAD(err, NULL, rc ?
		    "payment is not valid UTF-8 JSON text" :
		    "payment is not valid JSON");
	}
	rc = x402_payment_parse(&doc, version, p, err);
	x402_json_free(&doc);
	if (rc == -1) {
		free(json);
		x402_payment_free(p);
		return -1;
	}
	p->canonical = (char *)json;
	p->canonical_len = len;
	return 0;
}

void
x402_payment_free(struct x402_payment *p)
{

	if (p == NULL)
		return;
	free(p->resource_url);
	free(p->canonical);
	free(p->sig_bytes);
	memset(p, 0, sizeof(*p));
}

static int
x402_payment_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The path of a URL (or of a bare path) into out, normalised: what
 * follows scheme://authority, up to '?' or '#'; %XX of an unreserved
 * character decoded, other %XX upper-cased (RFC 3986 §2.3, §6.2.2); one
 * trailing slash dropped; "" becomes "/".  -1 when it does not fit.
 */
static int
x402_payment_path(const char *url, char *out, size_t sz)
{
	const char	*s = url, *e;
	size_t		 n = 0;
	int		 hi, lo, c;

	/* scheme "://" authority: the scheme holds no ':', '/', '?', '#'. */
	if ((e = strstr(s, "://")) != NULL && strcspn(s, ":/?#") ==
	    (size_t)(e - s)) {
		s = e + 3;
		s += strcspn(s, "/?#");
	}
	for (; *s != '\0' && *s != '?' && *s != '#'; s++) {
		if (n + 4 > sz)
			return -1;
		if (s[0] == '%' && (hi = x402_payment_hexval(s[1])) >= 0 &&
		    (lo = x402_payment_hexval(s[2])) >= 0) {
			c = hi * 16 + lo;
			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || (c != 0 &&
			    strchr("-._~", c) != NULL))
				out[n++] = (char)c;
			else {
				out[n++] = '%';
				out[n++] = "0123456789ABCDEF"[c >> 4];
				out[n++] = "0123456789ABCDEF"[c & 15];
			}
			s += 2;
		} else
			out[n++] = *s;
	}
	if (n > 1 && out[n - 1] == '/')
		n--;
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

int
x402_payment_for(const struct x402_payment *p, const char *ours)
{
	char	 a[1024], b[1024];

	if (p->resource_url == NULL)
		return 1;
	if (x402_payment_path(p->resource_url, a, sizeof(a)) == -1 ||
	    x402_payment_path(ours, b, sizeof(b)) == -1)
		return 0;
	return strcmp(a, b) == 0;
}
