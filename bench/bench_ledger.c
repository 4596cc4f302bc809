/*
 * The ledger's share of a paid call, per second, on SQLite and on
 * PostgreSQL side by side (make bench-ledger; PostgreSQL from
 * tests/lib/pg.mjs via SF_TEST_PG).  One paid call is what the flow asks
 * of the ledger for a new payment: claim, reserve (the payer's exposure
 * and in-flight cap, verified -> working), the result with working ->
 * delivered (ledger_deliver), settled.  Beside it, the same with the
 * result and the move to delivered as two statements (as before
 * ledger_deliver), to show what one round trip less is worth.  Each
 * payment from its own payer, as in make bench, with the payload the
 * official client sends (4.2 KB).  THREADS threads share
 * one handle, as an endpoint's worker threads do.  A ceiling for the
 * ledger, not an end-to-end figure: the upstream and the settlement are
 * not in it.
 *
 * On PostgreSQL it also prints the CPU time per paid call of the database
 * server (the postmaster and its children, read from /proc: the server
 * runs on this machine) and of this process: figures that move far less
 * with the machine's load than calls per second do.
 */
#include <sys/resource.h>
#include <sys/types.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "pgtest.h"

#define THREADS	8
#define CALLS	400	/* per thread */

/*
 * A payment payload as the official client (@x402/fetch) sends it for
 * POST /v1/image-generate, taken from make bench's paid calls: the
 * authorization and signature, and the 402's resource, offer and
 * extensions echoed (4221 bytes).  The ledger stores it whole in each
 * row, so its size is part of what a claim costs the database.
 */
