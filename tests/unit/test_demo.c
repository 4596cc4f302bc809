/*
 * demo: the free demo's budget (ledger/demo.c) and request
 * (flow/flow_demo.c).  Client keys, every limit with its Retry-After, the
 * paid-upstream budget, configuration and file errors, the demo request
 * built from a query string as serve parses it, the response marking, and
 * the limits holding across processes (forked children on one file).
 * With SF_TEST_PG set (make unit-pg) the budget lives in PostgreSQL
 * databases instead, and every assertion must hold the same.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "basics/def.h"
#include "basics/err.h"
#include "basics/msg.h"
#include "flow/flow.h"
#include "ledger/demo.h"
#include "serve/serve_query.h"
#include "pgtest.h"
#include "tap.h"

extern const struct def_endpoint ep_api_generate;

static char dir[] = "/tmp/sf-demo-XXXXXX";
static char dbpath[600];

static void
limits(const char *min, const char *hour, const char *total,
    const char *paid)
{
	setenv("SYNTHFORGE_DEMO_PER_CLIENT_PER_MINUTE", min, 1);
	setenv("SYNTHFORGE_DEMO_PER_CLIENT_PER_HOUR", hour, 1);
	setenv("SYNTHFORGE_DEMO_PER_HOUR", total, 1);
	setenv("SYNTHFORGE_DEMO_PAID_PER_HOUR", paid, 1);
}

/* 1 admitted, 0 refused; err, paid and wait filled. */
static int
admit(const char *who, time_t now, int *paid, unsigned *wait,
    struct sf_err *err)
{
	sf_err_clear(err);
	return demo_admit(NULL, who, now, paid, wait, err) == 0;
}

static void
test_keys(void)
{
	static const struct {
		const char	*addr, *key;
	} t[] = {
		{ "203.0.113.5", "203.0.113.5" },
		{ "::ffff:203.0.113.5", "203.0.113.5" },
		{ "2001:db8:1:2:3:4:5:6", "2001:0db8:0001:0002::/64" },
		{ "2001:db8:1:2:ffff::1", "2001:0db8:0001:0002::/64" },
		{ "2001:db8:1:3::1", "2001:0db8:0001:0003::/64" },
		{ "::1", "0000:0000:0000:0000::/64" },
		{ "", "unknown" }, { "not-an-ip", "unknown" },
		{ "fe80::1%eth0", "unknown" }, { NULL, "unknown" },
	};
	char	 buf[64];
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		demo_client_key(t[i].addr, buf, sizeof(buf));
		TAP_STREQ(buf, t[i].key, "client key of %s",
		    t[i].addr ? t[i].addr : "(null)");
	}
}

static void
test_limits(void)
{
	struct sf_err	 err;
	unsigned	 wait;
	int		 paid;
	time_t		 t0 = 1700000000;

	limits("2", "5", "8", "1");
	TAP_OK(admit("198.51.100.1", t0, &paid, &wait, &err) && paid == 1,
	    "first demo admitted with the one paid-upstream unit");
	TAP_OK(admit("198.51.100.1", t0, &paid, &wait, &err) && paid == 0,
	    "second admitted, the paid budget is spent: offline");
	TAP_OK(!admit("198.51.100.1", t0 + 10, &paid, &wait, &err) &&
	    err.status == 429 && strcmp(err.code, "demo_rate_limited") == 0 &&
	    wait == 50 && paid == 0 && strstr(err.message, "per minute") &&
	    strstr(err.message, "50 s"),
	    "third in a minute: 429 demo_rate_limited, Retry-After 50 (%s)",
	    err.message);
	TAP_OK(admit("198.51.100.2", t0 + 10, &paid, &wait, &err),
	    "another client is not limited by the first");
	TAP_OK(admit("198.51.100.1", t0 + 61, &paid, &wait, &err) &&
	    admit("198.51.100.1", t0 + 62, &paid, &wait, &err),
	    "the minute window slides: two more");
	TAP_OK(admit("198.51.100.1", t0 + 130, &paid, &wait, &err),
	    "fifth in the hour");
	TAP_OK(!admit("198.51.100.1", t0 + 200, &paid, &wait, &err) &&
	    err.status == 429 && wait == 3400 &&
	    strstr(err.message, "per hour") != NULL,
	    "sixth in the hour: 429, Retry-After 3400 (%u: %s)", wait,
	    err.message);
	/* A refusal is not counted: the wait does not grow. */
	TAP_OK(!admit("198.51.100.1", t0 + 300, &paid, &wait, &err) &&
	    wait == 3300, "retrying early does not extend the wait (%u)",
	    wait);
	TAP_OK(admit("198.51.100.3", t0 + 300, &paid, &wait, &err) &&
	    admit("198.51.100.4", t0 + 300, &paid, &wait, &err),
	    "total reaches 8");
	TAP_OK(!admit("198.51.100.5", t0 + 300, &paid, &wait, &err) &&
	    err.status == 429 && strcmp(err.code, "demo_busy") == 0 &&
	    wait == 3300, "ninth in the hour from anyone: 429 demo_busy (%u)",
	    wait);
	TAP_OK(admit("198.51.100.1", t0 + 3600, &paid, &wait, &err) &&
	    paid == 1, "an hour later: admitted, paid budget back");
	TAP_OK(admit("2001:db8::1", t0 + 4000, &paid, &wait, &err) &&
	    admit("2001:db8::2", t0 + 4000, &paid, &wait, &err) &&
	    !admit("2001:db8::3", t0 + 4000, &paid, &wait, &err),
	    "one IPv6 /64 is one client");
}

