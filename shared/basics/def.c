#include <stdio.h>
#include <string.h>

#include "basics/def.h"

const struct def_model *
def_find_model(const struct def_endpoint *ep, const char *id)
{
	const struct def_model	*m;

	if (id == NULL || ep->models == NULL)
		return NULL;
	for (m = ep->models; m->id != NULL; m++)
		if (strcmp(m->id, id) == 0)
			return m;
	return NULL;
}

const struct def_tier *
def_find_tier(const struct def_endpoint *ep, const char *name)
{
	const struct def_tier	*t;

	if (name == NULL || ep->tiers == NULL)
		return NULL;
	for (t = ep->tiers; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

const struct def_param *
def_find_param(const struct def_endpoint *ep, const char *name)
{
	const struct def_param	*p;

	if (name == NULL || ep->params == NULL)
		return NULL;
	for (p = ep->params; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

const struct def_entry *
def_lookup(const char *name)
{
	const struct def_entry	*e;

	for (e = def_table; e->ep != NULL; e++)
		if (strcmp(e->ep->name, name) == 0 || strcmp(e->stem, name) == 0)
			return e;
	return NULL;
}

uint64_t
def_model_price(const struct def_endpoint *ep, const struct def_model *m)
{
	return (m != NULL && m->price != 0) ? m->price : ep->price;
}

void
def_price_range(const struct def_endpoint *ep, uint64_t *lo, uint64_t *hi)
{
	const struct def_model	*m;
	uint64_t		 p;

	*lo = *hi = ep->price;
	if (ep->models == NULL || ep->models->id == NULL)
		return;
	*lo = *hi = def_model_price(ep, ep->models);
	for (m = ep->models + 1; m->id != NULL; m++) {
		p = def_model_price(ep, m);
		if (p < *lo)
			*lo = p;
		if (p > *hi)
			*hi = p;
	}
}

void
def_usd(uint64_t atomic, char *buf, unsigned long sz)
{
	unsigned long long	 whole = atomic / 1000000, frac = atomic % 1000000;
	char			 f[8];
	int			 n;

	snprintf(f, sizeof(f), "%06llu", frac);
	/* Keep at least cents; drop trailing zeros beyond them. */
	for (n = 6; n > 2 && f[n - 1] == '0'; n--)
		f[n - 1] = '\0';
	snprintf(buf, sz, "%llu.%s", whole, f);
}

const char *
def_async_name(enum def_async a)
{
	switch (a) {
	case DEF_ASYNC_DEFAULT:
		return "default";
	case DEF_ASYNC_NEVER:
		return "never";
	default:
		return "allowed";
	}
}
