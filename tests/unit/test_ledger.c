/*
 * Ledger: the state table and the SQL made from it and from the row
 * layout, claim semantics, lookups that do not find, state changes,
 * revenue, pending settlement, and the replay guard under contention
 * (threads and forked processes).  The same assertions run on SQLite and,
 * with SF_TEST_PG set (make unit-pg), on PostgreSQL, plus what only a
 * server has: unreachable, bad URI, a schema newer than the program.
 */
#include <sys/wait.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"
#include "ledger_v1.h"
#include "pgtest.h"
#include "tap.h"

/* TAP_OK evaluates its condition twice on failure: evaluate once here. */
#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

#define NTHREADS	16
#define NPROCS		12

static char	 dbpath[512];
static int64_t	 first_id;	/* the first payment, through the cases */

static void
fill(struct ledger_payment *p, const char *nonce, const char *pid,
    const char *reqhash, const char *amount)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->endpoint, sizeof(p->endpoint), "/v1/image");
	snprintf(p->request_hash, sizeof(p->request_hash), "%s", reqhash);
	snprintf(p->payer, sizeof(p->payer),
	    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
	snprintf(p->amount, sizeof(p->amount), "%s", amount);
	snprintf(p->asset, sizeof(p->asset),
	    "0x5FbDB2315678afecb367f032d93F642f64180aa3");
	snprintf(p->network, sizeof(p->network), "eip155:84532");
	p->x402_version = 2;
	snprintf(p->nonce, sizeof(p->nonce), "%s", nonce);
	snprintf(p->valid_after, sizeof(p->valid_after), "0");
	snprintf(p->valid_before, sizeof(p->valid_before), "%lld",
	    (long long)time(NULL) + 600);
	p->payload = "{\"x402Version\":2}";
	p->requirements = "{\"scheme\":\"exact\"}";
	snprintf(p->payment_id, sizeof(p->payment_id), "%s", pid ? pid : "");
	p->state = LEDGER_VERIFIED;
}

static const char *
nonce_n(int i)
{
	static char	 b[8][67];
	static int	 k;
	char		*s = b[k++ % 8];

	snprintf(s, 67, "0x%064x", i);
	return s;
}

struct race {
	int	news, existing, errors;
};

