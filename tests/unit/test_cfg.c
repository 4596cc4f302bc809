/*
 * cfg: defaults, the file format (comments, blank lines, quotes), the
 * environment overriding the file (SYNTHFORGE_<KEY>, provider keys under
 * their plain names too), every invalid value stopping cfg_load with the
 * key in err.field, several networks with per-network keys, unknown
 * chains, and x402_offers.  Hermetic: every SYNTHFORGE_* variable and every
 * plain provider variable is unset first; config files are temp files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "hermetic.h"
#include "tap.h"
#include "x402/x402_offer.h"

#define PAY_TO		"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define USDC_BASE_SEPOLIA "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
#define USDC_AMOY	"0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582"
#define ADDR_A		"0x1111111111111111111111111111111111111111"
#define ADDR_B		"0x2222222222222222222222222222222222222222"
#define ADDR_C		"0x3333333333333333333333333333333333333333"

static char	 tmpdir[] = "/tmp/sf-cfg-XXXXXX";
static char	 lastpath[600];

/* Names cfg_get also reads without the SYNTHFORGE_ prefix. */
/* Write text to a fresh temp file; returns its path (static). */
static const char *
write_conf(const char *text)
{
	FILE	*f;
	int	 fd;

	snprintf(lastpath, sizeof(lastpath), "%s/conf-XXXXXX", tmpdir);
	if ((fd = mkstemp(lastpath)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		perror("mkstemp");
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	return lastpath;
}

static struct cfg *
load(const char *text, struct sf_err *err)
{
	struct cfg	*c;
	const char	*p = write_conf(text);

	sf_err_clear(err);
	c = cfg_load(p, err);
	unlink(p);
	return c;
}

/* cfg_load must refuse text with err.field == field and err.code == code. */
static void
refuse(const char *what, const char *text, const char *field,
    const char *code)
{
	struct sf_err	 err;
	struct cfg	*c = load(text, &err);

	TAP_OK(c == NULL, "%s: refused", what);
	if (c != NULL) {	/* one failure is enough */
		cfg_free(c);
		return;
	}
	TAP_STREQ(err.field, field, "%s: err.field names the key", what);
	TAP_STREQ(err.code, code, "%s: err.code", what);
	TAP_OK(err.message[0] != '\0', "%s: message set", what);
	cfg_free(c);
}

static void
defaults(void)
{
	struct sf_err	 err;
	struct cfg	*c;

	c = load("PAY_TO=" PAY_TO "\n", &err);
	TAP_OK(c != NULL, "defaults: loads with only PAY_TO (%s)", err.message);
	if (c == NULL)
		return;
	TAP_OK(c->port == 8080, "defaults: PORT 8080 (%u)", c->port);
	TAP_STREQ(c->public_url, "http://127.0.0.1:8080",
	    "defaults: PUBLIC_URL from the port");
	TAP_OK(c->nnets == 1, "defaults: one network");
	TAP_STREQ(c->nets[0].network, "eip155:84532", "defaults: base-sepolia CAIP-2");
	TAP_STREQ(c->nets[0].network_v1, "base-sepolia", "defaults: v1 name");
	TAP_OK(c->nets[0].chain_id == 84532, "defaults: chain id 84532");
	TAP_STREQ(c->nets[0].asset, USDC_BASE_SEPOLIA, "defaults: Circle USDC");
	TAP_STREQ(c->nets[0].asset_name, "USDC", "defaults: EIP-712 name USDC");
	TAP_STREQ(c->nets[0].asset_version, "2", "defaults: EIP-712 version 2");
	TAP_OK(c->nets[0].mainnet == 0 && c->any_mainnet == 0,
	    "defaults: testnet");
	TAP_STREQ(c->pay_to, PAY_TO, "defaults: pay_to copied");
	TAP_OK(c->max_timeout == 300, "defaults: MAX_TIMEOUT 300");
	TAP_OK(c->body_max == 64 * 1024, "defaults: BODY_MAX 64 KiB");
	TAP_OK(c->workers_min == 2 && c->workers_max == 256 &&
	    c->workers_idle == 30, "defaults: WORKERS_MIN 2, _MAX 256, _IDLE 30");
	TAP_OK(c->path != NULL, "defaults: path remembered");
	TAP_OK(cfg_get(c, "NOPE") == NULL, "cfg_get of an unset key is NULL");
	TAP_STREQ(cfg_get_or(c, "NOPE", "dflt"), "dflt", "cfg_get_or default");
	cfg_free(c);
}

static void
defaults_follow_port_and_limits(void)
{
	struct sf_err	 err;
	struct cfg	*c;

	c = load("PAY_TO=" PAY_TO "\nPORT=9090\n", &err);
	TAP_OK(c != NULL && c->port == 9090 &&
	    strcmp(c->public_url, "http://127.0.0.1:9090") == 0,
	    "default PUBLIC_URL follows PORT");
	cfg_free(c);

	c = load("PAY_TO=" PAY_TO "\nPUBLIC_URL=https://api.example.com//\n",
	    &err);
	TAP_OK(c != NULL, "PUBLIC_URL https accepted");
	if (c != NULL)
		TAP_STREQ(c->public_url, "https://api.example.com",
		    "PUBLIC_URL trailing slashes dropped");
	cfg_free(c);

	c = load("PAY_TO=" PAY_TO "\nPORT=1\nMAX_TIMEOUT=10\nBODY_MAX=1024\n"
	    "WORKERS_MIN=1\nWORKERS_MAX=1\nWORKERS_IDLE=1\n", &err);
	TAP_OK(c != NULL && c->port == 1 && c->max_timeout == 10 &&
	    c->body_max == 1024 && c->workers_min == 1 &&
	    c->workers_max == 1 && c->workers_idle == 1,
	    "lower limits accepted");
	cfg_free(c);
	c = load("PAY_TO=" PAY_TO "\nPORT=65535\nMAX_TIMEOUT=3600\n"
	    "BODY_MAX=16777216\nWORKERS_MIN=1024\nWORKERS_MAX=1024\n"
	    "WORKERS_IDLE=86400\n", &err);
	TAP_OK(c != NULL && c->port == 65535 && c->max_timeout == 3600 &&
	    c->body_max == 16777216 && c->workers_min == 1024 &&
	    c->workers_max == 1024 && c->workers_idle == 86400,
	    "upper limits accepted");
	cfg_free(c);
}

static void
no_file_or_missing_file(void)
{
	struct sf_err	 err;
	struct cfg	*c;
	char		 cwd[600];

	/* No path, no $SYNTHFORGE_CONFIG, no etc/synthforge.conf: env only. */
	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(tmpdir) == -1) {
		perror("chdir");
		exit(2);
	}
	setenv("SYNTHFORGE_PAY_TO", PAY_TO, 1);
	sf_err_clear(&err);
	c = cfg_load(NULL, &err);
	TAP_OK(c != NULL && c->path == NULL && c->port == 8080,
	    "no file at all: defaults and environment (%s)", err.message);
	cfg_free(c);
	unsetenv("SYNTHFORGE_PAY_TO");
	sf_err_clear(&err);
	c = cfg_load(NULL, &err);
	TAP_OK(c == NULL && strcmp(err.field, "PAY_TO") == 0,
	    "no file at all: PAY_TO still required");
	cfg_free(c);
	/* $SYNTHFORGE_CONFIG names the file when no path is given. */
	setenv("SYNTHFORGE_CONFIG", write_conf("PAY_TO=" PAY_TO "\nPORT=8181\n"),
	    1);
	sf_err_clear(&err);
	c = cfg_load(NULL, &err);
	TAP_OK(c != NULL && c->port == 8181 && c->path != NULL &&
	    strcmp(c->path, lastpath) == 0, "SYNTHFORGE_CONFIG is read");
	cfg_free(c);
	unlink(lastpath);
	unsetenv("SYNTHFORGE_CONFIG");
	if (chdir(cwd) == -1)
		exit(2);

	sf_err_clear(&err);
	snprintf(cwd, sizeof(cwd), "%s/does-not-exist.conf", tmpdir);
	c = cfg_load(cwd, &err);
	TAP_OK(c == NULL, "missing file refused");
	TAP_STREQ(err.code, "config_unreadable", "missing file: code");
	cfg_free(c);
}

static void
file_format(void)
{
	struct sf_err	 err;
	struct cfg	*c;

	c = load("# synthforge test configuration\n"
	    "\n"
	    "   # an indented comment\n"
	    "\t\n"
	    "PAY_TO = " PAY_TO "   \n"
	    "  PORT=8081\r\n"
	    "GREETING=\"  two spaces each side  \"\n"
	    "HALF=\"unterminated\n"
	    "EQ=a=b=c\n"
	    "EMPTY=\n"
	    "TWICE=first\n"
	    "TWICE=second\n"
	    "Q=\"\"\n"
	    "NOEOL=last", &err);
	TAP_OK(c != NULL, "file: comments, blank lines and quotes load (%s)",
	    err.message);
	if (c == NULL)
		return;
	TAP_STREQ(c->pay_to, PAY_TO, "file: spaces around = trimmed");
	TAP_OK(c->port == 8081,
	    "file: leading blanks and a CRLF line end trimmed");
	TAP_STREQ(cfg_get(c, "GREETING"), "  two spaces each side  ",
	    "file: quotes keep spaces at the ends");
	TAP_STREQ(cfg_get(c, "HALF"), "\"unterminated",
	    "file: a lone quote is kept");
	TAP_STREQ(cfg_get(c, "EQ"), "a=b=c", "file: value may contain =");
	TAP_STREQ(cfg_get(c, "EMPTY"), "", "file: empty value is \"\"");
	TAP_STREQ(cfg_get_or(c, "EMPTY", "d"), "d",
	    "file: cfg_get_or treats empty as unset");
	TAP_STREQ(cfg_get(c, "TWICE"), "second", "file: last one wins");
	TAP_STREQ(cfg_get(c, "Q"), "", "file: \"\" is the empty value");
	TAP_STREQ(cfg_get(c, "NOEOL"), "last", "file: last line without newline");
	TAP_OK(cfg_get(c, "# synthforge test configuration") == NULL,
	    "file: comments are not keys");
	cfg_free(c);
}

static void
env_overrides_file(void)
{
	struct sf_err	 err;
	struct cfg	*c;
	const char	*text = "PAY_TO=" PAY_TO "\nPORT=9000\n"
	    "VENICE_API_KEY=from-file\nFAL_KEY=fal-file\n"
	    "REPLICATE_API_TOKEN=rep-file\nVENICE_BASE_URL=http://file\n"
	    "MAX_TIMEOUT=60\n";

	setenv("SYNTHFORGE_PORT", "9100", 1);
	setenv("PORT", "1234", 1);
	setenv("MAX_TIMEOUT", "99", 1);
	c = load(text, &err);
	TAP_OK(c != NULL && c->port == 9100,
	    "env: SYNTHFORGE_PORT beats the file");
	TAP_STREQ(cfg_get(c, "PORT"), "9100", "env: cfg_get sees SYNTHFORGE_PORT");
	TAP_OK(c != NULL && c->max_timeout == 60,
	    "env: plain MAX_TIMEOUT is not read");
	TAP_STREQ(c != NULL ? c->public_url : NULL, "http://127.0.0.1:9100",
	    "env: default PUBLIC_URL uses the overridden port");
	cfg_free(c);
	unsetenv("SYNTHFORGE_PORT");
	c = load(text, &err);
	TAP_OK(c != NULL && c->port == 9000, "env: plain PORT is not read");
	cfg_free(c);
	unsetenv("PORT");
	unsetenv("MAX_TIMEOUT");

	setenv("PAY_TO", ADDR_A, 1);
	c = load(text, &err);
	TAP_STREQ(c != NULL ? c->pay_to : NULL, PAY_TO,
	    "env: plain PAY_TO is not read");
	cfg_free(c);
	unsetenv("PAY_TO");
	setenv("SYNTHFORGE_PAY_TO", ADDR_A, 1);
	c = load(text, &err);
	TAP_STREQ(c != NULL ? c->pay_to : NULL, ADDR_A,
	    "env: SYNTHFORGE_PAY_TO beats the file");
	cfg_free(c);
	unsetenv("SYNTHFORGE_PAY_TO");
}

static void
env_provider_names(void)
{
	struct sf_err	 err;
	struct cfg	*c;
	const char	*text = "PAY_TO=" PAY_TO "\nPORT=9000\n"
	    "VENICE_API_KEY=from-file\nFAL_KEY=fal-file\n"
	    "REPLICATE_API_TOKEN=rep-file\nVENICE_BASE_URL=http://file\n"
	    "MAX_TIMEOUT=60\n";

	c = load(text, &err);
	TAP_STREQ(cfg_get(c, "VENICE_API_KEY"), "from-file",
	    "provider key from the file");
	setenv("VENICE_API_KEY", "from-plain-env", 1);
	setenv("FAL_KEY", "fal-env", 1);
	setenv("REPLICATE_API_TOKEN", "rep-env", 1);
	setenv("VENICE_BASE_URL", "http://env", 1);
	TAP_STREQ(cfg_get(c, "VENICE_API_KEY"), "from-plain-env",
	    "provider key: plain VENICE_API_KEY beats the file");
	TAP_STREQ(cfg_get(c, "FAL_KEY"), "fal-env", "provider key: plain FAL_KEY");
	TAP_STREQ(cfg_get(c, "REPLICATE_API_TOKEN"), "rep-env",
	    "provider key: plain *_API_TOKEN");
	TAP_STREQ(cfg_get(c, "VENICE_BASE_URL"), "http://env",
	    "provider base URL: plain *_BASE_URL");
	setenv("SYNTHFORGE_VENICE_API_KEY", "from-prefixed-env", 1);
	TAP_STREQ(cfg_get(c, "VENICE_API_KEY"), "from-prefixed-env",
	    "provider key: SYNTHFORGE_VENICE_API_KEY beats the plain name");
	setenv("SYNTHFORGE_EXTRA_LONGER", "y", 1);
	setenv("FAL_KEYS", "not-fal", 1);
	TAP_OK(cfg_get(c, "EXTRA") == NULL &&
	    strcmp(cfg_get(c, "FAL_KEY"), "fal-env") == 0,
	    "env: a longer name that starts with the key is another key");
	unsetenv("SYNTHFORGE_EXTRA_LONGER");
	unsetenv("FAL_KEYS");
	setenv("SYNTHFORGE_EXTRA", "x", 1);
	TAP_STREQ(cfg_get(c, "EXTRA"), "x", "env: any key via SYNTHFORGE_<KEY>");
	setenv("SYNTHFORGE_VENICE_API_KEY", "", 1);
	TAP_STREQ(cfg_get_or(c, "VENICE_API_KEY", "none"), "none",
	    "env: an empty override counts as unset for cfg_get_or");
	unsetenv("SYNTHFORGE_VENICE_API_KEY");
	unsetenv("SYNTHFORGE_EXTRA");
	unsetenv("VENICE_API_KEY");
	unsetenv("FAL_KEY");
	unsetenv("REPLICATE_API_TOKEN");
	unsetenv("VENICE_BASE_URL");
	cfg_free(c);
	TAP_OK(cfg_get(NULL, "NOPE_X") == NULL, "cfg_get with no configuration");

	/* An invalid value in the environment is named like one in the file. */
	setenv("SYNTHFORGE_WORKERS_MAX", "many", 1);
	refuse("env WORKERS_MAX=many", "PAY_TO=" PAY_TO "\n", "WORKERS_MAX",
	    "config_invalid");
	unsetenv("SYNTHFORGE_WORKERS_MAX");
}

static void
invalid_values(void)
{
	static const struct {
		const char	*what, *text, *field, *code;
	} t[] = {
		{ "PORT=0", "PORT=0\n", "PORT", "config_invalid" },
		{ "PORT=70000", "PORT=70000\n", "PORT", "config_invalid" },
		{ "PORT=65536", "PORT=65536\n", "PORT", "config_invalid" },
		{ "PORT=abc", "PORT=abc\n", "PORT", "config_invalid" },
		{ "PORT=-1", "PORT=-1\n", "PORT", "config_invalid" },
		{ "PORT=+80", "PORT=+80\n", "PORT", "config_invalid" },
		{ "PORT=80x", "PORT=80x\n", "PORT", "config_invalid" },
		{ "PORT huge", "PORT=99999999999999999999999\n", "PORT",
		    "config_invalid" },
		{ "NETWORKS=nonsense", "NETWORKS=nonsense\n", "NETWORKS",
		    "config_invalid" },
		{ "NETWORKS duplicate name/CAIP-2",
		    "NETWORKS=base-sepolia,eip155:84532\n", "NETWORKS",
		    "config_invalid" },
		{ "NETWORKS duplicate name", "NETWORKS=base-sepolia base-sepolia\n",
		    "NETWORKS", "config_invalid" },
		{ "NETWORKS only separators", "NETWORKS=\" , ,\"\n", "NETWORKS",
		    "config_invalid" },
		{ "NETWORKS eip155:0", "NETWORKS=eip155:0\n", "NETWORKS",
		    "config_invalid" },
		{ "NETWORKS eip155:abc", "NETWORKS=eip155:abc\n", "NETWORKS",
		    "config_invalid" },
		{ "NETWORKS five", "NETWORKS=base-sepolia,polygon-amoy,"
		    "avalanche-fuji,sepolia,eip155:421614\n", "NETWORKS",
		    "config_invalid" },
		{ "PAY_TO short", "PAY_TO=0x1234\n", "PAY_TO", "config_invalid" },
		{ "PAY_TO non-hex", "PAY_TO=0x70997970C51812dc3A010C7d01b50e0d17dc79CG\n",
		    "PAY_TO", "config_invalid" },
		{ "PAY_TO no 0x", "PAY_TO=0070997970C51812dc3A010C7d01b50e0d17dc79C8\n",
		    "PAY_TO", "config_invalid" },
		{ "PAY_TO too long", "PAY_TO=" PAY_TO "0\n", "PAY_TO",
		    "config_invalid" },
		{ "PUBLIC_URL ftp", "PUBLIC_URL=ftp://example.com\n",
		    "PUBLIC_URL", "config_invalid" },
		{ "PUBLIC_URL bare host", "PUBLIC_URL=example.com\n",
		    "PUBLIC_URL", "config_invalid" },
		{ "PUBLIC_URL with space", "PUBLIC_URL=\"http://a b\"\n",
		    "PUBLIC_URL", "config_invalid" },
		{ "PUBLIC_URL scheme only", "PUBLIC_URL=https://\n",
		    "PUBLIC_URL", "config_invalid" },
		{ "PUBLIC_URL empty host", "PUBLIC_URL=http:///v1\n",
		    "PUBLIC_URL", "config_invalid" },
		{ "FACILITATOR_URL scheme only", "FACILITATOR_URL=https://\n",
		    "FACILITATOR_URL", "config_invalid" },
		{ "RPC_URL scheme only", "RPC_URL=http://\n", "RPC_URL",
		    "config_invalid" },
		{ "FACILITATOR_URL not http", "FACILITATOR_URL=x402.org/facilitator\n",
		    "FACILITATOR_URL", "config_invalid" },
		{ "RPC_URL ws", "RPC_URL=ws://127.0.0.1:8545\n", "RPC_URL",
		    "config_invalid" },
		{ "BODY_MAX=1023", "BODY_MAX=1023\n", "BODY_MAX", "config_invalid" },
		{ "BODY_MAX=16777217", "BODY_MAX=16777217\n", "BODY_MAX",
		    "config_invalid" },
		{ "WORKERS (replaced)", "WORKERS=8\n", "WORKERS",
		  "config_invalid" },
		{ "WORKERS_MIN=0", "WORKERS_MIN=0\n", "WORKERS_MIN",
		  "config_invalid" },
		{ "WORKERS_MAX=1025", "WORKERS_MAX=1025\n", "WORKERS_MAX",
		  "config_invalid" },
		{ "WORKERS_MAX below MIN", "WORKERS_MIN=8\nWORKERS_MAX=4\n",
		  "WORKERS_MAX", "config_invalid" },
		{ "WORKERS_IDLE=0", "WORKERS_IDLE=0\n", "WORKERS_IDLE",
		  "config_invalid" },
		{ "MAX_TIMEOUT=9", "MAX_TIMEOUT=9\n", "MAX_TIMEOUT",
		    "config_invalid" },
		{ "MAX_TIMEOUT=3601", "MAX_TIMEOUT=3601\n", "MAX_TIMEOUT",
		    "config_invalid" },
		{ "lower-case key", "port=8080\n", "port", "config_syntax" },
		{ "key with -", "MY-KEY=1\n", "MY-KEY", "config_syntax" },
		{ "ASSET malformed", "ASSET=0x12\n", "ASSET", "config_invalid" },
		{ "ASSET_84532 malformed", "ASSET_84532=usdc\n", "ASSET",
		    "config_invalid" },
		{ "ASSET_NAME too long", "ASSET_NAME=" "0123456789012345678901234567"
		    "890123456789012345678901234567890123\n", "ASSET_NAME",
		    "config_invalid" },
		{ "ASSET_VERSION too long", "ASSET_VERSION=12345678901234567\n",
		    "ASSET_VERSION", "config_invalid" },
	};
	char		 text[512];
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		/* PAY_TO valid unless the case is about it. */
		snprintf(text, sizeof(text), "%s%s",
		    strncmp(t[i].what, "PAY_TO", 6) == 0 ? "" :
		    "PAY_TO=" PAY_TO "\n", t[i].text);
		refuse(t[i].what, text, t[i].field, t[i].code);
	}
}

