#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "basics/b64.h"
#include "basics/buf.h"

int
b64_encode(const void *src, size_t len, struct buf *out)
{
	char	*dst;
	size_t	 n;

	n = BASE64_ENCODE_RAW_LENGTH(len);
	if ((dst = malloc(n + 1)) == NULL) {
		out->oom = 1;
		return -1;
	}
	base64_encode_raw(dst, len, src);
	n = buf_append(out, dst, n);
	free(dst);
	return (int)n;
}

unsigned char *
b64_decode(const char *src, size_t *lenp)
{
	struct base64_decode_ctx	 ctx;
	unsigned char			*dst;
	size_t				 len, i, pad, dlen;

	len = strlen(src);
	if (len % 4 != 0)
		return NULL;
	/* Nettle skips whitespace and stops at padding loosely; be strict first. */
	for (pad = 0; pad < 2 && pad < len && src[len - 1 - pad] == '='; pad++)
		continue;
	for (i = 0; i < len - pad; i++) {
		unsigned char c = (unsigned char)src[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return NULL;
	}
	if ((dst = malloc(BASE64_DECODE_LENGTH(len) + 1)) == NULL)
		return NULL;
	base64_decode_init(&ctx);
	dlen = BASE64_DECODE_LENGTH(len);
	if (!base64_decode_update(&ctx, &dlen, dst, len, src) ||
	    !base64_decode_final(&ctx)) {
		free(dst);
		return NULL;
	}
	dst[dlen] = '\0';
	if (lenp != NULL)
		*lenp = dlen;
	return dst;
}
