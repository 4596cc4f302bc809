#include <stdio.h>
#include <string.h>

#include "basics/cfg.h"
#include "providers/offline/prov_offline.h"
#include "providers/provs.h"

const struct prov_info provs_table[] = {
	{ "venice", "VENICE_API_KEY", "VENICE_BASE_URL",
	  "https://api.venice.ai/api/v1", prov_venice_run, NULL },
	/* Queue host; fal's sync host (fal.run) is not used. */
	{ "fal", "FAL_KEY", "FAL_QUEUE_BASE_URL", "https://queue.fal.run",
	  prov_fal_run, prov_fal_cancel },
	{ "bfl", "BFL_API_KEY", "BFL_BASE_URL", "https://api.bfl.ai",
	  prov_bfl_run, NULL },
	{ "openai", "OPENAI_API_KEY", "OPENAI_BASE_URL",
	  "https://api.openai.com/v1", prov_openai_run, NULL },
	{ "google", "GEMINI_API_KEY", "GEMINI_BASE_URL",
	  "https://generativelanguage.googleapis.com/v1beta", prov_google_run,
	  NULL },
	{ "xai", "XAI_API_KEY", "XAI_BASE_URL", "https://api.x.ai/v1",
	  prov_xai_run, NULL },
	{ "elevenlabs", "ELEVENLABS_API_KEY", "ELEVENLABS_BASE_URL",
	  "https://api.elevenlabs.io", prov_elevenlabs_run, NULL },
	{ "replicate", "REPLICATE_API_TOKEN", "REPLICATE_BASE_URL",
	  "https://api.replicate.com/v1", prov_replicate_run,
	  prov_replicate_cancel },
	{ "offline", NULL, NULL, NULL, prov_offline_run, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

const struct prov_info *
provs_find(const char *name)
{
	const struct prov_info	*p;

	if (name == NULL)
		return NULL;
	for (p = provs_table; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

const char *
provs_base(const struct prov_job *j, char *buf, size_t sz)
{
	const struct prov_info	*p;
	const char		*v;
	size_t			 n;

	if ((p = provs_find(j->provider)) == NULL || p->base_key == NULL)
		return NULL;
	v = cfg_get_or(j->cfg, p->base_key, p->base_def);
	snprintf(buf, sz, "%s", v);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return buf;
}

const char *
provs_key(const struct prov_job *j)
{
	const struct prov_info	*p;
	const char		*v;

	if ((p = provs_find(j->provider)) == NULL || p->key == NULL)
		return NULL;
	v = cfg_get(j->cfg, p->key);
	/* A key with a line break would forge headers: treat as unset. */
	if (v == NULL || *v == '\0' || strpbrk(v, "\r\n") != NULL)
		return NULL;
	return v;
}
