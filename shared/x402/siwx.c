#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/msg.h"
#include "basics/net.h"
#include "x402/siwx.h"
#include "x402/siwx_msg.h"

/* buildSIWxSchema() of @x402/extensions 2.27.0, key order included. */
static const char siwx_schema_json[] =
    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
    "\"type\":\"object\",\"properties\":{"
    "\"domain\":{\"type\":\"string\"},"
    "\"address\":{\"type\":\"string\"},"
    "\"statement\":{\"type\":\"string\"},"
    "\"uri\":{\"type\":\"string\",\"format\":\"uri\"},"
    "\"version\":{\"type\":\"string\"},"
    "\"chainId\":{\"type\":\"string\"},"
    "\"type\":{\"type\":\"string\"},"
    "\"nonce\":{\"type\":\"string\"},"
    "\"issuedAt\":{\"type\":\"string\",\"format\":\"date-time\"},"
    "\"expirationTime\":{\"type\":\"string\",\"format\":\"date-time\"},"
    "\"notBefore\":{\"type\":\"string\",\"format\":\"date-time\"},"
    "\"requestId\":{\"type\":\"string\"},"
    "\"resources\":{\"type\":\"array\",\"items\":{\"type\":\"string\","
    "\"format\":\"uri\"}},"
    "\"signature\":{\"type\":\"string\"}},"
    "\"required\":[\"domain\",\"address\",\"uri\",\"version\",\"chainId\","
    "\"type\",\"nonce\",\"issuedAt\",\"signature\"]}";

static int
siwx_alnum(int c)
{

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * A host whose last label is a number is an IPv4 address to WHATWG's URL
 * parser, which rewrites "127.1" or "0x7f.0.0.1" as "127.0.0.1" and
 * refuses "1.2.3.256": take only the canonical dotted quad then, so the
 * host we compare is the one a client computes.  0 or -1.
 */
static int
siwx_ipv4_ok(const char *h)
{
	const char	*last, *p;
	size_t		 n = strlen(h);
	int		 parts = 0, v, digits;

	if (n > 0 && h[n - 1] == '.')
		n--;
	for (last = h + n; last > h && last[-1] != '.'; last--)
		continue;
	if (last == h + n)
		return 0;
	if (!(last[0] == '0' && (last[1] == 'x' || last[1] == 'X'))) {
		for (p = last; p < h + n; p++)
			if (*p < '0' || *p > '9')
				return 0;	/* a name, not a number */
	}
	if (n != strlen(h))
		return -1;		/* "1.2.3.4." */
	for (p = h; *p != '\0'; p++) {
		for (v = 0, digits = 0; *p >= '0' && *p <= '9'; p++, digits++)
			if ((v = v * 10 + (*p - '0')) > 255)
				return -1;
		if (digits == 0 || (digits > 1 && p[-digits] == '0') ||
		    ++parts > 4 || (*p != '.' && *p != '\0'))
			return -1;
		if (*p == '\0')
			break;
	}
	return parts == 4 ? 0 : -1;
}

/*
 * "[" IPv6 "]" as WHATWG's URL serializer writes it: lower-case hex
 * pieces, the first longest run of two or more zero pieces as "::", never
 * a dotted IPv4 tail (inet_ntop writes "::ffff:1.2.3.4"; URL.host is
 * "[::ffff:102:304]", and that is what a client compares).
 */
static void
siwx_ipv6(const unsigned char a[16], char *out, size_t sz)
{
	unsigned	 w[8];
	int		 i, best = -1, blen = 1, cur, len;
	size_t		 n;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < 8; i = cur + len) {
		cur = i;
		for (len = 0; cur + len < 8 && w[cur + len] == 0; len++)
			continue;
		if (len > blen) {
			best = cur;
			blen = len;
		}
		if (len == 0)
			len = 1;
	}
	n = (size_t)snprintf(out, sz, "[");
	for (i = 0; i < 8 && n < sz; i++) {
		if (i == best) {
			n += (size_t)snprintf(out + n, sz - n, i == 0 ? "::" : ":");
			i += blen - 1;
			continue;
		}
		n += (size_t)snprintf(out + n, sz - n, "%x%s", w[i],
		    i < 7 ? ":" : "");
	}
	if (n < sz)
		snprintf(out + n, sz - n, "]");
}