static void
test_config(void)
{
	struct sf_err	 err;
	unsigned	 wait;
	int		 paid;
	char		 other[700];
	struct stat	 st;

	limits("2", "5", "0", "0");
	TAP_OK(!admit("192.0.2.1", 1, &paid, &wait, &err) &&
	    err.status == 403 && strcmp(err.code, "demo_disabled") == 0,
	    "DEMO_PER_HOUR=0: 403 demo_disabled");
	limits("2", "0", "5", "0");
	TAP_OK(!admit("192.0.2.1", 1, &paid, &wait, &err) &&
	    err.status == 403, "DEMO_PER_CLIENT_PER_HOUR=0: 403");
	limits("2", "x5", "5", "0");
	TAP_OK(!admit("192.0.2.1", 1, &paid, &wait, &err) &&
	    err.status == 500 && strcmp(err.code, "config_invalid") == 0 &&
	    strcmp(err.field, "DEMO_PER_CLIENT_PER_HOUR") == 0,
	    "a bad number is config_invalid naming the key");
	limits("0", "3", "100", "0");
	TAP_OK(admit("192.0.2.9", 1, &paid, &wait, &err) &&
	    admit("192.0.2.9", 1, &paid, &wait, &err) &&
	    admit("192.0.2.9", 1, &paid, &wait, &err) &&
	    !admit("192.0.2.9", 1, &paid, &wait, &err) && wait == 3600,
	    "DEMO_PER_CLIENT_PER_MINUTE=0: only the hourly cap");

	setenv("SYNTHFORGE_DEMO_DB", "/nonexistent-sf/dir/demo.db", 1);
	TAP_OK(!admit("192.0.2.1", 1, &paid, &wait, &err) &&
	    err.status == 503 && strcmp(err.code, "demo_unavailable") == 0 &&
	    paid == 0, "unusable file: 503, fail closed (%s)", err.message);
	setenv("SYNTHFORGE_DEMO_DB", "postgresql://synthforge@127.0.0.1:1/x",
	    1);
	TAP_OK(!admit("192.0.2.1", 1, &paid, &wait, &err) &&
	    err.status == 503 && strcmp(err.code, "demo_unavailable") == 0 &&
	    paid == 0, "unreachable PostgreSQL: 503, fail closed (%s)",
	    err.message);
	if (pgtest_on()) {
		/* DB a PostgreSQL URI, DEMO_DB unset: the same database. */
		unsetenv("SYNTHFORGE_DEMO_DB");
		setenv("SYNTHFORGE_DB", dbpath, 1);
		TAP_OK(admit("192.0.2.1", 1, &paid, &wait, &err),
		    "admitted with DEMO_DB unset, DB on PostgreSQL (%s)",
		    err.message);
		unsetenv("SYNTHFORGE_DB");
	}
	/* Default: demo.db next to the ledger. */
	unsetenv("SYNTHFORGE_DEMO_DB");
	snprintf(other, sizeof(other), "%s/sub", dir);
	mkdir(other, 0700);
	snprintf(other, sizeof(other), "%s/sub/ledger.db", dir);
	setenv("SYNTHFORGE_DB", other, 1);
	TAP_OK(admit("192.0.2.1", 1, &paid, &wait, &err),
	    "admitted with DEMO_DB unset (%s)", err.message);
	snprintf(other, sizeof(other), "%s/sub/demo.db", dir);
	TAP_OK(stat(other, &st) == 0, "demo.db created next to DB");
	unsetenv("SYNTHFORGE_DB");
	setenv("SYNTHFORGE_DEMO_DB", dbpath, 1);
}

