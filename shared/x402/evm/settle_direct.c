#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/keccak.h"
#include "basics/net.h"
#include "basics/str.h"
#include "http/http.h"
#include "x402/evm/eip712.h"
#include "x402/evm/rlp.h"
#include "x402/evm/rpc.h"
#include "x402/evm/settle_direct.h"
#include "x402/evm/x402_wallet.h"
#include "basics/u256.h"

#define SD_OOM(err) sf_err_set((err), 500, "internal_error", NULL, \
	"out of memory")

static const char *
sd_jstr(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* payload.authorization of a parsed payload into a. */
static int
sd_parse_auth(const cJSON *root, struct settle_direct_auth *a,
    struct sf_err *err)
{
	const cJSON	*pl, *au;
	const char	*s;

	pl = cJSON_GetObjectItemCaseSensitive(root, "payload");
	au = cJSON_GetObjectItemCaseSensitive(pl, "authorization");
	if (!cJSON_IsObject(au))
		return sf_err_set(err, 400, "invalid_payload", "authorization",
		    "payload.authorization missing");
	if ((s = sd_jstr(au, "from")) == NULL ||
	    hex_decode_fixed(s, a->from, 20) == -1 ||
	    (s = sd_jstr(au, "to")) == NULL ||
	    hex_decode_fixed(s, a->to, 20) == -1 ||
	    (s = sd_jstr(au, "value")) == NULL ||
	    u256_from_dec(s, a->value) == -1 ||
	    (s = sd_jstr(au, "validAfter")) == NULL ||
	    u256_from_dec(s, a->valid_after) == -1 ||
	    (s = sd_jstr(au, "validBefore")) == NULL ||
	    u256_from_dec(s, a->valid_before) == -1 ||
	    (s = sd_jstr(au, "nonce")) == NULL ||
	    hex_decode_fixed(s, a->nonce, 32) == -1)
		return sf_err_set(err, 400, "invalid_payload", "authorization",
		    "malformed authorization");
	return 0;
}

/* A 65-byte payload.signature as v, r, s; v normalised to 27/28. */
static int
sd_parse_vrs(const cJSON *root, struct settle_direct_auth *a,
    struct sf_err *err)
{
	const char	*s;
	uint8_t		 sig[65];
	size_t		 siglen;

	s = sd_jstr(cJSON_GetObjectItemCaseSensitive(root, "payload"),
	    "signature");
	if (s == NULL || hex_decode(s, sig, sizeof(sig), &siglen) == -1 ||
	    siglen != 65)
		return sf_err_set(err, 400, "invalid_exact_evm_signature",
		    "signature", "the (v, r, s) overload needs a 65-byte "
		    "signature");
	return settle_direct_vrs(sig, a, err);
}

int
settle_direct_vrs(const uint8_t sig[65], struct settle_direct_auth *a,
    struct sf_err *err)
{
	memcpy(a->r, sig, 32);
	memcpy(a->s, sig + 32, 32);
	/* USDC rejects v outside {27, 28}; wallets may send yParity. */
	a->v = sig[64] < 2 ? (uint8_t)(sig[64] + 27) : sig[64];
	if (a->v != 27 && a->v != 28)
		return sf_err_set(err, 400, "invalid_exact_evm_signature",
		    "signature", "bad signature v");
	return 0;
}

/* Parse payload_json: the authorization, and with vrs the signature. */
static int
sd_parse(const char *json, struct settle_direct_auth *a, int vrs,
    struct sf_err *err)
{
	cJSON	*root;
	int	 ret;

	memset(a, 0, sizeof(*a));
	if ((root = cJSON_Parse(json)) == NULL)
		return sf_err_set(err, 400, "invalid_payload", NULL,
		    "payload is not JSON");
	ret = sd_parse_auth(root, a, err);
	if (ret == 0 && vrs)
		ret = sd_parse_vrs(root, a, err);
	cJSON_Delete(root);
	return ret;
}

int
settle_direct_parse(const char *json, struct settle_direct_auth *a,
    struct sf_err *err)
{
	return sd_parse(json, a, 1, err);
}

int
settle_direct_parse_auth(const char *json, struct settle_direct_auth *a,
    struct sf_err *err)
{
	return sd_parse(json, a, 0, err);
}

int
settle_direct_calldata(const struct settle_direct_auth *a, struct buf *out)
{
	uint8_t	 d[4 + 9 * 32];

	memset(d, 0, sizeof(d));
	rpc_selector("transferWithAuthorization(address,address,uint256,"
	    "uint256,uint256,bytes32,uint8,bytes32,bytes32)", d);
	memcpy(d + 4 + 0 * 32 + 12, a->from, 20);
	memcpy(d + 4 + 1 * 32 + 12, a->to, 20);
	memcpy(d + 4 + 2 * 32, a->value, 32);
	memcpy(d + 4 + 3 * 32, a->valid_after, 32);
	memcpy(d + 4 + 4 * 32, a->valid_before, 32);
	memcpy(d + 4 + 5 * 32, a->nonce, 32);
	d[4 + 6 * 32 + 31] = a->v;
	memcpy(d + 4 + 7 * 32, a->r, 32);
	memcpy(d + 4 + 8 * 32, a->s, 32);
	return buf_append(out, d, sizeof(d));
}

/* The unsigned field list shared by the signing payload and the tx. */
static void
sd_fields(struct buf *b, const struct settle_direct_tx *t)
{
	struct buf	 empty;

	buf_init(&empty);
	rlp_uint(b, t->chain_id);
	rlp_uint(b, t->nonce);
	rlp_uint(b, t->max_priority_fee);
	rlp_uint(b, t->max_fee);
	rlp_uint(b, t->gas);
	rlp_bytes(b, t->to, 20);
	rlp_uint(b, 0);				/* value */
	rlp_bytes(b, t->data, t->data_len);
	rlp_list(b, &empty);			/* accessList */
}

int
settle_direct_sign(const struct settle_direct_tx *t, const uint8_t key[32],
    struct buf *out, uint8_t hash[32], struct sf_err *err)
{
	secp256k1_context		*ctx;
	secp256k1_ecdsa_recoverable_signature sig;
	struct buf			 f, l;
	uint8_t				 h[32], rs[64], type = 0x02, seed[32];
	int				 recid, ret = -1;

	buf_init(&f);
	buf_init(&l);
	if ((ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE)) == NULL)
		return SD_OOM(err);
	/* Blinding only; RFC 6979 makes the signature deterministic anyway. */
	if (getentropy(seed, sizeof(seed)) == 0 &&
	    !secp256k1_context_randomize(ctx, seed))
		explicit_bzero(seed, sizeof(seed));	/* unblinded is fine */

	sd_fields(&f, t);
	buf_append(&l, &type, 1);
	rlp_list(&l, &f);
	if (l.oom) {
		SD_OOM(err);
		goto out;
	}
	keccak256(l.p, l.len, h);
	if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, h, key, NULL, NULL) ||
	    !secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs,
	    &recid, &sig)) {
		sf_err_set(err, 500, "relayer_key", NULL, "signing failed");
		goto out;
	}
	rlp_uint(&f, (uint64_t)recid);		/* yParity */
	rlp_u256(&f, rs);
	rlp_u256(&f, rs + 32);
	buf_reset(&l);
	buf_append(&l, &type, 1);
	rlp_list(&l, &f);
	if (l.oom) {
		SD_OOM(err);
		goto out;
	}
	keccak256(l.p, l.len, hash);
	buf_append(out, l.p, l.len);
	ret = out->oom ? SD_OOM(err) : 0;
