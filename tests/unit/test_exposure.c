/*
 * The money path's ledger and configuration pieces (issue 12): a payer's
 * exposure (unsettled + this payment within the balance read), the
 * in-flight cap, both atomic across forked processes; dropping a refused
 * claim; and the configuration keys (window, offered maxTimeoutSeconds,
 * settle-first, per-network RPC, refusing a mainnet that cannot prove).
 * The ledger part runs on SQLite, and with SF_TEST_PG set (make unit-pg)
 * on PostgreSQL, with the same assertions.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "ledger/ledger.h"
#include "hermetic.h"
#include "pgtest.h"
#include "tap.h"
#include "x402/x402_offer.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)
#define NPROCS	10

static char	 dbpath[512];
static int64_t	 first_a;	/* PAYER_A's first payment */

static void
fill(struct ledger_payment *p, int n, const char *payer, const char *amount,
    long long valid_for)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->endpoint, sizeof(p->endpoint), "image-generate");
	snprintf(p->request_hash, sizeof(p->request_hash), "h%d", n);
	snprintf(p->payer, sizeof(p->payer), "%s", payer);
	snprintf(p->amount, sizeof(p->amount), "%s", amount);
	snprintf(p->asset, sizeof(p->asset),
	    "0x5FbDB2315678afecb367f032d93F642f64180aa3");
	snprintf(p->network, sizeof(p->network), "base-sepolia");
	p->x402_version = 2;
	snprintf(p->nonce, sizeof(p->nonce), "0x%064x", n);
	snprintf(p->valid_after, sizeof(p->valid_after), "0");
	snprintf(p->valid_before, sizeof(p->valid_before), "%lld",
	    (long long)time(NULL) + valid_for);
	p->payload = "{}";
	p->requirements = "{}";
	p->state = LEDGER_VERIFIED;
}

#define PAYER_A	"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define PAYER_B	"0x90F79bf6EB2c4f870365E785982E1f101E93b906"
#define PAYER_C	"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"

/* Claim nonce n and try to admit it; the admit result, or -9. */
static int
claim_admit(struct ledger *l, int n, const char *payer, const char *amount,
    const char *balance, unsigned cap, int64_t *id)
{
	struct ledger_payment	 in, row;
	struct ledger_exposure	 ex;
	struct sf_err		 err;
	int			 rc;

	fill(&in, n, payer, amount, 600);
	if (ledger_claim(l, &in, &row, &err) != LEDGER_NEW)
		return -9;
	if (id != NULL)
		*id = row.id;
	/* As the flow does: reserve, (read the balance), fit or release. */
	rc = ledger_reserve(l, row.id, cap, &ex, &err);
	if (rc == 1 && !ledger_fits(&ex, amount, balance)) {
		ledger_release(l, row.id, &err);
		rc = LEDGER_OVER_BALANCE;
	}
	ledger_payment_free(&row);
	return rc;
}

/*
 * The flow's two-phase admission: the exposure is taken when the row is
 * reserved, before the balance is read.  A payment of the same payer that
 * settles between the two must still count: with two hosts on one
 * PostgreSQL ledger a wallet funded for one call got two pieces of work
 * when the balance was read first and the first payment settled before
 * the second's admission.
 */
static void
test_reserve(struct ledger *l)
{
	struct ledger_payment	 in, row;
	struct ledger_exposure	 ex, ex2;
	struct sf_err		 err;
	int64_t			 first;

#define PAYER_D	"0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"
	fill(&in, 20, PAYER_D, "10000", 600);
	T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW &&
	    ledger_reserve(l, row.id, 8, &ex, &err) == 1 &&
	    ex.unsettled_count == 0 && ledger_fits(&ex, "10000", "10000"),
	    "funded for one call: the first payment is reserved and fits");
	first = row.id;
	ledger_payment_free(&row);
	fill(&in, 21, PAYER_D, "10000", 600);
	T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW &&
	    ledger_reserve(l, row.id, 8, &ex2, &err) == 1 &&
	    strcmp(ex2.unsettled, "10000") == 0,
	    "the second's reservation sees the first unsettled");
	/* The first settles now, before the second's balance read. */
	T(ledger_set_settled(l, first, "0x0d", NULL, &err) == 0,
	    "the first settles");
	T(!ledger_fits(&ex2, "10000", "10000"),
	    "whatever the balance read shows, the second does not fit");
	T(!ledger_fits(&ex2, "1", NULL), "unknown balance: another unsettled "
	    "payment at reservation time refuses it");
	T(ledger_release(l, row.id, &err) == 1 &&
	    ledger_get(l, row.id, &in, &err) == 0,
	    "a reservation that did not fit is dropped");
	ledger_payment_free(&row);
	T(ledger_reserve(l, 999999, 8, &ex, &err) == 0,
	    "reserving a missing row: 0");
	T(ledger_fits(&ex2, "15000", "25000") && !ledger_fits(&ex2, "15001",
	    "25000"), "fits: unsettled + amount <= balance, exactly");
}

