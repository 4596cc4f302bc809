/*
 * x402_scheme: the table of scheme families.  Which family a network, an
 * offer, a requirements object and a decoded payment belong to; every
 * entry complete; and each family's rules as the flow relies on them:
 * the ledger's terms (payer, replay key, amount, validity), the payload
 * stored (EVM: v as 27/28), the window rule (EVM: validBefore covers work
 * + margin; Solana: settle first past its 90 s), the offer's "extra", the
 * settlement settings per network, the retry deadline, and a proof that
 * cannot reach anybody.  Expected values: EIP-3009 / USDC (v in {27,28}),
 * the x402lab-svm capture, our configuration keys.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "hermetic.h"
#include "minihttpd.h"
#include "tap.h"
#include "x402/evm/evm_scheme.h"
#include "x402/settle.h"
#include "x402/svm/svm_scheme.h"
#include "x402/x402_offer.h"
#include "x402/rpc_watch.h"
#include "x402/x402_scheme.h"

#define EVM_PAY_TO	"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define LAB_PAY_TO	"35ebCdUBY5LreFuVrevsLJreAcmusV38wcsTLjWaMgZB"
#define LAB_FEE_PAYER	"4KD5FoVYVpCizak6tmiw99icE4t1H9Vty9cLkhtnXJea"
#define DEVNET		"solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
#define NONCE		"0xccacc573b5dbdb069fdd440a466d1379eaf55e98b4a96453a627486c65420024"
#define SIG_RS		"0x3be68e347fde890e1d029ad8b35374972e6ed453cf184440614d43" \
	"37753947c32ada48083fd6e16f063dbcfdbfddb015398bf39bb3ba3fd118554a9e00dca1dd"

/* An EVM payload as a client sends it: validBefore, then v ending the
   signature. */
static const char payload_fmt[] = "{\"x402Version\":2,\"payload\":{"
    "\"authorization\":{\"from\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\","
    "\"to\":\"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\",\"value\":\"10000\","
    "\"validAfter\":\"0\",\"validBefore\":\"%s\",\"nonce\":\"" NONCE
    "\"},\"signature\":\"0x3be68e347fde890e1d029ad8b35374972e6ed453cf184440"
    "614d4337753947c32ada48083fd6e16f063dbcfdbfddb015398bf39bb3ba3fd118554a"
    "9e00dca1dd%s\"}}";

static struct cfg *
load(const char *text)
{
	char		 path[] = "/tmp/sf-scheme-cfg-XXXXXX";
	struct sf_err	 err;
	struct cfg	*c;
	FILE		*f;
	int		 fd;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		exit(2);
	fputs(text, f);
	fclose(f);
	sf_err_clear(&err);
	c = cfg_load(path, &err);
	unlink(path);
	if (c == NULL) {
		printf("Bail out! cfg_load: %s\n", err.message);
		exit(2);
	}
	return c;
}

/* A URL on which nobody listens: a port bound, read, closed. */
static void
dead_url(char *out, size_t sz)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 s;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	bind(s, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(s, (struct sockaddr *)&sa, &sl);
	snprintf(out, sz, "http://127.0.0.1:%d", ntohs(sa.sin_port));
	close(s);
}

static void
test_lookup(void)
{
	struct x402_offer	 o;

	TAP_OK(x402_scheme_for("eip155:84532") == &evm_scheme &&
	    x402_scheme_for("base-sepolia") == &evm_scheme &&
	    x402_scheme_for("eip155:31337") == &evm_scheme,
	    "EVM networks (CAIP-2, v1 name, unknown chain id): evm_scheme");
	TAP_OK(x402_scheme_for(DEVNET) == &svm_scheme &&
	    x402_scheme_for("solana-devnet") == &svm_scheme &&
	    x402_scheme_for("solana") == &svm_scheme,
	    "Solana networks (CAIP-2, v1 names): svm_scheme");
	TAP_OK(x402_scheme_for(NULL) == &evm_scheme &&
	    x402_scheme_for("nowhere") == &evm_scheme,
	    "an unknown network is EVM's (as before the table)");
	memset(&o, 0, sizeof(o));
	TAP_OK(x402_scheme_of_offer(&o) == &evm_scheme, "an EVM offer");
	o.svm = 1;
	TAP_OK(x402_scheme_of_offer(&o) == &svm_scheme, "a Solana offer");
	TAP_OK(x402_scheme_of_requirements("{\"network\":\"solana-devnet\"}")
	    == &svm_scheme && x402_scheme_of_requirements(
	    "{\"network\":\"eip155:8453\"}") == &evm_scheme &&
	    x402_scheme_of_requirements("not json") == &evm_scheme,
	    "requirements: by their network");
}