out:
	secp256k1_context_destroy(ctx);
	buf_free(&f);
	buf_free(&l);
	return ret;
}

int
settle_direct_load_key(const char *path, uint8_t key[32], char addr[43],
    struct sf_err *err)
{
	secp256k1_context	*ctx;
	secp256k1_pubkey	 pub;
	struct stat		 st;
	uint8_t			 ser[65], h[32];
	char			 txt[160];
	size_t			 len = 65;
	ssize_t			 n;
	int			 fd, ok;

	if (path == NULL || *path == '\0')
		return sf_err_set(err, 500, "config_error", NULL,
		    "RELAYER_KEY_FILE not set");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return sf_err_set(err, 500, "config_error", NULL,
		    "relayer key file: %s", strerror(errno));
	/* A key others can read is a leaked key: refuse to use it. */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 0077) != 0) {
		close(fd);
		return sf_err_set(err, 500, "config_error", NULL,
		    "relayer key file must be a regular file of ours, "
		    "mode 0600");
	}
	n = read(fd, txt, sizeof(txt) - 1);
	close(fd);
	if (n < 0)
		n = 0;
	txt[n] = '\0';
	while (n > 0 && isspace((unsigned char)txt[n - 1]))
		txt[--n] = '\0';
	ok = hex_decode_fixed(txt, key, 32) == 0;
	explicit_bzero(txt, sizeof(txt));
	if (!ok)
		return sf_err_set(err, 500, "config_error", NULL,
		    "relayer key file: want 0x + 64 hex digits");
	if ((ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE)) == NULL)
		return SD_OOM(err);
	ok = secp256k1_ec_pubkey_create(ctx, &pub, key) &&
	    secp256k1_ec_pubkey_serialize(ctx, ser, &len, &pub,
	    SECP256K1_EC_UNCOMPRESSED);
	secp256k1_context_destroy(ctx);
	if (!ok) {
		explicit_bzero(key, 32);
		return sf_err_set(err, 500, "config_error", NULL,
		    "relayer key is not a valid secp256k1 key");
	}
	keccak256(ser + 1, 64, h);
	hex_encode(h + 12, 20, addr);
	return 0;
}