int
siwx_origin(const char *url, char *origin, size_t osz, char *host,
    size_t hsz, const char **rest)
{
	const char	*p, *ae, *he, *q;
	char		 h[256], v6[64];
	unsigned char	 a6[16];
	unsigned long	 port = 0;
	size_t		 i, n;
	int		 https, has_port = 0;

	if (strncasecmp(url, "https://", 8) == 0) {
		https = 1;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		https = 0;
		p = url + 7;
	} else
		return -1;
	ae = p + strcspn(p, "/?#");
	if (*p == '[') {
		if ((he = memchr(p, ']', (size_t)(ae - p))) == NULL ||
		    (n = (size_t)(he - p - 1)) == 0 || n >= sizeof(v6))
			return -1;
		memcpy(v6, p + 1, n);
		v6[n] = '\0';
		if (inet_pton(AF_INET6, v6, a6) != 1)
			return -1;
		siwx_ipv6(a6, h, sizeof(h));
		he++;
	} else {
		for (he = p; he < ae && *he != ':'; he++)
			if (!siwx_alnum((unsigned char)*he) && *he != '-' &&
			    *he != '.' && *he != '_' && *he != '~')
				return -1;
		if (he == p || (size_t)(he - p) >= sizeof(h))
			return -1;
		for (i = 0; p + i < he; i++)
			h[i] = (p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i];
		h[i] = '\0';
		if (siwx_ipv4_ok(h) == -1)
			return -1;
	}
	if (he < ae) {
		if (*he != ':')
			return -1;
		for (q = he + 1; q < ae; q++) {
			if (*q < '0' || *q > '9' || (port = port * 10 +
			    (unsigned long)(*q - '0')) > 65535)
				return -1;
			has_port = 1;
		}
	}
	if (has_port && port != (https ? 443UL : 80UL))
		n = (size_t)snprintf(host, hsz, "%s:%lu", h, port);
	else
		n = (size_t)snprintf(host, hsz, "%s", h);
	if (n >= hsz || (size_t)snprintf(origin, osz, "%s://%s",
	    https ? "https" : "http", host) >= osz)
		return -1;
	if (rest != NULL)
		*rest = ae;
	return 0;
}

int
siwx_config_init(struct siwx_config *c, const char *public_url,
    const char *const *networks, size_t n,
    const struct siwx_nonce_store *store, struct sf_err *err)
{
	struct net_info	 ni;
	size_t		 i, j;

	memset(c, 0, sizeof(*c));
	if (public_url == NULL || siwx_origin(public_url, c->origin,
	    sizeof(c->origin), c->host, sizeof(c->host), NULL) == -1)
		return sf_err_set(err, 500, "config_invalid", "PUBLIC_URL",
		    "sign-in-with-x: PUBLIC_URL \"%s\" has no http(s) origin "
		    "we can bind sign-ins to", public_url ? public_url : "");
	if (n == 0 || n > SIWX_CHAINS_MAX)
		return sf_err_set(err, 500, "config_invalid", NULL,
		    "sign-in-with-x: %zu networks (1 to %d)", n,
		    SIWX_CHAINS_MAX);
	for (i = 0; i < n; i++) {
		if (networks[i] == NULL || net_lookup(networks[i], &ni) == -1)
			return sf_err_set(err, 500, "config_invalid", NULL,
			    "sign-in-with-x: unknown network \"%s\"",
			    networks[i] ? networks[i] : "");
		net_caip2(&ni, c->chains[c->nchains].id,
		    sizeof(c->chains[c->nchains].id));
		c->chains[c->nchains].family = ni.family;
		for (j = 0; j < c->nchains; j++)
			if (strcmp(c->chains[j].id,
			    c->chains[c->nchains].id) == 0)
				break;
		if (j == c->nchains)
			c->nchains++;
	}
	if (store == NULL || store->issue == NULL || store->consume == NULL)
		return sf_err_set(err, 500, "config_invalid", NULL,
		    "sign-in-with-x: no nonce store");
	c->nonces = *store;
	c->ttl_ms = SIWX_TTL_DEFAULT;
	c->skew_ms = SIWX_SKEW_DEFAULT;
	return 0;
}