static void
test_entries(void)
{
	const struct x402_scheme *const all[] = { &evm_scheme, &svm_scheme };
	const struct x402_scheme	*s;
	size_t				 i;

	for (i = 0; i < 2; i++) {
		s = all[i];
		TAP_OK(s->name != NULL && s->title != NULL &&
		    s->offer_complete != NULL && s->offer_extra != NULL &&
		    s->verify != NULL && s->terms != NULL &&
		    s->payload != NULL && s->window != NULL &&
		    s->prove != NULL && s->settle_config != NULL &&
		    s->settle_once != NULL && s->settle_until_ms != NULL,
		    "%s: every function of the entry is set", s->name);
		TAP_OK((s->max_window == 0) == (s->late_note == NULL),
		    "%s: a bounded window comes with its 402 note", s->name);
	}
	TAP_OK(evm_scheme.max_window == 0 && svm_scheme.max_window ==
	    SVM_WINDOW && SVM_WINDOW == 90, "EVM: the payer's window; "
	    "Solana: 90 s");
}

/* A check as x402_verify leaves a valid EVM payment. */
static void
evm_check(struct x402_check *c, struct x402_offer *o, const char *vb)
{
	memset(c, 0, sizeof(*c));
	memset(o, 0, sizeof(*o));
	strcpy(o->network, "eip155:84532");
	strcpy(o->amount, "10000");
	c->scheme = &evm_scheme;
	c->vd.valid = 1;
	c->vd.offer = o;
	strcpy(c->vd.auth.from_hex, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
	strcpy(c->vd.auth.nonce_hex, NONCE);
	strcpy(c->vd.auth.value_dec, "10000");
	strcpy(c->vd.auth.valid_after_dec, "0");
	snprintf(c->vd.auth.valid_before_dec,
	    sizeof(c->vd.auth.valid_before_dec), "%s", vb);
}

static void
test_evm_rules(void)
{
	struct x402_check	 c;
	struct x402_offer	 o;
	struct x402_terms	 t;
	char			 vb[32], msg[400], js[1024], *s;
	time_t			 now = 1800000000;

	evm_check(&c, &o, "1800000070");
	evm_scheme.terms(&c, now, &t);
	TAP_STREQ(t.payer, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
	    "EVM terms: payer is authorization.from");
	TAP_STREQ(t.key, NONCE, "EVM terms: the replay key is the nonce");
	TAP_STREQ(t.amount, "10000", "EVM terms: amount is the value signed");
	TAP_OK(strcmp(t.valid_after, "0") == 0 &&
	    strcmp(t.valid_before, "1800000070") == 0,
	    "EVM terms: validity as signed");

	TAP_OK(evm_scheme.window(&c, now, 60, 10, msg, sizeof(msg)) ==
	    X402_WINDOW_OK, "EVM window: validBefore = now + work + margin");
	snprintf(vb, sizeof(vb), "%lld", (long long)now + 69);
	evm_check(&c, &o, vb);
	msg[0] = '\0';
	TAP_OK(evm_scheme.window(&c, now, 60, 10, msg, sizeof(msg)) ==
	    X402_WINDOW_SHORT && strstr(msg, "validBefore >= 1800000070") !=
	    NULL, "EVM window: a second short is refused, naming the "
	    "validBefore needed (%s)", msg);
	evm_check(&c, &o, "123456789012345678901234567890");
	TAP_OK(evm_scheme.window(&c, now, 600, 600, msg, sizeof(msg)) ==
	    X402_WINDOW_OK, "EVM window: beyond 64 bits is far enough");

	evm_check(&c, &o, "1");
	snprintf(js, sizeof(js), payload_fmt, "1795303380", "01");
	c.pay.canonical = js;
	c.pay.sig_len = 65;
	if (hex_decode_fixed(SIG_RS "01", c.pay.sig, 65) == -1)
		abort();
	s = evm_scheme.payload(&c);
	TAP_OK(s != NULL && strstr(s, "dca1dd1c\"") != NULL,
	    "EVM payload: yParity 1 is stored as v 28 (0x1c)");
	free(s);
	snprintf(js, sizeof(js), payload_fmt, "1795303380", "1b");
	c.pay.sig[64] = 27;
	s = evm_scheme.payload(&c);
	TAP_STREQ(s, js, "EVM payload: v 27 is stored as received");
	free(s);
	TAP_OK(evm_scheme.settle_until_ms(js) == 1795303380LL * 1000,
	    "EVM: settlement may be tried until validBefore");
	TAP_OK(evm_scheme.settle_until_ms("{}") == 0,
	    "EVM: an unreadable payload gets one attempt");
}

static void
test_svm_rules(void)
{
	struct x402_check	 c;
	struct x402_offer	 o;
	struct x402_terms	 t;
	char			 msg[64], js[] = "{\"payload\":{}}", *s;

	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	o.svm = 1;
	strcpy(o.amount, "10000");
	c.scheme = &svm_scheme;
	c.vd.valid = 1;
	c.vd.offer = &o;
	strcpy(c.svm.payer, "4AfkU8moDpdvJcBM461ThKmsf4khedwSnerP9RiSrH6o");
	strcpy(c.svm.payer_sig, "5sig");
	c.pay.canonical = js;
	svm_scheme.terms(&c, 1000, &t);
	TAP_OK(strcmp(t.payer, c.svm.payer) == 0 &&
	    strcmp(t.key, "5sig") == 0 && strcmp(t.amount, "10000") == 0,
	    "Solana terms: the transfer authority, its signature as the "
	    "replay key, the offer's amount");
	TAP_OK(strcmp(t.valid_after, "1000") == 0 &&
	    strcmp(t.valid_before, "1090") == 0,
	    "Solana terms: valid from now for 90 s (the blockhash)");
	TAP_OK(svm_scheme.window(&c, 1000, 60, 30, msg, sizeof(msg)) ==
	    X402_WINDOW_OK, "Solana window: work + margin within 90 s");
	TAP_OK(svm_scheme.window(&c, 1000, 60, 31, msg, sizeof(msg)) ==
	    X402_WINDOW_SETTLE_FIRST, "Solana window: longer work is "
	    "settled first, never refused");
	s = svm_scheme.payload(&c);
	TAP_STREQ(s, js, "Solana payload: stored as received");
	free(s);
	TAP_OK(svm_scheme.settle_until_ms(js) == 0,
	    "Solana: the blockhash's expiry is not in the payload: one "
	    "attempt");
}

static void
test_offer_extra(void)
{
	struct x402_offer	 o;
	cJSON			*j;

	memset(&o, 0, sizeof(o));
	strcpy(o.name, "USDC");
	strcpy(o.version, "2");
	j = cJSON_CreateObject();
	evm_scheme.offer_extra(j, &o);
	TAP_OK(cJSON_GetArraySize(j) == 2 && strcmp(cJSON_GetStringValue(
	    cJSON_GetObjectItem(j, "name")), "USDC") == 0 &&
	    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "version")),
	    "2") == 0, "EVM extra: the EIP-712 domain name and version");
	cJSON_Delete(j);
	o.svm = 1;
	j = cJSON_CreateObject();
	svm_scheme.offer_extra(j, &o);
	TAP_OK(cJSON_GetArraySize(j) == 0,
	    "Solana extra: no feePayer while it is unknown (registry files)");
	strcpy(o.fee_payer, LAB_FEE_PAYER);
	svm_scheme.offer_extra(j, &o);
	TAP_OK(cJSON_GetArraySize(j) == 1 && strcmp(cJSON_GetStringValue(
	    cJSON_GetObjectItem(j, "feePayer")), LAB_FEE_PAYER) == 0,
	    "Solana extra: the facilitator's fee payer");
	cJSON_Delete(j);
	evm_scheme.offer_extra(NULL, &o);
	svm_scheme.offer_extra(NULL, &o);
	TAP_OK(1, "offer_extra with no object (out of memory) is harmless");
}

