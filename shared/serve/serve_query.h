/*
 * The query string of a request, parsed once where the request is read
 * (serve.c, before the flow), so the flow is handed plain values:
 * '&'-separated pairs, empty ones skipped, each key=value decoded as
 * application/x-www-form-urlencoded ('+' a space, %XX a byte; WHATWG URL
 * standard, "application/x-www-form-urlencoded parsing").  A key or value
 * that is not valid URL encoding (a '%' without two hex digits, or %00,
 * which would cut the string short) is NULL in its pair: whoever reads
 * the pair answers for it (today only the free demo reads the query).
 */
#ifndef SF_SERVE_QUERY_H
#define SF_SERVE_QUERY_H

#include <stddef.h>

struct msg_param;

struct serve_query {
	struct msg_param	*params;	/* n pairs, in query order */
	size_t			 n;
	char			*buf;		/* the decoded strings */
};

/*
 * Parse query (NULL or "" give no pairs) into q; the pairs' raw_key
 * points into query, which must outlive them.  0, or -1 out of memory
 * (q empty).  Free with serve_query_free.
 */
int	serve_query_parse(const char *query, struct serve_query *q);
void	serve_query_free(struct serve_query *);

#endif
