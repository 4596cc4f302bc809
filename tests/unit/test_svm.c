/*
 * Solana pieces: base58, the wire-transaction decoder, ATA derivation and
 * the x402 "exact" checks.  Expected values come from elsewhere: the
 * x402lab-svm capture (a real @x402/svm client transaction, decoded by
 * @solana/kit), and findAssociatedTokenPda vectors from @solana-program/token.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/b58.h"
#include "basics/b64.h"
#include "x402/svm/svm_ata.h"
#include "x402/svm/svm_tx.h"
#include "x402/svm/svm_verify.h"
#include "tap.h"

/* ../shared/x402lab-svm/captures/payment-signature.json */
static const char *LAB_TX = "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABfGXbxRSACCHamyxPR9gxDyFy0u2YVhPbl2ZdQmhIoDntUcxd/radvtOBvsVb2qdm/OtvohdfHI2Uu3Pf7DjMDgAIBBAgxPSqvfkqgzBd0uEzeNU/c18QrifUXybydQzhCVtkhxy8NGimpn4qAMHxoC1ONnU4GPDskf/NN+i3nxTt6fdhoghzvZ5pDDN9mKEg/SZNZOLpwl3QM/LH35EMmu8/VSGOpbiKcsjTzQeTL9RHT1KkeWsVSAVM5EOcmLj5g4ewR6DtELLORIVfxOpM9ATQoLQMrX/7NAaLb8bd5BgjfAC6nAwZGb+UhFzL/7K26csOb57yM5bvF9xJrLEObOkAAAAAFSlNamSkhBk0k6HFg2jh8fDW13bySu4HkH6hAQQVEjQbd9uHXZaGT2cvhRs7reawctIXtX1s3kTqM9YV+/wCpruutSnlvzC4V3ExgYbRe2bNz8mrfx5jKfS2MxYGCcY4EBQAFAiBOAAAFAAkDAQAAAAAAAAAHBAMEAgEKDBAnAAAAAAAABgYAIDlkMDk3MDgwYzZkY2FhOTU0ODczMTQ5YWU4M2YxZmRiAA==";

/* owner, mint, token program, ATA, bump: @solana-program/token 0.9. */
static const struct { const char *owner, *mint, *prog, *ata; int bump; } ATAS[] = {
	{ "3Wga6r7yBhshmEnNwTScK1GsAyE5ZkoV6TiheQAhEs6D", "AEFQCtjuv83LJX5PVdqGv7BHTSoXqiUYLqsF8PvNxrLa", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "ByqbHgQ3cCh7hszVmgaQDi7yLdXA69zeC8F4Lhp38jpN", 255 },
	{ "2SKNEcAnVCiKtFwWhYvj3QjSLepR4eh8rDpHab3xPtRD", "C9cAPKjWG8dsujybrn6LhXnTxAx3Y6Z9HVtrfQ1Cn8Hy", "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", "HGsXjm2nKwHu9qLvUtFemWyXv9NqE6vU4CQbocYuzLAz", 254 },
	{ "8czYjmTuzoZEBC5dXDExuUrKMzHei6uwij6WmMnWoW4o", "F8vsfPTWA8ZsibyQHwRubvgn4MwZhFKdyjTTQ96KB6ay", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "63yo2N4fkkTVfptfCSxKwaarmQEuFTz9BkQXDRv674md", 254 },
	{ "HHjc7SV8L1DfEywQm2kCWByEhy6SzFMThdaienMEUaFf", "5WkEHzkWSKnQ3nSobYX4xMFd4KUX7J2Ko73Ez6W9jpB2", "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", "HdFSYBatJrzxsRjbCKzk6PspAWoXaEoN599xHHiZ5nsi", 253 },
	{ "1KsF3tZjgA5TgU9GkvjRECmUfUDkqo1YqeMf5PFAkjH", "2e6gbCncmLWiMSXU7CN5sEZQ6C77bgUZ6XHhxMeNfAqw", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "EewVd7cUtoiHrGLAooxPm9SL2uA2JD5AKBZ2aokFo7sc", 254 },
	{ "5qhsxsKCtnFL6LJZgSExcFaHHSLvYachjtVjj7wNVR89", "3NqXv5njfCen4s2F39FV6rDAC2L1Dbea4BevkcZKz1TU", "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", "4qADiHMhHCCtWuUk5XeaR5txP5c2Mw6zUXp19uiGA1q9", 255 },
	/* x402lab-svm: payTo and payer ATAs of the capture. */
	{ "35ebCdUBY5LreFuVrevsLJreAcmusV38wcsTLjWaMgZB",
	  "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU",
	  "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
	  "9kubHYQ5kvFA9ez9mReXRCzSZa856S6TyYtCJgMhT4Ci", -1 },
	{ "4AfkU8moDpdvJcBM461ThKmsf4khedwSnerP9RiSrH6o",
	  "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU",
	  "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
	  "CQPJhCgfQmX4LdW6j42ZaxaHmXxPvq8RsoYV3kAwRpNB", -1 },
};