static void
invalid_lines_and_pay_to(void)
{
	struct sf_err	 err;
	struct cfg	*c;

	/* A line without '=': no key to name, but the line is. */
	c = load("PAY_TO=" PAY_TO "\n# ok\nPORT 8080\n", &err);
	TAP_OK(c == NULL, "line without = refused");
	TAP_STREQ(err.code, "config_syntax", "line without =: config_syntax");
	TAP_OK(strstr(err.message, ":3:") != NULL,
	    "line without =: message gives line 3 (%s)", err.message);
	cfg_free(c);
	c = load("PAY_TO=" PAY_TO "\n=value\n", &err);
	TAP_OK(c == NULL && strcmp(err.code, "config_syntax") == 0,
	    "empty key refused");
	cfg_free(c);

	/* Missing PAY_TO: testnet hint vs mainnet requirement. */
	c = load("PORT=8080\n", &err);
	TAP_OK(c == NULL, "missing PAY_TO refused on testnet");
	TAP_STREQ(err.field, "PAY_TO", "missing PAY_TO: field");
	TAP_STREQ(err.code, "config_missing", "missing PAY_TO: config_missing");
	TAP_OK(strstr(err.message, "development wallet") != NULL,
	    "missing PAY_TO on testnet: mentions the development wallet");
	cfg_free(c);
	c = load("NETWORKS=base\n", &err);
	TAP_OK(c == NULL && strcmp(err.field, "PAY_TO") == 0 &&
	    strcmp(err.code, "config_missing") == 0,
	    "missing PAY_TO refused on mainnet");
	TAP_OK(strstr(err.message, "required on mainnet") != NULL &&
	    strstr(err.message, "development wallet") == NULL,
	    "missing PAY_TO on mainnet: says it is required (%s)", err.message);
	cfg_free(c);
	c = load("PAY_TO=\"\"\n", &err);
	TAP_OK(c == NULL && strcmp(err.code, "config_missing") == 0,
	    "empty PAY_TO is missing");
	cfg_free(c);

	/* Empty numbers fall back to their default. */
	c = load("PAY_TO=" PAY_TO "\nPORT=\nWORKERS_MAX=\n", &err);
	TAP_OK(c != NULL && c->port == 8080 && c->workers_max == 256,
	    "empty PORT/WORKERS_MAX take the defaults");
	cfg_free(c);
}

