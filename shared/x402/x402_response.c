#include <string.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/msg.h"
#include "x402/x402_response.h"

void
x402_response_header(struct msg_resp *resp, int version,
    const struct x402_offer *o, const char *payer, int success,
    const char *tx, const char *reason)
{
	cJSON		*j;
	char		*s;
	struct buf	 b;

	if ((j = cJSON_CreateObject()) == NULL)
		return;
	cJSON_AddBoolToObject(j, "success", success);
	if (!success && reason != NULL)
		cJSON_AddStringToObject(j, "errorReason", reason);
	cJSON_AddStringToObject(j, "transaction", tx != NULL ? tx : "");
	cJSON_AddStringToObject(j, "network",
	    version == 1 ? o->network_v1 : o->network);
	cJSON_AddStringToObject(j, "payer", payer);
	buf_init(&b);
	if ((s = cJSON_PrintUnformatted(j)) != NULL &&
	    b64_encode(s, strlen(s), &b) == 0 && !b.oom)
		msg_resp_header(resp, version == 1 ?
		    "X-PAYMENT-RESPONSE" : "PAYMENT-RESPONSE", b.p);
	cJSON_free(s);
	cJSON_Delete(j);
	buf_free(&b);
}
