/*
 * Plain HTTP request and response structs: what a handler receives and
 * returns.  Nothing here knows about FastCGI, so handlers can be driven
 * from unit tests and fuzzers without a socket.
 */
#ifndef SF_MSG_H
#define SF_MSG_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct sf_err;

/*
 * One key=value pair of the query string, decoded once by serve
 * (serve/serve_query.h).  key or value NULL: not valid URL encoding there.
 */
struct msg_param {
	const char	*raw_key;	/* the key as sent (into query) */
	size_t		 raw_key_len;
	const char	*key;
	const char	*value;		/* "" for a pair without '=' */
};

struct msg_req {
	const char	*method;	/* "POST" */
	const char	*path;		/* SCRIPT_NAME + PATH_INFO */
	const char	*query;		/* without '?', "" if none */
	const struct msg_param *params;	/* query, decoded; nparams pairs */
	size_t		 nparams;
	const char	*content_type;	/* NULL if absent */
	const char	*accept;
	const char	*user_agent;
	const char	*remote_addr;	/* the client: REMOTE_ADDR, or whom
					   a TRUSTED_PROXIES proxy names
					   (basics/clientaddr.h) */
	const char	*payment_v2;	/* PAYMENT-SIGNATURE */
	const char	*payment_v1;	/* X-PAYMENT */
	const char	*origin;
	const char	*mcp_version;	/* MCP-Protocol-Version (mcp.h) */
	const char	*prefer;	/* Prefer (RFC 7240; lines joined by
					   ", "), NULL if absent */
	const char	*siwx;		/* SIGN-IN-WITH-X (x402/siwx.h) */
	const char	*body;		/* NUL-terminated */
	size_t		 body_len;
	int		 body_too_large; /* the reader stopped at the cap */
	int		 bad_length;	/* CONTENT_LENGTH unparsable */
	int		 dup_payment;	/* a payment header came twice */
};

#define MSG_MAX_HEADERS	16

struct msg_resp {
	int		 status;
	char		*hname[MSG_MAX_HEADERS];
	char		*hval[MSG_MAX_HEADERS];
	size_t		 nheaders;
	char		*content_type;
	char		*body;
	size_t		 body_len;
	char		*location;
};

void		 msg_resp_init(struct msg_resp *);
void		 msg_resp_free(struct msg_resp *);
/* Add a header; the value must not contain CR or LF (refused: -1). */
int		 msg_resp_header(struct msg_resp *, const char *, const char *);
const char	*msg_resp_get_header(const struct msg_resp *, const char *);
/* Set status and a JSON body (printed unformatted); takes no ownership. */
int		 msg_resp_json(struct msg_resp *, int status, const cJSON *);
/* Set a raw body with its content type (copied). */
int		 msg_resp_body(struct msg_resp *, int status, const char *ctype,
		    const char *body, size_t len);
/* {"error":{"code","message","field"?}} with err->status. */
int		 msg_resp_error(struct msg_resp *, const struct sf_err *);
const char	*msg_status_text(int);

#endif
