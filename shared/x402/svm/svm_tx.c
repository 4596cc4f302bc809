#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "x402/svm/svm_tx.h"

struct svm_rd {
	const uint8_t	*p;
	size_t		 n, off;
};

/* compact-u16: 1-3 bytes, 7 bits each, no redundant trailing zero byte. */
static int
svm_rd_cu16(struct svm_rd *r, size_t *out)
{
	size_t	 v = 0, i;
	uint8_t	 b;

	for (i = 0; i < 3; i++) {
		if (r->off >= r->n)
			return -1;
		b = r->p[r->off++];
		if (i == 2 && b > 0x03)
			return -1;	/* beyond 0xffff */
		v |= (size_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			if (i > 0 && b == 0)
				return -1;	/* non-minimal */
			*out = v;
			return 0;
		}
	}
	return -1;
}

static const uint8_t *
svm_rd_take(struct svm_rd *r, size_t len)
{
	const uint8_t	*p;

	if (len > r->n - r->off)
		return NULL;
	p = r->p + r->off;
	r->off += len;
	return p;
}

static int
svm_tx_fail(const char **why, const char *s)
{
	if (why != NULL)
		*why = s;
	return -1;
}

static int
svm_tx_instructions(struct svm_rd *r, struct svm_tx *t, const char **why)
{
	struct svm_ix	*ix;
	size_t		 n, i, j;

	if (svm_rd_cu16(r, &n) == -1)
		return svm_tx_fail(why, "instruction count truncated or not "
		    "a minimal compact-u16");
	if (n > SVM_TX_MAX_IX)
		return svm_tx_fail(why, "too many instructions");
	t->nix = n;
	for (i = 0; i < n; i++) {
		ix = &t->ix[i];
		if (r->off >= r->n)
			return svm_tx_fail(why, "instruction truncated");
		ix->program = r->p[r->off++];
		if (svm_rd_cu16(r, &ix->naccounts) == -1 ||
		    (ix->accounts = svm_rd_take(r, ix->naccounts)) == NULL)
			return svm_tx_fail(why, "instruction accounts truncated");
		if (svm_rd_cu16(r, &ix->ndata) == -1 ||
		    (ix->data = svm_rd_take(r, ix->ndata)) == NULL)
			return svm_tx_fail(why, "instruction data truncated");
		/* The fee payer (key 0) can never be the program. */
		if (ix->program == 0 || ix->program >= t->nkeys)
			return svm_tx_fail(why, "program index out of range");
		for (j = 0; j < ix->naccounts; j++)
			if (ix->accounts[j] >= t->nkeys)
				return svm_tx_fail(why,
				    "account index out of range");
	}
	return 0;
}

int
svm_tx_decode(const uint8_t *p, size_t len, struct svm_tx *t,
    const char **why)
{
	struct svm_rd	 r = { p, len, 0 };
	size_t		 n;
	uint8_t		 b;

	memset(t, 0, sizeof(*t));
	if (len > SVM_TX_MAX)
		return svm_tx_fail(why, "transaction longer than 1232 bytes");
	if (svm_rd_cu16(&r, &t->nsigs) == -1)
		return svm_tx_fail(why, "signature count truncated or not a "
		    "minimal compact-u16");
	if (t->nsigs == 0 || t->nsigs > SVM_TX_MAX_SIGS)
		return svm_tx_fail(why, "signature count out of range");
	if ((t->sigs = svm_rd_take(&r, t->nsigs * 64)) == NULL)
		return svm_tx_fail(why, "signatures truncated");
	t->msg = p + r.off;
	t->msg_len = len - r.off;
	if (r.off >= len)
		return svm_tx_fail(why, "message missing");
	b = p[r.off];
	if (b & 0x80) {
		if ((b & 0x7f) != 0)
			return svm_tx_fail(why, "unsupported message version");
		t->version = 0;
		r.off++;
	} else
		t->version = -1;
	if (len - r.off < 3)
		return svm_tx_fail(why, "message header truncated");
	t->nreq_sigs = p[r.off];
	t->nro_signed = p[r.off + 1];
	t->nro_unsigned = p[r.off + 2];
	r.off += 3;
	if (svm_rd_cu16(&r, &t->nkeys) == -1)
		return svm_tx_fail(why, "account key count truncated or not "
		    "a minimal compact-u16");
	if (t->nkeys == 0 || t->nkeys > SVM_TX_MAX_KEYS)
		return svm_tx_fail(why, "account key count out of range");
	if ((t->keys = svm_rd_take(&r, t->nkeys * 32)) == NULL ||
	    (t->blockhash = svm_rd_take(&r, 32)) == NULL)
		return svm_tx_fail(why, "account keys or blockhash truncated");
	/* Header consistency, as the runtime's sanitize() demands. */
	if (t->nreq_sigs == 0 || t->nreq_sigs > t->nkeys ||
	    t->nro_signed >= t->nreq_sigs ||
	    (size_t)t->nro_unsigned > t->nkeys - t->nreq_sigs)
		return svm_tx_fail(why, "message header counts inconsistent");
	if (t->nsigs != t->nreq_sigs)
		return svm_tx_fail(why, "signature count differs from the "
		    "header's required signatures");
	if (svm_tx_instructions(&r, t, why) == -1)
		return -1;
	if (t->version == 0) {
		if (svm_rd_cu16(&r, &n) == -1)
			return svm_tx_fail(why, "lookup table count truncated");
		if (n != 0)
			return svm_tx_fail(why, "address lookup tables are not "
			    "accepted");
	}
	if (r.off != len)
		return svm_tx_fail(why, "trailing bytes after the message");
	return 0;
}

const uint8_t *
svm_tx_key(const struct svm_tx *t, size_t i)
{
	return t->keys + 32 * i;
}

int
svm_tx_writable(const struct svm_tx *t, size_t i)
{
	if (i < t->nreq_sigs)
		return i < (size_t)(t->nreq_sigs - t->nro_signed);
	return i < t->nkeys - t->nro_unsigned;
}