/* Map a revert text to the x402 reason the facilitator would give. */
static const char *
sd_reason(const char *msg)
{
	static const struct {
		const char *pat, *reason;
	} map[] = {
		{ "authorization is used", "invalid_exact_evm_nonce_already_used" },
		{ "authorization is expired",
		    "invalid_exact_evm_payload_authorization_valid_before" },
		{ "authorization is not yet valid",
		    "invalid_exact_evm_payload_authorization_valid_after" },
		{ "exceeds balance", "invalid_exact_evm_insufficient_balance" },
		{ "invalid signature", "invalid_exact_evm_signature" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(msg, map[i].pat) != NULL)
			return map[i].reason;
	return "invalid_exact_evm_transaction_failed";
}

static enum settle_direct_outcome
sd_fail(struct settle_direct_result *r, int retryable, const char *reason,
    const char *msg)
{
	r->outcome = SETTLE_DIRECT_FAILED;
	r->retryable = retryable;
	str_copy(r->reason, sizeof(r->reason), reason);
	str_copy(r->message, sizeof(r->message), msg);
	return r->outcome;
}

static int
sd_is_transport(const struct sf_err *e)
{
	return strcmp(e->code, "http_timeout") == 0 ||
	    strcmp(e->code, "http_transport") == 0;
}

/* Check the authorization against what we priced; chain id from network. */
static int
sd_requirements(const char *json, const struct settle_direct_auth *a,
    char token[43], uint64_t *chain_id, struct sf_err *err)
{
	cJSON		*root;
	const char	*s;
	struct net_info	 ni;
	uint8_t		 w[32], to[20];
	int		 ret = -1;

	if ((root = cJSON_Parse(json)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "requirements are not JSON");
	/* v2 "amount", v1 "maxAmountRequired". */
	if ((s = sd_jstr(root, "amount")) == NULL)
		s = sd_jstr(root, "maxAmountRequired");
	if (s == NULL || u256_from_dec(s, w) == -1 ||
	    u256_cmp(w, a->value) != 0) {
		sf_err_set(err, 400,
		    "invalid_exact_evm_payload_authorization_value_mismatch",
		    NULL, "authorization value does not match the price");
		goto out;
	}
	if ((s = sd_jstr(root, "payTo")) == NULL ||
	    hex_decode_fixed(s, to, 20) == -1 || memcmp(to, a->to, 20) != 0) {
		sf_err_set(err, 400, "invalid_exact_evm_payload_recipient_mismatch",
		    NULL, "authorization recipient is not our payTo");
		goto out;
	}
	if ((s = sd_jstr(root, "asset")) == NULL ||
	    hex_decode_fixed(s, to, 20) == -1) {
		sf_err_set(err, 500, "internal_error", NULL,
		    "requirements without asset");
		goto out;
	}
	hex_encode(to, 20, token);
	if ((s = sd_jstr(root, "network")) == NULL ||
	    net_lookup(s, &ni) == -1) {
		sf_err_set(err, 500, "internal_error", NULL,
		    "requirements with unknown network");
		goto out;
	}
	*chain_id = ni.chain_id;
	ret = 0;
out:
	cJSON_Delete(root);
	return ret;
}

static int
sd_lock(const struct settle_direct_config *c, struct sf_err *err)
{
	char	 path[1024];
	int	 fd;

	if (c->lock_file != NULL && *c->lock_file != '\0')
		snprintf(path, sizeof(path), "%s", c->lock_file);
	else if ((size_t)snprintf(path, sizeof(path), "%s.lock",
	    c->key_file) >= sizeof(path))
		return sf_err_set(err, 500, "config_error", NULL,
		    "lock path too long");
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return sf_err_set(err, 500, "config_error", NULL,
		    "nonce lock file: %s", strerror(errno));
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			close(fd);
			return sf_err_set(err, 500, "internal_error", NULL,
			    "flock: %s", strerror(errno));
		}
	}
	return fd;
}