static void
expect_lab(struct svm_expect *e)
{
	memset(e, 0, sizeof(*e));
	b58_decode_fixed("4KD5FoVYVpCizak6tmiw99icE4t1H9Vty9cLkhtnXJea",
	    e->fee_payer, 32);
	b58_decode_fixed("4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU",
	    e->mint, 32);
	b58_decode_fixed("35ebCdUBY5LreFuVrevsLJreAcmusV38wcsTLjWaMgZB",
	    e->pay_to, 32);
	e->amount = 10000;
	e->decimals = 6;
}

static void
test_b58(void)
{
	uint8_t	 z[32], b[64];
	char	 s[B58_SIG_STRLEN];

	memset(z, 0, sizeof(z));
	TAP_OK(b58_encode(z, 32, s, sizeof(s)) == 32 &&
	    strcmp(s, "11111111111111111111111111111111") == 0,
	    "b58: 32 zero bytes are 32 '1's (System program)");
	TAP_OK(b58_decode_fixed("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
	    b, 32) == 0 && memcmp(b, svm_token_program, 32) == 0,
	    "b58: Token program address decodes");
	TAP_OK(b58_encode(svm_token_program, 32, s, sizeof(s)) > 0 &&
	    strcmp(s, "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA") == 0,
	    "b58: and encodes back");
	TAP_OK(b58_decode_fixed("1KsF3tZjgA5TgU9GkvjRECmUfUDkqo1YqeMf5PFAkjH",
	    b, 32) == 0 && b[0] == 0 && b[1] != 0, "b58: leading '1' is one "
	    "leading zero byte");
	TAP_OK(b58_decode_fixed("0OIl", b, 4) == -1, "b58: 0 O I l refused");
	TAP_OK(b58_decode_fixed("2", b, 32) == -1, "b58: short value "
	    "refused for 32 bytes");
	TAP_OK(b58_decode_fixed("1TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
	    b, 32) == -1, "b58: an extra leading '1' is a 33-byte value");
	TAP_OK(b58_decode_fixed("", b, 32) == -1, "b58: empty refused");
	TAP_OK(!b58_is_address("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"),
	    "b58: 44 z's overflow 32 bytes");
}

static void
test_ata(void)
{
	uint8_t	 o[32], m[32], p[32], want[32], got[32], bump;
	const uint8_t *seeds[3];
	size_t	 lens[3] = { 32, 32, 32 }, i;

	for (i = 0; i < sizeof(ATAS) / sizeof(ATAS[0]); i++) {
		b58_decode_fixed(ATAS[i].owner, o, 32);
		b58_decode_fixed(ATAS[i].mint, m, 32);
		b58_decode_fixed(ATAS[i].prog, p, 32);
		b58_decode_fixed(ATAS[i].ata, want, 32);
		TAP_OK(svm_ata(o, m, p, got) == 0 && memcmp(got, want, 32) == 0,
		    "ATA %zu = %s", i, ATAS[i].ata);
		seeds[0] = o; seeds[1] = p; seeds[2] = m;
		if (ATAS[i].bump >= 0)
			TAP_OK(svm_find_pda(seeds, lens, 3, svm_ata_program,
			    got, &bump) == 0 && bump == ATAS[i].bump,
			    "ATA %zu bump %d (off-curve test skips %d)", i,
			    ATAS[i].bump, 255 - ATAS[i].bump);
	}
	TAP_OK(svm_on_curve(svm_token_program) == 0 ||
	    svm_on_curve(svm_token_program) == 1, "on_curve answers");
	b58_decode_fixed("4AfkU8moDpdvJcBM461ThKmsf4khedwSnerP9RiSrH6o", o, 32);
	TAP_OK(svm_on_curve(o), "a wallet's public key is on the curve");
	b58_decode_fixed("9kubHYQ5kvFA9ez9mReXRCzSZa856S6TyYtCJgMhT4Ci", o, 32);
	TAP_OK(!svm_on_curve(o), "an ATA is off the curve");
}

static uint8_t *
lab_bytes(size_t *len)
{
	return b64_decode(LAB_TX, len);
}

