/*
 * The contract-wallet proof's edges against a fake JSON-RPC node forked
 * from this test (the paths a real chain rarely shows: odd answers, a node
 * that refuses for another reason than a revert, no RPC), and the
 * ERC6492_FACTORIES list.  The proof's real behaviour is tested on anvil
 * (tests/integ/wallet.test.mjs).
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/u256.h"
#include "http/httpc.h"
#include "x402/evm/rpc.h"
#include "x402/evm/x402_verify.h"
#include "x402/evm/x402_wallet.h"
#include "x402/evm/x402_wallet_cfg.h"
#include "hermetic.h"
#include "tap.h"

/*
 * One request per connection.  The payer's last byte picks the answer:
 * eth_getCode is code ("0x6080") except for ...a5 (a number, not a
 * string); the validator (eth_call without "to") answers 0x02 for ...a1,
 * 0x00 for ...a2, a non-revert error for ...a3, a revert for ...a4.
 */
static void
serve_one(int c)
{
	char		 req[16384], body[512], resp[1024];
	const char	*res = "\"0x6080\"", *e = NULL, *h, *cl;
	ssize_t		 n;
	size_t		 got = 0;

	while (got < sizeof(req) - 1 &&
	    (n = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
		got += (size_t)n;
		req[got] = '\0';
		/* The whole body, by its Content-Length. */
		if ((h = strstr(req, "\r\n\r\n")) != NULL &&
		    (cl = strcasestr(req, "Content-Length:")) != NULL &&
		    cl < h && got - (size_t)(h + 4 - req) >=
		    strtoul(cl + 15, NULL, 10))
			break;
	}
	req[got] = '\0';
	if (strstr(req, "eth_getCode") != NULL && strstr(req, "a5\"") != NULL)
		res = "5";
	else if (strstr(req, "eth_call") != NULL &&
	    strstr(req, "\"to\"") == NULL) {
		if (strstr(req, "00000000000000000000000000000000000000a1") != NULL)
			res = "\"0x02\"";
		else if (strstr(req, "000000000000000000000000000000000000a2"))
			res = "\"0x00\"";
		else if (strstr(req, "000000000000000000000000000000000000a3"))
			e = "rate limit exceeded, retry later";
		else if (strstr(req, "000000000000000000000000000000000000a4"))
			e = "execution reverted: SignatureValidator: bad";
	}
	if (e != NULL)
		snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"error\":{\"code\":-32005,\"message\":\"%s\"}}", e);
	else
		snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"result\":%s}", res);
	snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n"
	    "\r\n%s", strlen(body), body);
	if (write(c, resp, strlen(resp)) < 0)
		_exit(1);
}

static pid_t
server(int *port)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	pid_t			 pid;
	int			 s, c;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		abort();
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s, 16) == -1 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) == -1)
		abort();
	*port = ntohs(sa.sin_port);
	if ((pid = fork()) == -1)
		abort();
	if (pid > 0) {
		close(s);
		return pid;
	}
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		if ((c = accept(s, NULL, NULL)) == -1)
			continue;
		if (fork() == 0) {
			serve_one(c);
			_exit(0);
		}
		close(c);
	}
}

static struct x402_offer	 off;

static void
verdict(struct x402_verdict *v, const char *from)
{
	memset(v, 0, sizeof(*v));
	v->valid = 1;
	v->offer = &off;
	strcpy(v->payer, from);
	strcpy(v->auth.from_hex, from);
	hex_decode_fixed(from, v->auth.from, 20);
	hex_decode_fixed("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
	    v->auth.to, 20);
	u256_from_dec("10000", v->auth.value);
	u256_from_dec("1", v->auth.valid_before);
}

#define PAYER(x) "0x00000000000000000000000000000000000000" x

