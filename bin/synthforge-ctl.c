/*
 * synthforge-ctl: look at the payment ledger and finish settlements.
 *
 *   synthforge-ctl [options] list [--state S] [--limit N]
 *   synthforge-ctl [options] revenue
 *   synthforge-ctl [options] settle-pending [--min-age SECONDS]
 *
 * Settings come from the environment (DB, SETTLE, FACILITATOR_URL, RPC_URL,
 * RELAYER_KEY_FILE, CDP_API_KEY_ID, CDP_API_KEY_SECRET) and can be
 * overridden by --db, --settle, --facilitator-url, --rpc-url,
 * --relayer-key-file.  Exit: 0 fine, 1 a settlement failed or is unknown,
 * 2 usage or setup error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "ledger.h"
#include "settle.h"

struct ctl_opts {
	const char	*db;
	const char	*settle;
	const char	*facilitator_url;
	const char	*rpc_url;
	const char	*key_file;
	const char	*cdp_key_id;
	const char	*cdp_key_secret;
	const char	*cmd;
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
	    "revenue |\n\tsettle-pending [--min-age seconds]\n");
}

static const char *
env(const char *k)
{
	const char	*v = getenv(k);

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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char	*end;
	int	 c;

	memset(o, 0, sizeof(*o));
	o->db = env("DB");
	o->settle = env("SETTLE");
	o->facilitator_url = env("FACILITATOR_URL");
	o->rpc_url = env("RPC_URL");
	o->key_file = env("RELAYER_KEY_FILE");
	o->cdp_key_id = env("CDP_API_KEY_ID");
	o->cdp_key_secret = env("CDP_API_KEY_SECRET");
	o->state = -1;
	o->min_age = 30;
	/* "+": options may come before or after the command word. */
	while (optind < argc) {
		if ((c = getopt_long(argc, argv, "+h", lo, NULL)) == -1) {
			if (o->cmd != NULL)
				return -1;
			o->cmd = argv[optind++];
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
			if ((o->state = ledger_state_parse(optarg)) < 0)
				return -1;
			break;
		case 'n':
			o->limit = strtoul(optarg, &end, 10);
			if (*end != '\0')
				return -1;
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

static int
cmd_settle_pending(struct ledger *l, const struct ctl_opts *o,
    const char *lock)
{
	struct settle_config	 cfg;
	struct settle_result	 r;
	struct ledger_payment	*rows;
	struct sf_err		 err;
	size_t			 n, i;
	int			 bad = 0;

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

	if (ledger_pending_settlement(l, (int64_t)time(NULL), o->min_age,
	    &rows, &n, &err) == -1) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		return 2;
	}
	if (n == 0)
		printf("nothing to settle\n");
	for (i = 0; i < n; i++) {
		settle_payment(&cfg, rows[i].x402_version, rows[i].payload,
		    rows[i].requirements, &r);
		switch (r.outcome) {
		case SETTLE_OK:
			if (ledger_set_settled(l, rows[i].id, r.tx,
			    r.chain_checked ? r.message : NULL, &err) == -1)
				goto dberr;
			printf("settled\t%lld\t%s\t%s\n",
			    (long long)rows[i].id, r.tx[0] ? r.tx : "-",
			    r.message[0] ? r.message : "-");
			break;
		case SETTLE_FAILED:
			bad = 1;
			if (ledger_set_state(l, rows[i].id, -1,
			    LEDGER_SETTLE_FAILED, r.reason, &err) == -1)
				goto dberr;
			printf("failed\t%lld\t%s%s\t%s\n", (long long)rows[i].id,
			    r.reason, r.retryable ? " (retryable)" : "",
			    r.message);
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

int
main(int argc, char *argv[])
{
	struct ctl_opts	 o;
	struct ledger	*l;
	struct sf_err	 err;
	char		 lock[1024];
	int		 rc;

	if (ctl_options(argc, argv, &o) == -1) {
		usage();
		return 2;
	}
	if (strcmp(o.cmd, "list") != 0 && strcmp(o.cmd, "revenue") != 0 &&
	    strcmp(o.cmd, "settle-pending") != 0) {
		usage();
		return 2;
	}
	if ((l = ledger_open(o.db, &err)) == NULL) {
		fprintf(stderr, "synthforge-ctl: %s\n", err.message);
		return 2;
	}
	/* The relayer nonce lock lives next to the ledger, as the server's. */
	snprintf(lock, sizeof(lock), "%s.nonce.lock", o.db);
	if (strcmp(o.cmd, "list") == 0)
		rc = cmd_list(l, &o);
	else if (strcmp(o.cmd, "revenue") == 0)
		rc = cmd_revenue(l);
	else
		rc = cmd_settle_pending(l, &o, lock);
	ledger_close(l);
	return rc;
}
