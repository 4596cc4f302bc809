#include <stdint.h>
#include <string.h>

#include "basics/buf.h"
#include "x402/evm/rlp.h"

/* Prefix for a payload of len bytes: short form below 56, else long. */
static void
rlp_header(struct buf *b, uint8_t base, size_t len)
{
	uint8_t	 hdr[9];
	size_t	 n = 0, i;

	if (len < 56) {
		hdr[0] = (uint8_t)(base + len);
		buf_append(b, hdr, 1);
		return;
	}
	for (i = len; i > 0; i >>= 8)
		n++;
	hdr[0] = (uint8_t)(base + 55 + n);
	for (i = 0; i < n; i++)
		hdr[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	buf_append(b, hdr, 1 + n);
}

void
rlp_bytes(struct buf *b, const void *p, size_t len)
{
	const uint8_t	*u = p;

	/* A single byte below 0x80 is its own encoding. */
	if (len == 1 && u[0] < 0x80) {
		buf_append(b, u, 1);
		return;
	}
	rlp_header(b, 0x80, len);
	if (len > 0)
		buf_append(b, u, len);
}

void
rlp_uint(struct buf *b, uint64_t v)
{
	uint8_t	 be[8];
	size_t	 i, off = 0;

	for (i = 0; i < 8; i++)
		be[i] = (uint8_t)(v >> (8 * (7 - i)));
	while (off < 8 && be[off] == 0)
		off++;
	rlp_bytes(b, be + off, 8 - off);
}

void
rlp_u256(struct buf *b, const uint8_t be[32])
{
	size_t	 off = 0;

	while (off < 32 && be[off] == 0)
		off++;
	rlp_bytes(b, be + off, 32 - off);
}

void
rlp_list(struct buf *b, const struct buf *payload)
{
	if (payload->oom) {
		b->oom = 1;
		return;
	}
	rlp_header(b, 0xc0, payload->len);
	if (payload->len > 0)
		buf_append(b, payload->p, payload->len);
}
