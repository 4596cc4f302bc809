/*
 * synthforge-ctl: look at the payment ledger and finish settlements.
 *
 *   synthforge-ctl [options] list [--state S] [--limit N]
 *   synthforge-ctl [options] revenue
 *   synthforge-ctl [options] settle-pending [--min-age SECONDS]
 *   synthforge-ctl [options] migrate --from SQLITE_LEDGER
 *   synthforge-ctl [options] jobs [list] [--payer ADDRESS] [--limit N]
 *   synthforge-ctl [options] jobs show JOB_ID
 *   synthforge-ctl jobs run [--once]
 *   synthforge-ctl [options] webhooks [--state S] [--job ID] [--limit N]
 *   synthforge-ctl [options] webhooks retry DELIVERY_ID
 *   synthforge-ctl [options] webhooks send [--limit N]

 *   synthforge-ctl check [--mainnet] [--online] [CONFIG]
 *
 * Settings (DB, SETTLE, FACILITATOR_URL, RPC_URL, RELAYER_KEY_FILE,
 * CDP_API_KEY_ID, CDP_API_KEY_SECRET) come from the environment under those
 * names, else from where the endpoints read them (SYNTHFORGE_<KEY>, the
 * configuration file), and can be overridden by --db, --settle,
 * --facilitator-url, --rpc-url, --relayer-key-file.  DB is a SQLite path
 * or a postgresql:// URI; migrate copies every row of a SQLite ledger into
 * DB (rows already there are left alone, so it can be run again).  jobs
 * lists the jobs (issue 25) with their status, shows one, or runs those
 * no runner has (jobs run: every runnable job, one at a time, until none
 * is left; --once: one pass), with the endpoints' own configuration
 * (SYNTHFORGE_CONFIG, SYNTHFORGE_<KEY>): a fallback for the runners of
 * sf-jobs and the endpoint processes.  webhooks lists the webhook
 * deliveries of jobs (never their secrets nor the query of their URLs),
 * retry queues one again (due now, for another WEBHOOK_RETRY_HOURS), send
 * makes the due attempts once, as a runner's pump does.  Exit: 0 fine, 1
 * a settlement failed or is unknown (send: a delivery failed), 2 usage or
 * setup error.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "basics/net.h"
#include "basics/now.h"
#include "flow/flow.h"
#include "flow/flow_job.h"
#include "flow/webhook.h"
#include "x402/facilitator.h"
#include "x402/svm/svm_fee_payer.h"
#include "ledger/ledger.h"
#include "ledger/ledger_webhook.h"
#include "providers/catalog.h"
#include "providers/route.h"
#include "x402/evm/rpc.h"
#include "x402/settle.h"
#include "x402/evm/settle_direct.h"
#include "x402/evm/x402_wallet_cfg.h"
#include "serve/serve.h"

/* How long a settle-pending run holds a row it is settling (seconds). */
#define CTL_LEASE_S	300

struct ctl_opts {
	const char	*db;
	const char	*settle;
	const char	*facilitator_url;
	const char	*rpc_url;
	const char	*key_file;
	const char	*cdp_key_id;
	const char	*cdp_key_secret;
	const char	*cmd;
	const char	*from;		/* migrate: the SQLite ledger */
	const char	*args[2];	/* words after the command */
	size_t		 nargs;
	const char	*payer;		/* jobs list --payer */
	int		 once;		/* jobs run --once */
	const char	*state_arg;	/* --state as given */
	const char	*job;		/* webhooks: --job */
	const char	*sub;		/* webhooks: retry, send */
	const char	*subarg;	/* webhooks retry: the delivery id */
	int		 state;		/* -1 = all */
	size_t		 limit;
	long		 min_age;
};

static void
usage(void)
{
	fprintf(stderr, "usage: synthforge-ctl [--db path] [--settle "
	    "facilitator|direct] [--facilitator-url url] [--rpc-url url]\n"
	    "\t[--relayer-key-file path] list [--state S] [--limit N] | "
	    "revenue |\n\tsettle-pending [--min-age seconds] | "
	    "migrate --from sqlite-ledger |\n\tjobs [list] [--payer address] "
	    "[--limit N] | jobs show id | jobs run [--once] |\n"
	    "\twebhooks [--state S] [--job id] [--limit N] | webhooks retry id "
	    "|\n\twebhooks send [--limit N]\n"
	    "       synthforge-ctl check [--mainnet] [--online] [config]\n");
}