static void
networks_two_testnets(void)
{
	struct sf_err		 err;
	struct cfg		*c;
	struct x402_offer	 o[CFG_MAX_NETS + 1];
	size_t			 n, i;

	/* Two testnets, per-network keys, the plain key ignored. */
	c = load("PAY_TO=" PAY_TO "\n"
	    "NETWORKS=base-sepolia, polygon-amoy\n"
	    "ASSET=" ADDR_C "\n"
	    "ASSET_NAME=Plain\n"
	    "ASSET_BASE_SEPOLIA=" ADDR_A "\n"
	    "ASSET_84532=" ADDR_C "\n"
	    "ASSET_80002=" ADDR_B "\n"
	    "ASSET_NAME_80002=\"Test USD\"\n"
	    "ASSET_VERSION_POLYGON_AMOY=7\n"
	    "MAX_TIMEOUT=120\n", &err);
	TAP_OK(c != NULL, "two networks load (%s)", err.message);
	if (c == NULL)
		return;
	TAP_OK(c->nnets == 2, "two networks");
	TAP_STREQ(c->nets[0].network, "eip155:84532", "net 0 is base-sepolia");
	TAP_STREQ(c->nets[1].network, "eip155:80002", "net 1 is polygon-amoy");
	TAP_STREQ(c->nets[1].network_v1, "polygon-amoy", "net 1 v1 name");
	TAP_STREQ(c->nets[0].asset, ADDR_A,
	    "ASSET_BASE_SEPOLIA (v1 name) beats ASSET_84532");
	TAP_STREQ(c->nets[1].asset, ADDR_B, "ASSET_80002 (chain id)");
	TAP_STREQ(c->nets[0].asset_name, "USDC",
	    "plain ASSET_NAME ignored with several networks");
	TAP_STREQ(c->nets[1].asset_name, "Test USD", "ASSET_NAME_80002");
	TAP_STREQ(c->nets[1].asset_version, "7", "ASSET_VERSION_POLYGON_AMOY");
	TAP_STREQ(c->nets[0].asset_version, "2", "net 0 keeps version 2");
	TAP_OK(c->any_mainnet == 0, "two testnets: no mainnet");

	n = x402_offers(c, "10000", o, CFG_MAX_NETS + 1);
	TAP_OK(n == 2, "x402_offers: one offer per network");
	for (i = 0; i < n && i < 2; i++) {
		TAP_STREQ(o[i].scheme, "exact", "offer %zu: scheme exact", i);
		TAP_STREQ(o[i].network, c->nets[i].network, "offer %zu: network", i);
		TAP_STREQ(o[i].network_v1, c->nets[i].network_v1,
		    "offer %zu: v1 network", i);
		TAP_OK(o[i].chain_id == c->nets[i].chain_id,
		    "offer %zu: chain id", i);
		TAP_STREQ(o[i].amount, "10000", "offer %zu: amount", i);
		TAP_STREQ(o[i].pay_to, PAY_TO, "offer %zu: payTo", i);
		TAP_STREQ(o[i].asset, c->nets[i].asset, "offer %zu: asset", i);
		TAP_OK(o[i].max_timeout == 120, "offer %zu: maxTimeoutSeconds", i);
		TAP_STREQ(o[i].name, c->nets[i].asset_name,
		    "offer %zu: extra.name", i);
		TAP_STREQ(o[i].version, c->nets[i].asset_version,
		    "offer %zu: extra.version", i);
		TAP_OK(o[i].mainnet == 0, "offer %zu: testnet", i);
	}
	TAP_OK(x402_offers(c, "5", o, 1) == 1 && strcmp(o[0].amount, "5") == 0,
	    "x402_offers respects max");
	TAP_OK(x402_offers(c, "5", o, 0) == 0, "x402_offers max 0");
	cfg_free(c);
}