static void *
race_thread(void *arg)
{
	struct race		*r = arg;
	struct ledger		*l;
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	int			 rc;

	/* One connection per thread, as a FastCGI worker pool would. */
	if ((l = ledger_open(dbpath, &err)) == NULL) {
		__atomic_add_fetch(&r->errors, 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	fill(&in, nonce_n(777), NULL, "h", "10000");
	rc = ledger_claim(l, &in, &row, &err);
	if (rc == LEDGER_NEW)
		__atomic_add_fetch(&r->news, 1, __ATOMIC_SEQ_CST);
	else if (rc == LEDGER_EXISTING)
		__atomic_add_fetch(&r->existing, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_add_fetch(&r->errors, 1, __ATOMIC_SEQ_CST);
	ledger_payment_free(&row);
	ledger_close(l);
	return NULL;
}

static void *
shared_thread(void *arg)
{
	struct ledger		*l = arg;
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	int			 rc;

	/* One handle shared by all threads: the mutex serialises. */
	fill(&in, nonce_n(888), NULL, "h", "10000");
	rc = ledger_claim(l, &in, &row, &err);
	ledger_payment_free(&row);
	return (void *)(intptr_t)rc;
}

/* The one table of states: names, flags, the sets the SQL is made of. */
static void
test_state_table(void)
{
	int	 s, ok = 1;

	for (s = LEDGER_VERIFIED; s <= LEDGER_WORK_FAILED; s++)
		if (ledger_state_parse(ledger_state_name(s)) != s)
			ok = 0;
	T(ok, "every state's name parses back to it");
	T(ledger_state_parse("nope") == -1 && ledger_state_parse(NULL) == -1 &&
	    strcmp(ledger_state_name(99), "?") == 0 &&
	    ledger_state_flags(99) == 0, "unknown names and numbers");
	T(ledger_state_flags(LEDGER_WORKING) ==
	    (LEDGER_EXPOSED | LEDGER_INFLIGHT) &&
	    ledger_state_flags(LEDGER_DELIVERED) ==
	    (LEDGER_EXPOSED | LEDGER_INFLIGHT | LEDGER_TO_SETTLE) &&
	    ledger_state_flags(LEDGER_SETTLE_FAILED) ==
	    (LEDGER_EXPOSED | LEDGER_TO_SETTLE) &&
	    ledger_state_flags(LEDGER_SETTLED) == LEDGER_PAID &&
	    ledger_state_flags(LEDGER_VERIFIED) == 0 &&
	    ledger_state_flags(LEDGER_WORK_FAILED) == 0,
	    "what each state means for money");
}

static int
sql_is(const char *tmpl, const char *want)
{
	static const struct ledger_dialect d = { "?", "INTEGER PRIMARY KEY",
	    "INTEGER", "BLOB" };
	struct sf_err	 err;
	char		*s = ledger_sql(tmpl, &d, &err);
	int		 ok = s != NULL && strcmp(s, want) == 0;

	if (!ok)
		printf("# %s\n#   -> %s\n#   want %s\n", tmpl,
		    s ? s : err.message, want);
	free(s);
	return ok;
}

/* The SQL made from the tables, as the backends get it. */
static void
test_sql(void)
{
	static const struct ledger_dialect d = { "$", "BIGSERIAL PRIMARY KEY",
	    "BIGINT", "BYTEA" };
	struct sf_err	 err;
	char		*s;

	T(sql_is("SELECT {cols} FROM payments", "SELECT id, endpoint, "
	    "request_hash, payer, amount, asset, network, x402_version, nonce,"
	    " valid_after, valid_before, payload, requirements, payment_id, "
	    "state, result, content_type, tx, error, created, updated FROM "
	    "payments"), "{cols}: the row's 21 columns, id first");
	T(sql_is("{exposed}|{to_settle}|{revenue}", "'working', 'delivered', "
	    "'settle_failed'|'delivered', 'settle_failed'|'delivered', "
	    "'settled', 'settle_failed'"), "the state sets");
	T(sql_is("x {states} y", "x 'verified', 'working', 'delivered', "
	    "'settled', 'settle_failed', 'work_failed' y"), "every state");
	T(sql_is("no placeholders", "no placeholders"), "plain text as is");
	s = ledger_sql("({values})", &d, &err);
	T(s != NULL && strncmp(s, "($1, $2, ", 9) == 0 &&
	    strstr(s, ", $21)") != NULL && strstr(s, "$22") == NULL,
	    "{values}: $1 to $21 (%s)", s ? s : err.message);
	free(s);
	s = ledger_sql("{table}", &d, &err);
	T(s != NULL && strncmp(s, "id BIGSERIAL PRIMARY KEY, endpoint TEXT "
	    "NOT NULL", 43) == 0 && strstr(s, "valid_before_s BIGINT NOT "
	    "NULL") != NULL && strstr(s, "payment_id TEXT,") != NULL &&
	    strstr(s, "result BYTEA,") != NULL &&
	    strstr(s, "CHECK (state IN ('verified', ") != NULL &&
	    strstr(s, ", UNIQUE (network, asset, payer, nonce)") != NULL,
	    "{table}: types of the dialect, keys, the CHECK");
	free(s);
	sf_err_clear(&err);
	T(ledger_sql("SELECT {nope}", &d, &err) == NULL &&
	    strcmp(err.code, "ledger_error") == 0 &&
	    ledger_sql("SELECT {cols", &d, &err) == NULL,
	    "an unknown or unclosed placeholder is refused");
}

/* Rows copied whole (synthforge-ctl migrate): state, result, times kept. */
static void
test_import(struct ledger *src)
{
	struct ledger		*dst;
	struct ledger_payment	*rows, got;
	struct sf_err		 err;
	char			 path[600];
	size_t			 n, i;
	int			 news = 0, again = 0;

	snprintf(path, sizeof(path), "%s.copy", dbpath);
	if (pgtest_on() && pgtest_db("sf_ledger_copy", "", path,
	    sizeof(path)) == -1)
		TAP_OK(0, "a fresh PostgreSQL database for the copy");
	if ((dst = ledger_open(path, &err)) == NULL) {
		TAP_OK(0, "open the copy: %s", err.message);
		return;
	}
	T(ledger_list(src, -1, 0, &rows, &n, &err) == 0 && n > 5,
	    "source rows listed");
	for (i = n; i-- > 0;) {
		news += ledger_import(dst, &rows[i], &err) == LEDGER_NEW;
		again += ledger_import(dst, &rows[i], &err) == LEDGER_EXISTING;
	}
	T(news == (int)n && again == (int)n,
	    "every row copied once, a second copy is EXISTING (%d/%d of %zu)",
	    news, again, n);
	for (i = 0; i < n; i++)
		if (rows[i].result != NULL)
			break;
	if (i < n) {
		T(ledger_find(dst, &rows[i], &got, &err) == 1 &&
		    got.state == rows[i].state &&
		    got.result_len == rows[i].result_len &&
		    memcmp(got.result, rows[i].result, got.result_len) == 0 &&
		    got.created == rows[i].created &&
		    strcmp(got.payment_id, rows[i].payment_id) == 0,
		    "a copied row keeps state, result bytes, times, payment id");
		ledger_payment_free(&got);
	} else
		T(0, "a row with a result to compare");
	ledger_payments_free(rows, n);
	ledger_close(dst);
}

/* What only a database server has. */
/*
 * What the flow asks of the ledger for one paid call, then the row read
 * back by id and by its key: 1 when every step answered as it should.
 */
static int
paid_call(struct ledger *l, int n, struct sf_err *err)
{
	struct ledger_payment	 in, row, got, found;
	struct ledger_exposure	 ex;
	int			 ok;

	fill(&in, nonce_n(n), NULL, "h", "1");
	sf_err_clear(err);
	if (ledger_claim(l, &in, &row, err) != LEDGER_NEW)
		return 0;
	ok = ledger_reserve(l, row.id, 1000, &ex, err) == 1 &&
	    ledger_deliver(l, row.id, "image/png", "png", 3, LEDGER_WORKING,
	    LEDGER_DELIVERED, err) == 0 &&
	    ledger_set_settled(l, row.id, "0xabc", NULL, err) == 0 &&
	    ledger_get(l, row.id, &got, err) == 1;
	if (ok) {
		ok = got.state == LEDGER_SETTLED && got.result_len == 3 &&
		    strcmp(got.content_type, "image/png") == 0 &&
		    strcmp(got.tx, "0xabc") == 0;
		ledger_payment_free(&got);
	}
	if (ok && (ok = ledger_find(l, &in, &found, err) == 1)) {
		ok = found.id == row.id;
		ledger_payment_free(&found);
	}
	ledger_payment_free(&row);
	return ok;
}

static void
test_pg_only(void)
{
	struct ledger		*l;
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	char			 sql[200];
	time_t			 t0;

	sf_err_clear(&err);
	l = ledger_open("postgresql://synthforge@127.0.0.1:1/nothing", &err);
	T(l != NULL, "an unreachable server does not fail the open");
	if (l != NULL) {
		T(ledger_writable(l, &err) == -1 && err.status == 503 &&
		    strcmp(err.code, "ledger_unavailable") == 0,
		    "unreachable: writable says 503 ledger_unavailable (%s)",
		    err.message);
		fill(&in, nonce_n(5000), NULL, "h", "1");
		t0 = time(NULL);
		T(ledger_claim(l, &in, &row, &err) == -1 &&
		    err.status == 503 && strcmp(err.code,
		    "ledger_unavailable") == 0 && time(NULL) - t0 < 10,
		    "unreachable: a claim fails fast with 503");
		ledger_close(l);
	}
	/*
	 * The server closes every pooled connection (as a restart does):
	 * the next calls open new ones instead of failing once per idle
	 * connection (the /healthz that still said "down" after a restart).
	 */
	if ((l = ledger_open(dbpath, &err)) != NULL) {
		T(ledger_writable(l, &err) == 0, "writable before (%s)",
		    err.message);
		T(pgtest_exec(dbpath, "SELECT pg_terminate_backend(pid) FROM "
		    "pg_stat_activity WHERE datname = current_database() AND "
		    "pid <> pg_backend_pid()") == 0, "the server closed the "
		    "pooled connections");
		usleep(100000);
		sf_err_clear(&err);
		T(ledger_writable(l, &err) == 0, "writable at once after the "
		    "pooled connections were closed (%s)", err.message);
		T(pgtest_exec(dbpath, "SELECT pg_terminate_backend(pid) FROM "
		    "pg_stat_activity WHERE datname = current_database() AND "
		    "pid <> pg_backend_pid()") == 0, "closed again");
		usleep(100000);
		fill(&in, nonce_n(5001), NULL, "h", "1");
		sf_err_clear(&err);
		T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW,
		    "a claim at once after that (%s)", err.message);
		ledger_payment_free(&row);
		ledger_close(l);
	}
	/*
	 * Statements are prepared on each pooled connection: a paid call's
	 * prepares them, the server closes the connections, then a schema
	 * change alters what a row's statements return ({cols}): the same
	 * calls work after each (prepared again on new connections).
	 */
	if ((l = ledger_open(dbpath, &err)) != NULL) {
		T(paid_call(l, 5100, &err), "a paid call (%s)", err.message);
		T(paid_call(l, 5101, &err), "another, on prepared statements "
		    "(%s)", err.message);
		T(pgtest_exec(dbpath, "SELECT pg_terminate_backend(pid) FROM "
		    "pg_stat_activity WHERE datname = current_database() AND "
		    "pid <> pg_backend_pid()") == 0, "the server closed the "
		    "pooled connections");
		usleep(100000);
		T(paid_call(l, 5102, &err), "a paid call at once after that "
		    "(%s)", err.message);
		T(pgtest_exec(dbpath, "ALTER TABLE payments ALTER COLUMN "
		    "content_type TYPE VARCHAR(200)") == 0, "a column of the "
		    "rows' select list changed type");
		T(paid_call(l, 5103, &err) && paid_call(l, 5104, &err),
		    "paid calls after the schema change (%s)", err.message);
		ledger_close(l);
	}
	sf_err_clear(&err);
	T(ledger_open("postgresql://synthforge@127.0.0.1:notaport/x",
	    &err) == NULL && strcmp(err.code, "config_invalid") == 0,
	    "a malformed URI is config_invalid (%s)", err.message);
	snprintf(sql, sizeof(sql), "UPDATE synthforge_schema SET version ="
	    " version + 1 WHERE component = 'ledger'");
	T(pgtest_exec(dbpath, sql) == 0, "schema version bumped");
	sf_err_clear(&err);
	T(ledger_open(dbpath, &err) == NULL &&
	    strstr(err.message, "this program knows") != NULL,
	    "a newer schema is refused (%s)", err.message);
}

/*
 * A payment id is its payer's, for one endpoint: the first payment's id
 * from another wallet, or for another endpoint, is a new payment (the
 * rows are dropped again, unclaimed, for the cases after).
 */
static void
test_claim_id_scope(struct ledger *l)
{
	struct ledger_payment	 in, row, found;
	struct sf_err		 err;
	int64_t			 other;

	fill(&in, nonce_n(3), "pay_aaaaaaaaaaaaaaaa", "req4", "10000");
	snprintf(in.payer, sizeof(in.payer),
	    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
	T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW && row.id != first_id,
	    "another wallet's payment with the same id is NEW");
	other = row.id;
	ledger_payment_free(&row);
	T(ledger_find(l, &in, &found, &err) == 1 && found.id == other,
	    "find by payment id takes the payer's own");
	ledger_payment_free(&found);
	fill(&in, nonce_n(4), "pay_aaaaaaaaaaaaaaaa", "req5", "10000");
	snprintf(in.endpoint, sizeof(in.endpoint), "/v1/speech");
	T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW,
	    "the same wallet's id for another endpoint is NEW");
	T(ledger_unclaim(l, row.id, &err) == 1 &&
	    ledger_unclaim(l, other, &err) == 1, "both dropped again");
	ledger_payment_free(&row);
}

/* The first payment: claimed, replayed as v1, its payment id reused. */
static void
test_claim(struct ledger *l)
{
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	int			 rc;

	fill(&in, nonce_n(1), "pay_aaaaaaaaaaaaaaaa", "req1", "10000");
	rc = ledger_claim(l, &in, &row, &err);
	T(rc == LEDGER_NEW && row.id > 0, "first claim is NEW");
	first_id = row.id;
	TAP_STREQ(row.payer, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
	    "payer stored lower-case");
	T(row.created > 0 && row.created == row.updated &&
	    row.state == LEDGER_VERIFIED && row.result == NULL &&
	    strcmp(row.payload, in.payload) == 0 && row.tx[0] == '\0',
	    "the claim hands back the row as stored");
	ledger_payment_free(&row);

	/* Same authorization presented as v1: same chain, same key. */
	fill(&in, nonce_n(1), NULL, "req2", "10000");
	snprintf(in.network, sizeof(in.network), "base-sepolia");
	snprintf(in.payer, sizeof(in.payer),
	    "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
	rc = ledger_claim(l, &in, &row, &err);
	T(rc == LEDGER_EXISTING && row.id == first_id,
	    "v1 replay of the same nonce is EXISTING");
	TAP_STREQ(row.request_hash, "req1", "existing row returned");
	ledger_payment_free(&row);

	fill(&in, nonce_n(2), "pay_aaaaaaaaaaaaaaaa", "req3", "10000");
	rc = ledger_claim(l, &in, &row, &err);
	T(rc == LEDGER_EXISTING && row.id == first_id,
	    "same payment id, new nonce is EXISTING (caller: 409)");
	ledger_payment_free(&row);
	test_claim_id_scope(l);
}

/* Lookups answer "not found" as a code, not as an error. */
static void
test_not_found(struct ledger *l)
{
	struct ledger_payment	 in, row;
	struct sf_err		 err;

	fill(&in, nonce_n(4242), "pay_nobody_has_this_", "h", "1");
	sf_err_clear(&err);
	T(ledger_find(l, &in, &row, &err) == 0 && err.status == 0 &&
	    row.payload == NULL, "find of an unknown key: 0, no error");
	sf_err_clear(&err);
	T(ledger_get(l, 987654321, &row, &err) == 0 && err.status == 0,
	    "get of an unknown id: 0, no error");
	fill(&in, nonce_n(1), NULL, "h", "1");
	T(ledger_find(l, &in, &row, &err) == 1 && row.id == first_id,
	    "find by the replay key");
	ledger_payment_free(&row);
	fill(&in, nonce_n(777777), "pay_aaaaaaaaaaaaaaaa", "h", "1");
	T(ledger_find(l, &in, &row, &err) == 1 && row.id == first_id,
	    "find by the payment id");
	ledger_payment_free(&row);
}

static void
test_states(struct ledger *l)
{
	struct ledger_payment	 got;
	struct sf_err		 err;
	int64_t			 id = first_id;

	T(ledger_set_state(l, id, LEDGER_VERIFIED, LEDGER_WORKING, NULL,
	    &err) == 1, "verified -> working");
	T(ledger_set_state(l, id, LEDGER_VERIFIED, LEDGER_WORKING, NULL,
	    &err) == 0, "second CAS from verified does nothing");
	T(ledger_store_result(l, id, "image/png", "\x89PNG\0x", 6,
	    &err) == 0, "store result with NUL bytes");
	T(ledger_set_state(l, id, -1, LEDGER_DELIVERED, NULL, &err) == 1,
	    "-> delivered");
	T(ledger_get(l, id, &got, &err) == 1, "get");
	T(got.result_len == 6 && memcmp(got.result, "\x89PNG\0x", 6) == 0,
	    "result round-trips");
	TAP_STREQ(got.content_type, "image/png", "content type");
	T(got.state == LEDGER_DELIVERED, "state delivered");
	ledger_payment_free(&got);
	T(ledger_unclaim(l, id, &err) == 0 && ledger_get(l, id, &got,
	    &err) == 1, "unclaim leaves a row that is no longer verified");
	ledger_payment_free(&got);
}

/* The result and the move to delivered in one statement (the paid flow's
   PAID_STORE): the state moves only from the state given; the result is
   stored either way, as the two statements it replaces did. */
static void
test_deliver(struct ledger *l)
{
	struct ledger_payment	 in, row, got;
	struct sf_err		 err;

	fill(&in, nonce_n(4242), NULL, "req-deliver", "10000");
	in.state = LEDGER_WORKING;
	T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW, "claim a working row");
	T(ledger_deliver(l, row.id, "audio/wav", "RIFF\0wav", 8,
	    LEDGER_WORKING, LEDGER_DELIVERED, &err) == 0, "deliver");
	T(ledger_get(l, row.id, &got, &err) == 1 &&
	    got.state == LEDGER_DELIVERED && got.result_len == 8 &&
	    memcmp(got.result, "RIFF\0wav", 8) == 0 &&
	    strcmp(got.content_type, "audio/wav") == 0,
	    "delivered, with its result and content type");
	ledger_payment_free(&got);
	T(ledger_deliver(l, row.id, "text/plain", "again", 5, LEDGER_WORKING,
	    LEDGER_DELIVERED, &err) == 0 && ledger_set_state(l, row.id,
	    LEDGER_DELIVERED, LEDGER_SETTLE_FAILED, NULL, &err) == 1,
	    "a second delivery from working leaves the state delivered");
	T(ledger_deliver(l, row.id, "text/plain", "late", 4, LEDGER_WORKING,
	    LEDGER_DELIVERED, &err) == 0 && ledger_get(l, row.id, &got,
	    &err) == 1 && got.state == LEDGER_SETTLE_FAILED &&
	    got.result_len == 4, "a row no longer working keeps its state");
	ledger_payment_free(&got);
	/* Gone again: the sums and lists below count the rows. */
	T(ledger_set_state(l, row.id, -1, LEDGER_VERIFIED, NULL, &err) == 1 &&
	    ledger_unclaim(l, row.id, &err) == 1 && ledger_get(l, row.id, &got,
	    &err) == 0, "the row dropped");
	ledger_payment_free(&row);
}

/* Taking over a dead worker's row: only when stale, only once. */
static void
test_take_stale(struct ledger *l)
{
	struct ledger_payment	 in, row;
	struct sf_err		 err;

	fill(&in, nonce_n(900), NULL, "req-stale", "10000");
	in.state = LEDGER_WORKING;
	T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW, "claim a working row");
	T(ledger_take_stale(l, row.id, LEDGER_WORKING, LEDGER_WORKING,
	    (int64_t)time(NULL) - 100, &err) == 0,
	    "a fresh row is not taken over");
	T(ledger_take_stale(l, row.id, LEDGER_VERIFIED, LEDGER_WORKING,
	    (int64_t)time(NULL) + 10, &err) == 0,
	    "take-over checks the state too");
	T(ledger_take_stale(l, row.id, LEDGER_WORKING, LEDGER_WORKING,
	    (int64_t)time(NULL) + 10, &err) == 1,
	    "a row untouched since the cut-off is taken over");
	T(ledger_take_stale(l, row.id, LEDGER_WORKING, LEDGER_WORKING,
	    (int64_t)time(NULL) - 1, &err) == 0,
	    "the take-over refreshed it: a second taker loses");
	ledger_payment_free(&row);
	T(ledger_get(l, row.id, &row, &err) == 1, "read it back");
	T(ledger_touch(l, row.id, LEDGER_WORKING, &err) == 1,
	    "its owner's heartbeat refreshes it");
	T(ledger_take_stale(l, row.id, LEDGER_WORKING, LEDGER_WORKING,
	    (int64_t)time(NULL) - 1, &err) == 0,
	    "a beating row is not stale");
	T(ledger_touch(l, row.id, LEDGER_DELIVERED, &err) == 0,
	    "a heartbeat checks the state");
	ledger_payment_free(&row);
	T(ledger_get(l, row.id, &row,
	    &err) == 1, "read it again");
	T(ledger_lease(l, row.id, LEDGER_WORKING, row.updated, 300,
	    &err) == 1, "a settler leases it");
	T(ledger_touch(l, row.id, LEDGER_WORKING, &err) == 0,
	    "a heartbeat never shortens a settler's lease");
	ledger_payment_free(&row);
}

