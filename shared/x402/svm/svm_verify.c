#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "basics/b58.h"
#include "x402/svm/svm_ata.h"
#include "x402/svm/svm_tx.h"
#include "x402/svm/svm_verify.h"

static pthread_once_t	svm_verify_once = PTHREAD_ONCE_INIT;
static int		svm_verify_sodium = -1;

static void
svm_verify_init(void)
{
	svm_verify_sodium = sodium_init() < 0 ? -1 : 0;
}

static int
svm_fail(struct svm_verdict *v, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
svm_fail(struct svm_verdict *v, const char *reason, const char *fmt, ...)
{
	va_list	 ap;

	v->valid = 0;
	v->reason = reason;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
	return 0;
}

static uint64_t
svm_le64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int
svm_is(const struct svm_tx *t, uint8_t idx, const uint8_t prog[32])
{
	return memcmp(svm_tx_key(t, idx), prog, 32) == 0;
}

/* Every signer but the fee payer (slot 0, filled at settlement) signed. */
static int
svm_verify_sigs(const struct svm_tx *t, struct svm_verdict *v)
{
	size_t	 i;

	for (i = 1; i < t->nsigs; i++)
		if (crypto_sign_ed25519_verify_detached(t->sigs + 64 * i,
		    t->msg, t->msg_len, svm_tx_key(t, i)) != 0)
			return svm_fail(v, SVM_R_SIGNATURE, "signature %zu "
			    "does not verify over the message", i), -1;
	return 0;
}

static int
svm_verify_budget(const struct svm_tx *t, struct svm_verdict *v)
{
	const struct svm_ix	*l = &t->ix[0], *p = &t->ix[1];
	uint64_t		 price;

	if (!svm_is(t, l->program, svm_compute_budget_program) ||
	    l->ndata != 5 || l->data[0] != 2 || l->naccounts != 0)
		return svm_fail(v, SVM_R_CU_LIMIT, "instruction 0 is not "
		    "SetComputeUnitLimit"), -1;
	if (!svm_is(t, p->program, svm_compute_budget_program) ||
	    p->ndata != 9 || p->data[0] != 3 || p->naccounts != 0)
		return svm_fail(v, SVM_R_CU_PRICE, "instruction 1 is not "
		    "SetComputeUnitPrice"), -1;
	price = svm_le64(p->data + 1);
	if (price > SVM_MAX_CU_PRICE)
		return svm_fail(v, SVM_R_CU_PRICE_HIGH, "compute unit price "
		    "%llu µlamports is above %llu", (unsigned long long)price,
		    SVM_MAX_CU_PRICE), -1;
	return 0;
}

/* [2] TransferChecked: source, mint, destination, authority. */
static int
svm_verify_transfer(const struct svm_tx *t, const struct svm_expect *e,
    struct svm_verdict *v)
{
	const struct svm_ix	*x = &t->ix[2];
	const uint8_t		*prog, *src, *mint, *dst, *auth;
	uint8_t			 ata[32];
	uint64_t		 amount;

	v->token2022 = svm_is(t, x->program, svm_token2022_program);
	if ((!svm_is(t, x->program, svm_token_program) && !v->token2022) ||
	    x->ndata != 10 || x->data[0] != 12 || x->naccounts != 4)
		return svm_fail(v, SVM_R_NO_TRANSFER, "instruction 2 is not a "
		    "TransferChecked of SPL Token or Token-2022"), -1;
	prog = svm_tx_key(t, x->program);
	src = svm_tx_key(t, x->accounts[0]);
	mint = svm_tx_key(t, x->accounts[1]);
	dst = svm_tx_key(t, x->accounts[2]);
	auth = svm_tx_key(t, x->accounts[3]);
	b58_encode(auth, 32, v->payer, sizeof(v->payer));
	if (memcmp(auth, e->fee_payer, 32) == 0 ||
	    memcmp(src, e->fee_payer, 32) == 0)
		return svm_fail(v, SVM_R_FEE_PAYER_FUNDS, "the fee payer may "
		    "not be the transfer's authority or source"), -1;
	if (memcmp(mint, e->mint, 32) != 0)
		return svm_fail(v, SVM_R_MINT, "the mint is not the asset "
		    "offered"), -1;
	if (svm_ata(e->pay_to, e->mint, prog, ata) == -1 ||
	    memcmp(dst, ata, 32) != 0)
		return svm_fail(v, SVM_R_RECIPIENT, "the destination is not "
		    "the associated token account of payTo"), -1;
	amount = svm_le64(x->data + 1);
	if (amount != e->amount)
		return svm_fail(v, SVM_R_AMOUNT, "amount %llu is not the price "
		    "%llu", (unsigned long long)amount,
		    (unsigned long long)e->amount), -1;
	if (x->data[9] != e->decimals)
		return svm_fail(v, SVM_R_DECIMALS, "decimals %u, the mint has "
		    "%u", x->data[9], e->decimals), -1;
	/* The authority must sign, and pay from its own token account. */
	if (x->accounts[3] >= t->nreq_sigs)
		return svm_fail(v, SVM_R_SIGNATURE, "the transfer's authority "
		    "did not sign"), -1;
	if (svm_ata(auth, e->mint, prog, ata) == -1 ||
	    memcmp(src, ata, 32) != 0)
		return svm_fail(v, SVM_R_SOURCE, "the source is not the "
		    "associated token account of the signer"), -1;
	b58_encode(src, 32, v->source, sizeof(v->source));
	return 0;
}

static int
svm_verify_rest(const struct svm_tx *t, struct svm_verdict *v)
{
	size_t	 i, j;

	for (i = 3; i < t->nix; i++)
		if (!svm_is(t, t->ix[i].program, svm_memo_program) &&
		    !svm_is(t, t->ix[i].program, svm_lighthouse_program))
			return svm_fail(v, SVM_R_UNKNOWN_IX, "instruction %zu "
			    "is neither Memo nor Lighthouse", i), -1;
	for (i = 0; i < t->nix; i++)
		for (j = 0; j < t->ix[i].naccounts; j++)
			if (t->ix[i].accounts[j] == 0)
				return svm_fail(v, SVM_R_FEE_PAYER_IX, "the fee "
				    "payer appears in instruction %zu", i), -1;
	return 0;
}

int
svm_verify_tx(const uint8_t *tx, size_t len, const struct svm_expect *e,
    struct svm_verdict *v)
{
	struct svm_tx	 t;
	const char	*why = NULL;
	size_t		 payer_idx;

	memset(v, 0, sizeof(*v));
	if (pthread_once(&svm_verify_once, svm_verify_init) != 0 ||
	    svm_verify_sodium == -1)
		return svm_fail(v, SVM_R_DECODE, "libsodium unavailable");
	if (svm_tx_decode(tx, len, &t, &why) == -1)
		return svm_fail(v, SVM_R_DECODE, "%s", why);
	memcpy(v->blockhash, t.blockhash, 32);
	if (memcmp(svm_tx_key(&t, 0), e->fee_payer, 32) != 0)
		return svm_fail(v, SVM_R_FEE_PAYER, "the transaction's fee payer "
		    "is not the facilitator's");
	if (t.nix < 3 || t.nix > 7)
		return svm_fail(v, SVM_R_IX_LEN, "%zu instructions; 3 to 7 "
		    "expected", t.nix);
	if (svm_verify_budget(&t, v) == -1 ||
	    svm_verify_transfer(&t, e, v) == -1 ||
	    svm_verify_rest(&t, v) == -1 || svm_verify_sigs(&t, v) == -1)
		return 0;
	payer_idx = t.ix[2].accounts[3];
	b58_encode(t.sigs + 64 * payer_idx, 64, v->payer_sig,
	    sizeof(v->payer_sig));
	v->valid = 1;
	snprintf(v->message, sizeof(v->message), "payment from %s verified",
	    v->payer);
	return 0;
}