static const char *
env(const char *k)
{
	const char	*v = getenv(k);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * A setting: the plain environment variable (DB, SETTLE, ...), else what
 * the endpoints read: SYNTHFORGE_<KEY>, then the configuration file
 * ($SYNTHFORGE_CONFIG or etc/synthforge.conf), when it loads.
 */
static struct cfg	*ctl_cfg;
static int		 ctl_cfg_tried;

/* The configuration file, loaded once (NULL when it does not load). */
static struct cfg *
ctl_config(void)
{
	struct sf_err	 err;

	if (!ctl_cfg_tried) {
		ctl_cfg_tried = 1;
		sf_err_clear(&err);
		ctl_cfg = cfg_load(NULL, &err);
	}
	return ctl_cfg;
}

static const char *
ctl_setting(const char *k)
{
	const char	*v;

	if ((v = env(k)) != NULL)
		return v;
	if (ctl_config() == NULL)
		return NULL;
	v = cfg_get(ctl_cfg, k);
	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * All configuration in one place: environment first, options override.
 * (To be replaced by the shared config module.)  0 or -1 (usage).
 */
static int
ctl_options(int argc, char *argv[], struct ctl_opts *o)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "settle", required_argument, NULL, 's' },
		{ "facilitator-url", required_argument, NULL, 'f' },
		{ "rpc-url", required_argument, NULL, 'r' },
		{ "relayer-key-file", required_argument, NULL, 'k' },
		{ "state", required_argument, NULL, 'S' },
		{ "limit", required_argument, NULL, 'n' },
		{ "min-age", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'F' },
		{ "payer", required_argument, NULL, 'P' },
		{ "once", no_argument, NULL, 'o' },
		{ "job", required_argument, NULL, 'j' },

		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char	*end;
	int	 c;

	memset(o, 0, sizeof(*o));
	o->db = ctl_setting("DB");
	o->settle = ctl_setting("SETTLE");
	o->facilitator_url = ctl_setting("FACILITATOR_URL");
	o->rpc_url = ctl_setting("RPC_URL");
	o->key_file = ctl_setting("RELAYER_KEY_FILE");
	o->cdp_key_id = ctl_setting("CDP_API_KEY_ID");
	o->cdp_key_secret = ctl_setting("CDP_API_KEY_SECRET");
	/* The same defaults as the endpoints. */
	if (o->db == NULL)
		o->db = "var/ledger.db";
	if (o->facilitator_url == NULL)
		o->facilitator_url = "https://x402.org/facilitator";
	o->state = -1;
	o->min_age = 30;
	/* "+": options may come before or after the command word. */
	while (optind < argc) {
		if ((c = getopt_long(argc, argv, "+h", lo, NULL)) == -1) {
			/* jobs and webhooks take up to two words after them. */
			if (o->cmd == NULL)
				o->cmd = argv[optind++];
			else if (o->nargs < 2)
				o->args[o->nargs++] = argv[optind++];
			else
				return -1;
			continue;
		}
		switch (c) {
		case 'd':
			o->db = optarg;
			break;
		case 's':
			o->settle = optarg;
			break;
		case 'f':
			o->facilitator_url = optarg;
			break;
		case 'r':
			o->rpc_url = optarg;
			break;
		case 'k':
			o->key_file = optarg;
			break;
		case 'S':
			o->state_arg = optarg;
			break;
		case 'j':
			o->job = optarg;
			break;
		case 'n':
			o->limit = strtoul(optarg, &end, 10);
			if (*end != '\0')
				return -1;
			break;
		case 'F':
			o->from = optarg;
			break;
		case 'P':
			o->payer = optarg;
			break;
		case 'o':
			o->once = 1;
			break;
		case 'a':
			o->min_age = strtol(optarg, &end, 10);
			if (*end != '\0' || o->min_age < 0)
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (o->cmd == NULL || o->db == NULL)
		return -1;
	if (strcmp(o->cmd, "webhooks") == 0) {
		o->sub = o->nargs > 0 ? o->args[0] : NULL;
		o->subarg = o->nargs > 1 ? o->args[1] : NULL;
	}
	/* A payment's states, or a webhook delivery's. */
	if (o->state_arg != NULL && (o->state = strcmp(o->cmd, "webhooks") ==
	    0 ? ledger_webhook_state_parse(o->state_arg) :
	    ledger_state_parse(o->state_arg)) < 0)
		return -1;
	return 0;
}

/* "1234567" atomic -> "1.234567" (USDC has 6 decimals). */
static void
usdc(const char *atomic, char *out, size_t sz)
{
	char	 pad[96];
	size_t	 n = strlen(atomic);

	/* Left-pad to at least 7 digits so there is a units digit. */
	snprintf(pad, sizeof(pad), "%.*s%s", n < 7 ? (int)(7 - n) : 0,
	    "0000000", atomic);
	n = strlen(pad);
	snprintf(out, sz, "%.*s.%s", (int)(n - 6), pad, pad + n - 6);
}

static int
cmd_list(struct ledger *l, const struct ctl_opts *o)
{
	struct ledger_payment	*rows;
	struct sf_err		 err;
	size_t			 n, i;

	if (ledger_list(l, o->state, o->limit, &rows, &n, &err) == -1) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		return 2;
	}
	printf("id\tstate\tendpoint\tamount\tpayer\tnetwork\ttx\terror\n");
	for (i = 0; i < n; i++)
		printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
		    (long long)rows[i].id, ledger_state_name(rows[i].state),
		    rows[i].endpoint, rows[i].amount, rows[i].payer,
		    rows[i].network, rows[i].tx[0] ? rows[i].tx : "-",
		    rows[i].error[0] ? rows[i].error : "-");
	ledger_payments_free(rows, n);
	return 0;
}

static int
cmd_revenue(struct ledger *l)
{
	struct ledger_revenue	*rows;
	struct sf_err		 err;
	size_t			 n, i;
	char			 a[96], b[96];

	if (ledger_revenue(l, &rows, &n, &err) == -1) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		return 2;
	}
	printf("endpoint\tasset\tnetwork\tsettled_n\tsettled\tsettled_usdc"
	    "\tpending_n\tpending\tpending_usdc\n");
	for (i = 0; i < n; i++) {
		usdc(rows[i].settled, a, sizeof(a));
		usdc(rows[i].pending, b, sizeof(b));
		printf("%s\t%s\t%s\t%lld\t%s\t%s\t%lld\t%s\t%s\n",
		    rows[i].endpoint, rows[i].asset, rows[i].network,
		    (long long)rows[i].settled_count, rows[i].settled, a,
		    (long long)rows[i].pending_count, rows[i].pending, b);
	}
	free(rows);
	return 0;
}

/*
 * A Solana row settles only through a facilitator (it co-signs as fee
 * payer): FACILITATOR_URL_<NETWORK> when set, and no EVM chain check.  An
 * EVM row: the network's ERC-6492 factories (a relayer deploying a
 * payer's wallet), and without --rpc-url or RPC_URL, the network's chain
 * for reads (RPC_URL_<NETWORK>, or its public default) to reconcile on.
 */
static const struct settle_config *
ctl_settle_config(const struct settle_config *base,
    const struct ledger_payment *row, struct settle_config *out)
{
	struct net_info	 ni;
	struct sf_err	 err;
	const char	*rpc;
	size_t		 i;

	if (net_lookup(row->network, &ni) == -1)
		return base;
	*out = *base;
	if (ni.family != NET_SVM) {
		if (ctl_cfg == NULL)
			return out;
		if (out->rpc_url == NULL &&
		    (rpc = cfg_rpc_for(ctl_cfg, row->network)) != NULL)
			out->rpc_url = rpc;
		if (x402_wallet_factories_for(ctl_cfg, row->network,
		    &out->direct.factories, &err) == -1)
			out->direct.factories.n = 0;
		return out;
	}
	out->mode = SETTLE_MODE_FACILITATOR;
	out->rpc_url = NULL;
	out->direct.rpc_url = NULL;
	if (out->facilitator.url == NULL)
		out->facilitator.url = "https://x402.org/facilitator";
	for (i = 0; ctl_cfg != NULL && i < ctl_cfg->nnets; i++)
		if (strcmp(ctl_cfg->nets[i].network, row->network) == 0 &&
		    ctl_cfg->nets[i].facilitator_url[0] != '\0')
			out->facilitator.url = ctl_cfg->nets[i].facilitator_url;
	return out;
}

/*
 * settle-pending and jobs: a row of a job whose runner holds it (lease
 * ahead) is the runner's to settle (1, its id in job); 0 with job "" or
 * the job's id (free to settle); -1.
 */
static int
ctl_job_busy(struct ledger *l, const struct ledger_payment *row, char *job,
    size_t sz)
{
	struct ledger_job	 j;
	struct sf_err		 err;
	int			 rc, busy;

	job[0] = '\0';
	if ((rc = ledger_job_of_payment(l, row->id, &j, &err)) != 1)
		return rc;
	snprintf(job, sz, "%s", j.id);
	busy = j.lease_until > (int64_t)time(NULL);
	ledger_job_free(&j);
	return busy;
}

/* A job settled (or refused) here is over: closed, with why. */
static int
ctl_job_close(struct ledger *l, const struct ledger_payment *row,
    const char *reason, struct sf_err *err)
{
	struct ledger_job	 j;
	char			 msg[300];
	int			 rc;

	if ((rc = ledger_job_of_payment(l, row->id, &j, err)) != 1)
		return rc == 0 ? 0 : -1;
	if (reason != NULL)
		snprintf(msg, sizeof(msg), "the payment could not be settled "
		    "(%.120s): the result is withheld and you were not charged",
		    reason);
	rc = ledger_job_close(l, j.seq, reason != NULL ? msg : NULL, err);
	ledger_job_free(&j);
	return rc;
}