/* N processes race on one file: the limits hold exactly. */
static void
test_processes(void)
{
	enum { NPROC = 8, EACH = 10 };
	pid_t		 pids[NPROC];
	int		 i, k, status, admitted = 0, paid_total = 0, ok = 1;

	limits("1000", "25", "1000", "3");
	for (i = 0; i < NPROC; i++) {
		if ((pids[i] = fork()) == -1) {
			ok = 0;
			break;
		}
		if (pids[i] == 0) {
			struct sf_err	 err;
			unsigned	 wait;
			int		 paid, n = 0, np = 0;

			for (k = 0; k < EACH; k++)
				if (admit("203.0.113.77", 1800000000, &paid,
				    &wait, &err)) {
					n++;
					np += paid;
				} else if (err.status != 429)
					_exit(255);
			_exit(n * 16 + np);
		}
	}
	for (i = 0; i < NPROC && ok; i++) {
		if (waitpid(pids[i], &status, 0) == -1 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) == 255) {
			ok = 0;
			continue;
		}
		admitted += WEXITSTATUS(status) / 16;
		paid_total += WEXITSTATUS(status) % 16;
	}
	TAP_OK(ok, "%d processes ran without a database error", NPROC);
	TAP_OK(admitted == 25, "exactly the hourly limit admitted across "
	    "processes (%d of %d)", admitted, NPROC * EACH);
	TAP_OK(paid_total == 3, "exactly DEMO_PAID_PER_HOUR paid-upstream "
	    "admissions across processes (%d)", paid_total);
}

/* The demo request of a query string, as serve parses it and the flow
   reads it; NULL with err as flow_demo_request. */
static cJSON *
request_of(const char *query, int *wanted, struct sf_err *err)
{
	struct serve_query	 q;
	struct msg_req		 req;
	cJSON			*o;

	memset(&req, 0, sizeof(req));
	if (serve_query_parse(query, &q) == -1) {
		sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
		return NULL;
	}
	req.method = "GET";
	req.query = query != NULL ? query : "";
	req.params = q.params;
	req.nparams = q.n;
	if (wanted != NULL)
		*wanted = flow_demo_wanted(&req);
	o = flow_demo_request(&ep_api_generate, &req, err);
	serve_query_free(&q);
	return o;
}

static int
wanted(const char *query)
{
	struct sf_err	 err;
	int		 w = -1;

	cJSON_Delete(request_of(query, &w, &err));
	return w;
}

static void
test_request_wanted(void)
{
	TAP_OK(wanted("demo=true") && wanted("a=1&demo") &&
	    wanted("x=demo&demo=1") && !wanted("x=demo") &&
	    !wanted("demos=1") && !wanted("") && !wanted(NULL),
	    "the demo is wanted when the query has the key demo, only then");
	TAP_OK(!wanted("%64emo=true") && !wanted("dem%6F=1"),
	    "the key is matched as sent: an escaped \"demo\" is not it");
}

static void
test_request_good(void)
{
	struct sf_err	 err;
	cJSON		*o;
	const char	*s;

	sf_err_clear(&err);
	o = request_of("demo=true", NULL, &err);
	TAP_OK(o != NULL, "demo=true alone is a request");
	s = cJSON_GetStringValue(cJSON_GetObjectItem(o, "prompt"));
	TAP_STREQ(s, FLOW_DEMO_PROMPT, "default prompt");
	TAP_OK(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "width")) ==
	    FLOW_DEMO_SIZE && cJSON_GetNumberValue(cJSON_GetObjectItem(o,
	    "height")) == FLOW_DEMO_SIZE, "fixed demo size");
	TAP_OK(cJSON_GetObjectItem(o, "model") == NULL,
	    "model left to the definition's default");
	cJSON_Delete(o);

	o = request_of("demo=1&prompt=a+red%20fox%2C+caf%C3%A9&model=flux-dev&",
	    NULL, &err);
	TAP_STREQ(cJSON_GetStringValue(cJSON_GetObjectItem(o, "prompt")),
	    "a red fox, caf\xc3\xa9", "prompt URL-decoded");
	TAP_STREQ(cJSON_GetStringValue(cJSON_GetObjectItem(o, "model")),
	    "flux-dev", "model taken");
	cJSON_Delete(o);
}