static char bench_payload[] =
    "{\"x402Version\":2,\"payload\":{\"authorization\":{\"from\":\"0x"
    "D90a5FEa481B52BCeFD7d53B7eE6c8965f21B16a\",\"to\":\"0x3C44CdDdB6"
    "a900fa2b585dd299e03d12FA4293BC\",\"value\":\"10000\",\"validAfte"
    "r\":\"0\",\"validBefore\":\"1796633510\",\"nonce\":\"0x98718501e"
    "13b69509c611fa5963e468416a1cfa8012b55fd7028edb721a351de\"},\"sig"
    "nature\":\"0xea1f6daeeb3b0f1121a293a8d86ece857b25af5be51bfa69913"
    "aeada4e16906a1a930b4e8ec57c4e5dbdd1591e8a09b5e8408042c3684214b89"
    "98fd725ada4591c\"},\"extensions\":{\"bazaar\":{\"info\":{\"input"
    "\":{\"type\":\"http\",\"method\":\"POST\",\"bodyType\":\"json\","
    "\"body\":{\"prompt\":\"a lighthouse on a cliff at dawn, watercol"
    "or\",\"width\":1024,\"height\":768,\"tier\":\"fast\"}},\"output\""
    ":{\"type\":\"json\",\"example\":{\"image_url\":\"https://synthfo"
    "rge.example/media/3f/3f2a....png\",\"model\":\"z-image-turbo\",\""
    "width\":\"1024\",\"height\":\"768\",\"tier\":\"fast\",\"prompt\""
    ":\"a lighthouse on a cliff at dawn, watercolor\",\"seed\":42,\"e"
    "lapsed_ms\":2140,\"venice_request_id\":\"req_8c1d...\",\"source\""
    ":\"venice\"}}},\"schema\":{\"$schema\":\"https://json-schema.org"
    "/draft/2020-12/schema\",\"type\":\"object\",\"properties\":{\"in"
    "put\":{\"type\":\"object\",\"properties\":{\"type\":{\"type\":\""
    "string\",\"const\":\"http\"},\"method\":{\"type\":\"string\",\"e"
    "num\":[\"POST\",\"GET\"]},\"bodyType\":{\"type\":\"string\",\"en"
    "um\":[\"json\"]},\"body\":{\"$schema\":\"https://json-schema.org"
    "/draft/2020-12/schema\",\"type\":\"object\",\"properties\":{\"pr"
    "ompt\":{\"type\":\"string\",\"description\":\"Image description."
    " Up to 2000 chars.\",\"maxLength\":2000,\"examples\":[\"a lighth"
    "ouse on a cliff at dawn, watercolor\"]},\"width\":{\"type\":\"in"
    "teger\",\"description\":\"Output width in pixels. Range [256, 12"
    "80] (Venice's limit), snapped to multiples of 16. Default 1024.\""
    ",\"minimum\":256,\"maximum\":1280,\"default\":1024,\"examples\":"
    "[1024]},\"height\":{\"type\":\"integer\",\"description\":\"Outpu"
    "t height in pixels. Range [256, 1280] (Venice's limit), snapped "
    "to multiples of 16. Default 1024.\",\"minimum\":256,\"maximum\":"
    "1280,\"default\":1024,\"examples\":[768]},\"tier\":{\"type\":\"s"
    "tring\",\"description\":\"Model shorthand. Default 'fast'.\",\"e"
    "num\":[\"fast\",\"creative\",\"anime\",\"sd35\"],\"default\":\"f"
    "ast\",\"examples\":[\"fast\"]},\"model\":{\"type\":\"string\",\""
    "description\":\"Override the model. Must be one of: z-image-turb"
    "o, chroma, wai-Illustrious, venice-sd35.\",\"enum\":[\"z-image-t"
    "urbo\",\"chroma\",\"wai-Illustrious\",\"venice-sd35\"],\"example"
    "s\":[\"chroma\"]},\"steps\":{\"type\":\"integer\",\"description\""
    ":\"Diffusion steps. Optional; depends on model.\",\"minimum\":1,"
    "\"maximum\":50,\"examples\":[8]},\"cfg_scale\":{\"type\":\"numbe"
    "r\",\"description\":\"Classifier-free guidance scale, above 0 (0"
    ".1 to 20). Optional.\",\"minimum\":0.1,\"maximum\":20,\"examples"
    "\":[5]},\"seed\":{\"type\":\"integer\",\"description\":\"Random "
    "seed. Optional.\",\"minimum\":0,\"maximum\":999999999,\"examples"
    "\":[42]},\"negative_prompt\":{\"type\":\"string\",\"description\""
    ":\"Negative prompt. Optional.\",\"maxLength\":2000,\"examples\":"
    "[\"blurry\"]},\"webhook_url\":{\"type\":\"string\",\"description"
    "\":\"When the call runs as a job, each change of its status is P"
    "OSTed here (the job status body), signed by the Standard Webhook"
    "s rules with the job's own secret and retried with backoff. A pu"
    "blic address; https on mainnets.\",\"format\":\"uri\",\"maxLengt"
    "h\":2048,\"examples\":[\"https://example.com/hooks/synthforge\"]"
    "}},\"required\":[\"prompt\"],\"additionalProperties\":false}},\""
    "required\":[\"type\",\"method\",\"bodyType\",\"body\"]},\"output"
    "\":{\"type\":\"object\"}},\"required\":[\"input\"]}},\"payment-i"
    "dentifier\":{\"info\":{\"required\":false},\"schema\":{\"$schema"
    "\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"o"
    "bject\",\"properties\":{\"required\":{\"type\":\"boolean\"},\"id"
    "\":{\"type\":\"string\",\"minLength\":16,\"maxLength\":128,\"pat"
    "tern\":\"^[a-zA-Z0-9_-]+$\"}},\"required\":[\"required\"]}}},\"r"
    "esource\":{\"url\":\"https://synthforge.example/v1/image-generat"
    "e\",\"description\":\"Image generate (fast/cheap) / text-to-imag"
    "e / AI art. Contract wallets pay too (ERC-1271 smart accounts si"
    "gn the same authorization as the wallet verifies it; a wallet no"
    "t deployed yet wraps its signature per ERC-6492, through a facto"
    "ry this server allows): the signature is proven on chain or by t"
    "he facilitator before any work.\",\"mimeType\":\"application/jso"
    "n\"},\"accepted\":{\"scheme\":\"exact\",\"network\":\"eip155:845"
    "32\",\"amount\":\"10000\",\"asset\":\"0x036CbD53842c5426634e7929"
    "541eC2318f3dCF7e\",\"payTo\":\"0x3C44CdDdB6a900fa2b585dd299e03d1"
    "2FA4293BC\",\"maxTimeoutSeconds\":300,\"extra\":{\"name\":\"USDC"
    "\",\"version\":\"2\"}}}";