static void
test_pending(struct ledger *l)
{
	struct ledger_payment	*rows;
	struct sf_err		 err;
	size_t			 n;

	T(ledger_pending_settlement(l, time(NULL), 0, &rows, &n,
	    &err) == 0 && n == 1 && rows[0].id == first_id, "one pending row");
	ledger_payments_free(rows, n);
	T(ledger_pending_settlement(l, time(NULL), 3600, &rows, &n,
	    &err) == 0 && n == 0, "min_age hides fresh rows");
	ledger_payments_free(rows, n);
	T(ledger_pending_settlement(l, time(NULL) + 601, 0, &rows, &n,
	    &err) == 0 && n == 0, "expired validBefore is not pending");
	ledger_payments_free(rows, n);
}

/* Two settlers read the same pending row: one lease wins. */
static void
test_lease(struct ledger *l)
{
	struct ledger_payment	 got, *rows;
	struct sf_err		 err;
	int64_t			 id = first_id;
	size_t			 n;

	T(ledger_get(l, id, &got, &err) == 1, "get the pending row");
	T(ledger_lease(l, id, LEDGER_DELIVERED, got.updated, 300, &err) == 1,
	    "the first settler leases the version it read");
	T(ledger_lease(l, id, LEDGER_DELIVERED, got.updated, 300, &err) == 0,
	    "a second settler with the same version loses");
	T(ledger_pending_settlement(l, time(NULL), 0, &rows, &n,
	    &err) == 0 && n == 0, "a leased row is not pending, even at "
	    "min_age 0");
	ledger_payments_free(rows, n);
	T(ledger_pending_settlement(l, time(NULL) + 301, 0, &rows, &n,
	    &err) == 0 && n == 1, "after the lease it is pending again");
	ledger_payments_free(rows, n);
	ledger_payment_free(&got);
	T(ledger_set_state(l, id, LEDGER_DELIVERED, LEDGER_DELIVERED, NULL,
	    &err) == 1, "the settler writing the row ends the lease");
}

