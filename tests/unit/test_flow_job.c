/*
 * Jobs in the flow (flow_job.c, flow_jobs.c): when a call runs as one
 * (the definition's choice and Prefer), what a job's status says for each
 * state of its payment, its JSON (the link, the money in words), the
 * settings, and the job routes on a real ledger: a status link finds its
 * job and nothing else, a wrong token and an unknown id answer alike,
 * cancel, methods, the per-address limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basics/captoken.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "basics/msg.h"
#include "flow/flow.h"
#include "flow/flow_job.h"
#include "hermetic.h"
#include "ledger/ledger.h"
#include "tap.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

static struct def_endpoint	ep_never = { .name = "n", .async = DEF_ASYNC_NEVER };
static struct def_endpoint	ep_allowed = { .name = "a" };
static struct def_endpoint	ep_default = { .name = "d",
    .async = DEF_ASYNC_DEFAULT };

static void
test_wanted(void)
{
	const char	*ap;

	T(!flow_job_wanted(&ep_allowed, NULL, &ap) && strcmp(ap, "") == 0,
	    "allowed, no Prefer: synchronous");
	T(flow_job_wanted(&ep_allowed, "respond-async", &ap) &&
	    strcmp(ap, "respond-async") == 0, "allowed, respond-async: a job");
	T(flow_job_wanted(&ep_allowed, "wait=10, Respond-Async", &ap) &&
	    strcmp(ap, "respond-async") == 0,
	    "respond-async with wait, in any case: a job");
	T(flow_job_wanted(&ep_default, NULL, &ap) && strcmp(ap, "") == 0,
	    "default, no Prefer: a job, nothing applied");
	T(!flow_job_wanted(&ep_default, "wait", &ap) &&
	    strcmp(ap, "wait") == 0, "default, wait: synchronous");
	T(!flow_job_wanted(&ep_default, "wait=600", NULL),
	    "default, wait=600: synchronous");
	T(flow_job_wanted(&ep_default, "handling=strict", NULL),
	    "default, another preference: a job");
	T(flow_job_wanted(&ep_default, "respond-async;x=1, wait", NULL),
	    "default, respond-async and wait: a job");
	T(!flow_job_wanted(&ep_never, "respond-async", &ap) &&
	    strcmp(ap, "") == 0, "never: respond-async is not applied");
	T(flow_job_wanted(&ep_default, "wait=, respond-async", NULL),
	    "an empty wait is none");
	T(!flow_job_wanted(&ep_allowed, "respond-asyncx", NULL),
	    "a look-alike preference is not respond-async");
}

static void
job_of(struct ledger_job *j, enum ledger_state st, int cancel, int started,
    const char *tx)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->id, sizeof(j->id), "job_%032x", 42);
	snprintf(j->endpoint, sizeof(j->endpoint), "text-to-video");
	snprintf(j->payer, sizeof(j->payer),
	    "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
	snprintf(j->network, sizeof(j->network), "eip155:84532");
	snprintf(j->amount, sizeof(j->amount), "200000");
	snprintf(j->tx, sizeof(j->tx), "%s", tx != NULL ? tx : "");
	j->state = st;
	j->cancel = cancel;
	j->started = started ? 1767225700 : 0;
	j->created = 1767225600;
	j->open = 1;
}

static void
test_status(void)
{
	static const struct {
		enum ledger_state	 st;
		int			 cancel, started;
		const char		*want;
	} t[] = {
		{ LEDGER_WORKING, 0, 0, "queued" },
		{ LEDGER_WORKING, 0, 1, "running" },
		{ LEDGER_WORKING, 1, 1, "cancelled" },
		{ LEDGER_DELIVERED, 0, 1, "running" },
		{ LEDGER_SETTLED, 0, 1, "succeeded" },
		{ LEDGER_SETTLE_FAILED, 0, 1, "failed" },
		{ LEDGER_WORK_FAILED, 0, 1, "failed" },
		{ LEDGER_WORK_FAILED, 1, 0, "cancelled" },
	};
	struct ledger_job	 j;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		job_of(&j, t[i].st, t[i].cancel, t[i].started, NULL);
		TAP_STREQ(flow_job_status(&j), t[i].want, "%s%s%s: %s",
		    ledger_state_name(t[i].st), t[i].cancel ? " cancel" : "",
		    t[i].started ? " started" : "", t[i].want);
		T(flow_job_terminal(&j) == (strcmp(t[i].want, "queued") != 0 &&
		    strcmp(t[i].want, "running") != 0), "terminal or not");
	}
}

static const char *
str(const cJSON *o, const char *a, const char *b)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
test_json(const struct cfg *c)
{
	struct flow_job_cfg	 jc = { 16, 30, 2, 7, 120 };
	struct ledger_job	 j;
	struct ledger_payment	 pay;
	cJSON			*o;
	const char		*s;

	job_of(&j, LEDGER_WORKING, 0, 0, NULL);
	o = flow_job_json(c, &jc, &j, NULL, "tok");
	T(o != NULL, "json");
	TAP_STREQ(str(o, "status", NULL), "queued", "queued");
	TAP_STREQ(str(o, "status_url", NULL), "https://jobs.example/v1/jobs/"
	    "job_0000000000000000000000000000002a?token=tok",
	    "the status URL under PUBLIC_URL, with the token");
	T(cJSON_GetObjectItem(o, "retry_after")->valuedouble == 7,
	    "retry_after while it runs");
	T(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "payment"),
	    "charged")), "not charged while queued");
	T((s = str(o, "payment", "terms")) != NULL &&
	    strstr(s, "settled only when the job succeeds") != NULL,
	    "the terms say when it is charged");
	TAP_STREQ(str(o, "created_at", NULL), "2026-01-01T00:00:00Z",
	    "created_at in RFC 3339");
	T(cJSON_GetObjectItem(o, "error") == NULL &&
	    cJSON_GetObjectItem(o, "result") == NULL, "no error, no result");
	cJSON_Delete(o);

	job_of(&j, LEDGER_WORKING, 0, 0, NULL);
	o = flow_job_json(c, &jc, &j, NULL, NULL);
	TAP_STREQ(str(o, "status_url", NULL), "https://jobs.example/v1/jobs/"
	    "job_0000000000000000000000000000002a", "no token: the bare URL");
	cJSON_Delete(o);

	job_of(&j, LEDGER_WORK_FAILED, 0, 1, NULL);
	o = flow_job_json(c, &jc, &j, NULL, NULL);
	T((s = str(o, "error", "message")) != NULL &&
	    strstr(s, "not charged") != NULL, "failed: says not charged");
	T(cJSON_GetObjectItem(o, "retry_after") == NULL, "no retry_after");
	cJSON_Delete(o);

	job_of(&j, LEDGER_WORK_FAILED, 1, 0, NULL);
	o = flow_job_json(c, &jc, &j, NULL, NULL);
	TAP_STREQ(str(o, "error", "code"), "job_cancelled", "cancelled: code");
	T((s = str(o, "error", "message")) != NULL &&
	    strstr(s, "not charged") != NULL, "cancelled: not charged");
	cJSON_Delete(o);

	job_of(&j, LEDGER_SETTLE_FAILED, 0, 1, NULL);
	snprintf(j.error, sizeof(j.error), "invalid_exact_evm_insufficient_"
	    "balance");
	o = flow_job_json(c, &jc, &j, NULL, NULL);
	T((s = str(o, "error", "message")) != NULL &&
	    strstr(s, "could not be settled (invalid_exact_evm_insufficient_"
	    "balance)") != NULL && strstr(s, "not charged") != NULL,
	    "settlement failed: withheld, not charged, the reason");
	cJSON_Delete(o);

	job_of(&j, LEDGER_SETTLED, 0, 1, "0xabc");
	memset(&pay, 0, sizeof(pay));
	pay.result = "{\"video_url\":\"https://x/v.mp4\"}";
	pay.result_len = strlen(pay.result);
	o = flow_job_json(c, &jc, &j, &pay, NULL);
	TAP_STREQ(str(o, "result", "video_url"), "https://x/v.mp4",
	    "succeeded: the synchronous body as result");
	TAP_STREQ(str(o, "settlement", "transaction"), "0xabc",
	    "and the settlement");
	T(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "payment"),
	    "charged")), "charged");
	cJSON_Delete(o);

	/* Solana: settled at the submit, charged whatever follows. */
	job_of(&j, LEDGER_WORK_FAILED, 0, 1, "5sig");
	snprintf(j.network, sizeof(j.network),
	    "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1");
	o = flow_job_json(c, &jc, &j, NULL, NULL);
	T(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "payment"),
	    "charged")) && (s = str(o, "payment", "terms")) != NULL &&
	    strstr(s, "settled when the job was submitted") != NULL,
	    "settled first: charged, and the terms say so");
	T((s = str(o, "error", "message")) != NULL &&
	    strstr(s, "same payment again") != NULL && strstr(s,
	    "not charged") == NULL, "its failure never claims not charged");
	cJSON_Delete(o);
}