static void
networks_single_and_mainnet(void)
{
	struct sf_err		 err;
	struct cfg		*c;
	struct x402_offer	 o[CFG_MAX_NETS + 1];
	size_t			 n;

	/* Single network: the plain keys apply. */
	c = load("PAY_TO=" PAY_TO "\nASSET=" ADDR_C "\nASSET_NAME=Mock\n"
	    "ASSET_VERSION=1\n", &err);
	TAP_OK(c != NULL && strcmp(c->nets[0].asset, ADDR_C) == 0 &&
	    strcmp(c->nets[0].asset_name, "Mock") == 0 &&
	    strcmp(c->nets[0].asset_version, "1") == 0,
	    "single network: plain ASSET/ASSET_NAME/ASSET_VERSION apply");
	cfg_free(c);

	/* A mainnet beside a testnet: ASSET_NAME_137 by chain id. */
	c = load("PAY_TO=" PAY_TO "\nNETWORKS=base-sepolia,polygon\n"
	    "ASSET_NAME_137=\"Polygon USDC\"\n", &err);
	TAP_OK(c != NULL, "base-sepolia + polygon load");
	if (c != NULL) {
		TAP_STREQ(c->nets[1].asset_name, "Polygon USDC", "ASSET_NAME_137");
		TAP_OK(c->nets[1].mainnet == 1 && c->nets[0].mainnet == 0,
		    "polygon mainnet, base-sepolia not");
		TAP_OK(c->any_mainnet == 1, "any_mainnet set by polygon");
		n = x402_offers(c, "1", o, CFG_MAX_NETS);
		TAP_OK(n == 2 && o[1].mainnet == 1 &&
		    strcmp(o[1].name, "Polygon USDC") == 0,
		    "polygon offer carries its name and mainnet flag");
	}
	cfg_free(c);
}