static void
test_revenue(struct ledger *l)
{
	struct ledger_payment	 in, row;
	struct ledger_revenue	*rev;
	struct sf_err		 err;
	size_t			 n;
	int			 rc;

	fill(&in, nonce_n(3), NULL, "req4", "250000");
	rc = ledger_claim(l, &in, &row, &err);
	T(rc == LEDGER_NEW, "second payment");
	T(ledger_set_settled(l, row.id, "0xabc", NULL, &err) == 0,
	    "set settled");
	ledger_payment_free(&row);
	fill(&in, nonce_n(4), NULL, "req5",
	    "99999999999999999999999999999999");
	rc = ledger_claim(l, &in, &row, &err);
	T(ledger_set_settled(l, row.id, NULL, "settled (confirmed on "
	    "chain)", &err) == 0, "settled without tx");
	ledger_payment_free(&row);

	T(ledger_revenue(l, &rev, &n, &err) == 0 && n == 1,
	    "revenue: one endpoint");
	if (n == 1) {
		TAP_STREQ(rev[0].settled, "100000000000000000000000000249999",
		    "settled sum beyond 64 bits");
		T(rev[0].settled_count == 2, "settled count");
		TAP_STREQ(rev[0].pending, "10000", "pending sum");
	}
	free(rev);
}

