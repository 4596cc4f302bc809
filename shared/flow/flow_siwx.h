/*
 * The Sign-In-With-X nonce store (struct siwx_nonce_store, x402/siwx.h)
 * on the ledger (ledger/ledger_siwx.h), so a challenge issued by one
 * process or host can be answered at any other, once.  Here because flow
 * is the layer that sees both x402 and the ledger.
 */
#ifndef SF_FLOW_SIWX_H
#define SF_FLOW_SIWX_H

struct ledger;
struct siwx_nonce_store;

/* Nonces issued in a process between two prunes of the expired ones. */
#define FLOW_SIWX_PRUNE_EVERY	64

/*
 * Fill s with functions over l (which must outlive every use of s): issue
 * records the nonce (a nonce already there is a failure: -1, so no
 * challenge goes out with it) and, once every FLOW_SIWX_PRUNE_EVERY
 * issues, deletes the expired ones; consume uses the nonce up, atomically
 * across hosts (1, 0, or -1 when the ledger failed).  Ledger errors are
 * written to stderr (the interface has no room for them; they never hold
 * the database URI).  Thread-safe.
 */
void	flow_siwx_nonces(struct siwx_nonce_store *s, struct ledger *l);

#endif
