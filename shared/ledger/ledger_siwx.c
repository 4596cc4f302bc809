/*
 * Sign-In-With-X nonces (ledger_siwx.h): the values of the three
 * statements; the backends run them (ledger_be.h).
 */
#include <string.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"
#include "ledger/ledger_siwx.h"

/* 1..LEDGER_SIWX_NONCE_MAX printable ASCII characters. */
static int
ledger_siwx_ok(const char *nonce, struct sf_err *err)
{
	size_t	 i;

	for (i = 0; nonce != NULL && nonce[i] != '\0'; i++)
		if (nonce[i] <= 0x20 || nonce[i] >= 0x7f ||
		    i >= LEDGER_SIWX_NONCE_MAX)
			break;
	if (nonce == NULL || i == 0 || nonce[i] != '\0')
		return sf_err_set(err, 500, "internal_error", NULL,
		    "ledger_siwx: malformed nonce");
	return 0;
}

int
ledger_siwx_nonce_issue(struct ledger *l, const char *nonce,
    int64_t expires_ms, struct sf_err *err)
{
	struct ledger_val	 v[2];
	int			 rc;

	if (ledger_siwx_ok(nonce, err) == -1)
		return -1;
	v[0] = ledger_v_text(nonce);
	v[1] = ledger_v_int(expires_ms);
	if ((rc = ledger_be_run(l, LEDGER_SIWX_ISSUE, v, 2, NULL, NULL,
	    err)) < 0)
		return -1;
	return rc > 0 ? 1 : 0;
}

int
ledger_siwx_nonce_consume(struct ledger *l, const char *nonce,
    int64_t now_ms, struct sf_err *err)
{
	struct ledger_val	 v[2];
	int			 rc;

	if (ledger_siwx_ok(nonce, err) == -1)
		return -1;
	v[0] = ledger_v_text(nonce);
	v[1] = ledger_v_int(now_ms);
	if ((rc = ledger_be_run(l, LEDGER_SIWX_CONSUME, v, 2, NULL, NULL,
	    err)) < 0)
		return -1;
	return rc == 1 ? 1 : 0;
}

int
ledger_siwx_nonce_prune(struct ledger *l, int64_t now_ms, struct sf_err *err)
{
	struct ledger_val	 v[1] = { ledger_v_int(now_ms) };

	return ledger_be_run(l, LEDGER_SIWX_PRUNE, v, 1, NULL, NULL, err);
}
