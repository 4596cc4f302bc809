/*
 * x402 facilitator client: POST /verify, POST /settle, GET /supported
 * (x402.md §7).  Payload and requirements go in as JSON text so this does
 * not depend on the verifier's structs.  Outcomes: OK, FAILED (the
 * facilitator answered "no", with its reason) and UNKNOWN (no usable answer:
 * a settle may or may not have landed; reconcile on chain).
 */
#ifndef SF_FACILITATOR_H
#define SF_FACILITATOR_H

struct sf_err;

enum facilitator_outcome {
	FACILITATOR_OK = 0,
	FACILITATOR_FAILED,
	FACILITATOR_UNKNOWN,
};

struct facilitator_config {
	const char	*url;		/* base, e.g. https://x402.org/facilitator */
	long		 connect_ms;	/* 0 = 5000 */
	long		 verify_ms;	/* total, 0 = 10000 */
	long		 settle_ms;	/* total, 0 = 60000 */
	const char	*cdp_key_id;	/* both set: CDP JWT auth */
	const char	*cdp_key_secret; /* PEM P-256 key; never logged */
	int		 supported_tries; /* GET /supported attempts, 0 = 3 */
};

struct facilitator_result {
	enum facilitator_outcome outcome;
	int		success;	/* isValid (verify) / success (settle) */
	long		http_status;	/* 0 = no HTTP answer */
	char		transaction[96];	/* 0x hash or base58 signature */
	char		network[48];
	char		payer[48];
	char		reason[128];	/* invalidReason / errorReason / ours */
	char		message[512];	/* invalidMessage / errorMessage / ours */
};

/* Each returns the outcome (never -1); r is always filled. */
enum facilitator_outcome facilitator_verify(const struct facilitator_config *,
	    int x402_version, const char *payload_json,
	    const char *requirements_json, struct facilitator_result *);
enum facilitator_outcome facilitator_settle(const struct facilitator_config *,
	    int x402_version, const char *payload_json,
	    const char *requirements_json, struct facilitator_result *);
/* GET /supported; *json is malloc'd.  0 or -1. */
int	facilitator_supported(const struct facilitator_config *, char **json,
	    struct sf_err *);
const char *facilitator_outcome_name(enum facilitator_outcome);

#endif
