/*
 * health: /healthz with a facilitator that cannot be reached says which
 * host and why (curl's message), and never a credential from the URL.
 * The URL points at a closed port on 127.0.0.1 (no network needed) and
 * carries a user:password and a query key that must not appear.
 * Hermetic: clean environment, ledger in a temp folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/err.h"
#include "ops/health.h"
#include "hermetic.h"
#include "tap.h"

static char	 dir[] = "/tmp/sf-health-XXXXXX";
static struct buf	 out;		/* the /healthz answer */
static const char	*detail;	/* checks.settlement.detail */
static int		 status;

static void
unreachable_facilitator(void)
{
	TAP_OK(status == 503, "unreachable facilitator: 503 (got %d)", status);
	printf("# detail: %s\n", detail);
	TAP_OK(strstr(detail, "127.0.0.1:1") != NULL,
	    "the detail names the facilitator's host");
	/* curl: "Couldn't connect to server" / "Could not connect to server". */
	TAP_OK(strstr(detail, "connect to server") != NULL,
	    "the detail gives curl's cause");
}

static void
no_credential_shown(void)
{
	TAP_OK(strstr(detail, "hunter2") == NULL &&
	    strstr(detail, "agent") == NULL &&
	    strstr(detail, "SEKRIT") == NULL &&
	    strstr(detail, "facilitator?") == NULL,
	    "no credential, path or query of the URL in the detail");
	TAP_OK(out.p != NULL && strstr(out.p, "hunter2") == NULL &&
	    strstr(out.p, "SEKRIT") == NULL, "nor anywhere in the answer");
}

int
main(void)
{
	struct sf_err	 err;
	struct cfg	*c;
	cJSON		*j, *s;
	char		 db[600];

	hermetic();
	if (mkdtemp(dir) == NULL)
		return perror("mkdtemp"), 2;
	snprintf(db, sizeof(db), "%s/ledger.db", dir);
	setenv("SYNTHFORGE_PAY_TO",
	    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 1);
	setenv("SYNTHFORGE_DB", db, 1);
	setenv("SYNTHFORGE_METRICS_DIR", dir, 1);
	/* Port 1 on loopback: refused at once, like a host with no route. */
	setenv("SYNTHFORGE_FACILITATOR_URL",
	    "http://agent:hunter2@127.0.0.1:1/facilitator?key=SEKRIT", 1);
	sf_err_clear(&err);
	if ((c = cfg_load("/dev/null", &err)) == NULL)
		return printf("Bail out! %s\n", err.message), 2;
	buf_init(&out);
	status = health_check(c, &out);
	j = cJSON_ParseWithLength(out.p ? out.p : "", out.len);
	s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(j, "checks"), "settlement"),
	    "detail");
	detail = cJSON_IsString(s) ? s->valuestring : "";

	TAP_CASE(unreachable_facilitator);
	TAP_CASE(no_credential_shown);

	cJSON_Delete(j);
	buf_free(&out);
	cfg_free(c);
	unlink(db);
	return tap_done();
}