static int
cmd_settle_pending(struct ledger *l, const struct ctl_opts *o,
    const char *lock)
{
	struct settle_config	 cfg, one;
	struct settle_result	 r;
	struct settle_opts	 so;
	struct ledger_payment	*rows;
	struct sf_err		 err;
	const char		*v;
	size_t			 n, i;
	int			 bad = 0, rc;
	char			 job[LEDGER_JOB_ID_LEN + 4];

	memset(&cfg, 0, sizeof(cfg));
	if (settle_mode_parse(o->settle, &cfg.mode) == -1) {
		fprintf(stderr, "synthforge-ctl: SETTLE must be facilitator "
		    "or direct\n");
		return 2;
	}
	if (cfg.mode == SETTLE_MODE_FACILITATOR && o->facilitator_url == NULL) {
		fprintf(stderr, "synthforge-ctl: FACILITATOR_URL not set\n");
		return 2;
	}
	cfg.facilitator.url = o->facilitator_url;
	cfg.facilitator.cdp_key_id = o->cdp_key_id;
	cfg.facilitator.cdp_key_secret = o->cdp_key_secret;
	cfg.rpc_url = o->rpc_url;
	cfg.direct.rpc_url = o->rpc_url;
	cfg.direct.key_file = o->key_file;
	cfg.direct.lock_file = lock;
	if ((v = ctl_setting("RELAYER_GAS_MAX")) != NULL)
		cfg.direct.gas_max = strtoull(v, NULL, 10);

	if (ledger_pending_settlement(l, (int64_t)time(NULL), o->min_age,
	    &rows, &n, &err) == -1) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		return 2;
	}
	if (n == 0)
		printf("nothing to settle\n");
	for (i = 0; i < n; i++) {
		/* A job's row: its runner settles it while it holds it. */
		if ((rc = ctl_job_busy(l, &rows[i], job, sizeof(job))) == 1) {
			printf("skipped\t%lld\tjob %s: its runner has it\n",
			    (long long)rows[i].id, job);
			continue;
		}
		if (rc == -1)
			goto dberr;
		/*
		 * Lease the row first (compare-and-set on the version read):
		 * another settle-pending, on this host or another, may be on
		 * it, and a second settlement would fail and mark it failed.
		 */
		switch (ledger_lease(l, rows[i].id, rows[i].state,
		    rows[i].updated, CTL_LEASE_S, &err)) {
		case 1:
			break;
		case 0:
			printf("skipped\t%lld\tanother settler has it\n",
			    (long long)rows[i].id);
			continue;
		default:
			goto dberr;
		}
		/* A transfer mined before the claim was another sale. */
		memset(&so, 0, sizeof(so));	/* not fresh: maybe tried */
		so.since = rows[i].created > 5 ? rows[i].created - 5 : 0;
		so.valid_before = strtoll(rows[i].valid_before, NULL, 10);
		settle_payment_opts(ctl_settle_config(&cfg, &rows[i], &one),
		    rows[i].x402_version, rows[i].payload, rows[i].requirements,
		    &so, &r);
		switch (r.outcome) {
		case SETTLE_OK:
			if (ledger_set_settled(l, rows[i].id, r.tx,
			    r.chain_checked ? r.message : NULL, &err) == -1 ||
			    ctl_job_close(l, &rows[i], NULL, &err) == -1)
				goto dberr;
			printf("settled\t%lld\t%s\t%s%s%s\n",
			    (long long)rows[i].id, r.tx[0] ? r.tx : "-",
			    r.message[0] ? r.message : "-", job[0] ? "\tjob " :
			    "", job);
			break;
		case SETTLE_FAILED:
			bad = 1;
			if (ledger_set_state(l, rows[i].id, -1,
			    LEDGER_SETTLE_FAILED, r.reason, &err) == -1 ||
			    ctl_job_close(l, &rows[i], r.reason, &err) == -1)
				goto dberr;
			printf("failed\t%lld\t%s%s\t%s%s%s\n",
			    (long long)rows[i].id, r.reason, r.retryable ?
			    " (retryable)" : "", r.message, job[0] ?
			    "\tjob " : "", job);
			break;
		default:
			/* Unknown: keep the state, note why; retry later. */
			bad = 1;
			if (ledger_set_state(l, rows[i].id, -1, rows[i].state,
			    r.reason, &err) == -1)
				goto dberr;
			printf("unknown\t%lld\t%s\t%s\n", (long long)rows[i].id,
			    r.tx[0] ? r.tx : "-", r.message);
			break;
		}
		fflush(stdout);
	}
	ledger_payments_free(rows, n);
	return bad;
dberr:
	fprintf(stderr, "synthforge-ctl: %s\n", err.message);
	ledger_payments_free(rows, n);
	return 2;
}

/* ---- jobs -------------------------------------------------------------- */

static void
ctl_time(int64_t t, char *out, size_t sz)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, sz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, sz, "-");
}

static int
cmd_jobs_list(struct ledger *l, const struct ctl_opts *o)
{
	struct ledger_job	*rows;
	struct sf_err		 err;
	size_t			 n, i;
	char			 t[32];

	if (ledger_job_list(l, o->payer, 0, o->limit ? o->limit : 100, &rows,
	    &n, &err) == -1) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		return 2;
	}
	printf("job\tstatus\tendpoint\tpayment\tstate\tamount\tpayer\tcreated"
	    "\ttx\tmessage\n");
	for (i = 0; i < n; i++) {
		ctl_time(rows[i].created, t, sizeof(t));
		printf("%s\t%s\t%s\t%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", rows[i].id,
		    flow_job_status(&rows[i]), rows[i].endpoint,
		    (long long)rows[i].payment,
		    ledger_state_name(rows[i].state), rows[i].amount,
		    rows[i].payer, t, rows[i].tx[0] ? rows[i].tx : "-",
		    rows[i].message[0] ? rows[i].message : "-");
	}
	ledger_jobs_free(rows, n);
	return 0;
}

/*
 * A job's webhook and request, the webhook_url without its query (it may
 * carry the receiver's token) and never the secret.
 */
static void
ctl_job_webhook(const struct ledger_job *j)
{
	cJSON	*req, *u;
	char	*s = NULL, url[1024];

	url[0] = '\0';
	if (j->webhook_url != NULL)
		snprintf(url, sizeof(url), "%.*s", (int)strcspn(j->webhook_url,
		    "?#"), j->webhook_url);
	printf("webhook\t%s%s\n", url[0] ? url : "-", j->webhook_url == NULL ?
	    "" : j->webhook_secret[0] ? " (secret held until the job is over)" :
	    " (secret forgotten)");
	if ((req = cJSON_Parse(j->request)) != NULL) {
		u = cJSON_GetObjectItemCaseSensitive(req, "webhook_url");
		if (cJSON_IsString(u) && url[0] != '\0')
			cJSON_ReplaceItemInObjectCaseSensitive(req,
			    "webhook_url", cJSON_CreateString(url));
		s = cJSON_PrintUnformatted(req);
		cJSON_Delete(req);
	}
	printf("request\t%s\n", s != NULL ? s : j->request);
	cJSON_free(s);
}