static void
test_request_bad(void)
{
	static const struct {
		const char	*q, *code, *field;
	} bad[] = {
		{ "", "missing_field", "demo" },
		{ "prompt=x", "missing_field", "demo" },
		{ "demo=false", "invalid_value", "demo" },
		{ "demo", "invalid_value", "demo" },
		{ "demo=true&demo=true", "duplicate_field", "demo" },
		{ "demo=true&width=64", "unknown_field", "width" },
		{ "demo=true&prompt=a&prompt=b", "duplicate_field", "prompt" },
		{ "demo=true&prompt=%zz", "invalid_query", "prompt" },
		{ "demo=true&prompt=a%00b", "invalid_query", "prompt" },
		{ "demo=true&prompt=a%4", "invalid_query", "prompt" },
		{ "demo=true&%zz=1", "invalid_query", "" },
		{ "demo=maybe&prompt=%zz", "invalid_value", "demo" },
	};
	struct sf_err	 err;
	cJSON		*o;
	char		 big[1024];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sf_err_clear(&err);
		o = request_of(bad[i].q, NULL, &err);
		TAP_OK(o == NULL && err.status == 400 &&
		    strcmp(err.code, bad[i].code) == 0 &&
		    strcmp(err.field, bad[i].field) == 0,
		    "\"%s\" -> 400 %s %s (%s %s)", bad[i].q, bad[i].code,
		    bad[i].field, err.code, err.field);
		cJSON_Delete(o);
	}
	snprintf(big, sizeof(big), "demo=true&prompt=");
	memset(big + strlen(big), 'a', FLOW_DEMO_PROMPT_MAX + 1);
	big[17 + FLOW_DEMO_PROMPT_MAX + 1] = '\0';
	sf_err_clear(&err);
	o = request_of(big, NULL, &err);
	TAP_OK(o == NULL && strcmp(err.code, "too_long") == 0,
	    "prompt over %d characters refused", FLOW_DEMO_PROMPT_MAX);
	cJSON_Delete(o);
	big[17 + FLOW_DEMO_PROMPT_MAX] = '\0';
	o = request_of(big, NULL, &err);
	TAP_OK(o != NULL, "a prompt of exactly %d characters is taken",
	    FLOW_DEMO_PROMPT_MAX);
	cJSON_Delete(o);
}

static void
test_annotate(void)
{
	cJSON	*b = cJSON_Parse("{\"image_url\":\"u\",\"price\":\"$0.02\"}");

	limits("2", "10", "300", "0");
	TAP_OK(b != NULL && demo_annotate(NULL, b, 1) == 0,
	    "annotate a body");
	TAP_OK(cJSON_IsTrue(cJSON_GetObjectItem(b, "demo")), "demo: true");
	TAP_STREQ(cJSON_GetStringValue(cJSON_GetObjectItem(b, "price")),
	    "$0.00", "price $0.00");
	TAP_OK(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(b, "notice")),
	    "offline") != NULL && strstr(cJSON_GetStringValue(
	    cJSON_GetObjectItem(b, "notice")), "10 requests per client per "
	    "hour") != NULL, "notice says offline and the limit");
	TAP_OK(demo_annotate(NULL, b, 0) == 0 &&
	    cJSON_GetArraySize(b) == 4, "annotating twice replaces, no dupes");
	cJSON_Delete(b);
}

int
main(void)
{
	char	 cmd[700];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dbpath, sizeof(dbpath), "%s/demo.db", dir);
	if (pgtest_db("sf_demo", dbpath, dbpath, sizeof(dbpath)) == -1)
		TAP_OK(0, "a fresh PostgreSQL database");
	printf("# demo budget in %s\n", pgtest_on() ? "PostgreSQL" :
	    "SQLite");
	setenv("SYNTHFORGE_DEMO_DB", dbpath, 1);
	test_keys();
	test_limits();
	test_config();
	/* A fresh file, so the race starts from nothing. */
	snprintf(dbpath, sizeof(dbpath), "%s/race.db", dir);
	if (pgtest_db("sf_demo_race", dbpath, dbpath, sizeof(dbpath)) == -1)
		TAP_OK(0, "a fresh PostgreSQL database for the race");
	setenv("SYNTHFORGE_DEMO_DB", dbpath, 1);
	test_processes();
	test_request_wanted();
	test_request_good();
	test_request_bad();
	test_annotate();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return tap_done();
}
