/*
 * Solana around the checks: NETWORKS with Solana names and CAIP-2 ids
 * mixed with EVM, the per-network keys (PAY_TO_/ASSET_/FACILITATOR_URL_/
 * RPC_URL_<NETWORK>) and their errors, the Solana offer in both 402 forms,
 * the fee payer read from a /supported reply, and the x402lab-svm capture's
 * PAYMENT-SIGNATURE decoded and verified against the lab's offer.
 * Expected values: the lab's captures (402-payment-required.json,
 * payment-signature.txt) and @x402/svm's /supported shape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "basics/msg.h"
#include "basics/net.h"
#include "hermetic.h"
#include "tap.h"
#include "x402/svm/svm_fee_payer.h"
#include "x402/svm/svm_x402.h"
#include "x402/x402_challenge.h"
#include "x402/x402_payment.h"
#include "x402/x402_scheme.h"

#define EVM_PAY_TO	"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define LAB_PAY_TO	"35ebCdUBY5LreFuVrevsLJreAcmusV38wcsTLjWaMgZB"
#define LAB_MINT	"4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU"
#define LAB_FEE_PAYER	"4KD5FoVYVpCizak6tmiw99icE4t1H9Vty9cLkhtnXJea"
#define DEVNET		"solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
#define MAINNET		"solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"

/* ../shared/x402lab-svm/captures/payment-signature.txt */
static const char *LAB_HDR = "eyJ4NDAyVmVyc2lvbiI6MiwicGF5bG9hZCI6eyJ0cmFuc2FjdGlvbiI6IkFnQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQmZHWGJ4UlNBQ0NIYW15eFBSOWd4RHlGeTB1MllWaFBibDJaZFFtaElvRG50VWN4ZC9yYWR2dE9CdnNWYjJxZG0vT3R2b2hkZkhJMlV1M1BmN0RqTURnQUlCQkFneFBTcXZma3FnekJkMHVFemVOVS9jMThRcmlmVVh5YnlkUXpoQ1Z0a2h4eThOR2ltcG40cUFNSHhvQzFPTm5VNEdQRHNrZi9OTitpM254VHQ2ZmRob2doenZaNXBERE45bUtFZy9TWk5aT0xwd2wzUU0vTEgzNUVNbXU4L1ZTR09wYmlLY3NqVHpRZVRMOVJIVDFLa2VXc1ZTQVZNNUVPY21MajVnNGV3UjZEdEVMTE9SSVZmeE9wTTlBVFFvTFFNclgvN05BYUxiOGJkNUJnamZBQzZuQXdaR2IrVWhGekwvN0syNmNzT2I1N3lNNWJ2Rjl4SnJMRU9iT2tBQUFBQUZTbE5hbVNraEJrMGs2SEZnMmpoOGZEVzEzYnlTdTRIa0g2aEFRUVZFalFiZDl1SFhaYUdUMmN2aFJzN3JlYXdjdElYdFgxczNrVHFNOVlWKy93Q3BydXV0U25sdnpDNFYzRXhnWWJSZTJiTno4bXJmeDVqS2ZTMk14WUdDY1k0RUJRQUZBaUJPQUFBRkFBa0RBUUFBQUFBQUFBQUhCQU1FQWdFS0RCQW5BQUFBQUFBQUJnWUFJRGxrTURrM01EZ3dZelprWTJGaE9UVTBPRGN6TVRRNVlXVTRNMll4Wm1SaUFBPT0ifSwicmVzb3VyY2UiOnsidXJsIjoiaHR0cDovLzEyNy4wLjAuMToxODkwMy9wYWlkIiwiZGVzY3JpcHRpb24iOiJsb2NhbCB4NDAyIHNvbGFuYSBsYWIgcmVzb3VyY2UiLCJtaW1lVHlwZSI6ImFwcGxpY2F0aW9uL2pzb24ifSwiYWNjZXB0ZWQiOnsic2NoZW1lIjoiZXhhY3QiLCJuZXR3b3JrIjoic29sYW5hOkV0V1RSQUJaYVlxNmlNZmVZS291UnUxNjZWVTJ4cWExIiwiYW1vdW50IjoiMTAwMDAiLCJhc3NldCI6IjR6TU1DOXNydDVSaTVYMTRHQWdYaGFIaWkzR25QQUVFUllQSmdaSkRuY0RVIiwicGF5VG8iOiIzNWViQ2RVQlk1THJlRnVWcmV2c0xKcmVBY211c1YzOHdjc1RMaldhTWdaQiIsIm1heFRpbWVvdXRTZWNvbmRzIjo2MCwiZXh0cmEiOnsiZmVlUGF5ZXIiOiI0S0Q1Rm9WWVZwQ2l6YWs2dG1pdzk5aWNFNHQxSDlWdHk5Y0xraHRuWEplYSJ9fX0=";

