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

	/* What counts as a probe: test_val_json (check_probe); here, what
	   val_body makes of one, with and without a payment. */
	sf_err_clear(&err);
	TAP_OK(val_body(ep("image-generate"), NULL, "{}", 2, 0, &p, &err) ==
	    0 && p.price == 10000, "{} without payment: priced as the "
	    "default request, whatever the Content-Type");
	val_result_free(&p);
	TAP_OK(val_body(ep("image-generate"), NULL, NULL, 0, 0, &p, &err) ==
	    0 && p.price == 10000, "no body without payment: the probe");
	val_result_free(&p);
	TAP_OK(val_body(ep("image-generate"), "application/json", "{}", 2, 1,
	    &p, &err) == -1 && strcmp(err.code, "missing_field") == 0,
	    "{} with a payment: validated (%s)", err.code);
	TAP_OK(val_body(ep("image-generate"), "application/json", "", 0, 1,
	    &p, &err) == -1 && strcmp(err.code, "invalid_json") == 0,
	    "no body with a payment: invalid_json");
	TAP_OK(val_body(ep("image-generate"), NULL, "\x0b{}", 3, 0, &p,
	    &err) == -1 && strcmp(err.code, "unsupported_media_type") == 0,
	    "not a probe (a vertical tab first), no Content-Type: 415");
	TAP_OK(val_body(ep("image-generate"), "application/json", "\x0b{}", 3,
	    0, &p, &err) == -1 && strcmp(err.code, "invalid_json") == 0,
	    "the same as JSON: invalid_json, not the probe's 402");

	/* Prices written from the table of docs/calling.md, not from the code. */
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
