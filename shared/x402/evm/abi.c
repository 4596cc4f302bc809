#include <stdio.h>
#include <string.h>

#include "basics/buf.h"
#include "x402/evm/abi.h"

static const uint8_t	abi_zero[ABI_WORD];

size_t
abi_padded(size_t len)
{
	return len + (ABI_WORD - len % ABI_WORD) % ABI_WORD;
}

int
abi_put_word(struct buf *b, const uint8_t w[ABI_WORD])
{
	return buf_append(b, w, ABI_WORD);
}

int
abi_put_addr(struct buf *b, const uint8_t addr[20])
{
	if (buf_append(b, abi_zero, 12) == -1)
		return -1;
	return buf_append(b, addr, 20);
}

int
abi_put_u64(struct buf *b, uint64_t v)
{
	uint8_t	 w[ABI_WORD];
	int	 i;

	memset(w, 0, sizeof(w));
	for (i = 31; i >= 24; i--, v >>= 8)
		w[i] = (uint8_t)(v & 0xff);
	return abi_put_word(b, w);
}

int
abi_put_bytes(struct buf *b, const uint8_t *p, size_t len)
{
	if (abi_put_u64(b, len) == -1 || buf_append(b, p, len) == -1)
		return -1;
	return buf_append(b, abi_zero, abi_padded(len) - len);
}

int
abi_word_at(const uint8_t *d, size_t n, size_t off, const uint8_t **w)
{
	if (off > n || n - off < ABI_WORD)
		return -1;
	*w = d + off;
	return 0;
}

int
abi_u64_at(const uint8_t *d, size_t n, size_t off, uint64_t *v)
{
	const uint8_t	*w;
	int		 i;

	if (abi_word_at(d, n, off, &w) == -1 || memcmp(w, abi_zero, 24) != 0)
		return -1;
	*v = 0;
	for (i = 24; i < 32; i++)
		*v = *v << 8 | w[i];
	return 0;
}

int
abi_addr_at(const uint8_t *d, size_t n, size_t off, uint8_t addr[20])
{
	const uint8_t	*w;

	if (abi_word_at(d, n, off, &w) == -1 || memcmp(w, abi_zero, 12) != 0)
		return -1;
	memcpy(addr, w + 12, 20);
	return 0;
}

int
abi_bool_at(const uint8_t *d, size_t n, size_t off, int *v)
{
	uint64_t	 x;

	if (abi_u64_at(d, n, off, &x) == -1 || x > 1)
		return -1;
	*v = (int)x;
	return 0;
}

int
abi_bytes_at(const uint8_t *d, size_t n, size_t off, struct abi_bytes *out,
    size_t *end)
{
	uint64_t	 len;

	/* The length is checked against what is left before any sum. */
	if (abi_u64_at(d, n, off, &len) == -1 ||
	    len > n - off - ABI_WORD)
		return -1;
	out->p = d + off + ABI_WORD;
	out->len = (size_t)len;
	if (end != NULL)
		*end = off + ABI_WORD + abi_padded((size_t)len);
	return 0;
}

int
abi_bytes_canonical(const uint8_t *d, size_t n, size_t off,
    struct abi_bytes *out, size_t *end)
{
	size_t	 e, pad;

	if (abi_bytes_at(d, n, off, out, &e) == -1 || e > n)
		return -1;
	pad = abi_padded(out->len) - out->len;
	if (memcmp(out->p + out->len, abi_zero, pad) != 0)
		return -1;
	if (end != NULL)
		*end = e;
	return 0;
}

/* Error(string): 0x08c379a0 ‖ abi.encode(string). */
static int
abi_error_string(const uint8_t *d, size_t n, char *out, size_t size)
{
	static const uint8_t	 sel[4] = { 0x08, 0xc3, 0x79, 0xa0 };
	struct abi_bytes	 s;
	uint64_t		 off;
	size_t			 i, k = 0;

	if (n < 4 || memcmp(d, sel, 4) != 0 ||
	    abi_u64_at(d + 4, n - 4, 0, &off) == -1 || off > n - 4 ||
	    abi_bytes_at(d + 4, n - 4, (size_t)off, &s, NULL) == -1)
		return -1;
	for (i = 0; i < s.len && k + 1 < size; i++)
		out[k++] = s.p[i] >= 0x20 && s.p[i] < 0x7f ? (char)s.p[i] : '?';
	out[k] = '\0';
	return 0;
}

void
abi_revert_reason(const uint8_t *d, size_t n, char *out, size_t size)
{
	static const uint8_t	 panic[4] = { 0x4e, 0x48, 0x7b, 0x71 };
	uint64_t		 code;

	if (size == 0)
		return;
	out[0] = '\0';
	if (abi_error_string(d, n, out, size) == 0)
		return;
	if (n == 4 + ABI_WORD && memcmp(d, panic, 4) == 0 &&
	    abi_u64_at(d + 4, n - 4, 0, &code) == 0)
		snprintf(out, size, "panic 0x%llx", (unsigned long long)code);
	else if (n >= 4)
		snprintf(out, size, "error 0x%02x%02x%02x%02x (%zu bytes)",
		    d[0], d[1], d[2], d[3], n);
	else
		snprintf(out, size, "no data");
}