static struct ledger	*bl;
static int		 bfail;
static int		 bsplit;	/* result and delivered apart */
static int		 brun;		/* keeps nonces apart across runs */
static pid_t		 bserver;	/* the postmaster, 0: not known */

/* CPU seconds of one run: the database server's, this process's. */
struct bench_cpu {
	double	 server, self;
};

static void *
bench_thread(void *arg)
{
	struct ledger_payment	 in, row;
	struct ledger_exposure	 ex;
	struct sf_err		 err;
	int			 t = (int)(intptr_t)arg, i;
	static const char	 body[] = "{\"image_url\":\"https://x/media/a.png\"}";

	for (i = 0; i < CALLS; i++) {
		memset(&in, 0, sizeof(in));
		snprintf(in.endpoint, sizeof(in.endpoint), "image-generate");
		snprintf(in.request_hash, sizeof(in.request_hash), "0x%064d", i);
		snprintf(in.amount, sizeof(in.amount), "10000");
		snprintf(in.asset, sizeof(in.asset),
		    "0x5fbdb2315678afecb367f032d93f642f64180aa3");
		snprintf(in.network, sizeof(in.network), "eip155:84532");
		in.x402_version = 2;
		snprintf(in.nonce, sizeof(in.nonce), "0x%032x%032x",
		    brun * THREADS + t, i);
		snprintf(in.valid_after, sizeof(in.valid_after), "0");
		snprintf(in.valid_before, sizeof(in.valid_before), "%lld",
		    (long long)time(NULL) + 600);
		in.payload = bench_payload;
		in.requirements = "{\"scheme\":\"exact\"}";
		in.state = LEDGER_VERIFIED;
		/* Each payment from its own payer (many agents paying once). */
		snprintf(in.payer, sizeof(in.payer), "0x%08x%032x",
		    (unsigned)t + 1, (unsigned)i);
		if (ledger_claim(bl, &in, &row, &err) != LEDGER_NEW ||
		    ledger_reserve(bl, row.id, 4, &ex, &err) != 1 ||
		    (bsplit ? ledger_store_result(bl, row.id,
		    "application/json", body, sizeof(body) - 1, &err) == -1 ||
		    ledger_set_state(bl, row.id, LEDGER_WORKING,
		    LEDGER_DELIVERED, NULL, &err) != 1 :
		    ledger_deliver(bl, row.id, "application/json", body,
		    sizeof(body) - 1, LEDGER_WORKING, LEDGER_DELIVERED,
		    &err) == -1) ||
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

/*
 * utime + stime + cutime + cstime of pid in clock ticks (children it
 * reaped count through it), and its parent; -1 once it is gone.
 */
static long long
bench_ticks(pid_t pid, pid_t *ppid)
{
	char		 path[64], buf[1024], *p;
	FILE		*f;
	size_t		 n;
	long long	 ut, st, cut, cst;
	int		 pp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the command's closing parenthesis: state ppid ... (proc(5)). */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2, "%*c %d %*d %*d "
	    "%*d %*d %*u %*u %*u %*u %*u %lld %lld %lld %lld", &pp, &ut, &st,
	    &cut, &cst) != 5)
		return -1;
	if (ppid != NULL)
		*ppid = pp;
	return ut + st + cut + cst;
}

/*
 * CPU seconds the database server has used so far: the postmaster and
 * its live children (every backend and worker is one).
 */
static double
bench_server_secs(void)
{
	DIR		*d;
	struct dirent	*e;
	long long	 t, sum;
	pid_t		 pp;
	char		*end;
	long		 pid;

	if (bserver == 0 || (sum = bench_ticks(bserver, NULL)) < 0 ||
	    (d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		pid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		if ((t = bench_ticks((pid_t)pid, &pp)) >= 0 && pp == bserver)
			sum += t;
	}
	closedir(d);
	return (double)sum / (double)sysconf(_SC_CLK_TCK);
}

static double
bench_self_secs(void)
{
	struct rusage	 ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The postmaster serving uri: the parent of a backend we connect to. */
static pid_t
bench_find_server(const char *uri)
{
	PGconn		*c = PQconnectdb(uri);
	PGresult	*r;
	pid_t		 pp = 0;

	if (c != NULL && PQstatus(c) == CONNECTION_OK) {
		r = PQexec(c, "SELECT pg_backend_pid()");
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
		    bench_ticks((pid_t)atoi(PQgetvalue(r, 0, 0)), &pp) < 0)
			pp = 0;
		PQclear(r);
	}
	PQfinish(c);
	return pp;
}

static double
bench_run(const char *db, int split, struct bench_cpu *cpu)
{
	double		 s0, c0;
	struct sf_err	 err;
	struct timespec	 t0, t1;
	pthread_t	 th[THREADS];
	int		 i;

	bsplit = split;
	brun++;
	if ((bl = ledger_open(db, &err)) == NULL) {
		fprintf(stderr, "bench: %s\n", err.message);
		return -1;
	}
	s0 = bench_server_secs();
	c0 = bench_self_secs();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&th[i], NULL, bench_thread,
		    (void *)(intptr_t)i) != 0) {
			fprintf(stderr, "bench: pthread_create failed\n");
			exit(1);
		}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cpu->server = (bench_server_secs() - s0) / (THREADS * CALLS);
	cpu->self = (bench_self_secs() - c0) / (THREADS * CALLS);
	ledger_close(bl);
	if (bfail)
		return -1;
	return THREADS * CALLS / ((t1.tv_sec - t0.tv_sec) +
	    (t1.tv_nsec - t0.tv_nsec) / 1e9);
}