/* Our origin + the path and query of resource_url (rebaseResourcePath). */
static int
siwx_uri(const struct siwx_config *c, const char *resource_url,
    struct buf *out)
{
	char		 o[256], h[256];
	const char	*rest;
	size_t		 n;

	if (resource_url == NULL || siwx_origin(resource_url, o, sizeof(o), h,
	    sizeof(h), &rest) == -1)
		return -1;
	n = strcspn(rest, "#");
	buf_puts(out, c->origin);
	if (*rest != '/')
		buf_puts(out, "/");
	buf_append(out, rest, n);
	return out->oom || !siwx_msg_is_uri(out->p) ? -1 : 0;
}

const char *
siwx_type(enum net_family f)
{

	return f == NET_SVM ? "ed25519" : "eip191";
}

cJSON *
siwx_extension(const struct siwx_config *c, const char *resource_url,
    int64_t now_ms, struct sf_err *err)
{
	struct buf	 uri;
	uint8_t		 rnd[SIWX_NONCE_LEN / 2];
	char		 nonce[SIWX_NONCE_LEN + 3], iat[25], exp[25];
	cJSON		*ext = NULL, *info, *res, *chains, *ch, *schema;
	size_t		 i;

	buf_init(&uri);
	if (siwx_uri(c, resource_url, &uri) == -1) {
		sf_err_set(err, 500, "siwx_bad_resource", NULL,
		    "sign-in-with-x: resource URL \"%s\" is not an http(s) "
		    "URL", resource_url ? resource_url : "");
		goto out;
	}
	if (c->statement[0] != '\0' && !siwx_msg_statement_ok(c->statement)) {
		sf_err_set(err, 500, "config_invalid", NULL, "sign-in-with-x: "
		    "the statement holds characters EIP-4361 forbids");
		goto out;
	}
	if (siwx_msg_time_iso(now_ms, iat) == -1 ||
	    siwx_msg_time_iso(now_ms + c->ttl_ms, exp) == -1) {
		sf_err_set(err, 500, "siwx_clock", NULL,
		    "sign-in-with-x: the clock is out of range");
		goto out;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		sf_err_set(err, 500, "no_entropy", NULL,
		    "sign-in-with-x: getrandom failed");
		goto out;
	}
	hex_encode(rnd, sizeof(rnd), nonce);
	if (c->nonces.issue(c->nonces.ctx, nonce + 2,
	    now_ms + c->ttl_ms + c->skew_ms) == -1) {
		sf_err_set(err, 503, "siwx_store_unavailable", NULL,
		    "sign-in-with-x: the nonce could not be recorded; "
		    "try again shortly");
		goto out;
	}
	if ((ext = cJSON_CreateObject()) == NULL ||
	    (info = cJSON_AddObjectToObject(ext, "info")) == NULL)
		goto oom;
	cJSON_AddStringToObject(info, "domain", c->host);
	cJSON_AddStringToObject(info, "uri", uri.p);
	cJSON_AddStringToObject(info, "version", "1");
	cJSON_AddStringToObject(info, "nonce", nonce + 2);
	cJSON_AddStringToObject(info, "issuedAt", iat);
	if ((res = cJSON_AddArrayToObject(info, "resources")) == NULL)
		goto oom;
	cJSON_AddItemToArray(res, cJSON_CreateString(uri.p));
	cJSON_AddStringToObject(info, "expirationTime", exp);
	if (c->statement[0] != '\0')
		cJSON_AddStringToObject(info, "statement", c->statement);
	if ((chains = cJSON_AddArrayToObject(ext, "supportedChains")) == NULL)
		goto oom;
	for (i = 0; i < c->nchains; i++) {
		if ((ch = cJSON_CreateObject()) == NULL)
			goto oom;
		cJSON_AddItemToArray(chains, ch);
		cJSON_AddStringToObject(ch, "chainId", c->chains[i].id);
		cJSON_AddStringToObject(ch, "type",
		    siwx_type(c->chains[i].family));
	}
	if ((schema = cJSON_Parse(siwx_schema_json)) == NULL)
		goto oom;
	cJSON_AddItemToObject(ext, "schema", schema);
	/* cJSON's Add* fail silently: count what must be there. */
	if (cJSON_GetArraySize(info) != 7 + (c->statement[0] != '\0') ||
	    cJSON_GetArraySize(res) != 1 ||
	    cJSON_GetArraySize(chains) != (int)c->nchains ||
	    cJSON_GetArraySize(ext) != 3)
		goto oom;
	buf_free(&uri);
	return ext;
oom:
	sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
	cJSON_Delete(ext);
	ext = NULL;
out:
	buf_free(&uri);
	return ext;
}

