/*
 * log: one JSON line per request on LOG_FILE, except a plain HTTP 402 (no
 * payment was sent: FLOW_PAY_REQUIRED with status 402), which is counted
 * in /metrics and logged only with LOG_CHALLENGES=1; an MCP tool call that
 * asks for a payment answers 200 and is logged either way, as is every
 * refused payment.  LOG_CHALLENGES is 0 or 1 (log_check_cfg).  Hermetic:
 * the environment is cleaned first; files are in a temp folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "ops/log.h"
#include "hermetic.h"
#include "tap.h"

static char	 tmpdir[] = "/tmp/sf-log-XXXXXX";

/* The configuration with LOG_FILE = tmpdir/name and LOG_CHALLENGES. */
static struct cfg *
conf(const char *name, const char *challenges, char *path, size_t sz)
{
	struct sf_err	 err;

	hermetic();
	setenv("SYNTHFORGE_PAY_TO",
	    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 1);
	setenv("SYNTHFORGE_MEDIA_DIR", tmpdir, 1);
	setenv("SYNTHFORGE_DB", "/dev/null/unused", 1);
	snprintf(path, sz, "%s/%s", tmpdir, name);
	setenv("SYNTHFORGE_LOG_FILE", path, 1);
	if (challenges != NULL)
		setenv("SYNTHFORGE_LOG_CHALLENGES", challenges, 1);
	else
		unsetenv("SYNTHFORGE_LOG_CHALLENGES");
	return cfg_load("/dev/null", &err);
}

static void
outcome(struct flow_outcome *o, int status, enum flow_pay pay)
{
	memset(o, 0, sizeof(*o));
	o->status = status;
	o->pay = pay;
	o->upstream_ms = -1;
	snprintf(o->amount, sizeof(o->amount), "10000");
}

/* Lines in path, and whether one holds needle. */
static int
lines(const char *path, const char *needle, int *found)
{
	FILE	*f;
	char	 line[4096];
	int	 n = 0;

	*found = 0;
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		if (needle != NULL && strstr(line, needle) != NULL)
			*found = 1;
	}
	fclose(f);
	return n;
}

static void
test_default(void)
{
	struct flow_outcome	 o;
	struct cfg		*c;
	char			 path[600];
	int			 found;

	c = conf("default.log", NULL, path, sizeof(path));
	TAP_OK(c != NULL, "configuration");
	if (c == NULL)
		return;
	outcome(&o, 402, FLOW_PAY_REQUIRED);
	log_request(c, "image-generate", &o, 0);
	outcome(&o, 402, FLOW_PAY_REFUSED);
	snprintf(o.reason, sizeof(o.reason), "invalid_payload");
	log_request(c, "image-generate", &o, 1);
	outcome(&o, 200, FLOW_PAY_REQUIRED);
	log_request(c, "mcp/text-to-speech", &o, 2);
	TAP_OK(lines(path, "\"pay\":\"required\",", &found) == 2 && found,
	    "a plain 402 is not logged; a refused payment and an MCP call "
	    "asking for one are");
	lines(path, "\"status\":402,\"latency_ms\":0", &found);
	TAP_OK(!found, "no line for the plain 402");
	log_close();
	cfg_free(c);
}

static void
test_challenges(void)
{
	struct flow_outcome	 o;
	struct cfg		*c;
	char			 path[600];
	int			 found;

	c = conf("challenges.log", "1", path, sizeof(path));
	TAP_OK(c != NULL, "configuration with LOG_CHALLENGES=1");
	if (c == NULL)
		return;
	outcome(&o, 402, FLOW_PAY_REQUIRED);
	log_request(c, "image-generate", &o, 7);
	TAP_OK(lines(path, "\"status\":402,\"latency_ms\":7,\"pay\":"
	    "\"required\"", &found) == 1 && found,
	    "LOG_CHALLENGES=1 logs the plain 402");
	log_close();
	cfg_free(c);
}

static void
test_check(void)
{
	struct sf_err	 err;
	struct cfg	*c;
	char		 path[600];

	c = conf("check.log", "yes", path, sizeof(path));
	TAP_OK(c != NULL && log_check_cfg(c, &err) == -1 &&
	    strcmp(err.field, "LOG_CHALLENGES") == 0,
	    "LOG_CHALLENGES=yes is refused, naming the key");
	cfg_free(c);
	c = conf("check.log", "0", path, sizeof(path));
	TAP_OK(c != NULL && log_check_cfg(c, &err) == 0,
	    "LOG_CHALLENGES=0 is fine");
	cfg_free(c);
}

int
main(void)
{
	char	 cmd[300];

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_default();
	test_challenges();
	test_check();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return tap_done();
}
