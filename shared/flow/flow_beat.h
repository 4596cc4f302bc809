/*
 * The owner's heartbeat on a ledger row (internal to flow/): while a
 * request settles its delivered row, the row's updated time is refreshed
 * every FLOW_BEAT_S seconds (ledger_touch), so a row untouched for
 * FLOW_BEAT_STALE seconds belongs to an owner that died, and the next
 * request for the payment takes it over (flow_paid.c, PAID_CLAIM) instead
 * of waiting for an answer that will never come.  A taker mistaken about
 * a live owner (a beat held up longer than that) costs a second
 * settlement attempt of the same authorization, which cannot move money
 * twice (EIP-3009 nonce, Solana signature) and is reconciled as ours.
 *
 * One thread per process beats for every row being settled (started on
 * first use): a thread started and joined per paid call had cost a clone
 * and a join on every settlement, and could fail to start under memory
 * pressure.  A row is first touched FLOW_BEAT_S after it was registered:
 * the usual settlement, done well within that, costs no write.
 */
#ifndef SF_FLOW_BEAT_H
#define SF_FLOW_BEAT_H

#include <stdint.h>
#include <time.h>

#include "ledger/ledger.h"

#define FLOW_BEAT_S	1	/* seconds between beats */
#define FLOW_BEAT_STALE	6	/* seconds untouched: its owner is gone */

/* One row kept alive: the caller's, from flow_beat_start to _stop. */
struct flow_beat {
	struct ledger		*ledger;
	int64_t			 id;
	enum ledger_state	 state;
	struct timespec		 due;	/* next touch, CLOCK_MONOTONIC */
	int			 on;	/* registered */
	struct flow_beat	*next;
};

/*
 * Keep row id alive while it is in state (b is the caller's, untouched
 * by anyone once flow_beat_stop has returned).  When the beating thread
 * cannot be started, the row is left to go stale (logged once): the
 * settlement still runs.
 */
void	flow_beat_start(struct flow_beat *b, struct ledger *, int64_t id,
	    enum ledger_state state);
/*
 * No more beats for b's row.  Returns without waiting for the next beat;
 * a touch of this row already under way is waited for, so the ledger may
 * be closed once this returns.
 */
void	flow_beat_stop(struct flow_beat *b);
/* Touches made so far, each counted once its outcome is applied (tests). */
unsigned long	flow_beat_touches(void);

#endif
