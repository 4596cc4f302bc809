/*
 * libFuzzer target: MCP JSON-RPC messages (serve/mcp.h) as POST /mcp
 * delivers them, through the whole handler: the strict parse, the
 * JSON-RPC framing, initialize / tools/list / tools/call, and a tool's
 * own flow (validation, the 402; a payment in params._meta is decoded and
 * verified locally, and any outbound call meets the scripted transport,
 * which answers nothing).  The first byte picks the MCP-Protocol-Version
 * header (absent, current, unknown); the rest is the body.  Beyond "no
 * crash": every answer is JSON with a status the protocol allows, and a
 * JSON-RPC error carries a numeric code.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/msg.h"
#include "flow/flow.h"
#include "serve/mcp.h"
#include "fuzz_env.h"
#include "fuzz_http.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct mcp_ctx	 ctx;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sf_err	 err;

	(void)argc;
	(void)argv;
	sf_err_clear(&err);
	if (mcp_init(&ctx, fuzz_env_cfg(), &err) == -1) {
		fprintf(stderr, "fuzz_mcp: %s\n", err.message);
		exit(2);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const versions[] = { NULL, "2025-06-18",
	    "1999-01-01" };
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	const cJSON		*e;
	cJSON			*j;
	char			*body;

	if (size < 1)
		return 0;
	/* The body as serve.c hands it over: NUL-terminated, length apart. */
	if ((body = malloc(size)) == NULL)
		return 0;
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';
	fuzz_http_script(NULL, 0);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = MCP_PATH;
	req.query = "";
	req.content_type = "application/json";
	req.accept = "application/json, text/event-stream";
	req.remote_addr = "192.0.2.1";
	req.mcp_version = versions[data[0] % 3];
	req.body = body;
	req.body_len = size - 1;
	msg_resp_init(&resp);
	memset(&out, 0, sizeof(out));
	mcp_handle(&ctx, &req, &resp, &out);
	assert(resp.status == 200 || resp.status == 202 ||
	    resp.status == 400 || resp.status == 500);
	if (resp.status != 202) {
		assert(resp.body != NULL);
		j = cJSON_ParseWithLength(resp.body, resp.body_len);
		assert(cJSON_IsObject(j));
		if ((e = cJSON_GetObjectItemCaseSensitive(j, "error")) != NULL)
			assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e,
			    "code")));
		cJSON_Delete(j);
	}
	msg_resp_free(&resp);
	free(body);
	return 0;
}
