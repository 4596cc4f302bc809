#include <string.h>

#include "basics/buf.h"
#include "basics/hex.h"
#include "x402/evm/abi.h"
#include "x402/evm/multicall3.h"

int
multicall3_try_aggregate(int require_success,
    const struct multicall3_call *calls, size_t n, struct buf *out)
{
	uint8_t	 sel[4];
	size_t	 i, off;

	if (hex_decode_fixed("0x" MULTICALL3_SEL_TRY_AGGREGATE, sel, 4) == -1)
		return -1;
	buf_append(out, sel, 4);
	abi_put_u64(out, require_success ? 1 : 0);
	abi_put_u64(out, 2 * ABI_WORD);		/* the array follows */
	abi_put_u64(out, n);
	/* Tuple offsets count from the first word after the length. */
	for (off = n * ABI_WORD, i = 0; i < n; i++) {
		abi_put_u64(out, off);
		off += 3 * ABI_WORD + abi_padded(calls[i].len);
	}
	for (i = 0; i < n; i++) {
		abi_put_addr(out, calls[i].target);
		abi_put_u64(out, 2 * ABI_WORD);
		abi_put_bytes(out, calls[i].data, calls[i].len);
	}
	return out->oom ? -1 : 0;
}

/* base + rel, when it stays inside len. */
static int
multicall3_at(size_t base, uint64_t rel, size_t len, size_t *at)
{
	if (base > len || rel > len - base)
		return -1;
	*at = base + (size_t)rel;
	return 0;
}

int
multicall3_try_aggregate_result(const uint8_t *d, size_t len,
    struct multicall3_result *out, size_t n)
{
	struct abi_bytes	 b;
	uint64_t		 arr, count, rel;
	size_t			 elems, t, bo, i;

	if (abi_u64_at(d, len, 0, &arr) == -1 || arr > len ||
	    abi_u64_at(d, len, (size_t)arr, &count) == -1 || count != n)
		return -1;
	elems = (size_t)arr + ABI_WORD;
	for (i = 0; i < n; i++) {
		if (abi_u64_at(d, len, elems + i * ABI_WORD, &rel) == -1 ||
		    multicall3_at(elems, rel, len, &t) == -1 ||
		    abi_bool_at(d, len, t, &out[i].success) == -1 ||
		    abi_u64_at(d, len, t + ABI_WORD, &rel) == -1 ||
		    multicall3_at(t, rel, len, &bo) == -1 ||
		    abi_bytes_at(d, len, bo, &b, NULL) == -1)
			return -1;
		out[i].ret = b.p;
		out[i].ret_len = b.len;
	}
	return 0;
}