static void
test_list(struct ledger *l)
{
	struct ledger_payment	*rows;
	struct sf_err		 err;
	size_t			 n;

	T(ledger_list(l, LEDGER_SETTLED, 0, &rows, &n, &err) == 0 &&
	    n == 2, "list settled");
	ledger_payments_free(rows, n);
	T(ledger_list(l, -1, 1, &rows, &n, &err) == 0 && n == 1,
	    "list with limit");
	ledger_payments_free(rows, n);
	T(ledger_list(l, -1, 0, &rows, &n, &err) == 0 && n == 4 &&
	    rows[0].id > rows[n - 1].id, "list all, newest first");
	ledger_payments_free(rows, n);
}

/* Shared handle, many threads. */
static void
test_shared_handle(struct ledger *l)
{
	pthread_t	 th[NTHREADS];
	void		*ret;
	int		 i, news = 0, ex = 0;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, shared_thread, l);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], &ret);
		if ((intptr_t)ret == LEDGER_NEW)
			news++;
		else if ((intptr_t)ret == LEDGER_EXISTING)
			ex++;
	}
	T(news == 1 && ex == NTHREADS - 1,
	    "shared handle: %d threads, exactly one NEW", NTHREADS);
}

/* A connection per thread. */
static void
test_own_connections(void)
{
	struct race	 r = { 0, 0, 0 };
	pthread_t	 th[NTHREADS];
	int		 i;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, race_thread, &r);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	T(r.news == 1 && r.existing == NTHREADS - 1 && r.errors == 0,
	    "own connections: %d threads, exactly one NEW", NTHREADS);
}

