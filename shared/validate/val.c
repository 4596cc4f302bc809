#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basics/def.h"
#include "basics/err.h"
#include "validate/val.h"
#include "validate/val_blank.h"
#include "validate/val_json.h"
#include "validate/val_probe.h"

/* Count UTF-8 code points; -1 if the bytes are not valid UTF-8. */
static long
val_utf8_len(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	long			 n = 0;
	int			 k, i;
	unsigned		 cp;

	while (*p != '\0') {
		if (*p < 0x80)
			k = 0, cp = *p;
		else if ((*p & 0xe0) == 0xc0)
			k = 1, cp = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			k = 2, cp = *p & 0x0f;
		else if ((*p & 0xf8) == 0xf0)
			k = 3, cp = *p & 0x07;
		else
			return -1;
		for (i = 1; i <= k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates and out-of-range code points. */
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
		    (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		p += k + 1;
		n++;
	}
	return n;
}

/*
 * A number as the definition holds it and as the caller wrote it: whole
 * numbers in full (999999999, not 1e+09), others in the fewest digits
 * that read back to the same double (0.1, not 0.10000000000000001).
 */
static void
val_num(double d, char *buf, size_t sz)
{
	int	 prec;

	if (d == floor(d) && fabs(d) < 1e17) {
		snprintf(buf, sz, "%.0f", d);
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sz, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, sz, "%.17g", d);
}

static int
val_content_type(const char *ct, struct sf_err *err)
{
	size_t	 n;

	if (ct == NULL || *ct == '\0')
		return sf_err_set(err, 415, "unsupported_media_type", NULL,
		    "send the request body as JSON with "
		    "Content-Type: application/json");
	n = strcspn(ct, "; \t");
	if (n != strlen("application/json") ||
	    strncasecmp(ct, "application/json", n) != 0)
		return sf_err_set(err, 415, "unsupported_media_type", NULL,
		    "Content-Type must be application/json, not \"%.100s\"", ct);
	return 0;
}

static const char *
val_type_name(enum def_type t)
{
	switch (t) {
	case DEF_INTEGER:
		return "an integer";
	case DEF_NUMBER:
		return "a number";
	case DEF_BOOLEAN:
		return "true or false";
	case DEF_URL:
	case DEF_WEBHOOK:
		return "an http(s) URL string";
	default:
		return "a string";
	}
}

int
val_model_allows(const struct def_param *p, const struct def_model *m)
{
	const char *const	*s;

	if (p->models == NULL)
		return 1;
	for (s = p->models; *s != NULL; s++)
		if (strcmp(*s, m->id) == 0)
			return 1;
	return 0;
}

static void
val_list(const char *const *v, char *buf, size_t sz)
{
	size_t	 len = 0;

	buf[0] = '\0';
	for (; *v != NULL && len < sz; v++) {
		snprintf(buf + len, sz - len, "%s%s", len ? ", " : "", *v);
		len = strlen(buf);
	}
}

static int
val_param(const struct def_param *p, cJSON *item, struct sf_err *err)
{
	const char *const	*e;
	char			 list[512], lo[32], hi[32], got[32];
	double			 d, snapped;
	long			 n;

	switch (p->type) {
	case DEF_STRING:
	case DEF_URL:
	case DEF_WEBHOOK:
		if (!cJSON_IsString(item))
			goto badtype;
		if ((n = val_utf8_len(item->valuestring)) < 0)
			return sf_err_set(err, 400, "invalid_encoding", p->name,
			    "%s is not valid UTF-8", p->name);
		/* Blanks alone say nothing either: "   " is "" to a model,
		   and so are a no-break or ideographic space, a zero-width
		   space and the other invisible code points (val_blank.h). */
		if (p->required && val_blank(item->valuestring))
			return sf_err_set(err, 400, "empty_field", p->name,
			    "%s must not be empty or blank", p->name);
		if (p->max_len > 0 && (unsigned long)n > p->max_len)
			return sf_err_set(err, 400, "too_long", p->name,
			    "%s is %ld characters long; the limit is %u",
			    p->name, n, p->max_len);
		if ((p->type == DEF_URL || p->type == DEF_WEBHOOK) &&
		    strncasecmp(item->valuestring,
		    "http://", 7) != 0 && strncasecmp(item->valuestring,
		    "https://", 8) != 0)
			return sf_err_set(err, 400, "invalid_url", p->name,
			    "%s must be an http:// or https:// URL", p->name);
		if (p->enums != NULL) {
			for (e = p->enums; *e != NULL; e++)
				if (strcmp(*e, item->valuestring) == 0)
					break;
			if (*e == NULL) {
				val_list(p->enums, list, sizeof(list));
				return sf_err_set(err, 400, "invalid_value",
				    p->name, "%s \"%.64s\" is not allowed; use "
				    "one of: %s", p->name, item->valuestring,
				    list);
			}
		}
		return 0;
	case DEF_BOOLEAN:
		if (!cJSON_IsBool(item))
			goto badtype;
		return 0;
	case DEF_INTEGER:
	case DEF_NUMBER:
		if (!cJSON_IsNumber(item))
			goto badtype;
		d = item->valuedouble;
		if (!isfinite(d))
			goto badtype;
		if (p->type == DEF_INTEGER &&
		    (d != floor(d) || fabs(d) > 9007199254740991.0))
			goto badtype;
		if (p->has_range && (d < p->min || d > p->max)) {
			val_num(p->min, lo, sizeof(lo));
			val_num(p->max, hi, sizeof(hi));
			val_num(d, got, sizeof(got));
			return sf_err_set(err, 400, "out_of_range", p->name,
			    "%s must be between %s and %s (got %s)", p->name,
			    lo, hi, got);
		}
		if (p->snap > 0) {
			snapped = floor(d / p->snap + 0.5) * p->snap;
			if (p->has_range && snapped > p->max)
				snapped -= p->snap;
			if (p->has_range && snapped < p->min)
				snapped += p->snap;
			cJSON_SetNumberValue(item, snapped);
		}
		return 0;
	}
badtype:
	return sf_err_set(err, 400, "invalid_type", p->name,
	    "%s must be %s", p->name, val_type_name(p->type));
}

static int
val_default(const struct def_param *p, cJSON *obj)
{
	cJSON	*v = NULL;

	if (p->has_default) {
		if (p->type == DEF_BOOLEAN)
			v = cJSON_CreateBool(p->def_bool);
		else
			v = cJSON_CreateNumber(p->def_num);
	} else if (p->def_str != NULL)
		v = cJSON_CreateString(p->def_str);
	else
		return 0;
	if (v == NULL || !cJSON_AddItemToObject(obj, p->name, v)) {
		cJSON_Delete(v);
		return -1;
	}
	return 0;
}

/*
 * What the model itself delivers and takes where it is narrower than the
 * endpoint's inputs (def_model.formats, .prompt_max): a provider's limit
 * refused before payment, naming the model and the limit.
 */
static int
val_model_limits(const struct def_model *m, const cJSON *obj,
    struct sf_err *err)
{
	const cJSON	*f = cJSON_GetObjectItemCaseSensitive(obj, "format");
	const char	*field = "prompt", *why;
	char		 list[64];
	size_t		 i;
	long		 n;

	why = m->limit_why != NULL ? m->limit_why : "the provider's limit";
	if (m->formats != NULL && cJSON_IsString(f)) {
		list[0] = '\0';
		for (i = 0; m->formats[i] != NULL; i++) {
			if (strcmp(m->formats[i], f->valuestring) == 0)
				break;
			if (strlen(list) + strlen(m->formats[i]) + 3 <
			    sizeof(list)) {
				if (i > 0)
					strcat(list, ", ");
				strcat(list, m->formats[i]);
			}
		}
		if (m->formats[i] == NULL)
			return sf_err_set(err, 400, "invalid_value", "format",
			    "%s delivers %s only, not %.16s (%s)", m->id, list,
			    f->valuestring, why);
	}
	if (m->prompt_max == 0)
		return 0;
	f = cJSON_GetObjectItemCaseSensitive(obj, field);
	if (!cJSON_IsString(f)) {
		field = "text";
		f = cJSON_GetObjectItemCaseSensitive(obj, field);
	}
	if (cJSON_IsString(f) && (n = val_utf8_len(f->valuestring)) >= 0 &&
	    (unsigned long)n > m->prompt_max)
		return sf_err_set(err, 400, "too_long", field,
		    "%s takes at most %u characters of %s (%s); this one has "
		    "%ld", m->id, m->prompt_max, field, why, n);
	return 0;
}

/*
 * The chosen model's own rules (definition: def_model.retired, .size):
 * a retired model is refused, and width/height must fit the model's size
 * rule, before any price or 402 (issue 14).  0, or -1 with err set.
 */
int
val_model_rules(const struct def_model *m, const cJSON *obj,
    struct sf_err *err)
{
	const struct def_size	*z = m->size;
	const cJSON		*wi, *hi;
	const char		*bad = NULL;
	double			 v[2], sh, lg;
	int			 i, n = 0;

	/* One sentence: what, why, what instead (the 400 says "not charged"). */
	if (m->retired != NULL && m->replacement != NULL)
		return sf_err_set(err, 400, "model_retired", "model",
		    "model %s is retired (%s): use %s instead", m->id,
		    m->retired, m->replacement);
	if (m->retired != NULL)
		return sf_err_set(err, 400, "model_retired", "model",
		    "model %s is retired (%s)", m->id, m->retired);
	if (val_model_limits(m, obj, err) == -1)
		return -1;
	if (z == NULL)
		return 0;
	wi = cJSON_GetObjectItemCaseSensitive(obj, "width");
	hi = cJSON_GetObjectItemCaseSensitive(obj, "height");
	if (cJSON_IsNumber(wi))
		v[n++] = wi->valuedouble;
	if (cJSON_IsNumber(hi))
		v[n++] = hi->valuedouble;
	for (i = 0; i < n && bad == NULL; i++)
		if ((z->min > 0 && v[i] < z->min) ||
		    (z->max > 0 && v[i] > z->max) ||
		    (z->step > 0 && (long)v[i] % z->step != 0))
			bad = i == 0 && cJSON_IsNumber(wi) ? "width" : "height";
	if (bad == NULL && cJSON_IsNumber(wi) && cJSON_IsNumber(hi)) {
		sh = v[0] < v[1] ? v[0] : v[1];
		lg = v[0] < v[1] ? v[1] : v[0];
		if ((z->max_ratio > 0 && lg > sh * z->max_ratio) ||
		    (z->max_long > 0 && lg > z->max_long) ||
		    (z->max_short > 0 && sh > z->max_short))
			bad = "width";
	}
	if (bad != NULL)
		return sf_err_set(err, 400, "invalid_size", bad,
		    "%s does not take this size: %s", m->id,
		    z->desc != NULL ? z->desc : "see the model's size rule");
	return 0;
}

int
val_object(const struct def_endpoint *ep, cJSON *obj, struct val_result *res,
    struct sf_err *err)
{
	const struct def_param	*p;
	const struct def_tier	*t = NULL;
	cJSON			*item, *other;
	const char		*mid = NULL;
	uint64_t		 units = 1;
	int			 mid_given;

	memset(res, 0, sizeof(*res));
	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		return sf_err_set(err, 400, "invalid_json", NULL,
		    "the request body must be a JSON object");
	}
	res->req = obj;
	/* Unknown and duplicate fields first: they make the rest ambiguous. */
	for (item = obj->child; item != NULL; item = item->next) {
		if (item->string == NULL ||
		    (p = def_find_param(ep, item->string)) == NULL) {
			sf_err_set(err, 400, "unknown_field", item->string,
			    "unknown field \"%.64s\"; see the endpoint's "
			    "INPUT table", item->string ? item->string : "");
			goto fail;
		}
		for (other = item->next; other != NULL; other = other->next)
			if (strcmp(other->string, item->string) == 0) {
				sf_err_set(err, 400, "duplicate_field",
				    item->string, "field \"%s\" appears more "
				    "than once", item->string);
				goto fail;
			}
		/* JSON null means "not given" for optional fields. */
		if (cJSON_IsNull(item) && !p->required)
			continue;
		if (val_param(p, item, err) == -1)
			goto fail;
	}
	/* Drop explicit nulls of optional fields: they mean "not given". */
	for (p = ep->params; p->name != NULL; p++) {
		item = cJSON_GetObjectItemCaseSensitive(obj, p->name);
		if (item != NULL && cJSON_IsNull(item) && !p->required)
			cJSON_DeleteItemFromObjectCaseSensitive(obj, p->name);
	}

	/* Model: an explicit model overrides the tier's. */
	if (ep->model_param != NULL &&
	    (item = cJSON_GetObjectItemCaseSensitive(obj, ep->model_param)) != NULL)
		mid = item->valuestring;
	mid_given = mid != NULL;
	if (ep->tier_param != NULL &&
	    (item = cJSON_GetObjectItemCaseSensitive(obj, ep->tier_param)) != NULL)
		t = def_find_tier(ep, item->valuestring);
	if (t == NULL && ep->default_tier != NULL)
		t = def_find_tier(ep, ep->default_tier);
	if (mid == NULL)
		mid = t != NULL ? t->model : ep->default_model;
	if (mid == NULL && ep->models != NULL)
		mid = ep->models[0].id;
	if ((res->model = def_find_model(ep, mid)) == NULL) {
		sf_err_set(err, 400, "invalid_value",
		    ep->model_param ? ep->model_param : NULL,
		    "model \"%.64s\" is not offered by %s", mid ? mid : "",
		    ep->name);
		goto fail;
	}
	res->tier = t != NULL ? t->name : NULL;
	/* A model chosen without a tier reports the tier that maps to it. */
	if (ep->tier_param != NULL && mid != NULL && ep->tiers != NULL &&
	    cJSON_GetObjectItemCaseSensitive(obj, ep->tier_param) == NULL &&
	    t != NULL && strcmp(t->model, mid) != 0) {
		for (t = ep->tiers; t->name != NULL; t++)
			if (strcmp(t->model, mid) == 0)
				break;
		res->tier = t->name;	/* NULL when no tier maps to it */
		if (t->name != NULL && !cJSON_AddItemToObject(obj,
		    ep->tier_param, cJSON_CreateString(t->name))) {
			sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
			goto fail;
		}
	}

	/* Parameters the chosen model does not take (e.g. seed on Imagen). */
	for (item = obj->child; item != NULL; item = item->next) {
		p = def_find_param(ep, item->string);
		if (!val_model_allows(p, res->model)) {
			sf_err_set(err, 400, "unsupported_parameter", p->name,
			    "model %s does not take %s", res->model->id,
			    p->name);
			goto fail;
		}
	}
	/* Required fields, then defaults (only those the model takes). */
	for (p = ep->params; p->name != NULL; p++) {
		if (cJSON_GetObjectItemCaseSensitive(obj, p->name) != NULL)
			continue;
		if (p->required) {
			sf_err_set(err, 400, "missing_field", p->name,
			    "%s is required", p->name);
			goto fail;
		}
		/* An explicit model with no tier keeps the tier out. */
		if (ep->tier_param != NULL && mid_given &&
		    strcmp(p->name, ep->tier_param) == 0)
			continue;
		if (val_model_allows(p, res->model) &&
		    val_default(p, obj) == -1) {
			sf_err_set(err, 500, "out_of_memory", NULL,
			    "out of memory");
			goto fail;
		}
	}

	if (val_model_rules(res->model, obj, err) == -1)
		goto fail;
	if (ep->price_per != NULL &&
	    (item = cJSON_GetObjectItemCaseSensitive(obj, ep->price_per)) != NULL &&
	    cJSON_IsNumber(item) && item->valuedouble >= 1)
		units = (uint64_t)item->valuedouble;
	res->price = def_model_price(ep, res->model);
	if (units > 1000 || res->price > UINT64_MAX / units) {
		sf_err_set(err, 400, "out_of_range", ep->price_per,
		    "%s is too large", ep->price_per);
		goto fail;
	}
	res->price *= units;
	snprintf(res->amount, sizeof(res->amount), "%llu",
	    (unsigned long long)res->price);
	return 0;
fail:
	val_result_free(res);
	return -1;
}

static int
val_fail_with(struct sf_err *err, const struct sf_err *why)
{
	if (err != NULL)
		*err = *why;
	return -1;
}

/*
 * One strict parse answers everything about the body's form (val_json.h):
 * a probe, the content type, JSON, the findings, then the definition.
 */
int
val_body(const struct def_endpoint *ep, const char *ctype, const char *body,
    size_t len, int paying, struct val_result *res, struct sf_err *err)
{
	struct val_json	 j;
	struct sf_err	 perr;
	cJSON		*tree;

	memset(res, 0, sizeof(*res));
	sf_err_clear(&perr);
	if (val_json_parse(body, len, &j, &perr) == -1) {
		if (perr.status == 500 ||
		    val_content_type(ctype, err) == 0)
			return val_fail_with(err, &perr);
		return -1;
	}
	if (j.probe && !paying) {
		val_json_free(&j);
		return val_probe(ep, res, err);
	}
	if (val_content_type(ctype, err) == -1) {
		val_json_free(&j);
		return -1;
	}
	if (j.blank)
		return sf_err_set(err, 400, "invalid_json", NULL,
		    "the request body is empty; send a JSON object such as %s",
		    ep->example ? ep->example : "{}");
	if (j.flags != 0) {
		perr = j.issue;
		val_json_free(&j);
		return val_fail_with(err, &perr);
	}
	tree = j.tree;
	j.tree = NULL;
	return val_object(ep, tree, res, err);
}

int
val_request(const struct def_endpoint *ep, const char *ctype,
    const char *body, size_t len, struct val_result *res, struct sf_err *err)
{
	return val_body(ep, ctype, body, len, 1, res, err);
}

void
val_result_free(struct val_result *res)
{
	cJSON_Delete(res->req);
	memset(res, 0, sizeof(*res));
}
