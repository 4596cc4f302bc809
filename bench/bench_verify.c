/*
 * Verifications per second on one core (one thread) for the local x402
 * verifier: the full path (base64 + JSON decode, EIP-712 hashing, ECDSA
 * recovery, checks) and its parts, per CPU second of the thread (a loaded
 * machine slows wall-clock rates, not these).  Prints "full <n>/s" first
 * for scripts; "recover" is the ceiling: libsecp256k1 and one keccak.
 *
 * bench_verify --rounds N: exactly N rounds (50 of each part a round)
 * instead of 6 CPU seconds, for an instruction count under callgrind
 * (valgrind --tool=callgrind bench_verify --rounds 200; callgrind_annotate
 * --inclusive=yes: x402_verify_header per call is the full path,
 * x402_verify_recover per call the ceiling).
 *
 * bench_verify --prove: the proof before work on chain, per payment kind,
 * read from stdin as {"rpcUrl", "requirements" (v2), "factories": [...],
 * "payloads": {"<name>": PaymentPayload, ...}}: an EOA's payment through
 * x402_chain_prove (authorizationState, balanceOf, an eth_call of the
 * transfer), a contract wallet's through x402_wallet_prove (its code, the
 * universal ERC-6492 validator, the same reads, the transfer simulated).
 * Prints one "prove <name>: <ms> ms each" line per payload.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "http/httpc.h"
#include "x402/evm/rpc.h"
#include "x402/evm/x402_chain.h"
#include "x402/evm/x402_wallet.h"
#include "x402/evm/eip712.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/u256.h"
#include "x402/x402_offer.h"
#include "x402/x402_payment.h"
#include "x402/evm/x402_verify.h"

#define KEY	"0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
#define PAYTO	"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
#define ASSET	"0x5FbDB2315678afecb367f032d93F642f64180aa3"
#define NOW	1740672100
#define SECS	1.5

static double
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * CPU seconds of this thread: the rates below are per CPU second, so a
 * busy machine (another job on the same cores) moves them far less than
 * it moves wall-clock rates.
 */
static double
bench_cpu(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A v2 header as @x402/fetch would send it, signed with anvil #1. */
static char *
bench_header(struct eip712_domain *d, struct eip712_twa *m, uint8_t sig[65])
{
	secp256k1_context			*ctx;
	secp256k1_ecdsa_recoverable_signature	 rs;
	struct buf				 j, h;
	uint8_t					 key[32], dg[32];
	char					 sighex[133];
	int					 recid;

	d->name = "USD Coin";
	d->name_len = strlen(d->name);
	d->version = "2";
	d->version_len = 1;
	d->chain_id = 84532;
	hex_decode_fixed(ASSET, d->contract, 20);
	hex_decode_fixed("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", m->from, 20);
	hex_decode_fixed(PAYTO, m->to, 20);
	u256_from_dec("10000", m->value);
	u256_from_dec("0", m->valid_after);
	u256_from_dec("1740672160", m->valid_before);
	hex_decode_fixed("0xf12110b59487cd47aff89f1bf9a26160b88fd12367cad2d5e05742b2a2e8b2ed",
	    m->nonce, 32);
	hex_decode_fixed(KEY, key, 32);
	eip712_twa_digest(d, m, dg);
	ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	if (ctx == NULL ||
	    !secp256k1_ecdsa_sign_recoverable(ctx, &rs, dg, key, NULL, NULL) ||
	    !secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig,
	    &recid, &rs))
		abort();
	secp256k1_context_destroy(ctx);
	sig[64] = (uint8_t)(27 + recid);
	hex_encode(sig, 65, sighex);
	buf_init(&j);
	buf_init(&h);
	buf_printf(&j, "{\"x402Version\":2,\"payload\":{\"authorization\":{"
	    "\"from\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\",\"to\":"
	    "\"%s\",\"value\":\"10000\",\"validAfter\":\"0\",\"validBefore\":"
	    "\"1740672160\",\"nonce\":\"0xf12110b59487cd47aff89f1bf9a26160b88fd"
	    "12367cad2d5e05742b2a2e8b2ed\"},\"signature\":\"%s\"},\"resource\":"
	    "{\"url\":\"http://127.0.0.1:4021/v2/weather\",\"description\":"
	    "\"test resource\",\"mimeType\":\"application/json\"},\"accepted\":"
	    "{\"scheme\":\"exact\",\"network\":\"eip155:84532\",\"amount\":"
	    "\"10000\",\"asset\":\"%s\",\"payTo\":\"%s\",\"maxTimeoutSeconds\":60,"
	    "\"extra\":{\"name\":\"USD Coin\",\"version\":\"2\"}}}", PAYTO,
	    sighex, ASSET, PAYTO);
	if (j.oom || b64_encode(j.p, j.len, &h) == -1 || buf_puts(&h, "") == -1)
		abort();
	buf_free(&j);
	return buf_steal(&h, NULL);
}

