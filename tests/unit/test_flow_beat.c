/*
 * The settlement heartbeat (flow/flow_beat.c): one thread per process
 * keeps every registered row's updated time fresh once a second; a row
 * stopped within a beat costs no write; a stopped row is never touched
 * again; a row that moved on (settled by a taker) is dropped; a child
 * after fork() beats with a thread of its own.  On a SQLite ledger.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basics/err.h"
#include "flow/flow_beat.h"
#include "ledger/ledger.h"
#include "tap.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

static struct ledger	*L;

/* A delivered row (its updated time: now, in seconds). */
static int64_t
row(int n)
{
	struct ledger_payment	 in, out;
	struct sf_err		 err;
	int64_t			 id = 0;

	memset(&in, 0, sizeof(in));
	snprintf(in.endpoint, sizeof(in.endpoint), "/v1/image");
	snprintf(in.request_hash, sizeof(in.request_hash), "h%d", n);
	snprintf(in.payer, sizeof(in.payer),
	    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
	snprintf(in.amount, sizeof(in.amount), "10000");
	snprintf(in.asset, sizeof(in.asset),
	    "0x5FbDB2315678afecb367f032d93F642f64180aa3");
	snprintf(in.network, sizeof(in.network), "eip155:84532");
	in.x402_version = 2;
	snprintf(in.nonce, sizeof(in.nonce), "0x%064x", n);
	snprintf(in.valid_after, sizeof(in.valid_after), "0");
	snprintf(in.valid_before, sizeof(in.valid_before), "%lld",
	    (long long)time(NULL) + 600);
	in.payload = "{\"x402Version\":2}";
	in.requirements = "{\"scheme\":\"exact\"}";
	in.state = LEDGER_VERIFIED;
	if (ledger_claim(L, &in, &out, &err) == LEDGER_NEW)
		id = out.id;
	ledger_payment_free(&out);
	if (id == 0 || ledger_set_state(L, id, -1, LEDGER_DELIVERED, NULL,
	    &err) != 1)
		return 0;
	return id;
}

static int64_t
updated(int64_t id)
{
	struct ledger_payment	 p;
	struct sf_err		 err;
	int64_t			 u = -1;

	if (ledger_get(L, id, &p, &err) == 1)
		u = p.updated;
	ledger_payment_free(&p);
	return u;
}

int
main(void)
{
	struct flow_beat	 a, b, c, d;
	struct sf_err		 err;
	char			 dir[] = "/tmp/sf-beat-XXXXXX", db[300], cmd[400];
	int64_t			 ra, rb, rc, rd, ua, ub, uc;
	unsigned long		 t0;
	pid_t			 pid;
	int			 st, i;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/ledger.db", dir);
	if ((L = ledger_open(db, &err)) == NULL) {
		TAP_OK(0, "ledger (%s)", err.message);
		return tap_done();
	}
	ra = row(1);
	rb = row(2);
	rc = row(3);
	T(ra && rb && rc, "three delivered rows");
	ua = updated(ra);
	ub = updated(rb);
	uc = updated(rc);

	/* b: stopped at once, as a settlement done within a beat. */
	t0 = flow_beat_touches();
	flow_beat_start(&b, L, rb, LEDGER_DELIVERED);
	flow_beat_stop(&b);
	flow_beat_start(&a, L, ra, LEDGER_DELIVERED);
	flow_beat_start(&c, L, rc, LEDGER_DELIVERED);
	/* c moves on (a taker settled it) before its first beat. */
	T(ledger_set_state(L, rc, LEDGER_DELIVERED, LEDGER_SETTLED, NULL,
	    &err) == 1, "c settled by someone else");
	/* Beats come a second apart: wait for a's second (a loaded
	   machine may delay them; the assertions are on what happened). */
	for (i = 0; i < 200 && flow_beat_touches() - t0 < 3; i++)
		usleep(50000);
	T(flow_beat_touches() - t0 >= 3, "a beaten twice, c once: %lu "
	    "touches", flow_beat_touches() - t0);
	T(updated(ra) >= ua + 1, "a beating row is fresh (%lld -> %lld)",
	    (long long)ua, (long long)updated(ra));
	T(updated(rb) == ub, "a row stopped within a beat was not written");
	/* The count is taken after a touch's outcome is applied. */
	T(c.on == 0 && updated(rc) >= uc, "c, which moved on, was dropped "
	    "after one touch");
	flow_beat_stop(&c);
	flow_beat_stop(&a);
	t0 = flow_beat_touches();
	usleep(1500000);
	T(flow_beat_touches() == t0, "after stop, no more touches");

	/* A child of this process beats with a thread of its own. */
	rd = row(4);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		int64_t	 u0 = updated(rd);

		flow_beat_start(&d, L, rd, LEDGER_DELIVERED);
		usleep(1600000);
		flow_beat_stop(&d);
		_exit(updated(rd) >= u0 + 1 ? 0 : 1);
	}
	T(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "a forked child's row is kept fresh");
	ledger_close(L);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return tap_done();
}