static const char *TRUNC_JSON = "{\"x402Version\":2,\"accepted\":{"
    "\"scheme\":\"exact\",\"network\":\"" DEVNET "\",\"amount\":\"10000\","
    "\"asset\":\"" LAB_MINT "\",\"payTo\":\"" LAB_PAY_TO "\","
    "\"maxTimeoutSeconds\":60,\"extra\":{\"feePayer\":\"" LAB_FEE_PAYER
    "\"}},\"payload\":{\"transaction\":\"AgAA\"}}";

static struct cfg *
load(const char *text, struct sf_err *err)
{
	char		 path[] = "/tmp/sf-svm-cfg-XXXXXX";
	struct cfg	*c;
	FILE		*f;
	int		 fd;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		exit(2);
	fputs(text, f);
	fclose(f);
	sf_err_clear(err);
	c = cfg_load(path, err);
	unlink(path);
	return c;
}

static void
test_net(void)
{
	struct net_info	 n;
	char		 s[64];

	TAP_OK(net_lookup("solana-devnet", &n) == 0 && n.family == NET_SVM &&
	    strcmp(n.usdc, LAB_MINT) == 0 && n.decimals == 6 && !n.mainnet,
	    "solana-devnet: SVM, Circle's devnet USDC mint");
	net_caip2(&n, s, sizeof(s));
	TAP_STREQ(s, DEVNET, "solana-devnet is " DEVNET);
	TAP_OK(net_lookup(MAINNET, &n) == 0 && n.mainnet && strcmp(n.v1name,
	    "solana") == 0 && strcmp(n.usdc,
	    "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v") == 0,
	    "the mainnet CAIP-2 id is solana, USDC EPjF...");
	TAP_OK(net_lookup("solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z", &n) == -1,
	    "testnet is not offered");
	TAP_OK(net_lookup("base-sepolia", &n) == 0 && n.family == NET_EVM,
	    "EVM unchanged");
}

static void
test_cfg(void)
{
	struct sf_err		 err;
	struct cfg		*c;
	struct x402_offer	 o[4];
	size_t			 n;

	c = load("NETWORKS=base-sepolia, " DEVNET "\nPAY_TO=" EVM_PAY_TO
	    "\nPAY_TO_SOLANA_DEVNET=" LAB_PAY_TO "\n"
	    "FACILITATOR_URL_SOLANA_DEVNET=http://127.0.0.1:9/f\n"
	    "RPC_URL_SOLANA_DEVNET=http://127.0.0.1:9/rpc\n", &err);
	TAP_OK(c != NULL, "EVM and Solana mixed load: %s", err.message);
	if (c == NULL)
		return;
	TAP_OK(c->nnets == 2 && c->nets[1].svm && !c->nets[0].svm,
	    "two networks, the second Solana");
	TAP_STREQ(c->nets[1].network, DEVNET, "CAIP-2 kept");
	TAP_STREQ(c->nets[1].network_v1, "solana-devnet", "v1 name");
	TAP_STREQ(c->nets[1].asset, LAB_MINT, "default mint");
	TAP_STREQ(c->nets[1].facilitator_url, "http://127.0.0.1:9/f",
	    "FACILITATOR_URL_SOLANA_DEVNET");
	TAP_STREQ(c->nets[1].rpc_url, "http://127.0.0.1:9/rpc",
	    "RPC_URL_SOLANA_DEVNET");
	n = x402_offers(c, "12345", o, 4);
	TAP_OK(n == 2 && o[1].svm && strcmp(o[1].pay_to, LAB_PAY_TO) == 0 &&
	    strcmp(o[0].pay_to, EVM_PAY_TO) == 0 && o[1].decimals == 6 &&
	    strcmp(o[1].amount, "12345") == 0, "offers: each network its payTo");
	cfg_free(c);

	c = load("NETWORKS=solana-devnet\n", &err);
	TAP_OK(c == NULL && strcmp(err.code, "config_missing") == 0 &&
	    strstr(err.message, "PAY_TO_SOLANA_DEVNET") != NULL,
	    "Solana without PAY_TO_SOLANA_DEVNET: %s", err.message);
	cfg_free(c);
	c = load("NETWORKS=solana-devnet\nPAY_TO_SOLANA_DEVNET=" EVM_PAY_TO
	    "\n", &err);
	TAP_OK(c == NULL && strcmp(err.field, "PAY_TO") == 0,
	    "a 0x address is no Solana payTo: %s", err.message);
	cfg_free(c);
	c = load("NETWORKS=solana-devnet\nPAY_TO_SOLANA_DEVNET=" LAB_PAY_TO
	    "\nASSET_SOLANA_DEVNET=0OIl\n", &err);
	TAP_OK(c == NULL && strcmp(err.field, "ASSET") == 0,
	    "a mint that is not base58: %s", err.message);
	cfg_free(c);
	c = load("NETWORKS=solana\nPAY_TO_SOLANA=" LAB_PAY_TO
	    "\nFACILITATOR_URL_SOLANA=ftp://x\n", &err);
	TAP_OK(c == NULL && strcmp(err.field, "FACILITATOR_URL") == 0,
	    "FACILITATOR_URL_SOLANA must be http(s): %s", err.message);
	cfg_free(c);
	c = load("NETWORKS=solana-devnet\nPAY_TO_SOLANA_DEVNET=" LAB_PAY_TO
	    "\n", &err);
	TAP_OK(c != NULL, "Solana only: no EVM PAY_TO needed");
	cfg_free(c);
}

