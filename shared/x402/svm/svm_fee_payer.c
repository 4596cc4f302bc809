#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "basics/b58.h"
#include "basics/err.h"
#include "x402/facilitator.h"
#include "x402/svm/svm_fee_payer.h"

#define SVM_FP_SLOTS	8

struct svm_fp_slot {
	int	 used;
	char	 url[512];
	char	 network[64];
	int	 ok;
	char	 fee_payer[B58_ADDR_STRLEN];
	char	 why[256];
	time_t	 at;
};

static pthread_mutex_t		svm_fp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct svm_fp_slot	svm_fp[SVM_FP_SLOTS];
static unsigned			svm_fp_next;

int
svm_fee_payer_parse(const char *json, const char *network,
    char out[B58_ADDR_STRLEN], char *why, size_t whysz)
{
	cJSON		*root, *k, *fp;
	int		 rc = -1;

	snprintf(why, whysz, "the facilitator's /supported lists no exact "
	    "kind for %s", network);
	if ((root = cJSON_Parse(json)) == NULL) {
		snprintf(why, whysz, "/supported is not JSON");
		return -1;
	}
	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(root, "kinds")) {
		if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(k,
		    "x402Version")) != 2 ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(k,
		    "scheme")) || strcmp(cJSON_GetObjectItemCaseSensitive(k,
		    "scheme")->valuestring, "exact") != 0 ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(k,
		    "network")) || strcmp(cJSON_GetObjectItemCaseSensitive(k,
		    "network")->valuestring, network) != 0)
			continue;
		fp = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(k, "extra"), "feePayer");
		if (!cJSON_IsString(fp) || !b58_is_address(fp->valuestring)) {
			snprintf(why, whysz, "the facilitator's exact kind for "
			    "%s names no valid extra.feePayer", network);
			break;
		}
		snprintf(out, B58_ADDR_STRLEN, "%s", fp->valuestring);
		rc = 0;
		break;
	}
	cJSON_Delete(root);
	return rc;
}

static struct svm_fp_slot *
svm_fp_find(const char *url, const char *network)
{
	size_t	 i;

	for (i = 0; i < SVM_FP_SLOTS; i++)
		if (svm_fp[i].used && strcmp(svm_fp[i].url, url) == 0 &&
		    strcmp(svm_fp[i].network, network) == 0)
			return &svm_fp[i];
	return NULL;
}

/* Copy a slot's answer out; 0 or -1 as the slot says. */
static int
svm_fp_answer(const struct svm_fp_slot *s, char *out, char *why, size_t whysz)
{
	if (s->ok) {
		memcpy(out, s->fee_payer, B58_ADDR_STRLEN);
		return 0;
	}
	snprintf(why, whysz, "%s", s->why);
	return -1;
}

int
svm_fee_payer(const struct facilitator_config *fc, const char *network,
    time_t now, char out[B58_ADDR_STRLEN], char *why, size_t whysz,
    int *fresh)
{
	struct facilitator_config	 c = *fc;
	struct svm_fp_slot		*s, n;
	struct sf_err			 err;
	char				*json = NULL;
	int				 rc;

	*fresh = 0;
	if (fc->url == NULL || strlen(fc->url) >= sizeof(n.url) ||
	    strlen(network) >= sizeof(n.network)) {
		snprintf(why, whysz, "no usable facilitator URL");
		return -1;
	}
	pthread_mutex_lock(&svm_fp_lock);
	if ((s = svm_fp_find(fc->url, network)) != NULL &&
	    now - s->at < (s->ok ? SVM_FEE_PAYER_TTL : SVM_FEE_PAYER_RETRY)) {
		rc = svm_fp_answer(s, out, why, whysz);
		pthread_mutex_unlock(&svm_fp_lock);
		return rc;
	}
	pthread_mutex_unlock(&svm_fp_lock);

	/* Asked without the lock: a slow facilitator holds up only us. */
	memset(&n, 0, sizeof(n));
	n.used = 1;
	snprintf(n.url, sizeof(n.url), "%s", fc->url);
	snprintf(n.network, sizeof(n.network), "%s", network);
	n.at = now;
	/* On the way to a 402: one short try; the cache retries later. */
	if (c.verify_ms <= 0 || c.verify_ms > 5000)
		c.verify_ms = 5000;
	c.supported_tries = 1;
	sf_err_clear(&err);
	if (facilitator_supported(&c, &json, &err) == -1)
		snprintf(n.why, sizeof(n.why), "facilitator %.80s: %.100s", fc->url,
		    err.message[0] ? err.message : "no answer");
	else
		n.ok = svm_fee_payer_parse(json, network, n.fee_payer, n.why,
		    sizeof(n.why)) == 0;
	free(json);
	*fresh = 1;
	pthread_mutex_lock(&svm_fp_lock);
	if ((s = svm_fp_find(fc->url, network)) == NULL)
		s = &svm_fp[svm_fp_next++ % SVM_FP_SLOTS];
	*s = n;
	rc = svm_fp_answer(s, out, why, whysz);
	pthread_mutex_unlock(&svm_fp_lock);
	return rc;
}

void
svm_fee_payer_flush(void)
{
	pthread_mutex_lock(&svm_fp_lock);
	memset(svm_fp, 0, sizeof(svm_fp));
	pthread_mutex_unlock(&svm_fp_lock);
}