/* Balance 25000: two payments of 10000 fit, the third does not. */
static void
test_balance(struct ledger *l)
{
	struct ledger_payment	 key, gone;
	struct ledger_exposure	 ex;
	struct sf_err		 err;
	int64_t			 id, id2;

	T(claim_admit(l, 1, PAYER_A, "10000", "25000", 8, &id) == 1,
	    "first payment admitted");
	T(claim_admit(l, 2, PAYER_A, "10000", "25000", 8, NULL) == 1,
	    "second admitted: 20000 <= 25000");
	T(claim_admit(l, 3, PAYER_A, "10000", "25000", 8, &id2) ==
	    LEDGER_OVER_BALANCE, "third refused: 30000 > 25000");
	fill(&key, 0, PAYER_A, "0", 0);
	T(ledger_exposure(l, &key, &ex, &err) == 0 &&
	    strcmp(ex.unsettled, "20000") == 0 && ex.unsettled_count == 2 &&
	    ex.inflight == 2, "exposure: 20000 in 2 rows, 2 in flight");
	/* Released as the flow does: the payment may be presented again
	   later. */
	T(ledger_get(l, id2, &gone, &err) == 0 &&
	    ledger_unclaim(l, id2, &err) == 0,
	    "the refused claim is dropped");
	T(ledger_unclaim(l, id, &err) == 0, "an admitted claim is not");
	first_a = id;
}

/* Settled rows leave the exposure; settle_failed stays in it but is not
   in flight; settled-first rows (tx known) count as paid. */
static void
test_settled_leave(struct ledger *l)
{
	struct ledger_payment	 key;
	struct ledger_exposure	 ex;
	struct sf_err		 err;
	int64_t			 id;

	fill(&key, 0, PAYER_A, "0", 0);
	T(ledger_set_settled(l, first_a, "0x01", NULL, &err) == 0,
	    "settle #1");
	T(claim_admit(l, 4, PAYER_A, "5000", "25000", 8, &id) == 1,
	    "after a settlement there is room again");
	T(ledger_set_state(l, id, -1, LEDGER_SETTLE_FAILED, "x", &err) == 1,
	    "#4 settle_failed");
	T(ledger_exposure(l, &key, &ex, &err) == 0 &&
	    strcmp(ex.unsettled, "15000") == 0 && ex.inflight == 1,
	    "settle_failed counts as unsettled, not in flight");
	T(ledger_set_tx(l, id, "0x02", &err) == 0 &&
	    ledger_exposure(l, &key, &ex, &err) == 0 &&
	    strcmp(ex.unsettled, "10000") == 0, "a row with its tx is paid");
}

/* Unknown balance: nothing else may be unsettled. */
static void
test_unknown_balance(struct ledger *l)
{
	T(claim_admit(l, 5, PAYER_A, "1", NULL, 8, NULL) == LEDGER_OVER_BALANCE,
	    "unknown balance, other unsettled rows: refused");
	T(claim_admit(l, 6, PAYER_B, "1", NULL, 8, NULL) == 1,
	    "unknown balance, nothing else unsettled: admitted");
}

static void
test_inflight_cap(struct ledger *l)
{
	T(claim_admit(l, 7, PAYER_B, "1", "100", 2, NULL) == 1, "cap 2: second");
	T(claim_admit(l, 8, PAYER_B, "1", "100", 2, NULL) ==
	    LEDGER_OVER_INFLIGHT, "cap 2: third refused");
}