/* Processes: exit 10 = NEW, 11 = EXISTING. */
static void
test_processes(void)
{
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	pid_t			 pids[NPROCS];
	int			 i, rc, status, news = 0, ex = 0;

	for (i = 0; i < NPROCS; i++) {
		if ((pids[i] = fork()) == 0) {
			struct ledger *cl;

			if ((cl = ledger_open(dbpath, &err)) == NULL)
				_exit(1);
			fill(&in, nonce_n(999), NULL, "h", "1");
			rc = ledger_claim(cl, &in, &row, &err);
			ledger_payment_free(&row);
			ledger_close(cl);
			_exit(rc == LEDGER_NEW ? 10 :
			    rc == LEDGER_EXISTING ? 11 : 1);
		}
	}
	for (i = 0; i < NPROCS; i++) {
		if (pids[i] > 0 && waitpid(pids[i], &status, 0) > 0 &&
		    WIFEXITED(status)) {
			news += WEXITSTATUS(status) == 10;
			ex += WEXITSTATUS(status) == 11;
		}
	}
	T(news == 1 && ex == NPROCS - 1,
	    "%d processes: exactly one NEW (%d new, %d existing)", NPROCS,
	    news, ex);
}

/*
 * A web server starts every endpoint process at once, and each opens the
 * ledger: on a new SQLite file they race to switch it to WAL and create
 * the schema.  Every one must open it (none dies "database is locked").
 */