static void
test_settle_config(void)
{
	struct settle_config	 base, sc;
	struct x402_env		 env;
	struct cfg		*c;

	c = load("NETWORKS=base-sepolia, " DEVNET "\nPAY_TO=" EVM_PAY_TO
	    "\nPAY_TO_SOLANA_DEVNET=" LAB_PAY_TO "\n"
	    "FACILITATOR_URL_SOLANA_DEVNET=http://127.0.0.1:9/sol\n"
	    "RPC_URL_84532=http://127.0.0.1:9/rpc\n");
	memset(&base, 0, sizeof(base));
	base.mode = SETTLE_MODE_DIRECT;
	base.facilitator.url = "http://127.0.0.1:9/fac";
	base.rpc_url = "http://127.0.0.1:9/default-rpc";
	base.direct.rpc_url = base.rpc_url;
	env.cfg = c;
	env.settle = &base;
	env.rpc_ms = 1000;
	evm_scheme.settle_config(&env, "eip155:84532", &sc);
	TAP_OK(sc.mode == SETTLE_MODE_DIRECT &&
	    strcmp(sc.rpc_url, "http://127.0.0.1:9/rpc") == 0 &&
	    strcmp(sc.facilitator.url, "http://127.0.0.1:9/fac") == 0,
	    "EVM: the seller's settings, the network's RPC_URL_<id>");
	svm_scheme.settle_config(&env, DEVNET, &sc);
	TAP_OK(sc.mode == SETTLE_MODE_FACILITATOR && sc.rpc_url == NULL &&
	    sc.direct.rpc_url == NULL &&
	    strcmp(sc.facilitator.url, "http://127.0.0.1:9/sol") == 0,
	    "Solana: its own facilitator, never direct, no EVM chain");
	env.cfg = NULL;
	svm_scheme.settle_config(&env, DEVNET, &sc);
	TAP_STREQ(sc.facilitator.url, "http://127.0.0.1:9/fac",
	    "Solana without FACILITATOR_URL_<NET>: FACILITATOR_URL");
	cfg_free(c);
}