/* Expired authorizations can no longer move money. */
static void
test_expired(struct ledger *l)
{
	struct ledger_payment	 key, row;
	struct sf_err		 err;

	fill(&key, 9, PAYER_C, "50", -10);
	T(ledger_claim(l, &key, &row, &err) == LEDGER_NEW &&
	    ledger_set_state(l, row.id, -1, LEDGER_DELIVERED, NULL,
	    &err) == 1, "an expired delivered row");
	ledger_payment_free(&row);
	T(claim_admit(l, 10, PAYER_C, "100", "100", 8, NULL) == 1,
	    "an expired row is not exposure");
}

/* Sums in u256: beyond 64 bits, exactly at the balance, and figures that
   are not strict decimals never fit. */
static void
test_fits(struct ledger *l)
{
	struct ledger_payment	 key;
	struct ledger_exposure	 ex;
	struct sf_err		 err;

#define PAYER_E	"0x976EA74026E726554dB657fA54763abd0C3a0aa9"
	T(claim_admit(l, 30, PAYER_E, "18446744073709551615", "0", 8,
	    NULL) == LEDGER_OVER_BALANCE, "balance 0: refused");
	T(claim_admit(l, 31, PAYER_E, "18446744073709551615",
	    "36893488147419103230", 8, NULL) == 1 &&
	    claim_admit(l, 32, PAYER_E, "18446744073709551615",
	    "36893488147419103230", 8, NULL) == 1 &&
	    claim_admit(l, 33, PAYER_E, "1", "36893488147419103230", 8,
	    NULL) == LEDGER_OVER_BALANCE,
	    "two of 2^64-1 fill a balance of 2^65-2 exactly, one more unit "
	    "does not fit");
	fill(&key, 0, PAYER_E, "0", 0);
	T(ledger_exposure(l, &key, &ex, &err) == 0 &&
	    strcmp(ex.unsettled, "36893488147419103230") == 0 &&
	    ex.unsettled_count == 2, "the exposure sums past 64 bits (%s)",
	    ex.unsettled);
	T(ledger_fits(&ex, "0", "36893488147419103230") &&
	    !ledger_fits(&ex, "0", "36893488147419103229"),
	    "fits compares at full width");
	T(!ledger_fits(&ex, "01", "99999999999999999999999") &&
	    !ledger_fits(&ex, "1", "1e30") && !ledger_fits(&ex, "", "5") &&
	    !ledger_fits(&ex, "-1", "99999999999999999999999"),
	    "an amount or balance that is not a strict decimal never fits");
	T(!ledger_fits(&ex, "115792089237316195423570985008687907853269984665"
	    "640564039457584007913129639935", "11579208923731619542357098500"
	    "8687907853269984665640564039457584007913129639935"),
	    "a sum past 2^256 does not fit");
}

/* NPROCS processes, balance for 3: exactly 3 admitted. */
static void
test_processes(void)
{
	struct sf_err	 err;
	pid_t		 pids[NPROCS];
	int		 i, st, admitted = 0;

	for (i = 0; i < NPROCS; i++) {
		if ((pids[i] = fork()) == 0) {
			struct ledger	*cl = ledger_open(dbpath, &err);
			int		 rc;

			rc = cl == NULL ? -1 : claim_admit(cl, 100 + i,
			    PAYER_C, "1000", "3100", 100, NULL);
			ledger_close(cl);
			_exit(rc == 1 ? 0 : rc == LEDGER_OVER_BALANCE ? 1 : 2);
		}
	}
	for (i = 0; i < NPROCS; i++) {
		if (pids[i] < 0 || waitpid(pids[i], &st, 0) == -1 ||
		    !WIFEXITED(st) || WEXITSTATUS(st) == 2)
			admitted = -100;
		else if (WEXITSTATUS(st) == 0)
			admitted++;
	}
	T(admitted == 3, "%d processes racing, balance for 3: %d admitted",
	    NPROCS, admitted);
}

static void
test_ledger(void)
{
	struct ledger	*l;
	struct sf_err	 err;

	if ((l = ledger_open(dbpath, &err)) == NULL) {
		TAP_OK(0, "open: %s", err.message);
		return;
	}
	test_balance(l);
	test_settled_leave(l);
	test_unknown_balance(l);
	test_inflight_cap(l);
	test_expired(l);
	test_reserve(l);
	test_fits(l);
	ledger_close(l);
	test_processes();
}

static struct cfg *
load(const char *text)
{
	char		 path[] = "/tmp/sf-expo-cfg-XXXXXX";
	struct sf_err	 err;
	struct cfg	*c;
	FILE		*f;
	int		 fd;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	c = cfg_load(path, &err);
	unlink(path);
	return c;
}

