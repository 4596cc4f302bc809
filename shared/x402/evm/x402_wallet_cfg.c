#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/net.h"
#include "x402/evm/x402_wallet_cfg.h"

static const uint8_t	wallet_cfg_zero[20];

int
x402_wallet_factory_allowed(const struct x402_wallet_factories *f,
    const uint8_t factory[20])
{
	size_t	 i;

	for (i = 0; f != NULL && i < f->n; i++)
		if (memcmp(f->addr[i], factory, 20) == 0)
			return 1;
	return 0;
}

int
x402_wallet_factories_parse(const char *key, const char *val,
    struct x402_wallet_factories *f, struct sf_err *err)
{
	char	 item[64];
	uint8_t	 a[20];
	size_t	 len;

	memset(f, 0, sizeof(*f));
	while (*val == ' ' || *val == '\t')
		val++;
	if (*val == '\0' || strcmp(val, "none") == 0)
		return 0;
	while (*val != '\0') {
		while (*val == ' ' || *val == '\t')
			val++;
		len = strcspn(val, ",");
		while (len > 0 && (val[len - 1] == ' ' || val[len - 1] == '\t'))
			len--;
		if (len >= sizeof(item) || len == 0)
			return sf_err_set(err, 500, "config_invalid", key,
			    "%s: an item is %s (a comma-separated list of "
			    "factory addresses, or none)", key,
			    len == 0 ? "empty" : "too long");
		memcpy(item, val, len);
		item[len] = '\0';
		if (hex_decode_fixed(item, a, 20) == -1)
			return sf_err_set(err, 500, "config_invalid", key,
			    "%s: \"%s\" is not a 0x-prefixed 20-byte address%s",
			    key, item, strcmp(item, "none") == 0 ?
			    " (none stands alone)" : "");
		if (memcmp(a, wallet_cfg_zero, 20) == 0)
			return sf_err_set(err, 500, "config_invalid", key,
			    "%s: the zero address is no factory", key);
		if (x402_wallet_factory_allowed(f, a))
			return sf_err_set(err, 500, "config_invalid", key,
			    "%s lists %s twice", key, item);
		if (f->n == X402_WALLET_FACTORIES_MAX)
			return sf_err_set(err, 500, "config_invalid", key,
			    "%s lists more than %d factories", key,
			    X402_WALLET_FACTORIES_MAX);
		memcpy(f->addr[f->n++], a, 20);
		val += strcspn(val, ",");
		if (*val == ',' && *++val == '\0')
			return sf_err_set(err, 500, "config_invalid", key,
			    "%s ends with a comma", key);
	}
	return 0;
}

/* The value of KEY_<suffix>, "" and unset alike NULL. */
static const char *
wallet_cfg_get(const struct cfg *c, const char *suffix, char *key,
    size_t keysz)
{
	const char	*v;
	size_t		 i;

	snprintf(key, keysz, "%s_%s", X402_WALLET_CFG_KEY, suffix);
	for (i = strlen(X402_WALLET_CFG_KEY) + 1; key[i] != '\0'; i++)
		key[i] = key[i] == '-' ? '_' :
		    (char)toupper((unsigned char)key[i]);
	v = cfg_get(c, key);
	return v != NULL && *v != '\0' ? v : NULL;
}

int
x402_wallet_factories_for(const struct cfg *c, const char *network,
    struct x402_wallet_factories *f, struct sf_err *err)
{
	const struct cfg_net	*n = NULL;
	const char		*v;
	char			 key[96], id[24];
	size_t			 i;

	memset(f, 0, sizeof(*f));
	for (i = 0; c != NULL && i < c->nnets; i++)
		if (strcmp(c->nets[i].network, network) == 0)
			n = &c->nets[i];
	if (n == NULL || n->svm)
		return sf_err_set(err, 500, "config_invalid",
		    X402_WALLET_CFG_KEY, "%s: %s is not an EVM network served",
		    X402_WALLET_CFG_KEY, network);
	snprintf(id, sizeof(id), "%llu", n->chain_id);
	if ((n->network_v1[0] != '\0' &&
	    (v = wallet_cfg_get(c, n->network_v1, key, sizeof(key))) != NULL) ||
	    (v = wallet_cfg_get(c, id, key, sizeof(key))) != NULL)
		return x402_wallet_factories_parse(key, v, f, err);
	if ((v = cfg_get(c, X402_WALLET_CFG_KEY)) != NULL)
		return x402_wallet_factories_parse(X402_WALLET_CFG_KEY, v, f,
		    err);
	return 0;
}

/* One ERC6492_FACTORIES_<NET> key: its network, then its value. */
static int
wallet_cfg_check_one(const char *key, const char *val, void *arg)
{
	struct x402_wallet_factories	 f;
	struct net_info			 ni;
	struct sf_err			*err = arg;
	const char			*s = key + strlen(X402_WALLET_CFG_KEY) + 1;
	char				 name[64];
	size_t				 i;

	for (i = 0; s[i] != '\0' && i + 1 < sizeof(name); i++)
		name[i] = s[i] == '_' ? '-' : (char)tolower((unsigned char)s[i]);
	name[i] = '\0';
	if (strspn(s, "0123456789") == strlen(s) && *s != '\0')
		snprintf(name, sizeof(name), "eip155:%s", s);
	if (strlen(s) >= sizeof(name) || net_lookup(name, &ni) == -1 ||
	    ni.family != NET_EVM)
		return sf_err_set(err, 500, "config_invalid", key,
		    "%s: \"%s\" names no EVM network (use the v1 name in "
		    "capitals, BASE_SEPOLIA, or the chain id, 84532)", key, s);
	return x402_wallet_factories_parse(key, val, &f, err);
}

int
x402_wallet_check_cfg(const struct cfg *c, struct sf_err *err)
{
	struct x402_wallet_factories	 f;
	const char			*v;

	if ((v = cfg_get(c, X402_WALLET_CFG_KEY)) != NULL &&
	    x402_wallet_factories_parse(X402_WALLET_CFG_KEY, v, &f, err) == -1)
		return -1;
	return cfg_each_prefixed(c, X402_WALLET_CFG_KEY "_",
	    wallet_cfg_check_one, err);
}