cJSON *
siwx_required(const struct siwx_config *c, const char *resource_url,
    const char *description, const char *error, int64_t now_ms,
    struct sf_err *err)
{
	cJSON	*j, *res, *exts, *ext;

	if ((ext = siwx_extension(c, resource_url, now_ms, err)) == NULL)
		return NULL;
	if ((j = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(ext);
		goto oom;
	}
	cJSON_AddNumberToObject(j, "x402Version", 2);
	if (error != NULL)
		cJSON_AddStringToObject(j, "error", error);
	exts = NULL;
	if ((res = cJSON_AddObjectToObject(j, "resource")) == NULL ||
	    cJSON_AddStringToObject(res, "url", resource_url) == NULL ||
	    cJSON_AddStringToObject(res, "description",
	    description != NULL ? description : "") == NULL ||
	    cJSON_AddStringToObject(res, "mimeType",
	    "application/json") == NULL ||
	    cJSON_AddArrayToObject(j, "accepts") == NULL ||
	    (exts = cJSON_AddObjectToObject(j, "extensions")) == NULL) {
		cJSON_Delete(ext);
		cJSON_Delete(j);
		goto oom;
	}
	cJSON_AddItemToObject(exts, SIWX_EXT, ext);
	if (cJSON_GetObjectItemCaseSensitive(exts, SIWX_EXT) != ext) {
		cJSON_Delete(ext);
		cJSON_Delete(j);
		goto oom;
	}
	return j;
oom:
	sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
	return NULL;
}

int
siwx_challenge(struct msg_resp *resp, const struct siwx_config *c,
    const char *resource_url, const char *description,
    const struct siwx_verdict *why, int64_t now_ms, struct sf_err *err)
{
	const char	*code = why != NULL ? why->reason : "sign_in_required";
	cJSON		*pr, *body = NULL, *e;
	char		*txt = NULL, msg[512];
	struct buf	 hdr;
	int		 rc = -1;

	buf_init(&hdr);
	if ((pr = siwx_required(c, resource_url, description, code, now_ms,
	    err)) == NULL)
		return -1;
	if (why != NULL)
		snprintf(msg, sizeof(msg), "sign-in refused: %s. Sign the new "
		    "challenge in the PAYMENT-REQUIRED header and send it in "
		    "SIGN-IN-WITH-X.", why->message);
	else
		snprintf(msg, sizeof(msg), "this route needs the wallet that "
		    "paid: sign the sign-in-with-x challenge in the "
		    "PAYMENT-REQUIRED header (x402 extension sign-in-with-x) "
		    "and send it, base64 JSON, in a SIGN-IN-WITH-X header");
	if ((txt = cJSON_PrintUnformatted(pr)) == NULL ||
	    b64_encode(txt, strlen(txt), &hdr) == -1 || hdr.oom ||
	    (body = cJSON_CreateObject()) == NULL ||
	    (e = cJSON_AddObjectToObject(body, "error")) == NULL ||
	    cJSON_AddStringToObject(e, "code", code) == NULL ||
	    cJSON_AddStringToObject(e, "message", msg) == NULL ||
	    msg_resp_header(resp, "PAYMENT-REQUIRED", hdr.p) == -1 ||
	    msg_resp_header(resp, "Cache-Control", "no-store") == -1 ||
	    msg_resp_json(resp, 402, body) == -1)
		sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
	else
		rc = 0;
	cJSON_Delete(pr);
	cJSON_Delete(body);
	free(txt);
	buf_free(&hdr);
	return rc;
}

