/*
 * libFuzzer target for the parsers of contract-wallet signatures and of
 * the node's Multicall3 answer (outside input both).  The first byte picks
 * the mode, the rest is the input:
 *   'p'  erc6492_parse as is;  'P'  the same with the magic suffix
 *        appended (so mutations reach the ABI decoding);
 *   'w'  wallet_sig_wrapper_parse (Coinbase SignatureWrapper);
 *   'm'  multicall3_try_aggregate_result for 1..3 results (next byte);
 *   'r'  abi_revert_reason;
 *   else all of them.
 * Beyond "no crash": whatever the strict parsers accept re-encodes to the
 * very same bytes (so no two encodings read alike), every pointer handed
 * back lies inside the input, and the shape agrees with the parsers.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basics/buf.h"
#include "x402/evm/abi.h"
#include "x402/evm/erc6492.h"
#include "x402/evm/multicall3.h"
#include "x402/evm/wallet_sig.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define INSIDE(p, n, d, len) \
	((p) >= (d) && (n) <= (len) && (size_t)((p) - (d)) <= (len) - (n))

static void
fuzz_6492(const uint8_t *d, size_t len)
{
	struct erc6492_sig	 e;
	struct buf		 b;
	char			 why[160];
	int			 rc;

	why[0] = '\0';
	rc = erc6492_parse(d, len, &e, why, sizeof(why));
	assert(rc >= -1 && rc <= 1);
	assert((rc != 0) == erc6492_has_magic(d, len));
	if (rc == -1) {
		assert(strncmp(why, "ERC-6492 wrapper: ", 18) == 0);
		assert(wallet_sig_shape(d, len) == WALLET_SIG_ERC6492_BAD);
		return;
	}
	if (rc == 0)
		return;
	assert(wallet_sig_shape(d, len) == WALLET_SIG_ERC6492);
	assert(INSIDE(e.factory_calldata, e.factory_calldata_len, d, len));
	assert(INSIDE(e.inner, e.inner_len, d, len));
	buf_init(&b);
	if (erc6492_wrap(e.factory, e.factory_calldata,
	    e.factory_calldata_len, e.inner, e.inner_len, &b) == 0)
		assert(b.len == len && memcmp(b.p, d, len) == 0);
	buf_free(&b);
}

static void
fuzz_wrapper(const uint8_t *d, size_t len)
{
	struct wallet_sig_wrapper	 w;
	struct buf			 b;

	if (wallet_sig_wrapper_parse(d, len, &w) != 1)
		return;
	assert(INSIDE(w.sig, w.sig_len, d, len));
	buf_init(&b);
	abi_put_word(&b, w.owner_index);
	abi_put_u64(&b, 2 * ABI_WORD);
	abi_put_bytes(&b, w.sig, w.sig_len);
	if (!b.oom)
		assert(b.len == len && memcmp(b.p, d, len) == 0);
	buf_free(&b);
	if (!erc6492_has_magic(d, len))
		assert(len == 65 || wallet_sig_shape(d, len) ==
		    WALLET_SIG_WRAPPED);
}

static void
fuzz_multicall(const uint8_t *d, size_t len, size_t n)
{
	struct multicall3_result	 r[3];
	size_t				 i;

	if (multicall3_try_aggregate_result(d, len, r, n) != 0)
		return;
	for (i = 0; i < n; i++) {
		assert(r[i].success == 0 || r[i].success == 1);
		assert(INSIDE(r[i].ret, r[i].ret_len, d, len));
	}
}

static void
fuzz_reason(const uint8_t *d, size_t len)
{
	char	 out[96];
	size_t	 i, n;

	memset(out, 'x', sizeof(out));
	abi_revert_reason(d, len, out, sizeof(out));
	n = strnlen(out, sizeof(out));
	assert(n < sizeof(out));
	for (i = 0; i < n; i++)
		assert(out[i] >= 0x20 && out[i] < 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	*p;

	if (size == 0)
		return 0;
	switch (data[0]) {
	case 'p':
		fuzz_6492(data + 1, size - 1);
		break;
	case 'P':
		if ((p = malloc(size - 1 + ERC6492_MAGIC_LEN)) == NULL)
			return 0;
		memcpy(p, data + 1, size - 1);
		memcpy(p + size - 1, erc6492_magic, ERC6492_MAGIC_LEN);
		fuzz_6492(p, size - 1 + ERC6492_MAGIC_LEN);
		free(p);
		break;
	case 'w':
		fuzz_wrapper(data + 1, size - 1);
		break;
	case 'm':
		if (size >= 2)
			fuzz_multicall(data + 2, size - 2, 1 + data[1] % 3);
		break;
	case 'r':
		fuzz_reason(data + 1, size - 1);
		break;
	default:
		fuzz_6492(data, size);
		fuzz_wrapper(data, size);
		fuzz_multicall(data, size, 2);
		fuzz_reason(data, size);
		break;
	}
	return 0;
}