static int
cmd_jobs_show(struct ledger *l, const char *id)
{
	struct ledger_job	 j;
	struct sf_err		 err;
	char			 h[LEDGER_JOB_TOKENS_MAX][65], a[32], b[32];
	size_t			 nh = 0;
	int			 rc;

	if ((rc = ledger_job_get(l, id, &j, &err)) != 1) {
		fprintf(stderr, "synthforge-ctl: %s\n", rc == 0 ?
		    "no such job" : err.message);
		return 2;
	}
	(void)ledger_job_tokens(l, id, h, LEDGER_JOB_TOKENS_MAX, &nh, &err);
	ctl_time(j.created, a, sizeof(a));
	ctl_time(j.started, b, sizeof(b));
	printf("job\t%s\nstatus\t%s\nendpoint\t%s\npayment\t%lld (%s)\n"
	    "amount\t%s\npayer\t%s\nnetwork\t%s\ntx\t%s\ncreated\t%s\n"
	    "started\t%s\nopen\t%d\ncancel\t%d\ndelivering\t%d\nattempts\t%d\n"
	    "lease\t%s until %lld\nprogress\t%s\nmessage\t%s\n"
	    "status links\t%zu\nupstream\t%s\n", j.id,
	    flow_job_status(&j), j.endpoint, (long long)j.payment,
	    ledger_state_name(j.state), j.amount, j.payer, j.network,
	    j.tx[0] ? j.tx : "-", a, b, j.open, j.cancel, j.delivering,
	    j.attempts, j.lease_owner[0] ? j.lease_owner : "-",
	    (long long)j.lease_until, j.progress[0] ? j.progress : "-",
	    j.message[0] ? j.message : "-", nh,
	    j.upstream != NULL ? j.upstream : "-");
	ctl_job_webhook(&j);
	ledger_job_free(&j);
	return 0;
}

/*
 * jobs run: the runnable jobs of every endpoint, here, one at a time,
 * with the endpoints' configuration (a fallback for the runners).
 */
static int
cmd_jobs_run(const struct ctl_opts *o)
{
	const struct def_entry	*e;
	struct flow_ctx		*ctxs;
	struct sf_err		 err;
	struct cfg		*c;
	size_t			 n = 0, i;
	int			 ran, rc = 2;

	sf_err_clear(&err);
	if ((c = cfg_load(NULL, &err)) == NULL ||
	    serve_check_cfg(c, &err) == -1) {
		fprintf(stderr, "synthforge-ctl: configuration: %s\n",
		    err.message);
		cfg_free(c);
		return 2;
	}
	for (e = def_table; e->ep != NULL; e++)
		n++;
	if ((ctxs = calloc(n > 0 ? n : 1, sizeof(*ctxs))) == NULL) {
		cfg_free(c);
		return 2;
	}
	for (i = 0; i < n; i++)
		if (flow_init(&ctxs[i], c, def_table[i].ep, &err) == -1) {
			fprintf(stderr, "synthforge-ctl: %s\n", err.message);
			flow_fini(&ctxs[i]);
			n = i;
			goto out;
		}
	if ((ran = flow_runner_drain(ctxs, n, &ctxs[0].jobs, o->once)) >= 0) {
		if (ran == 0)
			printf("no job to run\n");
		rc = 0;
	}
out:
	for (i = 0; i < n; i++)
		flow_fini(&ctxs[i]);
	free(ctxs);
	cfg_free(c);
	return rc;
}

static int
cmd_jobs(struct ledger *l, const struct ctl_opts *o)
{
	const char	*sub = o->nargs > 0 ? o->args[0] : "list";

	if (strcmp(sub, "list") == 0 && o->nargs <= 1)
		return cmd_jobs_list(l, o);
	if (strcmp(sub, "show") == 0 && o->nargs == 2)
		return cmd_jobs_show(l, o->args[1]);
	usage();
	return 2;
}

/*
 * Work in src that migrate cannot carry over: jobs still open (their
 * runners, leases and upstream references live in the jobs table, which
 * is not copied) and webhook deliveries still pending.  0 none (or
 * printed why not, 1), -1 error.
 */
static int
migrate_busy(struct ledger *src, struct sf_err *err)
{
	struct ledger_job	*jobs;
	struct ledger_webhook	*hooks;
	size_t			 n, i, open = 0;
	int64_t			 before = 0;

	do {
		if (ledger_job_list(src, NULL, before, 1000, &jobs, &n,
		    err) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			open += jobs[i].open != 0;
			before = jobs[i].seq;
		}
		ledger_jobs_free(jobs, n);
	} while (n == 1000);
	/* At most 100 read (each holds its body): enough to say so. */
	if (ledger_webhook_list(src, LEDGER_WEBHOOK_PENDING, NULL, 100, &hooks,
	    &i, err) == -1)
		return -1;
	ledger_webhooks_free(hooks, i);
	if (open == 0 && i == 0)
		return 0;
	fprintf(stderr, "synthforge-ctl: migrate: the SQLite ledger still has "
	    "%zu open job(s) and %zu%s pending webhook delivery(ies); nothing "
	    "was copied.  Let them finish (stop taking calls, then "
	    "`synthforge-ctl jobs run` and `webhooks send`, or wait), then "
	    "migrate\n", open, i, i == 100 ? " or more" : "");
	return 1;
}

/*
 * migrate: every row of the SQLite ledger at o->from into l (DB, usually
 * PostgreSQL), oldest first, whole (state, result, tx, times).  A row
 * whose key is already there is left as it is, so a second run copies
 * only what is new.  Settle what is pending first, or after: the rows
 * keep their state either way.  Refused while jobs or webhook
 * deliveries are unfinished (migrate_busy): their tables are not copied.
 */
static int
cmd_migrate(struct ledger *l, const struct ctl_opts *o)
{
	struct ledger		*src;
	struct ledger_payment	*rows;
	struct sf_err		 err;
	size_t			 n, i, copied = 0, there = 0;
	int			 rc;

	if (o->from == NULL || ledger_uri_is_pg(o->from)) {
		fprintf(stderr, "synthforge-ctl: migrate needs --from, the "
		    "path of a SQLite ledger\n");
		return 2;
	}
	if (access(o->from, R_OK) == -1) {
		fprintf(stderr, "synthforge-ctl: %s: cannot read\n", o->from);
		return 2;
	}
	if ((src = ledger_open(o->from, &err)) == NULL) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		return 2;
	}
	if ((rc = migrate_busy(src, &err)) != 0) {
		if (rc == -1)
			fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		ledger_close(src);
		return rc == -1 ? 2 : 1;
	}
	if (ledger_list(src, -1, 0, &rows, &n, &err) == -1) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		ledger_close(src);
		return 2;
	}
	for (i = n; i-- > 0;) {
		if ((rc = ledger_import(l, &rows[i], &err)) == -1) {
			fprintf(stderr, "synthforge-ctl: row %lld: %s\n",
			    (long long)rows[i].id, err.message);
			ledger_payments_free(rows, n);
			ledger_close(src);
			return 2;
		}
		if (rc == LEDGER_NEW)
			copied++;
		else
			there++;
	}
	printf("migrated\t%zu copied\t%zu already there\t%s -> %s\n",
	    copied, there, ledger_backend(src), ledger_backend(l));
	ledger_payments_free(rows, n);
	ledger_close(src);
	return 0;
}

