#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/def.h"
#include "basics/err.h"
#include "validate/val.h"
#include "validate/val_probe.h"

/* The model val_object picks when the body names none. */
static const struct def_model *
val_probe_model(const struct def_endpoint *ep, const char **tier)
{
	const struct def_tier	*t = NULL;
	const char		*mid;

	if (ep->default_tier != NULL)
		t = def_find_tier(ep, ep->default_tier);
	*tier = t != NULL ? t->name : NULL;
	mid = t != NULL ? t->model : ep->default_model;
	if (mid == NULL && ep->models != NULL)
		mid = ep->models[0].id;
	return mid != NULL ? def_find_model(ep, mid) : NULL;
}

static int
val_probe_default(const struct def_param *p, cJSON *obj)
{
	cJSON	*v;

	if (p->has_default)
		v = p->type == DEF_BOOLEAN ? cJSON_CreateBool(p->def_bool) :
		    cJSON_CreateNumber(p->def_num);
	else if (p->def_str != NULL)
		v = cJSON_CreateString(p->def_str);
	else
		return 0;
	if (v == NULL || !cJSON_AddItemToObject(obj, p->name, v)) {
		cJSON_Delete(v);
		return -1;
	}
	return 0;
}

int
val_probe(const struct def_endpoint *ep, struct val_result *res,
    struct sf_err *err)
{
	const struct def_param	*p;
	const cJSON		*n;
	uint64_t		 units = 1;

	memset(res, 0, sizeof(*res));
	if ((res->model = val_probe_model(ep, &res->tier)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "%s names no model", ep->name);
	if ((res->req = cJSON_CreateObject()) == NULL)
		goto oom;
	for (p = ep->params; p->name != NULL; p++)
		if (!p->required && val_model_allows(p, res->model) &&
		    val_probe_default(p, res->req) == -1)
			goto oom;
	if (ep->price_per != NULL && (n = cJSON_GetObjectItemCaseSensitive(
	    res->req, ep->price_per)) != NULL && cJSON_IsNumber(n) &&
	    n->valuedouble >= 1 && n->valuedouble <= 1000)
		units = (uint64_t)n->valuedouble;
	res->price = def_model_price(ep, res->model) * units;
	snprintf(res->amount, sizeof(res->amount), "%llu",
	    (unsigned long long)res->price);
	return 0;
oom:
	val_result_free(res);
	return sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
}