static void
test_cfg(void)
{
	struct flow_job_cfg	 jc;
	struct sf_err		 err;
	struct cfg		*c;

	setenv("SYNTHFORGE_JOB_LEASE_SECONDS", "2", 1);
	c = cfg_load(NULL, &err);
	T(c != NULL && flow_job_check_cfg(c, &err) == -1 &&
	    strcmp(err.field, "JOB_LEASE_SECONDS") == 0,
	    "a lease under 3 s is refused, naming the key");
	cfg_free(c);
	setenv("SYNTHFORGE_JOB_LEASE_SECONDS", "45", 1);
	setenv("SYNTHFORGE_JOB_RUNNERS", "0", 1);
	c = cfg_load(NULL, &err);
	T(c != NULL && flow_job_check_cfg(c, &err) == 0, "valid keys pass");
	flow_job_cfg_read(c, &jc);
	T(jc.lease_s == 45 && jc.runners == 0 && jc.scan_s == 2 &&
	    jc.retry_after == 5 && jc.polls_per_minute == 120,
	    "read, with the defaults");
	cfg_free(c);
	unsetenv("SYNTHFORGE_JOB_LEASE_SECONDS");
	unsetenv("SYNTHFORGE_JOB_RUNNERS");
}

/* A request to the job routes, its answer's status. */
static int
route(struct flow_jobs_ctx *jc, const char *method, const char *path,
    const char *token, const char *addr, struct msg_resp *r)
{
	struct msg_req		 q;
	struct msg_param	 p = { "token", 5, "token", token };
	struct flow_outcome	 out;

	memset(&q, 0, sizeof(q));
	memset(&out, 0, sizeof(out));
	q.method = method;
	q.path = path;
	q.query = "";
	q.params = token != NULL ? &p : NULL;
	q.nparams = token != NULL;
	q.remote_addr = addr;
	msg_resp_free(r);
	msg_resp_init(r);
	flow_jobs_handle(jc, &q, r, &out);
	return r->status;
}