int
main(void)
{
	char			 dir[] = "/tmp/sf-bench-XXXXXX", path[600], cmd[700];
	double			 s, s2, p = -1, p2 = -1;
	struct bench_cpu	 cs, cp, cp2;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/ledger.db", dir);
	s = bench_run(path, 0, &cs);
	s2 = bench_run(path, 1, &cs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);
	if (pgtest_on() && pgtest_db("sf_bench", "", path,
	    sizeof(path)) == 0) {
		bserver = bench_find_server(path);
		p = bench_run(path, 0, &cp);
		p2 = bench_run(path, 1, &cp2);
	}
	printf("ledger, paid calls/s (%d threads, one handle; claim, reserve, "
	    "result + delivered, settled):\n", THREADS);
	printf("  SQLite      %8.0f  (result and delivered as two statements: "
	    "%.0f)\n", s, s2);
	if (p >= 0) {
		printf("  PostgreSQL  %8.0f  (two statements: %.0f; local test "
		    "cluster, fsync off)\n", p, p2);
		if (bserver != 0)
			printf("  PostgreSQL CPU per call: database server "
			    "%.3f ms, this process %.3f ms (two statements: "
			    "%.3f ms, %.3f ms)\n", 1e3 * cp.server,
			    1e3 * cp.self, 1e3 * cp2.server, 1e3 * cp2.self);
		else
			printf("  PostgreSQL CPU per call: the database server "
			    "was not found on this machine\n");
	} else
		printf("  PostgreSQL  (not run: SF_TEST_PG unset)\n");
	return s < 0 || s2 < 0 || (pgtest_on() && (p < 0 || p2 < 0));
}
