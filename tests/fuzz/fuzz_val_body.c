/*
 * libFuzzer target: a request body as an endpoint reads it, the one strict
 * parse (validate/val_json.h) and validation against the definition
 * (val_body).  The first byte picks the endpoint and whether a payment
 * came (no probe); the rest is the body.  Beyond "no crash": what the
 * parse accepts must be RFC 8259 in the ways it promises (no byte order
 * mark, no control byte, nothing after the value), and every refusal is a
 * 400/415 with a code and a message.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "basics/def.h"
#include "basics/err.h"
#include "validate/val.h"
#include "validate/val_json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t
fuzz_nendpoints(void)
{
	size_t	 n = 0;

	while (def_table[n].ep != NULL)
		n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t		 neps;
	const struct def_endpoint *ep;
	struct val_json		 j;
	struct val_result	 vr;
	struct sf_err		 err;
	const char		*body;
	size_t			 len, i;
	int			 rc, paying;

	if (neps == 0)
		neps = fuzz_nendpoints();
	if (size < 1)
		return 0;
	ep = def_table[(data[0] & 0x7f) % neps].ep;
	paying = data[0] >> 7;
	body = (const char *)data + 1;
	len = size - 1;

	sf_err_clear(&err);
	rc = val_json_parse(body, len, &j, &err);
	if (rc == -1)
		assert((err.status == 400 && strcmp(err.code, "invalid_json") ==
		    0 && err.message[0] != '\0') || err.status == 500);
	else {
		/* Accepted text: no blank JSON does not take at either end. */
		for (i = 0; i < len && strchr(" \t\r\n", body[i]) != NULL &&
		    body[i] != '\0'; i++)
			continue;
		assert(j.blank == (i == len));
		if (!j.blank) {
			assert(strchr("{[\"-0123456789tfn", body[i]) != NULL &&
			    body[i] != '\0');
			i = len;
			while (i > 0 && strchr(" \t\r\n", body[i - 1]) !=
			    NULL && body[i - 1] != '\0')
				i--;
			assert(strchr("}]\"0123456789el", body[i - 1]) !=
			    NULL && body[i - 1] != '\0');
		}
		if (j.flags != 0)
			assert(j.issue.status == 400 &&
			    j.issue.message[0] != '\0');
		val_json_free(&j);
	}
	sf_err_clear(&err);
	if (val_body(ep, "application/json", body, len, paying, &vr,
	    &err) == 0) {
		assert(vr.req != NULL && vr.model != NULL && vr.price > 0);
		val_result_free(&vr);
	} else
		assert(err.status >= 400 && err.code[0] != '\0' &&
		    err.message[0] != '\0');
	return 0;
}
