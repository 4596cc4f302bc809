/*
 * Recursive Length Prefix encoding (Ethereum yellow paper, appendix B),
 * just enough to serialise transactions: byte strings, integers and lists.
 * Appends to a struct buf whose sticky oom flag the caller checks once.
 */
#ifndef SF_RLP_H
#define SF_RLP_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* A byte string item. */
void	rlp_bytes(struct buf *, const void *, size_t);
/* An integer: big-endian, no leading zeros, 0 is the empty string. */
void	rlp_uint(struct buf *, uint64_t);
/* A 32-byte big-endian integer, leading zeros stripped. */
void	rlp_u256(struct buf *, const uint8_t be[32]);
/* Wrap the already-encoded items in payload into one list item. */
void	rlp_list(struct buf *, const struct buf *payload);

#endif