/* Nobody to ask: the proof says so (-1) and settlement is one attempt for
   Solana, retried within the budget for EVM (validBefore is far). */
static void
test_unreachable(void)
{
	struct settle_config	 base;
	struct settle_result	 r;
	struct settle_opts	 o;
	struct x402_env		 env;
	struct x402_check	 c;
	struct x402_offer	 off;
	struct x402_proof	 pr;
	struct cfg		*cfg;
	char			 dead[64], js[1024];

	cfg = load("NETWORKS=base-sepolia\nPAY_TO=" EVM_PAY_TO "\n");
	dead_url(dead, sizeof(dead));
	memset(&base, 0, sizeof(base));
	base.facilitator.url = dead;
	env.cfg = cfg;
	env.settle = &base;
	env.rpc_ms = 1000;
	evm_check(&c, &off, "4102444800");
	snprintf(js, sizeof(js), payload_fmt, "4102444800", "1b");
	TAP_OK(evm_scheme.prove(&env, &c, 2, js, "{\"network\":"
	    "\"eip155:84532\"}", &pr) == -1, "EVM without an RPC, the "
	    "facilitator unreachable: nobody could be asked");
	memset(&o, 0, sizeof(o));
	o.budget_ms = 3000;
	settle_payment_opts(&base, 2, js, "{\"network\":\"eip155:84532\"}",
	    &o, &r);
	TAP_OK(r.outcome == SETTLE_UNKNOWN && r.attempts >= 2 &&
	    strcmp(r.network, "eip155:84532") == 0 &&
	    strcmp(r.payer, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8") == 0,
	    "EVM settlement: retried within the budget, network and payer "
	    "kept (%d attempts)", r.attempts);
	settle_payment_opts(&base, 2, "{}", "{\"network\":\"" DEVNET "\"}",
	    &o, &r);
	TAP_OK(r.outcome == SETTLE_UNKNOWN && r.attempts == 1 &&
	    strcmp(r.network, DEVNET) == 0, "Solana settlement: one attempt "
	    "(%d)", r.attempts);
	cfg_free(cfg);
}

/* An RPC that takes connections and never answers (a full backlog is not
   needed: the kernel completes the handshake, nobody reads). */
static int
silent_rpc(char *out, size_t sz)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 s;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s, 16) == -1 ||
	    getsockname(s, (struct sockaddr *)&sa, &sl) == -1)
		return -1;
	snprintf(out, sz, "http://127.0.0.1:%d", ntohs(sa.sin_port));
	return s;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) /
	    1000000;
}

/*
 * An RPC that does not answer: the proof falls back to the facilitator's
 * /verify after RPC_TIMEOUT_MS (the balance unknown), the network is
 * degraded, and the next proof goes straight to /verify.
 */