static void
networks_unknown_chain(void)
{
	struct sf_err		 err;
	struct cfg		*c;
	struct x402_offer	 o[CFG_MAX_NETS + 1];
	size_t			 n;

	/* An unknown chain: asset, name and version all required. */
	refuse("eip155:31337 without ASSET",
	    "PAY_TO=" PAY_TO "\nNETWORKS=eip155:31337\n", "ASSET",
	    "config_invalid");
	refuse("eip155:31337 without ASSET_NAME",
	    "PAY_TO=" PAY_TO "\nNETWORKS=eip155:31337\nASSET_31337=" ADDR_A
	    "\nASSET_VERSION_31337=1\n", "ASSET_NAME", "config_invalid");
	refuse("eip155:31337 without ASSET_VERSION",
	    "PAY_TO=" PAY_TO "\nNETWORKS=eip155:31337\nASSET_31337=" ADDR_A
	    "\nASSET_NAME_31337=Mock\n", "ASSET_VERSION", "config_invalid");
	c = load("PAY_TO=" PAY_TO "\nNETWORKS=eip155:31337\nASSET_31337=" ADDR_A
	    "\nASSET_NAME_31337=\"Mock USDC\"\nASSET_VERSION_31337=1\n", &err);
	TAP_OK(c != NULL, "eip155:31337 with its three keys loads (%s)",
	    err.message);
	if (c != NULL) {
		TAP_STREQ(c->nets[0].network, "eip155:31337", "31337 CAIP-2");
		TAP_STREQ(c->nets[0].network_v1, "", "31337 has no v1 name");
		TAP_OK(c->nets[0].chain_id == 31337, "31337 chain id");
		TAP_STREQ(c->nets[0].asset, ADDR_A, "31337 asset");
		TAP_STREQ(c->nets[0].asset_name, "Mock USDC", "31337 name");
		TAP_STREQ(c->nets[0].asset_version, "1", "31337 version");
		TAP_OK(c->nets[0].mainnet == 1 && c->any_mainnet == 1,
		    "unknown chain counts as mainnet");
		n = x402_offers(c, "42", o, CFG_MAX_NETS);
		TAP_OK(n == 1 && strcmp(o[0].network_v1, "") == 0 &&
		    o[0].chain_id == 31337 && o[0].mainnet == 1,
		    "31337 offer: no v1 name, mainnet");
	}
	cfg_free(c);
	c = load("NETWORKS=eip155:31337\nASSET=" ADDR_A "\nASSET_NAME=M\n"
	    "ASSET_VERSION=1\n", &err);
	TAP_OK(c == NULL && strcmp(err.field, "PAY_TO") == 0 &&
	    strstr(err.message, "mainnet") != NULL,
	    "31337: missing PAY_TO gets the mainnet message");
	cfg_free(c);
}