/* A URL as listed: scheme, host and path; a query may hold a token. */
static void
ctl_url_shown(const char *url, char *out, size_t sz)
{
	snprintf(out, sz, "%.*s%s", (int)strcspn(url, "?#"), url,
	    url[strcspn(url, "?#")] != '\0' ? "?…" : "");
}

/* When (ms since the epoch) as UTC, or "-". */
static void
ctl_when(int64_t ms, char *out, size_t sz)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	if (ms <= 0 || ms > (int64_t)253402300799 * 1000 ||
	    gmtime_r(&t, &tm) == NULL)
		snprintf(out, sz, "-");
	else
		strftime(out, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
cmd_webhooks_list(struct ledger *l, const struct ctl_opts *o)
{
	struct ledger_webhook	*rows;
	struct sf_err		 err;
	size_t			 n, i;
	char			 url[300], next[32], last[32];

	if (ledger_webhook_list(l, o->state, o->job, o->limit, &rows, &n,
	    &err) == -1) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		return 2;
	}
	printf("id\tjob\tevent\tstate\tattempts\tnext\tlast\tstatus\t"
	    "url\terror\n");
	for (i = 0; i < n; i++) {
		ctl_url_shown(rows[i].url, url, sizeof(url));
		ctl_when(rows[i].state == LEDGER_WEBHOOK_PENDING ?
		    rows[i].next_ms : 0, next, sizeof(next));
		ctl_when(rows[i].last_ms, last, sizeof(last));
		printf("%lld\t%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\t%s\n",
		    (long long)rows[i].id, rows[i].job, rows[i].event,
		    ledger_webhook_state_name(rows[i].state),
		    rows[i].attempts, next, last, rows[i].last_status, url,
		    rows[i].last_error[0] ? rows[i].last_error : "-");
	}
	ledger_webhooks_free(rows, n);
	return 0;
}

/*
 * webhooks: list, retry one, or send what is due (once: a runner's pump
 * does it continuously).  The keys come from ctl_cfg (URL_ALLOW,
 * WEBHOOK_*), as the endpoints read them.
 */
static int
cmd_webhooks(struct ledger *l, const struct ctl_opts *o)
{
	struct webhook_config		 wc;
	struct webhook_pump_stats	 st;
	struct sf_err			 err;
	char				*end;
	long long			 id;
	int64_t				 now;
	int				 rc;

	if (o->sub == NULL)
		return cmd_webhooks_list(l, o);
	if (webhook_config_init(&wc, ctl_config(), &err) == -1) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		return 2;
	}
	if (strcmp(o->sub, "retry") == 0 && o->subarg != NULL) {
		id = strtoll(o->subarg, &end, 10);
		if (*end != '\0' || id <= 0) {
			usage();
			return 2;
		}
		now = now_wall_ms();
		if ((rc = ledger_webhook_retry(l, id, now, now + wc.retry_ms,
		    &err)) == -1) {
			fprintf(stderr, "synthforge-ctl: %s\n", err.message);
			return 2;
		}
		printf("%s\t%lld\n", rc == 1 ? "queued" : "not queued (no "
		    "such delivery, or delivered already)", id);
		return rc == 1 ? 0 : 1;
	}
	if (strcmp(o->sub, "send") == 0 && o->subarg == NULL) {
		if (webhook_pump(l, &wc, o->limit > 0 && o->limit <
		    WEBHOOK_PUMP_MAX ? (unsigned)o->limit : WEBHOOK_PUMP_MAX,
		    600000, &st, &err) == -1) {
			fprintf(stderr, "synthforge-ctl: %s\n", err.message);
			return 2;
		}
		printf("sent\t%u\tdelivered\t%u\tretrying\t%u\t"
		    "abandoned\t%u\n", st.taken, st.delivered, st.retrying,
		    st.abandoned);
		return st.retrying > 0 || st.abandoned > 0 ? 1 : 0;
	}
	usage();
	return 2;
}

/*
 * check: is this configuration ready to take money?  Everything a buyer
 * would hit as a 503, a payment to nowhere or a settlement that cannot
 * land, found before anyone is charged.  --mainnet judges a testnet file
 * as if its networks were mainnets (what is still missing to go live);
 * --online also asks the facilitator / chain.  Exit 0 ready, 1 not ready,
 * 2 the file itself is invalid.
 */
struct check_state {
	int	 strict;	/* offline routes are not acceptable */
	int	 bad;
	unsigned offline;
};

static void
check_line(struct check_state *st, int fatal, const char *what,
    const char *fmt, const char *a, const char *b)
{
	printf("%s\t%s\t", fatal ? "MISSING" : what, fatal ? what : "");
	printf(fmt, a, b);
	printf("\n");
	if (fatal)
		st->bad = 1;
}

static void
check_route_cb(void *arg, const struct def_endpoint *ep,
    const struct def_model *m, const struct route *rt,
    const struct sf_err *err)
{
	struct check_state	*st = arg;
	char			 id[256];

	snprintf(id, sizeof(id), "%s/%s", ep->name, m->id);
	/* A route refused for want of its key (video) is one more offline
	   route: a gap on mainnet, a note on testnets. */
	if (rt == NULL && strcmp(err->code, "offline_unsupported") != 0)
		check_line(st, 1, "route", "%s: %s", id, err->message);
	else {
		st->offline++;
		check_line(st, st->strict, "offline", "%s: %s", id,
		    rt != NULL ? rt->why : err->message);
	}
}

static int
check_private_file(const char *path, char *why, size_t sz)
{
	struct stat	 sb;

	if (stat(path, &sb) == -1) {
		snprintf(why, sz, "%s: cannot stat", path);
		return 0;
	}
	if ((sb.st_mode & 077) != 0) {
		snprintf(why, sz, "%s is readable by others (chmod 0600)", path);
		return 0;
	}
	return 1;
}

/*
 * A Solana network: payTo and mint are well-formed (cfg_load checked the
 * base58), and its facilitator supports the network and names a fee payer.
 */
static void
check_svm(const struct cfg *c, const struct cfg_net *n,
    struct check_state *st, int online)
{
	struct facilitator_config fc;
	struct sf_err		 err;
	const char		*url;
	char			*json = NULL, fp[B58_ADDR_STRLEN], why[256];

