/*
 * val_probe: what counts as a discovery probe ("{}" or no body), and the
 * default request it is priced as: the same model and amount as the
 * smallest valid request with the defaults, required fields absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/def.h"
#include "basics/err.h"
#include "tap.h"
#include "validate/val.h"
#include "validate/val_probe.h"

static const struct def_endpoint *
ep(const char *name)
{
	const struct def_entry	*e = def_lookup(name);

	if (e == NULL) {
		printf("Bail out! no definition %s\n", name);
		exit(2);
	}
	return e->ep;
}

#define PROBE(s)	val_is_probe((s), strlen(s))

/* The probe priced like the valid request body. */
static void
same_as(const char *name, const char *body, const char *amount)
{
	struct val_result	 p, v;
	struct sf_err		 err;

	sf_err_clear(&err);
	TAP_OK(val_probe(ep(name), &p, &err) == 0, "%s: probe priced", name);
	TAP_STREQ(p.amount, amount, "%s: probe amount", name);
	TAP_OK(val_request(ep(name), "application/json", body, strlen(body),
	    &v, &err) == 0, "%s: %s validates", name, body);
	TAP_OK(p.model == v.model, "%s: same model as %s", name, body);
	TAP_STREQ(p.amount, v.amount, "%s: same amount as %s", name, body);
	val_result_free(&v);
	val_result_free(&p);
}

int
main(void)
{
	struct val_result	 p;
	struct sf_err		 err;

	TAP_OK(val_is_probe(NULL, 0), "no body");
	TAP_OK(PROBE(""), "empty body");
	TAP_OK(PROBE(" \r\n\t"), "blanks");
	TAP_OK(PROBE("{}"), "{}");
	TAP_OK(PROBE(" { \n } \n"), "{ } with blanks");
	TAP_OK(!PROBE("{\"prompt\":\"x\"}"), "a real body is not a probe");
	TAP_OK(!PROBE("{\"prompt\":\"\"}"), "an empty value is not a probe");
	TAP_OK(!PROBE("[]"), "[] is not a probe");
	TAP_OK(!PROBE("{}x"), "{} then garbage is not a probe");
	TAP_OK(!PROBE("{"), "{ alone is not a probe");
	TAP_OK(!PROBE("null"), "null is not a probe");
	TAP_OK(!val_is_probe("{}\0", 3), "{} then NUL is not a probe");

	/* Prices written from the README's table, not from the code. */
	same_as("image-generate", "{\"prompt\":\"x\"}", "10000");
	same_as("image-generate-pro", "{\"prompt\":\"x\"}", "100000");
	same_as("text-to-video", "{\"prompt\":\"x\"}", "200000");

	sf_err_clear(&err);
	TAP_OK(val_probe(ep("image-generate"), &p, &err) == 0, "probe");
	TAP_OK(cJSON_GetObjectItemCaseSensitive(p.req, "prompt") == NULL,
	    "the required prompt stays absent");
	TAP_OK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p.req,
	    "width")), "defaults are filled (width)");
	val_result_free(&p);
	TAP_OK(p.req == NULL, "freed");
	return tap_done();
}
