/*
 * The ledger's share of a paid call, per second, on SQLite and on
 * PostgreSQL side by side (make bench-ledger; PostgreSQL from
 * tests/lib/pg.mjs via SF_TEST_PG).  One paid call is what the flow asks
 * of the ledger: find (replay check), claim, verified -> working, store
 * the result, working -> delivered, settled.  THREADS threads share one
 * handle, as an endpoint's worker threads do.  A ceiling for the ledger,
 * not an end-to-end figure: the upstream and the settlement are not in it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "pgtest.h"

#define THREADS	8
#define CALLS	400	/* per thread */

static struct ledger	*bl;
static int		 bfail;

static void *
bench_thread(void *arg)
{
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	int			 t = (int)(intptr_t)arg, i;
	static const char	 body[] = "{\"image_url\":\"https://x/media/a.png\"}";

	for (i = 0; i < CALLS; i++) {
		memset(&in, 0, sizeof(in));
		snprintf(in.endpoint, sizeof(in.endpoint), "image-generate");
		snprintf(in.request_hash, sizeof(in.request_hash), "0x%064d", i);
		snprintf(in.payer, sizeof(in.payer),
		    "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
		snprintf(in.amount, sizeof(in.amount), "10000");
		snprintf(in.asset, sizeof(in.asset),
		    "0x5fbdb2315678afecb367f032d93f642f64180aa3");
		snprintf(in.network, sizeof(in.network), "eip155:84532");
		in.x402_version = 2;
		snprintf(in.nonce, sizeof(in.nonce), "0x%032x%032x", t, i);
		snprintf(in.valid_after, sizeof(in.valid_after), "0");
		snprintf(in.valid_before, sizeof(in.valid_before), "%lld",
		    (long long)time(NULL) + 600);
		in.payload = "{\"x402Version\":2}";
		in.requirements = "{\"scheme\":\"exact\"}";
		in.state = LEDGER_VERIFIED;
		if (ledger_find(bl, &in, &row, &err) != 0 ||
		    ledger_claim(bl, &in, &row, &err) != LEDGER_NEW ||
		    ledger_set_state(bl, row.id, LEDGER_VERIFIED, LEDGER_WORKING,
		    NULL, &err) != 1 ||
		    ledger_store_result(bl, row.id, "application/json", body,
		    sizeof(body) - 1, &err) == -1 ||
		    ledger_set_state(bl, row.id, LEDGER_WORKING,
		    LEDGER_DELIVERED, NULL, &err) != 1 ||
		    ledger_set_settled(bl, row.id, "0xabc", NULL, &err) == -1) {
			fprintf(stderr, "bench: %s\n", err.message);
			__atomic_store_n(&bfail, 1, __ATOMIC_SEQ_CST);
			ledger_payment_free(&row);
			return NULL;
		}
		ledger_payment_free(&row);
	}
	return NULL;
}

static double
bench_run(const char *db)
{
	struct sf_err	 err;
	struct timespec	 t0, t1;
	pthread_t	 th[THREADS];
	int		 i;

	if ((bl = ledger_open(db, &err)) == NULL) {
		fprintf(stderr, "bench: %s\n", err.message);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, bench_thread, (void *)(intptr_t)i);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ledger_close(bl);
	if (bfail)
		return -1;
	return THREADS * CALLS / ((t1.tv_sec - t0.tv_sec) +
	    (t1.tv_nsec - t0.tv_nsec) / 1e9);
}

int
main(void)
{
	char	 dir[] = "/tmp/sf-bench-XXXXXX", path[600], cmd[700];
	double	 s, p = -1;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/ledger.db", dir);
	s = bench_run(path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);
	if (pgtest_on() && pgtest_db("sf_bench", "", path,
	    sizeof(path)) == 0)
		p = bench_run(path);
	printf("ledger, paid calls/s (%d threads, one handle; find, claim, "
	    "4 updates each):\n", THREADS);
	printf("  SQLite      %8.0f\n", s);
	if (p >= 0)
		printf("  PostgreSQL  %8.0f  (local test cluster, fsync off)\n", p);
	else
		printf("  PostgreSQL  (not run: SF_TEST_PG unset)\n");
	return s < 0 || (pgtest_on() && p < 0);
}