static void
test_cfg(void)
{
	struct x402_offer	 o[CFG_MAX_NETS];
	struct sf_err		 err;
	struct cfg		*c;

	c = load("PAY_TO=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n");
	T(c != NULL && c->settle_margin == 60 && c->max_inflight == 4 &&
	    c->settle_retry == 60 && c->settle_first_above == 0,
	    "defaults: margin 60, in flight 4, retry 60, settle-first off");
	if (c != NULL) {
		T(x402_window(c, 300) == 360, "window = deadline + margin");
		T(x402_offers_ep(c, "1", 300, o, CFG_MAX_NETS) == 1 &&
		    o[0].max_timeout == 420, "video: 300 + 60 + 60 offered");
		T(x402_offers_ep(c, "1", 60, o, CFG_MAX_NETS) == 1 &&
		    o[0].max_timeout == 300, "MAX_TIMEOUT stays the floor");
		T(!x402_settle_first(c, "image-generate", "99999999"),
		    "settle-first off by default");
		T(cfg_rpc_for(c, "eip155:84532") == NULL, "no RPC by default");
		T(flow_can_prove(c, &err) == 0, "testnet without RPC: /verify");
	}
	cfg_free(c);
	c = load("PAY_TO=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n"
	    "SETTLE_FIRST=image-edit, video\nSETTLE_FIRST_ABOVE=50000\n"
	    "SETTLE_MARGIN=10\nRPC_URL=http://127.0.0.1:8545\n");
	T(c != NULL, "settle-first keys load");
	if (c != NULL) {
		T(x402_settle_first(c, "image-edit", "1") &&
		    x402_settle_first(c, "video", NULL) &&
		    !x402_settle_first(c, "image", "1") &&
		    !x402_settle_first(c, "image-edit-pro", "1"),
		    "SETTLE_FIRST matches whole names");
		T(x402_settle_first(c, "image", "50001") &&
		    !x402_settle_first(c, "image", "50000"),
		    "SETTLE_FIRST_ABOVE: strictly above");
		T(x402_window(c, 60) == 70, "SETTLE_MARGIN");
		T(cfg_rpc_for(c, "eip155:84532") != NULL &&
		    strcmp(cfg_rpc_for(c, "eip155:84532"),
		    "http://127.0.0.1:8545") == 0, "RPC_URL for the one network");
	}
	cfg_free(c);
	c = load("PAY_TO=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n"
	    "SETTLE_FIRST=Image!\n");
	T(c == NULL, "SETTLE_FIRST with a bad name refused");
	cfg_free(c);
	/* Mainnet, no RPC, the testnet-only facilitator: cannot prove. */
	c = load("PAY_TO=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n"
	    "NETWORKS=base\n");
	T(c != NULL && flow_can_prove(c, &err) == -1 &&
	    strcmp(err.field, "RPC_URL") == 0 &&
	    strstr(err.message, "RPC_URL_8453") != NULL,
	    "mainnet that can neither read the chain nor /verify: refused");
	cfg_free(c);
	c = load("PAY_TO=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n"
	    "NETWORKS=base,base-sepolia\nRPC_URL_8453=http://127.0.0.1:1\n");
	T(c != NULL && flow_can_prove(c, &err) == 0 &&
	    cfg_rpc_for(c, "eip155:8453") != NULL &&
	    cfg_rpc_for(c, "eip155:84532") == NULL,
	    "per-network RPC: the mainnet proves on chain");
	cfg_free(c);
	c = load("PAY_TO=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n"
	    "NETWORKS=base\nFACILITATOR_URL=https://api.cdp.coinbase.com/"
	    "platform/v2/x402\n");
	T(c != NULL && flow_can_prove(c, &err) == 0,
	    "mainnet facilitator: /verify proves");
	cfg_free(c);
}

int
main(void)
{
	char	 dir[] = "/tmp/sf-exposure-XXXXXX";

	hermetic();
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/ledger.db", dir);
	if (pgtest_db("sf_exposure", dbpath, dbpath, sizeof(dbpath)) == -1)
		TAP_OK(0, "a fresh PostgreSQL database");
	printf("# ledger on %s\n", pgtest_on() ? "PostgreSQL" : "SQLite");
	test_ledger();
	test_cfg();
	return tap_done();
}