static const char *
bench_js(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* Our offer from v2 requirements. */
static void
bench_offer(const cJSON *r, struct x402_offer *o)
{
	const cJSON	*ex = cJSON_GetObjectItemCaseSensitive(r, "extra");

	memset(o, 0, sizeof(*o));
	snprintf(o->scheme, sizeof(o->scheme), "exact");
	snprintf(o->network, sizeof(o->network), "%s", bench_js(r, "network"));
	snprintf(o->amount, sizeof(o->amount), "%s", bench_js(r, "amount"));
	snprintf(o->asset, sizeof(o->asset), "%s", bench_js(r, "asset"));
	snprintf(o->pay_to, sizeof(o->pay_to), "%s", bench_js(r, "payTo"));
	snprintf(o->name, sizeof(o->name), "%s", bench_js(ex, "name"));
	snprintf(o->version, sizeof(o->version), "%s", bench_js(ex, "version"));
	o->max_timeout = (uint64_t)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(r, "maxTimeoutSeconds"));
	o->chain_id = strtoull(o->network + 7, NULL, 10);
}

/* One proof of pl (JSON), as evm_scheme runs it; 1 proven, 0 not, -1 err. */
static int
bench_prove_one(const struct rpc *rpc, const struct x402_offer *o,
    const struct x402_wallet_factories *f, const char *pl)
{
	struct x402_wallet_proof	 wp;
	struct x402_payment		 p;
	struct x402_verdict		 v;
	struct buf			 h;
	char				 bal[U256_DEC_SIZE];
	int				 rc;

	buf_init(&h);
	if (b64_encode(pl, strlen(pl), &h) == -1 || buf_puts(&h, "") == -1 ||
	    x402_verify_header(h.p, 2, o, 1, time(NULL), &p, &v) != 0) {
		buf_free(&h);
		return -1;
	}
	buf_free(&h);
	if (v.wallet) {
		v.valid = 1;
		rc = x402_wallet_prove(rpc, f, p.sig_bytes, p.sig_len, &v, &wp);
	} else
		rc = x402_chain_prove(rpc, pl, &v, bal);
	x402_payment_free(&p);
	return rc == -1 ? -1 : v.valid;
}