/*
 * Under the lock: fresh pending nonce, sign, broadcast.  Returns 0 sent
 * (or maybe sent: *maybe set), -1 refused by the node (err set).
 */
static int
sd_send(const struct rpc *rpc, struct settle_direct_tx *t, const uint8_t key[32],
    const char *from, char tx[67], int *maybe, struct sf_err *err)
{
	struct buf	 raw;
	uint8_t		 h[32];
	char		*hex = NULL, got[67];
	int		 attempt, ret = -1;

	*maybe = 0;
	buf_init(&raw);
	for (attempt = 0; attempt < 3; attempt++) {
		if (rpc_nonce(rpc, from, &t->nonce, err) == -1)
			break;
		buf_reset(&raw);
		if (settle_direct_sign(t, key, &raw, h, err) == -1)
			break;
		free(hex);
		if ((hex = malloc(2 * raw.len + 3)) == NULL) {
			SD_OOM(err);
			break;
		}
		hex_encode((const uint8_t *)raw.p, raw.len, hex);
		hex_encode(h, 32, tx);
		if (rpc_send_raw(rpc, hex, got, err) == 0) {
			ret = 0;
			break;
		}
		if (sd_is_transport(err)) {
			/* It may be in a mempool: track it by its hash. */
			*maybe = 1;
			ret = 0;
			break;
		}
		if (strstr(err->message, "already known") != NULL) {
			ret = 0;
			break;
		}
		/* Someone used the nonce outside our lock: refresh, retry. */
		if (strstr(err->message, "nonce too low") == NULL &&
		    strstr(err->message, "underpriced") == NULL &&
		    strstr(err->message, "nonce") == NULL)
			break;
	}
	free(hex);
	buf_free(&raw);
	return ret;
}

/* One settlement on its way: what the phases below hand each other. */
struct sd_job {
	const struct settle_direct_config *c;
	struct settle_direct_auth	 a;
	struct buf			 sig;		/* as signed, any length */
	struct settle_direct_tx		 t;
	struct rpc			 rpc;
	uint8_t				 to[20];	/* token or Multicall3 */
	struct buf			 data;		/* calldata */
	uint8_t				 key[32];	/* relayer's */
	char				 token[43], relayer[43];
	uint64_t			 chain_id;
	int				 maybe;		/* sent, unanswered */
};

/*
 * Phase 1, nothing asked yet: the authorization as signed matches what we
 * priced (value, payTo; the token and chain from our requirements), has
 * not expired, and the relayer key is ours to use.
 */
static int
sd_accept(struct sd_job *j, const char *payload, const char *reqs,
    struct settle_direct_result *r)
{
	struct sf_err	 err;
	uint8_t		 now_w[32];

	sf_err_clear(&err);
	if (j->c->rpc_url == NULL || *j->c->rpc_url == '\0') {
		sd_fail(r, 0, "config_error", "RPC_URL not set");
		return -1;
	}
	if (settle_direct_parse_auth(payload, &j->a, &err) == -1 ||
	    x402_wallet_payload_sig(payload, &j->sig, &err) == -1 ||
	    sd_requirements(reqs, &j->a, j->token, &j->chain_id, &err) == -1) {
		sd_fail(r, 0, err.code, err.message);
		return -1;
	}
	u256_from_u64((uint64_t)time(NULL) + 6, now_w);
	if (u256_cmp(j->a.valid_before, now_w) < 0) {
		sd_fail(r, 0,
		    "invalid_exact_evm_payload_authorization_valid_before",
		    "authorization expired");
		return -1;
	}
	if (settle_direct_load_key(j->c->key_file, j->key, j->relayer,
	    &err) == -1) {
		sd_fail(r, 1, err.code, err.message);
		return -1;
	}
	return 0;
}