	url = n->facilitator_url[0] != '\0' ? n->facilitator_url :
	    cfg_get_or(c, "FACILITATOR_URL", "https://x402.org/facilitator");
	snprintf(why, sizeof(why), "payTo %s, USDC mint %s", n->pay_to,
	    n->asset);
	check_line(st, 0, "ok", "%s: %s", n->network, why);
	if (!online)
		return;
	memset(&fc, 0, sizeof(fc));
	fc.url = url;
	sf_err_clear(&err);
	if (facilitator_supported(&fc, &json, &err) == -1)
		check_line(st, 1, "facilitator", "%s: %s", url, err.message);
	else if (svm_fee_payer_parse(json, n->network, fp, why,
	    sizeof(why)) == -1)
		check_line(st, 1, "facilitator", "%s: %s", url, why);
	else {
		snprintf(why, sizeof(why), "facilitator %.120s, fee payer %s",
		    url, fp);
		check_line(st, 0, "ok", "%s: %s", n->network, why);
	}
	free(json);
}

static void
check_settlement(const struct cfg *c, struct check_state *st, int mainnet,
    int online)
{
	enum settle_mode	 mode;
	struct facilitator_config fc;
	struct rpc		 r;
	struct sf_err		 err;
	const char		*url, *rpc, *key, *id, *sec;
	char			*json = NULL, why[512];
	uint64_t		 chain;
	size_t			 i;

	if (settle_mode_parse(cfg_get_or(c, "SETTLE", "facilitator"),
	    &mode) == -1) {
		check_line(st, 1, "SETTLE", "%s%s", "must be facilitator or "
		    "direct", "");
		return;
	}
	rpc = cfg_get_or(c, "RPC_URL", "");
	if (mode == SETTLE_MODE_DIRECT) {
		key = cfg_get_or(c, "RELAYER_KEY_FILE", "");
		if (*rpc == '\0')
			check_line(st, 1, "RPC_URL", "%s%s",
			    "SETTLE=direct sends its own transactions", "");
		if (*key == '\0')
			check_line(st, 1, "RELAYER_KEY_FILE", "%s%s",
			    "SETTLE=direct needs the relayer's key", "");
		else if (!check_private_file(key, why, sizeof(why)))
			check_line(st, 1, "RELAYER_KEY_FILE", "%s%s", why, "");
		else
			check_line(st, 0, "ok", "settlement: direct, relayer "
			    "key %s%s", key, "");
	} else {
		url = cfg_get_or(c, "FACILITATOR_URL",
		    "https://x402.org/facilitator");
		id = cfg_get_or(c, "CDP_API_KEY_ID", "");
		sec = cfg_get_or(c, "CDP_API_KEY_SECRET", "");
		if (mainnet && strstr(url, "x402.org") != NULL)
			check_line(st, 1, "FACILITATOR_URL", "%s%s",
			    "the x402.org facilitator settles testnets only; "
			    "set a mainnet facilitator (e.g. CDP) or "
			    "SETTLE=direct", "");
		else if (strstr(url, "cdp.coinbase.com") != NULL &&
		    (*id == '\0' || *sec == '\0'))
			check_line(st, 1, "CDP_API_KEY_ID", "%s%s",
			    "the CDP facilitator needs CDP_API_KEY_ID and "
			    "CDP_API_KEY_SECRET", "");
		else
			check_line(st, 0, "ok", "settlement: facilitator %s%s",
			    url, "");
		for (i = 0; *rpc == '\0' && i < c->nnets; i++)
			if (!c->nets[i].svm && c->nets[i].rpc_url[0] == '\0')
				check_line(st, 0, "note", "%s: no RPC: unknown "
				    "settlements cannot be checked on chain",
				    c->nets[i].network, "");
		if (online) {
			memset(&fc, 0, sizeof(fc));
			fc.url = url;
			fc.cdp_key_id = *id ? id : NULL;
			fc.cdp_key_secret = *sec ? sec : NULL;
			sf_err_clear(&err);
			if (facilitator_supported(&fc, &json, &err) == -1)
				check_line(st, 1, "facilitator", "%s: %s", url,
				    err.message);
			else
				for (i = 0; i < c->nnets; i++)
					if (!c->nets[i].svm &&
					    strstr(json, c->nets[i].network) ==
					    NULL && (c->nets[i].network_v1[0] ==
					    '\0' || strstr(json,
					    c->nets[i].network_v1) == NULL))
						check_line(st, 1, "facilitator",
						    "%s does not list %s", url,
						    c->nets[i].network);
			free(json);
		}
	}
	if (online && *rpc != '\0') {
		memset(&r, 0, sizeof(r));
		r.url = rpc;
		sf_err_clear(&err);
		/* The URL may carry an API key: never print it. */
		if (rpc_chain_id(&r, &chain, &err) == -1)
			check_line(st, 1, "RPC_URL", "does not answer: %s%s",
			    err.code, "");
		else if (c->nnets > 0 && !c->nets[0].svm &&
		    chain != c->nets[0].chain_id)
			check_line(st, 1, "RPC_URL", "is chain %s, not %s",
			    "another", c->nets[0].network);
	}
	for (i = 0; i < c->nnets; i++)
		if (c->nets[i].svm)
			check_svm(c, &c->nets[i], st, online);
}

/*
 * /metrics publishes revenue per endpoint: on mainnet only behind
 * METRICS_TOKEN, unless the seller publishes it on purpose.
 */
static void
check_metrics(const struct cfg *c, struct check_state *st, int mainnet)
{
	const char	*tok = cfg_get(c, "METRICS_TOKEN");
	const char	*pub = cfg_get(c, "METRICS_PUBLIC");

	if (tok != NULL && *tok != '\0')
		check_line(st, 0, "ok", "/metrics behind METRICS_TOKEN%s%s", "",
		    "");
	else if (pub != NULL && strcmp(pub, "1") == 0)
		check_line(st, 0, "note", "/metrics is public on purpose "
		    "(METRICS_PUBLIC=1): anyone reads revenue per endpoint%s%s",
		    "", "");
	else if (mainnet)
		check_line(st, 1, "METRICS_TOKEN", "%s%s", "unset on mainnet: "
		    "/metrics (revenue per endpoint) answers 403; set "
		    "METRICS_TOKEN, or METRICS_PUBLIC=1 to publish it", "");
}

/* check --online: a routed model its provider no longer lists. */
static void
check_model_cb(void *arg, const struct def_endpoint *ep,
    const struct def_model *m, const struct route *rt,
    enum catalog_state st, const char *why)
{
	struct check_state	*s = arg;
	char			 id[512];

	if (st == CATALOG_OK || (st == CATALOG_UNCHECKED &&
	    (rt == NULL || rt->offline)))
		return;
	snprintf(id, sizeof(id), "%s %s (%s:%s)", ep->path, m->id,
	    rt->provider, rt->upstream);
	check_line(s, st == CATALOG_MISSING, st == CATALOG_MISSING ?
	    "model" : "note", "%s: %s", id, why);
}

/* check --online: a difference between fal's served input schema and
   the contract (providers/fal_schema.h). */
static void
check_schema_cb(void *arg, const struct def_endpoint *ep,
    const struct def_model *m, const char *upstream, int breaking,
    const char *what)
{
	struct check_state	*s = arg;
	char			 id[512];

	snprintf(id, sizeof(id), "%s %s (fal:%s)", ep->path, m->id, upstream);
	check_line(s, breaking, "schema", "%s: %s", id, what);
}

