/*
 * Driver for svm_diff.mjs: one case per input line,
 *	feePayer mint payTo amount decimals base64-transaction
 * prints one line per case: what the decoder saw ("decode-error" or
 * "v=<version> sigs=<n> keys=<n> ix=<n> bh=<blockhash>") then the verdict
 * ("valid <payer> <payer signature>" or "invalid <reason>").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/b58.h"
#include "basics/b64.h"
#include "x402/svm/svm_tx.h"
#include "x402/svm/svm_verify.h"

static void
one(char *line)
{
	struct svm_expect	 e;
	struct svm_verdict	 v;
	struct svm_tx		 t;
	char			*f[6], *save = NULL, bh[B58_ADDR_STRLEN];
	unsigned char		*tx;
	size_t			 len, i;

	for (i = 0; i < 6; i++)
		if ((f[i] = strtok_r(i ? NULL : line, " \n", &save)) == NULL) {
			printf("bad-line\n");
			return;
		}
	memset(&e, 0, sizeof(e));
	if (b58_decode_fixed(f[0], e.fee_payer, 32) == -1 ||
	    b58_decode_fixed(f[1], e.mint, 32) == -1 ||
	    b58_decode_fixed(f[2], e.pay_to, 32) == -1 ||
	    (tx = b64_decode(f[5], &len)) == NULL) {
		printf("bad-line\n");
		return;
	}
	e.amount = strtoull(f[3], NULL, 10);
	e.decimals = (uint8_t)atoi(f[4]);
	if (svm_tx_decode(tx, len, &t, NULL) == -1)
		printf("decode-error ");
	else {
		b58_encode(t.blockhash, 32, bh, sizeof(bh));
		printf("v=%d sigs=%zu keys=%zu ix=%zu bh=%s ", t.version, t.nsigs,
		    t.nkeys, t.nix, bh);
	}
	svm_verify_tx(tx, len, &e, &v);
	if (v.valid)
		printf("valid %s %s\n", v.payer, v.payer_sig);
	else
		printf("invalid %s\n", v.reason);
	free(tx);
}

int
main(void)
{
	char	*line = NULL;
	size_t	 cap = 0;

	while (getline(&line, &cap, stdin) != -1)
		one(line);
	free(line);
	return 0;
}