static void
test_proof(void)
{
	static const uint8_t		 sig[192] = { 1 };
	struct x402_wallet_proof	 pr;
	struct x402_verdict		 v;
	struct rpc			 rpc;
	char				 url[64];
	pid_t				 pid;
	int				 port;

	strcpy(off.network, "eip155:84532");
	strcpy(off.asset, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
	strcpy(off.name, "USD Coin");
	strcpy(off.version, "2");
	off.chain_id = 84532;
	fflush(stdout);	/* the forked node must not inherit buffered output */
	pid = server(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	memset(&rpc, 0, sizeof(rpc));
	rpc.url = url;
	rpc.total_ms = 3000;

	verdict(&v, PAYER("a1"));
	TAP_OK(x402_wallet_prove(&rpc, NULL, sig, sizeof(sig), &v, &pr) == -1 &&
	    !v.valid && strcmp(v.reason, X402_R_UNEXPECTED) == 0 &&
	    strstr(v.message, "neither 0x01 nor 0x00") != NULL,
	    "validator answers 0x02: unexpected (%s)", v.message);
	TAP_OK(pr.deployed == 1 && pr.shape == WALLET_SIG_OTHER,
	    "the proof says how far it went: code read, shape %s",
	    wallet_sig_shape_name(pr.shape));
	verdict(&v, PAYER("a2"));
	TAP_OK(x402_wallet_prove(&rpc, NULL, sig, sizeof(sig), &v, &pr) == 0 &&
	    !v.valid && strcmp(v.reason, X402_R_SIGNATURE) == 0 &&
	    strstr(v.message, "0x00") != NULL, "validator 0x00: signature "
	    "refused (%s)", v.message);
	verdict(&v, PAYER("a3"));
	TAP_OK(x402_wallet_prove(&rpc, NULL, sig, sizeof(sig), &v, &pr) == -1 &&
	    strcmp(v.reason, X402_R_UNEXPECTED) == 0 &&
	    strstr(v.message, "rate limit") != NULL, "a node error that is "
	    "no revert is no verdict on the signature (%s)", v.message);
	verdict(&v, PAYER("a4"));
	TAP_OK(x402_wallet_prove(&rpc, NULL, sig, sizeof(sig), &v, &pr) == 0 &&
	    strcmp(v.reason, X402_R_SIGNATURE) == 0 &&
	    strstr(v.message, "SignatureValidator: bad") != NULL,
	    "a validator revert refuses the signature (%s)", v.message);
	verdict(&v, PAYER("a5"));
	TAP_OK(x402_wallet_prove(&rpc, NULL, sig, sizeof(sig), &v, &pr) == -1 &&
	    strcmp(v.reason, X402_R_UNEXPECTED) == 0 &&
	    strstr(v.message, "eth_getCode") != NULL, "getCode answers a "
	    "number: unexpected (%s)", v.message);

	verdict(&v, PAYER("a2"));
	TAP_OK(x402_wallet_prove(NULL, NULL, sig, sizeof(sig), &v, &pr) == -1 &&
	    !v.valid && strcmp(v.reason, X402_R_UNEXPECTED) == 0 &&
	    strstr(v.message, "no RPC for eip155:84532") != NULL,
	    "no RPC: never proven (%s)", v.message);
	verdict(&v, PAYER("a2"));
	v.valid = 0;
	v.reason = X402_R_RECIPIENT;
	TAP_OK(x402_wallet_prove(&rpc, NULL, sig, sizeof(sig), &v, &pr) == 0 &&
	    strcmp(v.reason, X402_R_RECIPIENT) == 0, "an invalid verdict is "
	    "left alone");
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

#define F1 "0x0BA5ED0c6AA8c49038F819E587E2633c4A9F428a"
#define F2 "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"

static int
parse(const char *val, struct x402_wallet_factories *f, struct sf_err *e)
{
	sf_err_clear(e);
	return x402_wallet_factories_parse("ERC6492_FACTORIES", val, f, e);
}

static void
test_parse(void)
{
	struct x402_wallet_factories	 f;
	struct sf_err			 e;
	uint8_t				 a[20];
	char				 many[600];
	int				 i;

	TAP_OK(parse("", &f, &e) == 0 && f.n == 0, "empty: no factory");
	TAP_OK(parse("none", &f, &e) == 0 && f.n == 0, "none: no factory");
	TAP_OK(parse(" " F1 " ,\t" F2, &f, &e) == 0 && f.n == 2,
	    "two, blanks around items");
	hex_decode_fixed(F2, a, 20);
	TAP_OK(x402_wallet_factory_allowed(&f, a), "the second is allowed");
	a[0] ^= 1;
	TAP_OK(!x402_wallet_factory_allowed(&f, a) &&
	    !x402_wallet_factory_allowed(NULL, a), "another is not");
	TAP_OK(parse(F1 "," F1, &f, &e) == -1 && strstr(e.message, "twice"),
	    "listed twice (%s)", e.message);
	TAP_OK(parse("0x0000000000000000000000000000000000000000", &f, &e) ==
	    -1 && strstr(e.message, "zero address"), "zero (%s)", e.message);
	TAP_OK(parse(F1 ",", &f, &e) == -1 && strstr(e.message, "comma"),
	    "trailing comma (%s)", e.message);
	TAP_OK(parse(F1 ",,"  F2, &f, &e) == -1 && strstr(e.message, "empty"),
	    "empty item (%s)", e.message);
	TAP_OK(parse("0xabc", &f, &e) == -1 && strcmp(e.field,
	    "ERC6492_FACTORIES") == 0 && strcmp(e.code, "config_invalid") == 0,
	    "not an address (%s)", e.message);
	many[0] = '\0';
	for (i = 0; i < X402_WALLET_FACTORIES_MAX + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "%s0x%040x", i ? "," : "", i + 1);
	TAP_OK(parse(many, &f, &e) == -1 && strstr(e.message, "more than"),
	    "%d factories: too many (%s)", X402_WALLET_FACTORIES_MAX + 1,
	    e.message);
	many[strlen(many) - 43] = '\0';
	TAP_OK(parse(many, &f, &e) == 0 && f.n == X402_WALLET_FACTORIES_MAX,
	    "%d factories: fine", X402_WALLET_FACTORIES_MAX);
}

static struct cfg *
load(const char *networks)
{
	struct sf_err	 e;
	struct cfg	*c;

	setenv("SYNTHFORGE_NETWORKS", networks, 1);
	setenv("SYNTHFORGE_PAY_TO", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
	    1);
	if ((c = cfg_load("/dev/null", &e)) == NULL) {
		printf("# cfg_load: %s\n", e.message);
		abort();
	}
	return c;
}

static void
test_for(void)
{
	struct x402_wallet_factories	 f;
	struct sf_err			 e;
	struct cfg			*c;

	hermetic();
	c = load("base-sepolia,base");
	TAP_OK(x402_wallet_factories_for(c, "eip155:84532", &f, &e) == 0 &&
	    f.n == 0, "unset: empty on every network");
	TAP_OK(x402_wallet_check_cfg(c, &e) == 0, "unset: the check passes");
	cfg_free(c);
	setenv("SYNTHFORGE_ERC6492_FACTORIES", F1, 1);
	setenv("SYNTHFORGE_ERC6492_FACTORIES_BASE", "none", 1);
	setenv("SYNTHFORGE_ERC6492_FACTORIES_84532", F1 "," F2, 1);
	c = load("base-sepolia,base,polygon");
	TAP_OK(x402_wallet_factories_for(c, "eip155:84532", &f, &e) == 0 &&
	    f.n == 2, "by chain id: base-sepolia has two");
	TAP_OK(x402_wallet_factories_for(c, "eip155:8453", &f, &e) == 0 &&
	    f.n == 0, "by v1 name: none on base");
	TAP_OK(x402_wallet_factories_for(c, "eip155:137", &f, &e) == 0 &&
	    f.n == 1, "the plain key elsewhere: polygon has one");
	TAP_OK(x402_wallet_factories_for(c, "eip155:1", &f, &e) == -1,
	    "a network not served: error (%s)", e.message);
	TAP_OK(x402_wallet_check_cfg(c, &e) == 0, "the check passes");
	setenv("SYNTHFORGE_ERC6492_FACTORIES_BASE_SEPOLIA", "bogus", 1);
	TAP_OK(x402_wallet_check_cfg(c, &e) == -1 && strcmp(e.field,
	    "ERC6492_FACTORIES_BASE_SEPOLIA") == 0, "a bad per-network "
	    "value stops start-up, naming its key (%s)", e.message);
	TAP_OK(x402_wallet_factories_for(c, "eip155:84532", &f, &e) == -1,
	    "and the v1-name key wins over the chain id's");
	unsetenv("SYNTHFORGE_ERC6492_FACTORIES_BASE_SEPOLIA");
	setenv("SYNTHFORGE_ERC6492_FACTORIES_SOLANA", "none", 1);
	TAP_OK(x402_wallet_check_cfg(c, &e) == -1 &&
	    strstr(e.message, "names no EVM network") != NULL,
	    "a Solana suffix (%s)", e.message);
	cfg_free(c);
	hermetic();
}

int
main(void)
{
	httpc_init();
	test_proof();
	test_parse();
	test_for();
	return tap_done();
}
