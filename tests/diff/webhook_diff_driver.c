/*
 * Driver for webhook_diff.mjs: one JSON request per input line, one JSON
 * answer per output line (shared/http/webhook_sig.h).
 *
 *   {"op":"new"}			-> {"secret":S,"id":I}
 *   {"op":"sign","secret":S,"id":I,"ts":N,"body":B64}
 *		-> {"id":..,"timestamp":..,"signature":..} | {"error":CODE}
 *   {"op":"verify","secret":S,"id":I,"ts":T,"sigs":H,"body":B64,"now":N}
 *		-> {"ok":bool}
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/err.h"
#include "http/webhook_sig.h"

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON	*j = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static int64_t
num(const cJSON *o, const char *k)
{
	const cJSON	*j = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(j) ? (int64_t)j->valuedouble : -1;
}

int
main(void)
{
	struct webhook_sig_headers	 h;
	struct sf_err			 err;
	char				*line = NULL, *t, sec[WEBHOOK_SIG_SECRET_STRLEN];
	char				 id[WEBHOOK_SIG_ID_MAX + 1];
	unsigned char			*body;
	size_t				 cap = 0, blen;
	cJSON				*q, *a;
	const char			*op;

	while (getline(&line, &cap, stdin) > 0) {
		if ((q = cJSON_Parse(line)) == NULL ||
		    (a = cJSON_CreateObject()) == NULL)
			return 2;
		op = str(q, "op");
		body = str(q, "body") != NULL ? b64_decode(str(q, "body"),
		    &blen) : NULL;
		if (op != NULL && strcmp(op, "new") == 0) {
			if (webhook_sig_secret_new(sec) == -1 ||
			    webhook_sig_id_new(id) == -1)
				return 2;
			cJSON_AddStringToObject(a, "secret", sec);
			cJSON_AddStringToObject(a, "id", id);
		} else if (op != NULL && strcmp(op, "sign") == 0 && body) {
			if (webhook_sig_headers(str(q, "secret"), str(q, "id"),
			    num(q, "ts"), body, blen, &h, &err) == -1)
				cJSON_AddStringToObject(a, "error", err.code);
			else {
				cJSON_AddStringToObject(a, "id", h.id);
				cJSON_AddStringToObject(a, "timestamp",
				    h.timestamp);
				cJSON_AddStringToObject(a, "signature",
				    h.signature);
			}
		} else if (op != NULL && strcmp(op, "verify") == 0 && body)
			cJSON_AddBoolToObject(a, "ok", webhook_sig_verify(
			    str(q, "secret"), str(q, "id"), str(q, "ts"),
			    str(q, "sigs"), body, blen, num(q, "now"),
			    WEBHOOK_SIG_TOLERANCE));
		else
			cJSON_AddStringToObject(a, "error", "bad request");
		if ((t = cJSON_PrintUnformatted(a)) == NULL)
			return 2;
		printf("%s\n", t);
		fflush(stdout);
		free(t);
		free(body);
		cJSON_Delete(a);
		cJSON_Delete(q);
	}
	free(line);
	return 0;
}