/* Phase 2: the node is on the chain the requirements name. */
static int
sd_same_chain(struct sd_job *j, struct settle_direct_result *r)
{
	struct sf_err	 err;
	uint64_t	 node_chain;

	if (rpc_chain_id(&j->rpc, &node_chain, &err) == -1) {
		sd_fail(r, 1, "rpc_unreachable", err.message);
		return -1;
	}
	if (node_chain != j->chain_id) {
		sd_fail(r, 0, "config_error", "RPC node is on another chain");
		return -1;
	}
	return 0;
}

/* A contract wallet's settling call (x402_wallet_settle_plan). */
static int
sd_wallet_call(struct sd_job *j, struct settle_direct_result *r)
{
	struct x402_wallet_plan	 plan;
	struct eip712_twa	 t;
	struct sf_err		 err;
	uint8_t			 token[20];
	int			 rc;

	memcpy(t.from, j->a.from, 20);
	memcpy(t.to, j->a.to, 20);
	memcpy(t.value, j->a.value, 32);
	memcpy(t.valid_after, j->a.valid_after, 32);
	memcpy(t.valid_before, j->a.valid_before, 32);
	memcpy(t.nonce, j->a.nonce, 32);
	if (hex_decode_fixed(j->token, token, 20) == -1)
		return sd_fail(r, 0, "internal_error", "bad token"), -1;
	rc = x402_wallet_settle_plan(&j->rpc, &j->c->factories, token, &t,
	    (const uint8_t *)j->sig.p, j->sig.len, &plan, &err);
	if (rc == 0) {
		memcpy(j->to, plan.to, 20);
		if (buf_append(&j->data, plan.data.p, plan.data.len) == -1) {
			sd_fail(r, 1, "internal_error", "out of memory");
			rc = -1;
		}
	} else if (err.status >= 500)
		sd_fail(r, 1, strcmp(err.code, "internal_error") == 0 ?
		    err.code : "rpc_unreachable", err.message);
	else
		sd_fail(r, 0, err.code, err.message);
	x402_wallet_plan_free(&plan);
	return rc;
}

/*
 * Phase 3a, the call that settles: an EOA's 65-byte signature (no code at
 * `from`) through transferWithAuthorization(..., v, r, s); any other
 * (a contract wallet's) through the bytes overload as signed.
 */
static int
sd_call(struct sd_job *j, struct settle_direct_result *r)
{
	struct sf_err	 err;
	int		 code = 1;

	if (j->sig.len == 65 &&
	    (code = x402_wallet_has_code(&j->rpc, j->a.from, &err)) == -1)
		return sd_fail(r, 1, "rpc_unreachable", err.message), -1;
	if (code)
		return sd_wallet_call(j, r);
	if (settle_direct_vrs((const uint8_t *)j->sig.p, &j->a, &err) == -1)
		return sd_fail(r, 0, err.code, err.message), -1;
	if (hex_decode_fixed(j->token, j->to, 20) == -1 ||
	    settle_direct_calldata(&j->a, &j->data) == -1)
		return sd_fail(r, 1, "internal_error", "out of memory"), -1;
	return 0;
}

/* Phase 3b: the gas of that exact transaction, with its margin, capped. */
static int
sd_gas(struct sd_job *j, struct settle_direct_result *r)
{
	struct sf_err	 err;
	uint64_t	 gas, cap;
	char		*dhex, to[HEX_ADDR_STRLEN], msg[200];
	int		 rc;

	if ((dhex = malloc(2 * j->data.len + 3)) == NULL)
		return sd_fail(r, 1, "internal_error", "out of memory"), -1;
	hex_encode((const uint8_t *)j->data.p, j->data.len, dhex);
	hex_encode(j->to, 20, to);
	rc = rpc_estimate_gas(&j->rpc, j->relayer, to, dhex, &gas, &err);
	free(dhex);
	if (rc == -1) {
		if (sd_is_transport(&err) || strcmp(err.code, "rpc_error") != 0)
			sd_fail(r, 1, "rpc_unreachable", err.message);
		else
			sd_fail(r, 0, sd_reason(err.message), err.message);
		return -1;
	}
	j->t.gas = gas + gas / 4 + 10000;
	cap = j->c->gas_max > 0 ? j->c->gas_max : SETTLE_DIRECT_GAS_MAX;
	if (j->t.gas > cap) {
		snprintf(msg, sizeof(msg), "settling needs %llu gas, above "
		    "RELAYER_GAS_MAX (%llu)", (unsigned long long)j->t.gas,
		    (unsigned long long)cap);
		return sd_fail(r, 0, "settle_gas_cap", msg), -1;
	}
	return 0;
}

