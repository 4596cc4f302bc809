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
#include "x402/evm/rlp.h"
#include "x402/evm/rpc.h"
#include "x402/evm/settle_direct.h"
#include "basics/u256.h"

#define SD_OOM(err) sf_err_set((err), 500, "internal_error", NULL, \
	"out of memory")

static const char *
sd_jstr(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
settle_direct_parse(const char *json, struct settle_direct_auth *a,
    struct sf_err *err)
{
	cJSON		*root, *pl, *au;
	const char	*s;
	uint8_t		 sig[65];
	size_t		 siglen;
	int		 ret = -1;

	memset(a, 0, sizeof(*a));
	if ((root = cJSON_Parse(json)) == NULL)
		return sf_err_set(err, 400, "invalid_payload", NULL,
		    "payload is not JSON");
	pl = cJSON_GetObjectItemCaseSensitive(root, "payload");
	au = cJSON_GetObjectItemCaseSensitive(pl, "authorization");
	if (!cJSON_IsObject(au)) {
		sf_err_set(err, 400, "invalid_payload", "authorization",
		    "payload.authorization missing");
		goto out;
	}
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
	    hex_decode_fixed(s, a->nonce, 32) == -1) {
		sf_err_set(err, 400, "invalid_payload", "authorization",
		    "malformed authorization");
		goto out;
	}
	/* Only plain 65-byte EOA signatures fit the (v, r, s) overload. */
	if ((s = sd_jstr(pl, "signature")) == NULL ||
	    hex_decode(s, sig, sizeof(sig), &siglen) == -1 || siglen != 65) {
		sf_err_set(err, 400, "invalid_exact_evm_signature", "signature",
		    "direct settlement needs a 65-byte signature");
		goto out;
	}
	memcpy(a->r, sig, 32);
	memcpy(a->s, sig + 32, 32);
	/* USDC rejects v outside {27, 28}; wallets may send yParity. */
	a->v = sig[64] < 2 ? (uint8_t)(sig[64] + 27) : sig[64];
	if (a->v != 27 && a->v != 28) {
		sf_err_set(err, 400, "invalid_exact_evm_signature", "signature",
		    "bad signature v");
		goto out;
	}
	ret = 0;
out:
	cJSON_Delete(root);
	return ret;
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

/* Truncating copy (snprintf "%s" trips -Wformat-truncation at -O2). */
static void
sd_copy(char *dst, size_t sz, const char *src)
{
	size_t	 n = strlen(src);

	if (n >= sz)
		n = sz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static enum settle_direct_outcome
sd_fail(struct settle_direct_result *r, int retryable, const char *reason,
    const char *msg)
{
	r->outcome = SETTLE_DIRECT_FAILED;
	r->retryable = retryable;
	sd_copy(r->reason, sizeof(r->reason), reason);
	sd_copy(r->message, sizeof(r->message), msg);
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

static int64_t
sd_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

enum settle_direct_outcome
settle_direct(const struct settle_direct_config *c, const char *payload,
    const char *reqs, struct settle_direct_result *r)
{
	struct settle_direct_auth	 a;
	struct settle_direct_tx		 t;
	struct rpc_fees			 fees;
	struct rpc_receipt		 rc;
	struct sf_err			 err;
	struct rpc			 rpc;
	struct buf			 data;
	uint8_t				 key[32], now_w[32];
	char				 token[43], relayer[43], *dhex = NULL;
	uint64_t			 chain_id = 0, node_chain, gas;
	int64_t				 deadline;
	long				 wait_ms = 50;
	int				 lockfd, maybe, got;

	memset(r, 0, sizeof(*r));
	sf_err_clear(&err);
	buf_init(&data);
	explicit_bzero(key, sizeof(key));
	memset(&rpc, 0, sizeof(rpc));
	rpc.url = c->rpc_url;
	rpc.total_ms = c->rpc_ms;
	if (c->rpc_url == NULL || *c->rpc_url == '\0')
		return sd_fail(r, 0, "config_error", "RPC_URL not set");
	if (settle_direct_parse(payload, &a, &err) == -1 ||
	    sd_requirements(reqs, &a, token, &chain_id, &err) == -1)
		return sd_fail(r, 0, err.code, err.message);
	u256_from_u64((uint64_t)time(NULL) + 6, now_w);
	if (u256_cmp(a.valid_before, now_w) < 0)
		return sd_fail(r, 0,
		    "invalid_exact_evm_payload_authorization_valid_before",
		    "authorization expired");
	if (settle_direct_load_key(c->key_file, key, relayer, &err) == -1)
		return sd_fail(r, 1, err.code, err.message);

	if (rpc_chain_id(&rpc, &node_chain, &err) == -1) {
		sd_fail(r, 1, "rpc_unreachable", err.message);
		goto out;
	}
	if (node_chain != chain_id) {
		sd_fail(r, 0, "config_error", "RPC node is on another chain");
		goto out;
	}
	if (settle_direct_calldata(&a, &data) == -1 ||
	    (dhex = malloc(2 * data.len + 3)) == NULL) {
		sd_fail(r, 1, "internal_error", "out of memory");
		goto out;
	}
	hex_encode((const uint8_t *)data.p, data.len, dhex);
	/* The estimate doubles as the simulation: a revert here costs nothing. */
	if (rpc_estimate_gas(&rpc, relayer, token, dhex, &gas, &err) == -1) {
		if (sd_is_transport(&err) ||
		    strcmp(err.code, "rpc_error") != 0)
			sd_fail(r, 1, "rpc_unreachable", err.message);
		else
			sd_fail(r, 0, sd_reason(err.message), err.message);
		goto out;
	}
	if (rpc_fees(&rpc, &fees, &err) == -1) {
		sd_fail(r, 1, "rpc_unreachable", err.message);
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.chain_id = chain_id;
	t.max_priority_fee = fees.max_priority_fee;
	t.max_fee = fees.max_fee;
	t.gas = gas + gas / 4 + 10000;
	if (hex_decode_fixed(token, t.to, 20) == -1) {
		sd_fail(r, 0, "internal_error", "bad token");
		goto out;
	}
	t.data = (const uint8_t *)data.p;
	t.data_len = data.len;

	if ((lockfd = sd_lock(c, &err)) == -1) {
		sd_fail(r, 1, err.code, err.message);
		goto out;
	}
	got = sd_send(&rpc, &t, key, relayer, r->tx, &maybe, &err);
	close(lockfd);			/* releases the flock */
	if (got == -1) {
		/* The node refused it: nothing landed, so try again later. */
		sd_fail(r, 1, strcmp(err.code,
		    "rpc_error") == 0 ? sd_reason(err.message) :
		    "rpc_unreachable", err.message);
		r->tx[0] = '\0';
		goto out;
	}

	deadline = sd_now_ms() + (c->receipt_ms > 0 ? c->receipt_ms : 60000);
	for (;;) {
		got = rpc_receipt(&rpc, r->tx, &rc, &err);
		if (got == 1) {
			if (rc.status) {
				r->outcome = SETTLE_DIRECT_OK;
				snprintf(r->reason, sizeof(r->reason), "%s",
				    "");
			} else {
				sd_fail(r, 0,
				    "invalid_exact_evm_transaction_failed",
				    "transaction reverted");
			}
			goto out;
		}
		if (sd_now_ms() >= deadline)
			break;
		nanosleep(&(struct timespec){ 0, wait_ms * 1000000L }, NULL);
		if (wait_ms < 1000)
			wait_ms *= 2;
	}
	r->outcome = SETTLE_DIRECT_UNKNOWN;
	snprintf(r->reason, sizeof(r->reason), "%s", maybe ?
	    "rpc_unreachable" : "receipt_timeout");
	snprintf(r->message, sizeof(r->message), "%s",
	    "no receipt before the deadline; reconcile by tx hash");
out:
	explicit_bzero(key, sizeof(key));
	free(dhex);
	buf_free(&data);
	return r->outcome;
}