static void
check_models(const struct cfg *c, struct check_state *st)
{
	int	 n;

	n = catalog_check_save(c, def_table, 15000, check_model_cb, st);
	if (n == -1)
		check_line(st, 0, "note", "%s%s", "could not write "
		    "MODEL_CHECK_FILE; /healthz will not show this result", "");
	else if (n == 0)
		check_line(st, 0, "ok", "every routed model is in its provider's "
		    "catalogue%s%s", "", "");
	if (cfg_get(c, "FAL_KEY") == NULL)
		return;
	n = catalog_fal_schemas(c, def_table, 15000, check_schema_cb, st);
	if (n == -1)
		check_line(st, 0, "note", "could not read FAL_CONTRACTS_FILE "
		    "(%s): fal's input schemas not compared%s", cfg_get_or(c,
		    "FAL_CONTRACTS_FILE", "etc/fal-contracts.json"), "");
	else if (n == 0)
		check_line(st, 0, "ok", "fal serves no input schema that breaks "
		    "the contract the tests were built from%s%s", "", "");
}

/* --online: the network's RPC answers (eth_chainId on its chain, Solana
   getHealth), else it runs degraded, or is on another chain. */
static void
check_rpc_online(const struct cfg *c, const struct cfg_net *n,
    struct check_state *st)
{
	struct rpc	 r;
	struct sf_err	 err;
	cJSON		*res = NULL;
	uint64_t	 id = 0;
	char		 line[400];
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.url = n->rpc_url;
	r.connect_ms = r.total_ms = c->rpc_timeout_ms;
	sf_err_clear(&err);
	rc = n->svm ? rpc_call(&r, "getHealth", NULL, &res, &err) :
	    rpc_chain_id(&r, &id, &err);
	cJSON_Delete(res);
	if (rc == -1)
		snprintf(line, sizeof(line), "%s: the RPC does not answer "
		    "(%s): payments are proven by the facilitator's /verify, "
		    "one unsettled payment per wallet", n->network, err.code);
	else if (!n->svm && id != n->chain_id)
		snprintf(line, sizeof(line), "%s: the RPC is chain %llu, not "
		    "%llu", n->network, (unsigned long long)id, n->chain_id);
	else
		return;
	check_line(st, rc == 0, rc == 0 ? "RPC_URL" : "degraded", "%s%s",
	    line, "");
}

/*
 * One network's proof before work: on chain with its RPC (configured, or
 * its public default: say which, and its host when public), or the
 * facilitator's /verify.  --online asks the RPC: one that does not answer
 * runs degraded, not down.
 */
static void
check_prove_net(const struct cfg *c, const struct cfg_net *n,
    struct check_state *st, int online)
{
	char		 line[600];
	const char	*h, *how = n->svm ? "the facilitator's /verify, the "
			    "balance read on chain for the exposure rule" :
			    "on chain (balance, nonce, simulated transfer)";

	if (n->rpc_url[0] == '\0') {
		snprintf(line, sizeof(line), "%s: payments proven settleable "
		    "before work by the facilitator's /verify, one unsettled "
		    "payment per wallet (RPC %s)", n->network,
		    n->rpc_src == CFG_RPC_OFF ? "turned off" : "unknown: set "
		    "RPC_URL_<NETWORK>");
		check_line(st, 0, "ok", "%s%s", line, "");
		return;
	}
	h = strstr(n->rpc_url, "://");
	snprintf(line, sizeof(line), "%s: payments proven settleable before "
	    "work %s, RPC %s%.*s", n->network, how, n->rpc_src ==
	    CFG_RPC_DEFAULT ? "public default " : "configured",
	    n->rpc_src == CFG_RPC_DEFAULT && h ? (int)strcspn(h + 3, "/?#") :
	    0, h ? h + 3 : "");
	check_line(st, 0, "ok", "%s%s", line, "");
	if (n->rpc_src == CFG_RPC_DEFAULT && n->mainnet)
		check_line(st, 0, "note", "%s: %s", n->network, "a shared, "
		    "rate-limited public RPC sees every payer and nonce; set "
		    "RPC_URL_<NETWORK> to your own for production");
	if (online)
		check_rpc_online(c, n, st);
}

/* Settleability before work (docs/money-path.md). */
static void
check_prove(const struct cfg *c, struct check_state *st, int online)
{
	struct sf_err	 err;
	size_t		 i;

	sf_err_clear(&err);
	if (flow_can_prove(c, &err) == -1) {
		check_line(st, 1, "RPC_URL", "%s%s", err.message, "");
		return;
	}
	for (i = 0; i < c->nnets; i++)
		check_prove_net(c, &c->nets[i], st, online);
	printf("ok\t\tper payer: at most %u paid calls in flight; "
	    "unsettled payments + this one within the balance; window = "
	    "deadline + %u s\n", c->max_inflight, c->settle_margin);
}

/*
 * The ledger: which backend; with --online, a PostgreSQL ledger is asked
 * whether a claim could be written now (the schema is brought up as the
 * endpoints would).  A SQLite file is not opened: that would create it.
 */
static void
check_ledger(const struct cfg *c, struct check_state *st, int online)
{
	struct ledger	*l;
	struct sf_err	 err;
	const char	*db = cfg_get_or(c, "DB", "var/ledger.db");

	if (!ledger_uri_is_pg(db)) {
		check_line(st, 0, "ok", "ledger: SQLite %s%s", db,
		    " (one host)");
		return;
	}
	if (!online) {
		check_line(st, 0, "ok", "ledger: PostgreSQL%s%s", "",
		    " (--online connects)");
		return;
	}
	sf_err_clear(&err);
	if ((l = ledger_open(db, &err)) == NULL ||
	    ledger_writable(l, &err) == -1)
		check_line(st, 1, "DB", "%s%s", "PostgreSQL ledger: ",
		    err.message);
	else
		check_line(st, 0, "ok", "ledger: PostgreSQL%s%s", "",
		    ", writable");
	ledger_close(l);
}

/*
 * make run gives a testnet run without PAY_TO the development wallet in
 * var/dev-wallet.key (etc/run.sh, sf-devwallet) through the endpoints'
 * environment; check sees the same wallet, or says how to get one.  The
 * configuration is loaded again with it; a mainnet one still refuses.
 */
#define CTL_DEV_WALLET	"var/dev-wallet.key"

