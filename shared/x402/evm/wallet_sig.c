#include <string.h>

#include "x402/evm/abi.h"
#include "x402/evm/erc6492.h"
#include "x402/evm/wallet_sig.h"

int
wallet_sig_wrapper_parse(const uint8_t *sig, size_t len,
    struct wallet_sig_wrapper *w)
{
	struct abi_bytes	 b;
	const uint8_t		*idx;
	uint64_t		 off;
	size_t			 end;

	if (abi_word_at(sig, len, 0, &idx) == -1 ||
	    abi_u64_at(sig, len, ABI_WORD, &off) == -1 ||
	    off != 2 * ABI_WORD ||
	    abi_bytes_canonical(sig, len, 2 * ABI_WORD, &b, &end) == -1 ||
	    end != len)
		return 0;
	memcpy(w->owner_index, idx, 32);
	w->sig = b.p;
	w->sig_len = b.len;
	return 1;
}

enum wallet_sig_shape
wallet_sig_shape(const uint8_t *sig, size_t len)
{
	struct erc6492_sig		 e;
	struct wallet_sig_wrapper	 w;

	/* The magic first: a 6492 blob is never mistaken for another. */
	switch (erc6492_parse(sig, len, &e, NULL, 0)) {
	case 1:
		return WALLET_SIG_ERC6492;
	case -1:
		return WALLET_SIG_ERC6492_BAD;
	default:
		break;
	}
	if (len == 65)
		return WALLET_SIG_ECDSA65;
	if (wallet_sig_wrapper_parse(sig, len, &w))
		return WALLET_SIG_WRAPPED;
	return WALLET_SIG_OTHER;
}

const char *
wallet_sig_shape_name(enum wallet_sig_shape s)
{
	switch (s) {
	case WALLET_SIG_ECDSA65:
		return "ecdsa65";
	case WALLET_SIG_WRAPPED:
		return "wrapped";
	case WALLET_SIG_ERC6492:
		return "erc6492";
	case WALLET_SIG_ERC6492_BAD:
		return "erc6492_malformed";
	default:
		return "other";
	}
}