static void
test_decode(void)
{
	struct svm_tx	 t;
	uint8_t		*b;
	size_t		 len, i;
	const char	*why;
	char		 s[B58_ADDR_STRLEN];
	int		 bad;

	b = lab_bytes(&len);
	TAP_OK(b != NULL && len == 496, "capture: 496 wire bytes");
	TAP_OK(svm_tx_decode(b, len, &t, &why) == 0, "capture decodes");
	TAP_OK(t.version == 0 && t.nsigs == 2 && t.nkeys == 8 && t.nix == 4,
	    "v0, 2 signatures, 8 keys, 4 instructions");
	TAP_OK(t.nreq_sigs == 2 && t.nro_signed == 1 && t.nro_unsigned == 4,
	    "header 2/1/4");
	b58_encode(svm_tx_key(&t, 2), 32, s, sizeof(s));
	TAP_STREQ(s, "9kubHYQ5kvFA9ez9mReXRCzSZa856S6TyYtCJgMhT4Ci", "key 2");
	b58_encode(t.blockhash, 32, s, sizeof(s));
	TAP_STREQ(s, "CmpNeggWJ4JaWJeJ8YKN1Zypmk7uvQq3PECGUCAEMbky",
	    "recent blockhash");
	TAP_OK(t.ix[2].ndata == 10 && t.ix[2].data[0] == 0x0c &&
	    t.ix[2].naccounts == 4 && t.ix[2].accounts[0] == 3,
	    "instruction 2 is TransferChecked with 4 accounts");
	TAP_OK(t.ix[3].ndata == 32, "memo of 32 bytes");
	TAP_OK(svm_tx_writable(&t, 0) && !svm_tx_writable(&t, 1) &&
	    svm_tx_writable(&t, 2) && !svm_tx_writable(&t, 4),
	    "writability from the header");
	/* Every proper prefix is refused, never read past. */
	for (bad = 0, i = 0; i < len; i++)
		if (svm_tx_decode(b, i, &t, &why) == 0)
			bad++;
	TAP_OK(bad == 0, "all %zu truncations refused", len);
	b[len - 1] = 1;		/* one lookup table */
	TAP_OK(svm_tx_decode(b, len, &t, &why) == -1 &&
	    strstr(why, "lookup") != NULL, "lookup tables refused: %s", why);
	free(b);
}

/* Check the capture with one byte changed at off (xor x). */
static const char *
lab_with(size_t off, uint8_t x, const struct svm_expect *e)
{
	static struct svm_verdict v;
	uint8_t	*b;
	size_t	 len;

	b = lab_bytes(&len);
	if (off < len)
		b[off] ^= x;
	svm_verify_tx(b, len, e, &v);
	free(b);
	return v.valid ? "valid" : v.reason;
}

static void
test_verify(void)
{
	struct svm_expect	 e, e2;
	struct svm_verdict	 v;
	uint8_t			*b;
	size_t			 len;

	expect_lab(&e);
	b = lab_bytes(&len);
	svm_verify_tx(b, len, &e, &v);
	TAP_OK(v.valid, "capture verifies: %s", v.message);
	TAP_STREQ(v.payer, "4AfkU8moDpdvJcBM461ThKmsf4khedwSnerP9RiSrH6o",
	    "payer = transfer authority");
	TAP_STREQ(v.payer_sig, "2uH7qmqvQhnnRv67NL5eggCP2cbAi7jeSnQ2unACq6jDboQ"
	    "ViD5Lv6kq8im48Ja4rf9suMAqdwiFNnh9c5X9PdyL", "payer's signature");
	free(b);
	e2 = e; e2.amount = 9999;
	TAP_STREQ(lab_with(0, 0, &e2), SVM_R_AMOUNT, "other price: amount");
	e2 = e; e2.decimals = 9;
	TAP_STREQ(lab_with(0, 0, &e2), SVM_R_DECIMALS, "other decimals");
	e2 = e; e2.mint[0] ^= 1;
	TAP_STREQ(lab_with(0, 0, &e2), SVM_R_MINT, "other mint");
	e2 = e; e2.pay_to[0] ^= 1;
	TAP_STREQ(lab_with(0, 0, &e2), SVM_R_RECIPIENT, "other payTo");
	e2 = e; e2.fee_payer[0] ^= 1;
	TAP_STREQ(lab_with(0, 0, &e2), SVM_R_FEE_PAYER, "other fee payer");
	/* Byte 69: inside the payer's signature (1 + 64 + 4). */
	TAP_STREQ(lab_with(69, 0xff, &e), SVM_R_SIGNATURE, "payer signature "
	    "flipped");
	/* The fee payer's slot is not checked: the facilitator fills it. */
	TAP_STREQ(lab_with(5, 0xff, &e), "valid", "fee payer slot ignored");
	/* Last memo byte: signed message changed. */
	TAP_STREQ(lab_with(494, 1, &e), SVM_R_SIGNATURE, "message changed");
	TAP_STREQ(lab_with(0, 3, &e), SVM_R_DECODE, "signature count 1");
}

int
main(void)
{
	test_b58();
	test_ata();
	test_decode();
	test_verify();
	return tap_done();
}