static struct cfg *
check_load_dev_wallet(const char *path, struct sf_err *err)
{
	uint8_t		 key[32];
	char		 addr[43];
	struct sf_err	 e;
	struct cfg	*c;

	sf_err_clear(&e);
	if (settle_direct_load_key(CTL_DEV_WALLET, key, addr, &e) == -1) {
		explicit_bzero(key, sizeof(key));
		/* A Solana PAY_TO_<NET> is missing: no wallet helps there. */
		if (strstr(err->message, "development wallet") == NULL)
			return NULL;
		sf_err_set(err, 500, "config_missing", "PAY_TO",
		    "PAY_TO is not set and there is no development wallet "
		    "(%s: %s): `make run` creates one on testnets, or set "
		    "PAY_TO", CTL_DEV_WALLET, e.message);
		return NULL;
	}
	explicit_bzero(key, sizeof(key));
	setenv("SYNTHFORGE_PAY_TO", addr, 1);
	if ((c = cfg_load(path, err)) == NULL)
		return NULL;
	if (c->any_mainnet) {
		cfg_free(c);
		sf_err_set(err, 500, "config_missing", "PAY_TO",
		    "PAY_TO is required on mainnet networks (the development "
		    "wallet is for testnets only)");
		return NULL;
	}
	printf("note\t\tPAY_TO not set: the development wallet %s of make "
	    "run (%s)\n", addr, CTL_DEV_WALLET);
	return c;
}

static int
cmd_check(int argc, char *argv[])
{
	struct check_state	 st;
	struct sf_err		 err;
	struct cfg		*c;
	const char		*path = NULL, *v;
	int			 i, mainnet_flag = 0, online = 0, mainnet, live;
	size_t			 n;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--mainnet") == 0)
			mainnet_flag = 1;
		else if (strcmp(argv[i], "--online") == 0)
			online = 1;
		else if (argv[i][0] != '-' && path == NULL)
			path = argv[i];
		else {
			usage();
			return 2;
		}
	}
	memset(&st, 0, sizeof(st));
	sf_err_clear(&err);
	c = cfg_load(path, &err);
	if (c == NULL && strcmp(err.field, "PAY_TO") == 0 &&
	    strcmp(err.code, "config_missing") == 0 &&
	    cfg_get(NULL, "PAY_TO") == NULL)
		c = check_load_dev_wallet(path, &err);
	if (c == NULL) {
		printf("INVALID\t%s\t%s\n", err.field[0] ? err.field : "-",
		    err.message);
		return strcmp(err.code, "config_missing") == 0 ? 1 : 2;
	}
	/* The keys the endpoints check at start-up (serve_check_cfg). */
	if (serve_check_keys(c, &err) == -1) {
		printf("INVALID\t%s\t%s\n", err.field[0] ? err.field : "-",
		    err.message);
		cfg_free(c);
		return strcmp(err.code, "config_missing") == 0 ? 1 : 2;
	}
	mainnet = c->any_mainnet || mainnet_flag;
	printf("config\t%s\n", c->path != NULL ? c->path :
	    "(defaults and environment)");
	for (n = 0; n < c->nnets; n++)
		printf("network\t%s\t%s\t%s\n", c->nets[n].network,
		    c->nets[n].mainnet ? "mainnet" : "testnet",
		    c->nets[n].asset);
	if (!c->any_mainnet)
		printf("note\t\ttestnet only%s\n", mainnet_flag ?
		    "; judged as mainnet (--mainnet)" : "; --mainnet shows "
		    "what going live still needs");
	if (strcmp(c->pay_to, "0x0000000000000000000000000000000000000000")
	    == 0)
		check_line(&st, 1, "PAY_TO", "%s%s", "is the zero address", "");
	else
		check_line(&st, 0, "ok", "PAY_TO %s%s", c->pay_to, "");
	if (mainnet && (v = cfg_get(c, "PUBLIC_URL")) != NULL &&
	    strncmp(v, "https://", 8) != 0)
		check_line(&st, 1, "PUBLIC_URL", "%s%s", "must be https on "
		    "mainnet", "");
	else if (mainnet && cfg_get(c, "PUBLIC_URL") == NULL)
		check_line(&st, 1, "PUBLIC_URL", "%s%s", "is unset: 402s would "
		    "name http://127.0.0.1 as the resource", "");
	/* Routes as a testnet sees them, so each offline one says why. */
	st.strict = mainnet;
	live = c->any_mainnet;
	c->any_mainnet = 0;
	(void)route_list_offline(c, def_table, check_route_cb, &st);
	c->any_mainnet = live;
	if (st.offline == 0)
		check_line(&st, 0, "ok", "every route has its provider key%s%s",
		    "", "");
	else if (!mainnet)
		check_line(&st, 0, "note", "%s%s", "offline routes sell "
		    "placeholder media on testnets; on mainnet they answer 503",
		    "");
	check_settlement(c, &st, mainnet, online);
	check_metrics(c, &st, mainnet);
	if (online)
		check_models(c, &st);
	check_prove(c, &st, online);
	check_ledger(c, &st, online);
	printf("%s\n", st.bad ? "NOT READY" : "ready");
	cfg_free(c);
	return st.bad ? 1 : 0;
}

int
main(int argc, char *argv[])
{
	struct ctl_opts	 o;
	struct ledger	*l;
	struct sf_err	 err;
	char		 lock[1024];
	int		 rc;

	/* check reads the configuration file, not the ledger options. */
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return cmd_check(argc, argv);
	if (ctl_options(argc, argv, &o) == -1) {
		usage();
		return 2;
	}
	if (strcmp(o.cmd, "list") != 0 && strcmp(o.cmd, "revenue") != 0 &&
	    strcmp(o.cmd, "settle-pending") != 0 &&
	    strcmp(o.cmd, "migrate") != 0 && strcmp(o.cmd, "jobs") != 0 &&
	    strcmp(o.cmd, "webhooks") != 0) {
		usage();
		return 2;
	}
	if (o.nargs > 0 && strcmp(o.cmd, "jobs") != 0 &&
	    strcmp(o.cmd, "webhooks") != 0) {
		usage();
		return 2;
	}
	/* jobs run works as the endpoints do: their configuration. */
	if (strcmp(o.cmd, "jobs") == 0 && o.nargs == 1 &&
	    strcmp(o.args[0], "run") == 0)
		return cmd_jobs_run(&o);
	/* A PostgreSQL ledger opens even when unreachable: say so now. */
	if ((l = ledger_open(o.db, &err)) == NULL ||
	    ((ledger_uri_is_pg(o.db) || (strcmp(o.cmd, "list") != 0 &&
	    strcmp(o.cmd, "jobs") != 0)) && strcmp(o.cmd, "revenue") != 0 &&
	    ledger_writable(l, &err) == -1)) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		ledger_close(l);
		return 2;
	}
	/* The relayer nonce lock lives where the server's does (flow.c). */
	if (ledger_uri_is_pg(o.db))
		lock[0] = '\0';
	else
		snprintf(lock, sizeof(lock), "%s.nonce.lock", o.db);
	if (strcmp(o.cmd, "list") == 0)
		rc = cmd_list(l, &o);
	else if (strcmp(o.cmd, "revenue") == 0)
		rc = cmd_revenue(l);
	else if (strcmp(o.cmd, "migrate") == 0)
		rc = cmd_migrate(l, &o);
	else if (strcmp(o.cmd, "jobs") == 0)
		rc = cmd_jobs(l, &o);
	else if (strcmp(o.cmd, "webhooks") == 0)
		rc = cmd_webhooks(l, &o);
	else
		rc = cmd_settle_pending(l, &o, lock);
	ledger_close(l);
	return rc;
}