static void
test_rpc_fallback(void)
{
	static const char	 ok[] = "{\"isValid\":true,\"payer\":"
				    "\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\"}";
	static const struct mh_route routes[] = {
		{ "/verify", 200, "Content-Type: application/json\r\n", ok,
		    sizeof(ok) - 1 },
		{ NULL, 0, NULL, NULL, 0 },
	};
	struct settle_config	 base;
	struct x402_env		 env;
	struct x402_check	 c;
	struct x402_offer	 off;
	struct x402_proof	 pr;
	struct timespec		 t0;
	struct mh		 fac;
	struct cfg		*cfg;
	char			 rpc[64], conf[256], fac_url[64], js[1024];
	char			 why[256];
	time_t			 since;
	long			 ms;
	int			 hole, rc;

	if ((hole = silent_rpc(rpc, sizeof(rpc))) == -1 ||
	    mh_start(&fac, routes, 0) == -1) {
		printf("Bail out! cannot listen\n");
		exit(2);
	}
	snprintf(fac_url, sizeof(fac_url), "http://127.0.0.1:%d", fac.port);
	snprintf(conf, sizeof(conf), "NETWORKS=base-sepolia\nPAY_TO="
	    EVM_PAY_TO "\nRPC_URL_BASE_SEPOLIA=%s\n", rpc);
	cfg = load(conf);
	memset(&base, 0, sizeof(base));
	base.facilitator.url = fac_url;
	env.cfg = cfg;
	env.settle = &base;
	env.rpc_ms = 300;
	evm_check(&c, &off, "4102444800");
	snprintf(js, sizeof(js), payload_fmt, "4102444800", "1b");
	TAP_OK(!rpc_watch_degraded("eip155:84532", why, sizeof(why), &since),
	    "not degraded before any proof");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = evm_scheme.prove(&env, &c, 2, js, "{\"network\":"
	    "\"eip155:84532\"}", &pr);
	ms = ms_since(&t0);
	TAP_OK(rc == 0 && pr.settleable && pr.balance[0] == '\0' &&
	    fac.hits == 1, "a silent RPC: proven by /verify, balance unknown "
	    "(one unsettled payment per wallet)");
	TAP_OK(ms >= 250 && ms < 2000, "after the RPC timeout, not the "
	    "default 15 s (%ld ms)", ms);
	TAP_OK(rpc_watch_degraded("eip155:84532", why, sizeof(why), &since) &&
	    strstr(why, "authorizationState") != NULL && strstr(why, rpc) == NULL &&
	    why[0] != '\0', "the network is degraded, why without the URL "
	    "(%s)", why);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = evm_scheme.prove(&env, &c, 2, js, "{\"network\":"
	    "\"eip155:84532\"}", &pr);
	ms = ms_since(&t0);
	TAP_OK(rc == 0 && pr.settleable && fac.hits == 2 && ms < 250,
	    "the next proof skips the RPC for a while (%ld ms)", ms);
	TAP_OK(rpc_watch_try("eip155:84532", time(NULL) + RPC_WATCH_RETRY_S),
	    "and tries it again after RPC_WATCH_RETRY_S");
	rpc_watch_note("eip155:84532", 1, "", time(NULL));
	TAP_OK(!rpc_watch_degraded("eip155:84532", why, sizeof(why), &since),
	    "an answer ends the degraded state");
	mh_stop(&fac);
	close(hole);
	cfg_free(cfg);
}

/* A contract wallet's signature is stored byte for byte (no v + 27). */
static void
test_wallet_rules(void)
{
	struct x402_check	 c;
	struct x402_offer	 o;
	char			*pl;

	evm_check(&c, &o, "4102444800");
	c.pay.canonical = "{\"payload\":{\"signature\":\"0x" "00" "\"}}";
	c.pay.sig_len = 65;
	c.pay.sig[64] = 1;
	c.vd.wallet = 1;
	pl = evm_scheme.payload(&c);
	TAP_STREQ(pl, c.pay.canonical, "a contract wallet's payload as "
	    "received (v = 1 kept)");
	free(pl);
	c.vd.wallet = 0;
	pl = evm_scheme.payload(&c);
	TAP_OK(pl == NULL || strcmp(pl, c.pay.canonical) != 0,
	    "an EOA's v = 1 is normalised (the payload rewritten)");
	free(pl);
}

int
main(void)
{
	hermetic();
	test_lookup();
	test_entries();
	test_evm_rules();
	test_svm_rules();
	test_offer_extra();
	test_settle_config();
	test_unreachable();
	test_rpc_fallback();
	test_wallet_rules();
	return tap_done();
}
