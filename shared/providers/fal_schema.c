#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "providers/fal_schema.h"

/* A local "#/components/schemas/X" reference, resolved; else s. */
static const cJSON *
fs_deref(const cJSON *doc, const cJSON *s)
{
	const cJSON	*r, *schemas;
	const char	*ref;
	int		 n;

	schemas = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "components"), "schemas");
	for (n = 0; n < 16 && s != NULL; n++) {
		r = cJSON_GetObjectItemCaseSensitive(s, "$ref");
		if (!cJSON_IsString(r))
			return s;
		ref = r->valuestring;
		if (strncmp(ref, "#/components/schemas/", 21) != 0)
			return NULL;
		s = cJSON_GetObjectItemCaseSensitive(schemas, ref + 21);
	}
	return s;
}

static void
fs_add_unique(cJSON *arr, const char *v)
{
	const cJSON	*it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, v) == 0)
			return;
	cJSON_AddItemToArray(arr, cJSON_CreateString(v));
}

/* The JSON types and string values a property schema allows. */
static void
fs_collect(const cJSON *doc, const cJSON *s, cJSON *types, cJSON *vals,
    int depth)
{
	static const char *const comb[] = { "anyOf", "oneOf", "allOf", NULL };
	const cJSON	*t, *it;
	size_t		 i;

	if ((s = fs_deref(doc, s)) == NULL || depth > 8)
		return;
	t = cJSON_GetObjectItemCaseSensitive(s, "type");
	if (cJSON_IsString(t))
		fs_add_unique(types, strcmp(t->valuestring, "integer") == 0 ?
		    "number" : t->valuestring);
	cJSON_ArrayForEach(it, t)
		if (cJSON_IsString(it) && strcmp(it->valuestring, "null") != 0)
			fs_add_unique(types, strcmp(it->valuestring,
			    "integer") == 0 ? "number" : it->valuestring);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(s, "enum"))
		if (cJSON_IsString(it))
			fs_add_unique(vals, it->valuestring);
	it = cJSON_GetObjectItemCaseSensitive(s, "const");
	if (cJSON_IsString(it)) {
		fs_add_unique(vals, it->valuestring);
		fs_add_unique(types, "string");
	}
	for (i = 0; comb[i] != NULL; i++)
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(s,
		    comb[i]))
			fs_collect(doc, it, types, vals, depth + 1);
	/* An enum alone still says its type. */
	if (cJSON_GetArraySize(types) == 0 && cJSON_GetArraySize(vals) > 0)
		fs_add_unique(types, "string");
}

cJSON *
fal_schema_input(const cJSON *doc, const char *id)
{
	const cJSON	*paths, *op, *s, *props, *it, *req;
	cJSON		*out, *po, *p, *types, *vals;
	char		 path[600];

	snprintf(path, sizeof(path), "/%s", id);
	paths = cJSON_GetObjectItemCaseSensitive(doc, "paths");
	op = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(paths, path), "post");
	s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    op, "requestBody"), "content"), "application/json"), "schema");
	if ((s = fs_deref(doc, s)) == NULL || !cJSON_IsObject(s))
		return NULL;
	if ((out = cJSON_CreateObject()) == NULL)
		return NULL;
	req = cJSON_GetObjectItemCaseSensitive(s, "required");
	cJSON_AddItemToObject(out, "required", cJSON_IsArray(req) ?
	    cJSON_Duplicate(req, 1) : cJSON_CreateArray());
	po = cJSON_AddObjectToObject(out, "properties");
	props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	cJSON_ArrayForEach(it, props) {
		if (po == NULL || (p = cJSON_AddObjectToObject(po,
		    it->string)) == NULL)
			break;
		types = cJSON_AddArrayToObject(p, "types");
		vals = cJSON_AddArrayToObject(p, "enum");
		fs_collect(doc, it, types, vals, 0);
	}
	return out;
}

static int
fs_has(const cJSON *arr, const char *v)
{
	const cJSON	*it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, v) == 0)
			return 1;
	return 0;
}

/* Values of a that b lacks, comma-separated into buf. */
static int
fs_minus(const cJSON *a, const cJSON *b, char *buf, size_t sz)
{
	const cJSON	*it;
	int		 n = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it) || fs_has(b, it->valuestring))
			continue;
		if (strlen(buf) + strlen(it->valuestring) + 3 < sz) {
			if (n > 0)
				strcat(buf, ", ");
			strcat(buf, it->valuestring);
		}
		n++;
	}
	return n;
}

int
fal_schema_diff(const cJSON *served, const cJSON *contract,
    void (*cb)(void *, int, const char *), void *arg)
{
	const cJSON	*sp, *cp, *it, *s, *c;
	char		 msg[700], a[256], b[256];
	int		 n = 0, sreq, creq;

	sp = cJSON_GetObjectItemCaseSensitive(served, "properties");
	cp = cJSON_GetObjectItemCaseSensitive(contract, "properties");
	cJSON_ArrayForEach(it, sp) {
		sreq = fs_has(cJSON_GetObjectItemCaseSensitive(served,
		    "required"), it->string);
		if ((c = cJSON_GetObjectItemCaseSensitive(cp, it->string)) ==
		    NULL) {
			snprintf(msg, sizeof(msg), "fal now takes %s%s, which "
			    "the contract does not know", it->string,
			    sreq ? " (required)" : "");
			cb(arg, sreq, msg);
			n++;
			continue;
		}
		creq = fs_has(cJSON_GetObjectItemCaseSensitive(contract,
		    "required"), it->string);
		if (sreq != creq) {
			snprintf(msg, sizeof(msg), "%s is %s by fal, %s in the "
			    "contract", it->string, sreq ? "required" :
			    "optional", creq ? "required" : "optional");
			cb(arg, sreq, msg);
			n++;
		}
		s = cJSON_GetObjectItemCaseSensitive(it, "types");
		c = cJSON_GetObjectItemCaseSensitive(c, "types");
		if (fs_minus(s, c, a, sizeof(a)) + fs_minus(c, s, b,
		    sizeof(b)) > 0) {
			snprintf(msg, sizeof(msg), "%s: type %s%s%s%s%s",
			    it->string, a[0] ? "now also " : "", a,
			    a[0] && b[0] ? "; " : "", b[0] ? "no longer " : "",
			    b);
			cb(arg, 1, msg);
			n++;
		}
		s = cJSON_GetObjectItemCaseSensitive(it, "enum");
		c = cJSON_GetObjectItemCaseSensitive(cp, it->string);
		c = cJSON_GetObjectItemCaseSensitive(c, "enum");
		if (cJSON_GetArraySize(s) > 0 && cJSON_GetArraySize(c) > 0 &&
		    fs_minus(s, c, a, sizeof(a)) + fs_minus(c, s, b,
		    sizeof(b)) > 0) {
			snprintf(msg, sizeof(msg), "%s: values %s%s%s%s%s",
			    it->string, a[0] ? "added " : "", a,
			    a[0] && b[0] ? "; " : "", b[0] ? "removed " : "",
			    b);
			/* A value removed may be one we send. */
			cb(arg, b[0] != '\0', msg);
			n++;
		}
	}
	cJSON_ArrayForEach(it, cp)
		if (cJSON_GetObjectItemCaseSensitive(sp, it->string) == NULL) {
			creq = fs_has(cJSON_GetObjectItemCaseSensitive(contract,
			    "required"), it->string);
			snprintf(msg, sizeof(msg), "fal no longer takes %s, "
			    "which the contract has%s", it->string, creq ?
			    " (required: we send it)" : "");
			cb(arg, creq, msg);
			n++;
		}
	return n;
}