static void
lab_offer(struct x402_offer *o)
{
	memset(o, 0, sizeof(*o));
	o->svm = 1;
	strcpy(o->scheme, "exact");
	strcpy(o->network, DEVNET);
	strcpy(o->network_v1, "solana-devnet");
	strcpy(o->amount, "10000");
	strcpy(o->asset, LAB_MINT);
	strcpy(o->pay_to, LAB_PAY_TO);
	strcpy(o->fee_payer, LAB_FEE_PAYER);
	o->max_timeout = 60;
	o->decimals = 6;
}

static void
test_offer(void)
{
	struct x402_offer	 o;
	cJSON			*j, *want;
	char			*s;

	lab_offer(&o);
	j = x402_offer_v2(&o);
	/* 402-payment-required.json, accepts[0]. */
	want = cJSON_Parse("{\"scheme\":\"exact\",\"network\":\"" DEVNET
	    "\",\"amount\":\"10000\",\"asset\":\"" LAB_MINT "\",\"payTo\":\""
	    LAB_PAY_TO "\",\"maxTimeoutSeconds\":60,\"extra\":{\"feePayer\":\""
	    LAB_FEE_PAYER "\"}}");
	TAP_OK(cJSON_Compare(j, want, 1), "v2 offer = the lab's accepts[0]");
	cJSON_Delete(j);
	cJSON_Delete(want);
	o.fee_payer[0] = '\0';
	j = x402_offer_v2(&o);
	s = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "extra"));
	TAP_STREQ(s, "{}", "no fee payer known: extra is empty");
	cJSON_free(s);
	cJSON_Delete(j);
}

static void
test_fee_payer(void)
{
	char	 fp[B58_ADDR_STRLEN], why[200];

	TAP_OK(svm_fee_payer_parse("{\"kinds\":[{\"x402Version\":2,\"scheme\":"
	    "\"exact\",\"network\":\"eip155:84532\"},{\"x402Version\":1,"
	    "\"scheme\":\"exact\",\"network\":\"" DEVNET "\",\"extra\":{"
	    "\"feePayer\":\"" LAB_PAY_TO "\"}},{\"x402Version\":2,\"scheme\":"
	    "\"exact\",\"network\":\"" DEVNET "\",\"extra\":{\"feePayer\":\""
	    LAB_FEE_PAYER "\"}}]}", DEVNET, fp, why, sizeof(why)) == 0 &&
	    strcmp(fp, LAB_FEE_PAYER) == 0, "fee payer of the v2 exact kind");
	TAP_OK(svm_fee_payer_parse("{\"kinds\":[{\"x402Version\":2,\"scheme\":"
	    "\"exact\",\"network\":\"" MAINNET "\",\"extra\":{\"feePayer\":\""
	    LAB_FEE_PAYER "\"}}]}", DEVNET, fp, why, sizeof(why)) == -1 &&
	    strstr(why, "no exact kind") != NULL, "other network: %s", why);
	TAP_OK(svm_fee_payer_parse("{\"kinds\":[{\"x402Version\":2,\"scheme\":"
	    "\"exact\",\"network\":\"" DEVNET "\",\"extra\":{\"feePayer\":"
	    "\"0x12\"}}]}", DEVNET, fp, why, sizeof(why)) == -1,
	    "a fee payer that is not base58: %s", why);
}

