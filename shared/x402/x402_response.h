/*
 * The settlement header of a paid answer: base64 of a JSON SettleResponse
 * {success, errorReason (on failure), transaction, network, payer} in
 * PAYMENT-RESPONSE (x402 v2) or X-PAYMENT-RESPONSE (v1), the network
 * named as that version names it (reference x402.md §2.3, §3.3).  The
 * same shape for every scheme family: transaction is an EVM hash or a
 * Solana signature, payer a 0x address or base58.
 */
#ifndef SF_X402_RESPONSE_H
#define SF_X402_RESPONSE_H

#include "x402/x402_offer.h"

struct msg_resp;

/*
 * Add the header for offer o (the one the payment matched) to resp.  tx
 * NULL = "", reason only when !success.  Out of memory: no header (the
 * answer itself still goes out).
 */
void	x402_response_header(struct msg_resp *, int version,
	    const struct x402_offer *o, const char *payer, int success,
	    const char *tx, const char *reason);

#endif