/*
 * Phase 3: the call (sd_call), its gas estimated (the estimate doubles as
 * the simulation: a revert here costs nothing and gives the token's
 * reason; a wallet's deploy is part of it) and priced at the node's fees.
 */
static int
sd_build(struct sd_job *j, struct settle_direct_result *r)
{
	struct rpc_fees	 fees;
	struct sf_err	 err;

	memset(&j->t, 0, sizeof(j->t));
	if (sd_call(j, r) == -1 || sd_gas(j, r) == -1)
		return -1;
	if (rpc_fees(&j->rpc, &fees, &err) == -1) {
		sd_fail(r, 1, "rpc_unreachable", err.message);
		return -1;
	}
	j->t.chain_id = j->chain_id;
	j->t.max_priority_fee = fees.max_priority_fee;
	j->t.max_fee = fees.max_fee;
	memcpy(j->t.to, j->to, 20);
	j->t.data = (const uint8_t *)j->data.p;
	j->t.data_len = j->data.len;
	return 0;
}

/*
 * Phase 4, under the relayer's nonce lock (one process at a time): a
 * fresh nonce, signed, broadcast.  A node that refused it: nothing
 * landed, so it may be tried again later.
 */
static int
sd_broadcast(struct sd_job *j, struct settle_direct_result *r)
{
	struct sf_err	 err;
	int		 lockfd, got;

	if ((lockfd = sd_lock(j->c, &err)) == -1) {
		sd_fail(r, 1, err.code, err.message);
		return -1;
	}
	got = sd_send(&j->rpc, &j->t, j->key, j->relayer, r->tx, &j->maybe,
	    &err);
	close(lockfd);			/* releases the flock */
	if (got == -1) {
		sd_fail(r, 1, strcmp(err.code, "rpc_error") == 0 ?
		    sd_reason(err.message) : "rpc_unreachable", err.message);
		r->tx[0] = '\0';
		return -1;
	}
	return 0;
}

/* Phase 5: the receipt, polled until receipt_ms; none: UNKNOWN, tx kept. */
static void
sd_await(struct sd_job *j, struct settle_direct_result *r)
{
	struct rpc_receipt	 rc;
	struct sf_err		 err;
	int64_t			 deadline;
	long			 wait_ms = 50;

	deadline = http_now_ms() + (j->c->receipt_ms > 0 ? j->c->receipt_ms :
	    60000);
	for (;;) {
		if (rpc_receipt(&j->rpc, r->tx, &rc, &err) == 1) {
			if (!rc.status) {
				sd_fail(r, 0,
				    "invalid_exact_evm_transaction_failed",
				    "transaction reverted");
				return;
			}
			r->outcome = SETTLE_DIRECT_OK;
			r->reason[0] = '\0';
			return;
		}
		if (http_now_ms() >= deadline)
			break;
		nanosleep(&(struct timespec){ 0, wait_ms * 1000000L }, NULL);
		if (wait_ms < 1000)
			wait_ms *= 2;
	}
	r->outcome = SETTLE_DIRECT_UNKNOWN;
	snprintf(r->reason, sizeof(r->reason), "%s", j->maybe ?
	    "rpc_unreachable" : "receipt_timeout");
	snprintf(r->message, sizeof(r->message), "%s",
	    "no receipt before the deadline; reconcile by tx hash");
}

enum settle_direct_outcome
settle_direct(const struct settle_direct_config *c, const char *payload,
    const char *reqs, struct settle_direct_result *r)
{
	struct sd_job	 j;

	memset(r, 0, sizeof(*r));
	memset(&j, 0, sizeof(j));
	j.c = c;
	j.rpc.url = c->rpc_url;
	j.rpc.total_ms = c->rpc_ms;
	buf_init(&j.data);
	buf_init(&j.sig);
	if (sd_accept(&j, payload, reqs, r) == 0 &&
	    sd_same_chain(&j, r) == 0 && sd_build(&j, r) == 0 &&
	    sd_broadcast(&j, r) == 0)
		sd_await(&j, r);
	explicit_bzero(j.key, sizeof(j.key));
	buf_free(&j.data);
	buf_free(&j.sig);
	return r->outcome;
}