static void
test_payment(void)
{
	struct x402_payment	 p;
	struct x402_check	 c;
	struct x402_verdict	*v = &c.vd;
	struct x402_offer	 o[2];
	struct sf_err		 err;
	struct buf		 b;

	lab_offer(&o[1]);
	memset(&o[0], 0, sizeof(o[0]));
	strcpy(o[0].scheme, "exact");
	strcpy(o[0].network, "eip155:84532");
	TAP_OK(x402_payment_decode(LAB_HDR, 2, &p, &err) == 0 && p.svm &&
	    p.svm_tx_len == 496 && p.accepted.has_fee_payer &&
	    strcmp(p.accepted.fee_payer, LAB_FEE_PAYER) == 0,
	    "the lab's PAYMENT-SIGNATURE decodes as SVM");
	x402_payment_free(&p);
	TAP_OK(x402_scheme_verify_header(LAB_HDR, 2, o, 2, 0, &c) == 0 &&
	    v->valid && v->offer == &o[1] && strcmp(v->payer,
	    "4AfkU8moDpdvJcBM461ThKmsf4khedwSnerP9RiSrH6o") == 0,
	    "verified against the Solana offer: %s", v->message);
	x402_check_free(&c);
	strcpy(o[1].amount, "10001");
	x402_scheme_verify_header(LAB_HDR, 2, o, 2, 0, &c);
	TAP_STREQ(v->reason, "no_matching_requirements", "another price: no "
	    "offer matches the accepted copy");
	x402_check_free(&c);
	lab_offer(&o[1]);
	strcpy(o[1].fee_payer, LAB_PAY_TO);
	x402_scheme_verify_header(LAB_HDR, 2, o, 2, 0, &c);
	TAP_STREQ(v->reason, "no_matching_requirements", "another fee payer "
	    "in our offer: no match");
	x402_check_free(&c);
	/* A transaction cut to 3 bytes: a payload error with the reason. */
	lab_offer(&o[1]);
	buf_init(&b);
	if (b64_encode(TRUNC_JSON, strlen(TRUNC_JSON), &b) == -1)
		abort();
	buf_puts(&b, "");
	x402_scheme_verify_header(b.p, 2, o, 2, 0, &c);
	TAP_OK(v->reason != NULL && strcmp(v->reason, "invalid_payload") == 0 &&
	    strstr(v->message, "payload.transaction") != NULL,
	    "truncated transaction: invalid_payload (%s)", v->message);
	x402_check_free(&c);
	buf_free(&b);
}

/* The feePayer in a 402's PAYMENT-REQUIRED (decoded), into out. */
static void
fee_payer_of(const struct msg_resp *r, char *out, size_t sz)
{
	const char	*h = msg_resp_get_header(r, "PAYMENT-REQUIRED");
	unsigned char	*raw;
	size_t		 n;
	cJSON		*j;
	const cJSON	*fp;

	out[0] = '\0';
	if (h == NULL || (raw = b64_decode(h, &n)) == NULL)
		return;
	j = cJSON_ParseWithLength((const char *)raw, n);
	fp = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(j, "accepts"), 0), "extra"), "feePayer");
	if (cJSON_IsString(fp))
		snprintf(out, sz, "%s", fp->valuestring);
	cJSON_Delete(j);
	free(raw);
}

/*
 * The plain 402 is cached per process: a new fee payer (the
 * facilitator's, learnt at run time) must give a new 402, not the
 * cached one (its key once left the fee payer out).
 */
static void
test_challenge_cache(void)
{
	const struct def_endpoint	*ep = def_table[0].ep;
	struct x402_offer		 o;
	struct msg_resp			 r1, r2, r3;
	char				 a[64], b[64], c[64];

	lab_offer(&o);
	msg_resp_init(&r1);
	msg_resp_init(&r2);
	msg_resp_init(&r3);
	TAP_OK(ep != NULL && x402_challenge(&r1, 402, ep,
	    "http://127.0.0.1/v1/x", &o, 1, "payment_required", NULL) == 0 &&
	    x402_challenge(&r2, 402, ep, "http://127.0.0.1/v1/x", &o, 1,
	    "payment_required", NULL) == 0, "two 402s of one offer");
	fee_payer_of(&r1, a, sizeof(a));
	fee_payer_of(&r2, b, sizeof(b));
	TAP_OK(strcmp(a, LAB_FEE_PAYER) == 0 && strcmp(b, a) == 0,
	    "  the same fee payer (%s)", b);
	strcpy(o.fee_payer, LAB_PAY_TO);
	TAP_OK(x402_challenge(&r3, 402, ep, "http://127.0.0.1/v1/x", &o, 1,
	    "payment_required", NULL) == 0, "a 402 after the fee payer changed");
	fee_payer_of(&r3, c, sizeof(c));
	TAP_STREQ(c, LAB_PAY_TO, "  carries the new fee payer, not the "
	    "cached one");
	msg_resp_free(&r1);
	msg_resp_free(&r2);
	msg_resp_free(&r3);
}

int
main(void)
{
	hermetic();
	test_net();
	test_cfg();
	test_offer();
	test_fee_payer();
	test_payment();
	test_challenge_cache();
	return tap_done();
}
