/*
 * Test driver for webhook deliveries (flow/webhook.h), standing in for
 * the job core until it calls them itself: it queues a job's events and
 * runs the pump as a runner thread would.  Used by
 * tests/integ/webhooks.test.mjs.  The configuration (URL_ALLOW,
 * WEBHOOK_*) comes from the environment (SYNTHFORGE_<KEY>).
 *
 *   webhook_driver secret
 *	a fresh job secret ("whsec_...") on stdout
 *   webhook_driver enqueue DB JOB EVENT URL SECRET < BODY
 *	queue the event; "new" or "existing" on stdout
 *   webhook_driver run DB SECONDS
 *	a runner's loop for SECONDS: pump, then sleep until the next
 *	delivery is due (at most 200 ms); one line per pump that did
 *	something ("taken N delivered N retrying N abandoned N lost N")
 *
 * Exit 0, or 1 with the error on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/now.h"
#include "flow/webhook.h"
#include "http/http.h"
#include "http/webhook_sig.h"
#include "ledger/ledger.h"

static int
fail(const struct sf_err *err)
{
	fprintf(stderr, "webhook_driver: %s\n", err->message);
	return 1;
}

static int
enqueue(struct ledger *l, const struct webhook_config *wc, char **argv)
{
	struct sf_err	 err;
	struct buf	 b;
	char		 chunk[4096];
	size_t		 n;
	int		 rc;

	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_append(&b, chunk, n);
	if (b.oom) {
		buf_free(&b);
		return 1;
	}
	rc = webhook_enqueue(l, wc, argv[3], argv[4], argv[5], argv[6], b.p,
	    b.len, &err);
	buf_free(&b);
	if (rc == -1)
		return fail(&err);
	printf("%s\n", rc == LEDGER_NEW ? "new" : "existing");
	return 0;
}

static int
run(struct ledger *l, const struct webhook_config *wc, double seconds)
{
	struct webhook_pump_stats	 st;
	struct sf_err			 err;
	int64_t				 end, wait;

	end = http_now_ms() + (int64_t)(seconds * 1000);
	while (http_now_ms() < end) {
		if (webhook_pump(l, wc, WEBHOOK_PUMP_MAX, 5000, &st, &err) ==
		    -1)
			return fail(&err);
		if (st.taken > 0 || st.abandoned > 0) {
			printf("taken %u delivered %u retrying %u abandoned %u "
			    "lost %u\n", st.taken, st.delivered, st.retrying,
			    st.abandoned, st.lost);
			fflush(stdout);
		}
		wait = st.next_ms > 0 ? st.next_ms - now_wall_ms() : 200;
		if (wait > 200)
			wait = 200;
		if (wait > 0)
			usleep((useconds_t)wait * 1000);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct webhook_config	 wc;
	struct ledger		*l;
	struct sf_err		 err;
	char			 secret[WEBHOOK_SIG_SECRET_STRLEN];
	int			 rc;

	if (argc == 2 && strcmp(argv[1], "secret") == 0) {
		if (webhook_sig_secret_new(secret) == -1)
			return 1;
		printf("%s\n", secret);
		return 0;
	}
	if (!((argc == 7 && strcmp(argv[1], "enqueue") == 0) ||
	    (argc == 4 && strcmp(argv[1], "run") == 0))) {
		fprintf(stderr, "usage: webhook_driver secret | enqueue DB JOB "
		    "EVENT URL SECRET < BODY | run DB SECONDS\n");
		return 2;
	}
	http_init();
	if (webhook_config_init(&wc, NULL, &err) == -1 ||
	    (l = ledger_open(argv[2], &err)) == NULL)
		return fail(&err);
	rc = strcmp(argv[1], "enqueue") == 0 ? enqueue(l, &wc, argv) :
	    run(l, &wc, atof(argv[3]));
	ledger_close(l);
	return rc;
}