static int
bench_prove(void)
{
	struct x402_wallet_factories	 f;
	struct x402_offer		 o;
	struct rpc			 rpc;
	struct buf			 in;
	const cJSON			*it;
	cJSON				*j;
	char				 chunk[4096], *pl;
	double				 t0, t;
	size_t				 k;
	long				 n;

	httpc_init();
	buf_init(&in);
	while ((k = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_append(&in, chunk, k);
	if ((j = cJSON_ParseWithLength(in.p ? in.p : "", in.len)) == NULL)
		return fprintf(stderr, "bench: stdin is not JSON\n"), 1;
	buf_free(&in);
	memset(&rpc, 0, sizeof(rpc));
	rpc.url = bench_js(j, "rpcUrl");
	bench_offer(cJSON_GetObjectItemCaseSensitive(j, "requirements"), &o);
	memset(&f, 0, sizeof(f));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "factories"))
		if (f.n < X402_WALLET_FACTORIES_MAX)
			hex_decode_fixed(it->valuestring, f.addr[f.n++], 20);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "payloads")) {
		pl = cJSON_PrintUnformatted(it);
		for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < SECS ||
		    n < 10; n++)
			if (bench_prove_one(&rpc, &o, &f, pl) != 1) {
				fprintf(stderr, "bench: %s: not proven\n",
				    it->string);
				return 1;
			}
		printf("prove %s: %.2f ms each (%ld proofs)\n", it->string,
		    1e3 * t / n, n);
		cJSON_free(pl);
	}
	cJSON_Delete(j);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct x402_offer	 o;
	struct x402_payment	 p;
	struct x402_verdict	 v;
	struct eip712_domain	 d;
	struct eip712_twa	 m;
	struct sf_err		 err;
	uint8_t			 sig[65], dg[32], addr[20], dsep[32],
				 shash[32];
	char			*hdr;
	double			 t0, t, cpu[4];
	long			 n, i, rounds = 0;

	if (argc > 1 && strcmp(argv[1], "--prove") == 0)
		return bench_prove();
	if (argc > 2 && strcmp(argv[1], "--rounds") == 0 &&
	    (rounds = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "bench: --rounds wants a positive count\n");
		return 1;
	}
	memset(&o, 0, sizeof(o));
	strcpy(o.scheme, "exact");
	strcpy(o.network, "eip155:84532");
	strcpy(o.network_v1, "base-sepolia");
	o.chain_id = 84532;
	strcpy(o.amount, "10000");
	strcpy(o.asset, ASSET);
	strcpy(o.pay_to, PAYTO);
	o.max_timeout = 60;
	strcpy(o.name, "USD Coin");
	strcpy(o.version, "2");
	hdr = bench_header(&d, &m, sig);

	if (x402_verify_header(hdr, 2, &o, 1, NOW, &p, &v) != 0 || !v.valid) {
		fprintf(stderr, "bench: header does not verify: %s\n", v.message);
		return 1;
	}
	x402_payment_free(&p);

	/*
	 * The full path, as a FastCGI worker runs it per paid request, and
	 * its parts, in interleaved rounds (each part 50 times a round) so
	 * that a neighbour's load on the machine falls on all of them alike.
	 */
	eip712_domain_separator(&d, dsep);
	memset(cpu, 0, sizeof(cpu));
	for (n = 0, t0 = bench_cpu(); rounds > 0 ? n < 50 * rounds :
	    bench_cpu() - t0 < 4 * SECS; n += 50) {
		t = bench_cpu();
		for (i = 0; i < 50; i++) {
			x402_verify_header(hdr, 2, &o, 1, NOW, &p, &v);
			if (!v.valid)
				abort();
			x402_payment_free(&p);
		}
		cpu[0] += bench_cpu() - t;
		t = bench_cpu();
		for (i = 0; i < 50; i++) {
			if (x402_payment_decode(hdr, 2, &p, &err) == -1)
				abort();
			x402_payment_free(&p);
		}
		cpu[1] += bench_cpu() - t;
		t = bench_cpu();
		for (i = 0; i < 50; i++) {
			eip712_twa_hash(&m, shash);
			eip712_digest(dsep, shash, dg);
		}
		cpu[2] += bench_cpu() - t;
		t = bench_cpu();
		for (i = 0; i < 50; i++)
			if (x402_verify_recover(dg, sig, 1, addr) == -1)
				abort();
		cpu[3] += bench_cpu() - t;
	}
	printf("full %.0f/s  (decode + EIP-712 + recover + checks, %.1f us each)\n",
	    n / cpu[0], 1e6 * cpu[0] / n);
	printf("decode %.0f/s  (base64 + strict JSON, %.1f us each)\n",
	    n / cpu[1], 1e6 * cpu[1] / n);
	printf("digest %.0f/s  (struct hash + digest; the domain separator is "
	    "cached per token and chain, %.2f us each)\n", n / cpu[2],
	    1e6 * cpu[2] / n);
	printf("recover %.0f/s  (libsecp256k1 recovery + keccak: the ceiling, "
	    "%.1f us each)\n", n / cpu[3], 1e6 * cpu[3] / n);
	printf("checks %.1f us each  (full - decode - digest - recover)\n",
	    1e6 * (cpu[0] - cpu[1] - cpu[2] - cpu[3]) / n);
	printf("full / ceiling %.0f%%  (%ld verifications in interleaved "
	    "rounds)\n", 100 * cpu[3] / cpu[0], n);
	printf("(rates per CPU second of one thread)\n");
	free(hdr);
	return 0;
}