static void
test_fresh_start(void)
{
	struct sf_err	 err;
	char		 path[600];
	pid_t		 pids[32];
	int		 i, status, ok = 0, round, gate[2];

	for (round = 0; round < 5; round++) {
		snprintf(path, sizeof(path), "%s.fresh%d", dbpath, round);
		/* A start line: every child blocks on the pipe until the
		   parent closes it, then all open at once. */
		if (pipe(gate) == -1) {
			TAP_OK(0, "pipe");
			return;
		}
		for (i = 0; i < 32; i++)
			if ((pids[i] = fork()) == 0) {
				struct ledger *cl;
				char c;

				close(gate[1]);
				(void)read(gate[0], &c, 1);
				cl = ledger_open(path, &err);

				if (cl == NULL)
					fprintf(stderr, "# %s\n", err.message);
				ledger_close(cl);
				_exit(cl != NULL ? 0 : 1);
			}
		close(gate[0]);
		close(gate[1]);
		for (i = 0; i < 32; i++)
			if (pids[i] > 0 && waitpid(pids[i], &status, 0) > 0 &&
			    WIFEXITED(status) && WEXITSTATUS(status) == 0)
				ok++;
	}
	T(ok == 5 * 32, "32 processes open a new ledger file at once, 5 "
	    "times: all %d opened (%d)", 5 * 32, ok);
}

/* A SQLite ledger file as schema version 1 made it, one payment holding
   the id. */
static const char mig_v1[] = LEDGER_V1_SCHEMA
    "INSERT INTO payments VALUES (7, '/v1/image', 'h', "
    "'0x70997970c51812dc3a010c7d01b50e0d17dc79c8', '10000', "
    "'0x5fbdb2315678afecb367f032d93f642f64180aa3', 'eip155:84532', 2, "
    "'0x00000000000000000000000000000000000000000000000000000000000000aa', "
    "'0', '9999999999', 9999999999, '{}', '{}', 'pay_migrated_0000001', "
    "'settled', X'6869', 'text/plain', '0xabc', NULL, 1, 2);"
    "PRAGMA user_version = 1;";

