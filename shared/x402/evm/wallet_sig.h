/*
 * The shapes a payer's EIP-3009 signature comes in, told apart without the
 * chain (the lab's captures, ../shared/x402lab-smartwallet/captures/):
 *
 *	65 bytes r ‖ s ‖ v          an EOA, or a wallet whose ERC-1271 check
 *	                            takes a bare ECDSA signature
 *	abi.encode(uint256, bytes)  Coinbase Smart Wallet's SignatureWrapper
 *	                            (ownerIndex, signatureData), 1271 only
 *	ERC-6492 wrapper            a wallet not deployed yet (erc6492.h)
 *	anything else               some other ERC-1271 wallet format
 *
 * Only the chain decides which is valid; the shape names the path a
 * payment takes and the words of a refusal.  Pure computation.
 */
#ifndef SF_WALLET_SIG_H
#define SF_WALLET_SIG_H

#include <stddef.h>
#include <stdint.h>

enum wallet_sig_shape {
	WALLET_SIG_ECDSA65 = 0,	/* 65 bytes */
	WALLET_SIG_WRAPPED,	/* SignatureWrapper(ownerIndex, bytes) */
	WALLET_SIG_ERC6492,	/* a well-formed ERC-6492 wrapper */
	WALLET_SIG_ERC6492_BAD,	/* magic suffix, malformed wrapper */
	WALLET_SIG_OTHER,	/* any other length or layout */
};

/* Coinbase SignatureWrapper, parsed; sig points into the input. */
struct wallet_sig_wrapper {
	uint8_t		 owner_index[32];	/* uint256, big-endian */
	const uint8_t	*sig;
	size_t		 sig_len;
};

/* The shape of sig[0..len). */
enum wallet_sig_shape	wallet_sig_shape(const uint8_t *sig, size_t len);
/* "ecdsa65", "wrapped", "erc6492", "erc6492_malformed", "other". */
const char	*wallet_sig_shape_name(enum wallet_sig_shape);
/*
 * Parse abi.encode(uint256 ownerIndex, bytes signatureData), canonical
 * only (offset 0x40, zero padding, nothing left over).  1 parsed, 0 not
 * this shape.
 */
int	wallet_sig_wrapper_parse(const uint8_t *sig, size_t len,
	    struct wallet_sig_wrapper *);

#endif
