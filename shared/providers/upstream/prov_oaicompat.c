/*
 * The OpenAI images protocol, shared by OpenAI and xAI (whose API is
 * OpenAI-compatible): POST <base>/images/generations with a bearer key,
 * answer {data: [{b64_json | url, mime_type?}], ...}.  Each adapter builds
 * its own body; this does the call, the error mapping and the outputs.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/retry.h"
#include "providers/provs.h"

int
prov_oaicompat_images(const struct prov_job *j, struct prov_result *r,
    const char *who, const cJSON *in, cJSON **resp, struct sf_err *err)
{
	struct http_resp h;
	const cJSON	*data, *it;
	cJSON		*res = NULL;
	const char	*key, *hdrs[3], *s;
	char		 base[512], auth[1024], url[1024];
	int		 rc = -1;

	*resp = NULL;
	memset(&h, 0, sizeof(h));
	if ((key = provs_key(j)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no %s API key is configured", who);
	provs_base(j, base, sizeof(base));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	hdrs[0] = auth;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	snprintf(url, sizeof(url), "%s/images/generations", base);
	if (prov_call(j, "POST", url, in, hdrs, RETRY_IDEMPOTENT, &h, err) == -1)
		goto out;
	if (!PROV_OK(&h)) {
		prov_http_error(who, h.status, h.body.p, key, err);
		goto out;
	}
	prov_request_id(j, r, http_header(&h, "x-request-id"));
	if ((res = prov_json(&h, who, err)) == NULL)
		goto out;
	/* xAI says no this way; OpenAI answers 400 moderation instead. */
	if ((s = prov_str(res, "block_reason")) != NULL && *s != '\0') {
		sf_err_set(err, 422, "content_moderated", NULL,
		    "%s refused the request on content grounds; change the "
		    "prompt", who);
		goto out;
	}
	data = cJSON_GetObjectItemCaseSensitive(res, "data");
	if (!cJSON_IsArray(data) || cJSON_GetArraySize(data) == 0) {
		sf_err_set(err, 502, "upstream_error", NULL,
		    "%s returned no image", who);
		goto out;
	}
	cJSON_ArrayForEach(it, data) {
		if ((s = prov_str(it, "b64_json")) != NULL) {
			if (prov_out_b64(r, s, prov_str(it, "mime_type"),
			    err) == -1)
				goto out;
		} else if (prov_out_url(r, prov_str(it, "url"),
		    prov_str(it, "mime_type"), err) == -1)
			goto out;
	}
	*resp = res;
	res = NULL;
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(res);
	return rc;
}