/*
 * A ledger made before payment ids were scoped to their payer and
 * endpoint is brought up to date on open, its rows kept: SQLite rebuilds
 * the table (a file at version 1), PostgreSQL drops the constraint and
 * adds the index (a database at version 2).
 */
static void
test_migrate_id_scope(void)
{
	struct ledger		*l;
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	sqlite3			*db;
	char			 path[600];
	int			 ok;

	snprintf(path, sizeof(path), "%s.v1", dbpath);
	if (pgtest_on()) {
		if (pgtest_db("sf_ledger_mig", "", path, sizeof(path)) == -1 ||
		    (l = ledger_open(path, &err)) == NULL) {
			TAP_OK(0, "a PostgreSQL ledger to age");
			return;
		}
		fill(&in, nonce_n(170), "pay_migrated_0000001", "h", "10000");
		T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW,
		    "a payment holding the id");
		ledger_payment_free(&row);
		ledger_close(l);
		ok = pgtest_exec(path, "DROP INDEX payments_payment_id") == 0 &&
		    pgtest_exec(path, "ALTER TABLE payments ADD CONSTRAINT "
		    "payments_payment_id_key UNIQUE (payment_id)") == 0 &&
		    pgtest_exec(path, "UPDATE synthforge_schema SET version = 2"
		    " WHERE component = 'ledger'") == 0;
		T(ok, "the database set back to schema version 2");
	} else {
		ok = sqlite3_open(path, &db) == SQLITE_OK &&
		    sqlite3_exec(db, mig_v1, NULL, NULL, NULL) == SQLITE_OK;
		sqlite3_close(db);
		T(ok, "a ledger file of schema version 1");
	}
	if ((l = ledger_open(path, &err)) == NULL) {
		TAP_OK(0, "the old ledger opens: %s", err.message);
		return;
	}
	fill(&in, nonce_n(171), "pay_migrated_0000001", "h2", "10000");
	snprintf(in.payer, sizeof(in.payer),
	    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
	T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW,
	    "migrated: another wallet may use the id (%s)", err.message);
	ledger_payment_free(&row);
	fill(&in, nonce_n(172), "pay_migrated_0000001", "h3", "10000");
	T(ledger_claim(l, &in, &row, &err) == LEDGER_EXISTING &&
	    strcmp(row.payment_id, "pay_migrated_0000001") == 0 &&
	    strcmp(row.nonce, nonce_n(172)) != 0,
	    "migrated: the payer's own id still finds its payment");
	if (!pgtest_on())
		T(row.id == 7 && row.state == LEDGER_SETTLED &&
		    row.result_len == 2 && memcmp(row.result, "hi", 2) == 0 &&
		    strcmp(row.tx, "0xabc") == 0 && row.created == 1 &&
		    row.updated == 2, "migrated: the old row kept whole");
	ledger_payment_free(&row);
	ledger_close(l);
	T((l = ledger_open(path, &err)) != NULL, "the migrated ledger "
	    "opens again");
	ledger_close(l);
}

int
main(void)
{
	struct ledger	*l;
	struct sf_err	 err;
	char		 dir[] = "/tmp/sf-ledger-XXXXXX", cmd[300];

	test_state_table();
	test_sql();
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/ledger.db", dir);
	if (pgtest_db("sf_ledger", dbpath, dbpath, sizeof(dbpath)) == -1)
		TAP_OK(0, "a fresh PostgreSQL database");

	l = ledger_open(dbpath, &err);
	T(l != NULL, "open creates the schema (%s)", l ? "" : err.message);
	printf("# backend: %s\n", l ? ledger_backend(l) : "?");
	T(l != NULL && strcmp(ledger_backend(l), pgtest_on() ? "postgresql" :
	    "sqlite") == 0, "DB picks the backend");
	if (l == NULL)
		return tap_done();
	test_claim(l);
	test_not_found(l);
	test_states(l);
	test_deliver(l);
	test_take_stale(l);
	test_pending(l);
	test_lease(l);
	test_revenue(l);
	test_list(l);
	test_shared_handle(l);
	ledger_close(l);
	test_own_connections();
	test_processes();
	if (!pgtest_on())
		test_fresh_start();

	l = ledger_open(dbpath, &err);
	T(l != NULL, "reopen keeps schema version");
	test_import(l);
	ledger_close(l);
	test_migrate_id_scope();
	if (pgtest_on())
		test_pg_only();

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return tap_done();
}
