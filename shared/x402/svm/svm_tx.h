/*
 * Decoder of a Solana wire transaction (the "transaction" of an x402 SVM
 * payload, base64): compact-u16 signature count, 64-byte signatures, then
 * a legacy or v0 message (header, static account keys, recent blockhash,
 * compiled instructions, and for v0 the address-table lookups, which we
 * refuse: every account must be a static key).  Spec: the Solana
 * transaction format (docs "Transactions"), as @solana/kit's
 * getTransactionDecoder and getCompiledTransactionMessageDecoder read it.
 * Pure, no allocation: the struct points into the caller's bytes.
 */
#ifndef SF_SVM_TX_H
#define SF_SVM_TX_H

#include <stddef.h>
#include <stdint.h>

#define SVM_TX_MAX	1232	/* packet size limit: longest wire tx */
#define SVM_TX_MAX_KEYS	64
#define SVM_TX_MAX_IX	64
#define SVM_TX_MAX_SIGS	32

struct svm_ix {
	uint8_t		 program;	/* index into keys */
	size_t		 naccounts;
	const uint8_t	*accounts;	/* naccounts indices into keys */
	size_t		 ndata;
	const uint8_t	*data;
};

struct svm_tx {
	size_t			 nsigs;
	const uint8_t		*sigs;		/* nsigs * 64 bytes */
	const uint8_t		*msg;		/* the signed message bytes */
	size_t			 msg_len;
	int			 version;	/* -1 legacy, 0 v0 */
	uint8_t			 nreq_sigs;	/* message header */
	uint8_t			 nro_signed;
	uint8_t			 nro_unsigned;
	size_t			 nkeys;
	const uint8_t		*keys;		/* nkeys * 32 bytes */
	const uint8_t		*blockhash;	/* 32 bytes */
	size_t			 nix;
	struct svm_ix		 ix[SVM_TX_MAX_IX];
};

/*
 * Decode len bytes.  0 on success; -1 with why (a static string naming the
 * first problem: truncated, trailing bytes, bad counts, out-of-range index,
 * lookup tables, unknown version) otherwise.
 */
int	svm_tx_decode(const uint8_t *, size_t len, struct svm_tx *,
	    const char **why);
/* The i-th static key (32 bytes). */
const uint8_t *svm_tx_key(const struct svm_tx *, size_t i);
/* Is key i writable by the message header's rules?  1 or 0. */
int	svm_tx_writable(const struct svm_tx *, size_t i);

#endif