static void
test_routes(const struct cfg *c, const char *db)
{
	struct flow_jobs_ctx	 jc;
	struct ledger		*l;
	struct ledger_payment	 in, row;
	struct ledger_job	 j;
	struct msg_resp		 r;
	struct sf_err		 err;
	char			 tok[CAPTOKEN_STRLEN], path[128], other[128];
	cJSON			*req, *body;
	int			 i, codes[4];

	msg_resp_init(&r);
	if ((l = ledger_open(db, &err)) == NULL) {
		TAP_OK(0, "ledger: %s", err.message);
		return;
	}
	memset(&in, 0, sizeof(in));
	snprintf(in.endpoint, sizeof(in.endpoint), "text-to-video");
	snprintf(in.request_hash, sizeof(in.request_hash), "h");
	snprintf(in.payer, sizeof(in.payer),
	    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
	snprintf(in.amount, sizeof(in.amount), "200000");
	snprintf(in.asset, sizeof(in.asset),
	    "0x5FbDB2315678afecb367f032d93F642f64180aa3");
	snprintf(in.network, sizeof(in.network), "eip155:84532");
	in.x402_version = 2;
	snprintf(in.nonce, sizeof(in.nonce), "0x%064x", 1);
	snprintf(in.valid_before, sizeof(in.valid_before), "%lld",
	    (long long)time(NULL) + 600);
	snprintf(in.valid_after, sizeof(in.valid_after), "0");
	in.payload = "{}";
	in.requirements = "{}";
	in.state = LEDGER_WORKING;
	req = cJSON_Parse("{\"prompt\":\"a fox\"}");
	T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW &&
	    flow_job_record(l, &in, row.id, req, &j, tok, &err) == 0,
	    "a job recorded (%s)", err.message);
	T(captoken_valid(tok) && strlen(j.id) == LEDGER_JOB_ID_LEN,
	    "its link's token and id");
	cJSON_Delete(req);
	ledger_payment_free(&row);
	T(flow_jobs_init(&jc, c, l, NULL, NULL, 0, &err) == 0, "routes");
	snprintf(path, sizeof(path), "/v1/jobs/%s", j.id);
	snprintf(other, sizeof(other), "/v1/jobs/job_%032x", 7);

	T(route(&jc, "GET", path, tok, "10.0.0.1", &r) == 200, "the link: 200");
	body = cJSON_ParseWithLength(r.body, r.body_len);
	TAP_STREQ(str(body, "status", NULL), "queued", "queued");
	TAP_STREQ(str(body, "id", NULL), j.id, "its id");
	cJSON_Delete(body);
	T(msg_resp_get_header(&r, "Retry-After") != NULL &&
	    strcmp(msg_resp_get_header(&r, "Cache-Control"), "no-store") == 0,
	    "Retry-After while it runs, never cached");
	T(route(&jc, "GET", path, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "10.0.0.1", &r) == 404, "another token: 404");
	T(strstr(r.body, "job_not_found") != NULL, "job_not_found");
	T(route(&jc, "GET", other, tok, "10.0.0.1", &r) == 404 &&
	    strstr(r.body, "job_not_found") != NULL,
	    "its token on another id: the same 404");
	T(route(&jc, "GET", path, NULL, "10.0.0.1", &r) == 401 &&
	    strstr(r.body, "token_required") != NULL,
	    "no token, no sign-in configured: 401 token_required");
	T(route(&jc, "POST", path, tok, "10.0.0.1", &r) == 405 &&
	    msg_resp_get_header(&r, "Allow") != NULL, "POST: 405 with Allow");
	T(route(&jc, "GET", "/v1/jobsx", NULL, "10.0.0.1", &r) == 404,
	    "another path: 404");
	T(route(&jc, "DELETE", path, tok, "10.0.0.1", &r) == 200 &&
	    strstr(r.body, "\"cancelled\"") != NULL, "DELETE: cancelled");
	snprintf(other, sizeof(other), "%s", j.id);
	ledger_job_free(&j);
	T(ledger_job_get(l, other, &j, &err) == 1 &&
	    j.state == LEDGER_WORK_FAILED && j.open == 0,
	    "its payment work_failed (never settled), the job closed");
	ledger_job_free(&j);
	T(route(&jc, "DELETE", path, tok, "10.0.0.1", &r) == 200,
	    "cancelled again: 200");
	flow_jobs_fini(&jc);
	snprintf(other, sizeof(other), "/v1/jobs/job_%032x", 7);

	/* The limit: JOB_POLLS_PER_MINUTE per client address. */
	setenv("SYNTHFORGE_JOB_POLLS_PER_MINUTE", "3", 1);
	{
		struct cfg *c3 = cfg_load(NULL, &err);

		T(flow_jobs_init(&jc, c3, l, NULL, NULL, 0, &err) == 0,
		    "routes with 3 a minute");
		for (i = 0; i < 4; i++)
			codes[i] = route(&jc, "GET", other, tok, "10.0.0.2",
			    &r);
		T(codes[0] == 404 && codes[2] == 404 && codes[3] == 429,
		    "the 4th request of an address in a minute: 429");
		T(msg_resp_get_header(&r, "Retry-After") != NULL &&
		    atoi(msg_resp_get_header(&r, "Retry-After")) >= 1,
		    "with Retry-After");
		T(route(&jc, "GET", other, tok, "10.0.0.3", &r) == 404,
		    "another address is not limited by it");
		flow_jobs_fini(&jc);
		cfg_free(c3);
	}
	unsetenv("SYNTHFORGE_JOB_POLLS_PER_MINUTE");
	msg_resp_free(&r);
	ledger_close(l);
}

int
main(void)
{
	struct sf_err	 err;
	struct cfg	*c;
	char		 dir[] = "/tmp/sf-flow-job-XXXXXX", db[300], cmd[320];

	hermetic();
	setenv("SYNTHFORGE_PUBLIC_URL", "https://jobs.example", 1);
	setenv("SYNTHFORGE_PAY_TO", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
	    1);
	if ((c = cfg_load(NULL, &err)) == NULL) {
		TAP_OK(0, "cfg: %s", err.message);
		return tap_done();
	}
	TAP_CASE(test_wanted);
	TAP_CASE(test_status);
	TAP_CASE_ARGS(test_json, c);
	TAP_CASE(test_cfg);
	if (mkdtemp(dir) != NULL) {
		snprintf(db, sizeof(db), "%s/ledger.db", dir);
		TAP_CASE_ARGS(test_routes, c, db);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# cleanup failed\n");
	}
	cfg_free(c);
	return tap_done();
}
