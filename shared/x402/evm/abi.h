/*
 * The few Solidity ABI shapes contract-wallet payments need (Solidity ABI
 * specification, "Formal Specification of the Encoding"): 32-byte words,
 * addresses, small integers and dynamic `bytes`.  Encoding writes the
 * canonical form (what Solidity's abi.encode, viem and ethers write);
 * decoding is bounds-checked, and the *_canonical helpers additionally
 * insist on that exact form, for signatures read from outside input.
 * Pure computation, no I/O.
 */
#ifndef SF_ABI_H
#define SF_ABI_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define ABI_WORD	32

/* A dynamic `bytes` value inside a decoded buffer (not a copy). */
struct abi_bytes {
	const uint8_t	*p;
	size_t		 len;
};

/* Length rounded up to a whole number of words. */
size_t	abi_padded(size_t len);

/* Append one word: as is, an address (12 zero bytes + 20), a uint64. */
int	abi_put_word(struct buf *, const uint8_t w[ABI_WORD]);
int	abi_put_addr(struct buf *, const uint8_t addr[20]);
int	abi_put_u64(struct buf *, uint64_t);
/* Append the tail of a `bytes`: length word, data, zeros to a word. */
int	abi_put_bytes(struct buf *, const uint8_t *, size_t);

/*
 * The word at offset off of d[0..n): 0, or -1 when it does not fit.  _u64
 * also wants the value to fit in 64 bits; _addr wants 12 zero bytes first
 * (an ABI address) and copies the 20 after them.
 */
int	abi_word_at(const uint8_t *d, size_t n, size_t off,
	    const uint8_t **w);
int	abi_u64_at(const uint8_t *d, size_t n, size_t off, uint64_t *v);
int	abi_addr_at(const uint8_t *d, size_t n, size_t off, uint8_t addr[20]);
/* A `bool` word: exactly 0 or 1.  0, or -1. */
int	abi_bool_at(const uint8_t *d, size_t n, size_t off, int *v);
/*
 * The `bytes` whose length word is at offset off: length and data inside
 * d[0..n).  0, or -1.  *end (may be NULL) gets the offset after its
 * padded data.
 */
int	abi_bytes_at(const uint8_t *d, size_t n, size_t off,
	    struct abi_bytes *out, size_t *end);
/*
 * The same, canonically: the padding after the data is all zero and lies
 * inside d[0..n).  0, or -1.
 */
int	abi_bytes_canonical(const uint8_t *d, size_t n, size_t off,
	    struct abi_bytes *out, size_t *end);

/*
 * A revert's data, for a message: Error(string) gives the string
 * (printable ASCII kept, anything else as '?'), Panic(uint256) "panic
 * 0x..", anything else its selector or "no data".  Always a C string in
 * out (size > 0).
 */
void	abi_revert_reason(const uint8_t *d, size_t n, char *out, size_t size);

#endif