/*
 * Chain reads: a known network's public RPC by default (net.h, as viem
 * carries it), RPC_URL* overriding it, an empty key turning it off,
 * RPC_DEFAULTS off or replacing entries; RPC_TIMEOUT_MS.  hermetic() set
 * SYNTHFORGE_RPC_DEFAULTS=off: this case sets it itself.
 */
static void
rpc_defaults(void)
{
	struct sf_err	 err;
	struct cfg	*c;

	unsetenv("SYNTHFORGE_RPC_DEFAULTS");
	c = load("PAY_TO=" PAY_TO "\nNETWORKS=base-sepolia,polygon-amoy,base,"
	    "polygon\n", &err);
	TAP_OK(c != NULL, "four known networks load (%s)", err.message);
	if (c != NULL) {
		TAP_OK(strcmp(c->nets[0].rpc_url, "https://sepolia.base.org") ==
		    0 && strcmp(c->nets[1].rpc_url,
		    "https://polygon-amoy.drpc.org") == 0 &&
		    strcmp(c->nets[2].rpc_url, "https://mainnet.base.org") ==
		    0 && strcmp(c->nets[3].rpc_url, "https://polygon.drpc.org")
		    == 0, "each has viem's public RPC");
		TAP_OK(c->nets[0].rpc_src == CFG_RPC_DEFAULT &&
		    c->nets[3].rpc_src == CFG_RPC_DEFAULT, "marked default");
		TAP_STREQ(cfg_rpc_for(c, "eip155:84532"),
		    "https://sepolia.base.org", "cfg_rpc_for sees it");
		TAP_OK(c->rpc_timeout_ms == 2000, "RPC_TIMEOUT_MS 2000 ms");
	}
	cfg_free(c);
	c = load("PAY_TO=" PAY_TO "\nNETWORKS=base-sepolia,base,eip155:31337\n"
	    "ASSET_31337=" ADDR_A "\nASSET_NAME_31337=M\nASSET_VERSION_31337=1\n"
	    "RPC_URL_BASE_SEPOLIA=http://127.0.0.1:1/mine\nRPC_URL_8453=\n"
	    "RPC_TIMEOUT_MS=500\n", &err);
	TAP_OK(c != NULL, "overrides load (%s)", err.message);
	if (c != NULL) {
		TAP_OK(strcmp(c->nets[0].rpc_url, "http://127.0.0.1:1/mine") ==
		    0 && c->nets[0].rpc_src == CFG_RPC_SET,
		    "RPC_URL_<NET> overrides the default");
		TAP_OK(c->nets[1].rpc_url[0] == '\0' &&
		    c->nets[1].rpc_src == CFG_RPC_OFF &&
		    cfg_rpc_for(c, "eip155:8453") == NULL,
		    "RPC_URL_8453= (empty) turns it off");
		TAP_OK(c->nets[2].rpc_url[0] == '\0' &&
		    c->nets[2].rpc_src == CFG_RPC_NONE,
		    "a chain with no public RPC known: none");
		TAP_OK(c->rpc_timeout_ms == 500, "RPC_TIMEOUT_MS=500");
	}
	cfg_free(c);
	c = load("PAY_TO=" PAY_TO "\nRPC_URL=\n", &err);
	TAP_OK(c != NULL && c->nets[0].rpc_src == CFG_RPC_OFF,
	    "one network: RPC_URL= (empty) turns it off");
	cfg_free(c);
	c = load("PAY_TO=" PAY_TO "\nNETWORKS=base-sepolia,base\n"
	    "RPC_DEFAULTS=eip155:84532=http://127.0.0.1:2/a\n", &err);
	TAP_OK(c != NULL && strcmp(c->nets[0].rpc_url,
	    "http://127.0.0.1:2/a") == 0 && c->nets[0].rpc_src ==
	    CFG_RPC_DEFAULT && strcmp(c->nets[1].rpc_url,
	    "https://mainnet.base.org") == 0, "RPC_DEFAULTS replaces one "
	    "entry of the table, the others stay");
	cfg_free(c);
	c = load("PAY_TO=" PAY_TO "\nNETWORKS=base-sepolia,solana-devnet\n"
	    "PAY_TO_SOLANA_DEVNET=35ebCdUBY5LreFuVrevsLJreAcmusV38wcsTLjWaMgZB\n"
	    "RPC_DEFAULTS=off\n", &err);
	TAP_OK(c != NULL && c->nets[0].rpc_src == CFG_RPC_OFF &&
	    c->nets[1].rpc_src == CFG_RPC_OFF && c->nets[1].rpc_url[0] == '\0',
	    "RPC_DEFAULTS=off: none, Solana included");
	cfg_free(c);
	c = load("PAY_TO=" PAY_TO "\nNETWORKS=solana-devnet\n"
	    "PAY_TO_SOLANA_DEVNET=35ebCdUBY5LreFuVrevsLJreAcmusV38wcsTLjWaMgZB\n",
	    &err);
	TAP_OK(c != NULL && strcmp(c->nets[0].rpc_url,
	    "https://api.devnet.solana.com") == 0, "Solana devnet: the "
	    "cluster's public RPC");
	cfg_free(c);
	refuse("RPC_DEFAULTS without =", "PAY_TO=" PAY_TO "\nRPC_DEFAULTS="
	    "base-sepolia\n", "RPC_DEFAULTS", "config_invalid");
	refuse("RPC_DEFAULTS unknown network", "PAY_TO=" PAY_TO "\nRPC_DEFAULTS="
	    "mars=http://x\n", "RPC_DEFAULTS", "config_invalid");
	refuse("RPC_DEFAULTS not http", "PAY_TO=" PAY_TO "\nRPC_DEFAULTS="
	    "base=ws://x\n", "RPC_DEFAULTS", "config_invalid");
	refuse("RPC_URL_<NET> not http", "PAY_TO=" PAY_TO "\nRPC_URL_84532="
	    "ws://x\n", "RPC_URL", "config_invalid");
	refuse("RPC_TIMEOUT_MS too small", "PAY_TO=" PAY_TO "\nRPC_TIMEOUT_MS="
	    "5\n", "RPC_TIMEOUT_MS", "config_invalid");
	setenv("SYNTHFORGE_RPC_DEFAULTS", "off", 1);
}

int
main(void)
{
	hermetic();
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	TAP_CASE(defaults);
	TAP_CASE(defaults_follow_port_and_limits);
	TAP_CASE(no_file_or_missing_file);
	TAP_CASE(file_format);
	TAP_CASE(env_overrides_file);
	TAP_CASE(env_provider_names);
	TAP_CASE(invalid_values);
	TAP_CASE(invalid_lines_and_pay_to);
	TAP_CASE(networks_two_testnets);
	TAP_CASE(networks_single_and_mainnet);
	TAP_CASE(networks_unknown_chain);
	TAP_CASE(rpc_defaults);
	cfg_free(NULL);
	rmdir(tmpdir);
	return tap_done();
}
