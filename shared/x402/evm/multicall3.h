/*
 * Multicall3 (github.com/mds1/multicall, deployed at the same address on
 * every chain we know: Base, Base Sepolia, Polygon, Polygon Amoy, ...):
 * tryAggregate(bool requireSuccess, (address target, bytes callData)[])
 * returns (bool success, bytes returnData)[].  One eth_call of it runs
 * several calls in order on one state, so the second sees what the first
 * did: how a counterfactual wallet's transfer is simulated after its
 * factory call, as the official x402 facilitator does.  Pure computation.
 */
#ifndef SF_MULTICALL3_H
#define SF_MULTICALL3_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define MULTICALL3_ADDRESS	"0xcA11bde05977b3631167028862bE2a173976CA11"
/* tryAggregate(bool,(address,bytes)[]) */
#define MULTICALL3_SEL_TRY_AGGREGATE	"bce38bd7"

struct multicall3_call {
	uint8_t		 target[20];
	const uint8_t	*data;
	size_t		 len;
};

/* One result; ret points into the decoded answer. */
struct multicall3_result {
	int		 success;
	const uint8_t	*ret;
	size_t		 ret_len;
};

/* Append tryAggregate(require_success, calls[0..n)) calldata.  0 or -1. */
int	multicall3_try_aggregate(int require_success,
	    const struct multicall3_call *calls, size_t n, struct buf *out);
/*
 * Decode tryAggregate's answer d[0..len) into out[0..n): it must hold
 * exactly n results, every offset and length inside the answer, every
 * success word 0 or 1.  0, or -1.
 */
int	multicall3_try_aggregate_result(const uint8_t *d, size_t len,
	    struct multicall3_result *out, size_t n);

#endif
