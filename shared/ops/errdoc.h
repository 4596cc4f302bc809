/*
 * The error documents: what the web server answers by itself (404 for a
 * path no endpoint owns, 411, 413 over its body limit, 431, 400 for a
 * request it cannot read, 5xx when an endpoint process is gone), in our
 * error shape under the API paths and as a JSON-RPC error under /mcp, as
 * the endpoints' own answers are.  sf-hostconf writes them as files for
 * the servers; sf-ops serves them as lighttpd's error handler for the
 * requests lighttpd refuses before it applies its per-path settings
 * (a 400 for conflicting headers on /mcp is still JSON-RPC).
 */
#ifndef SF_ERRDOC_H
#define SF_ERRDOC_H

#include <cjson/cJSON.h>

struct errdoc {
	int		 status;
	const char	*code;		/* ours; JSON-RPC gets -32600/-32603 */
	const char	*message;	/* + " <limit> bytes" when limit */
	int		 limit;
};


/*
 * Where lighttpd's error handler sends what it refuses before reading the
 * path (sf-ops answers it): the original request is REQUEST_URI, the
 * status REDIRECT_STATUS.
 */
#define ERRDOC_PATH	"/_sf_error"

/* Every status the servers may answer themselves; ends with status 0. */
extern const struct errdoc errdoc_table[];

/* The entry for status, or NULL. */
const struct errdoc	*errdoc_find(int status);
/*
 * The document: {"error":{"code":"<ours>","message":...}}, or with mcp
 * {"jsonrpc":"2.0","id":null,"error":{"code":-32600 (4xx) | -32603
 * (5xx),"message":...}}.  body_max (bytes) completes the 413 message.
 * NULL when out of memory; the caller cJSON_Deletes it.
 */
cJSON			*errdoc_json(const struct errdoc *, int mcp,
			    unsigned long body_max);

#endif
