/* x402_chain against a fake JSON-RPC node forked from this test. */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basics/hex.h"
#include "http/httpc.h"
#include "basics/keccak.h"
#include "x402/evm/rpc.h"
#include "tap.h"

/* TAP_OK evaluates its condition twice; these conditions have effects. */
#define T_OK(cond, ...) do {						\
	int t_ok_ = (cond) ? 1 : 0;					\
	TAP_OK(t_ok_, __VA_ARGS__);					\
	if (!t_ok_)							\
		printf("#   condition: %s\n", #cond);			\
} while (0)
#include "basics/u256.h"
#include "x402/evm/x402_chain.h"
#include "x402/evm/x402_verify.h"

#define WORD0	"0x0000000000000000000000000000000000000000000000000000000000000000"
#define WORD1	"0x0000000000000000000000000000000000000000000000000000000000000001"
#define W10000	"0x0000000000000000000000000000000000000000000000000000000000002710"

/*
 * One request per connection.  authorizationState answers by the last
 * nonce byte: 01 used, 02 revert, 03 hang, 04 "0x", else unused.
 * balanceOf answers 10000 for an owner ending in c8, 9999 otherwise.
 * The transfer's eth_call (transferWithAuthorization(..., v, r, s),
 * 0xe3ee160e) by the signature's r: 0505... reverts, 0606... is refused
 * with HTTP 429 (a public RPC's rate limit), else succeeds.
 */
static void
serve_one(int c)
{
	char		 req[8192], body[512], resp[1024];
	const char	*res = WORD0, *status = "200 OK";
	ssize_t		 n;
	size_t		 got = 0;

	while (got < sizeof(req) - 1 &&
	    (n = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL && strstr(req, "}") != NULL)
			break;
	}
	req[got] = '\0';
	if (strstr(req, "e94a0102") != NULL) {
		if (strstr(req, "01\"") != NULL)
			res = WORD1;
		else if (strstr(req, "02\"") != NULL)
			res = NULL;
		else if (strstr(req, "03\"") != NULL) {
			/* Never answer: hold the connection until the
			 * client gives up and closes it (at most 60 s). */
			struct pollfd pf = { .fd = c, .events = POLLIN };
			char sink[256];

			while (poll(&pf, 1, 60000) > 0 &&
			    read(c, sink, sizeof(sink)) > 0)
				;
			_exit(0);
		} else if (strstr(req, "04\"") != NULL)
			res = "0x";
	} else if (strstr(req, "70a08231") != NULL)
		res = strstr(req, "c8\"") != NULL ? W10000 :
		    "0x000000000000000000000000000000000000000000000000000000000000270f";
	else if (strstr(req, "e3ee160e") != NULL) {
		res = "0x";
		if (strstr(req, "0505050505050505") != NULL)
			res = NULL;
		else if (strstr(req, "0606060606060606") != NULL) {
			status = "429 Too Many Requests";
			snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\","
			    "\"id\":1,\"error\":{\"code\":-32016,"
			    "\"message\":\"over rate limit\"}}");
			goto answer;
		}
	}
	if (res == NULL)
		snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"error\":{\"code\":3,\"message\":\"execution reverted\"}}");
	else
		snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"result\":\"%s\"}", res);
answer:
	snprintf(resp, sizeof(resp), "HTTP/1.1 %s\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n"
	    "\r\n%s", status, strlen(body), body);
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
verdict(struct x402_verdict *v, const char *from, const char *nonce,
    const char *value)
{

	memset(v, 0, sizeof(*v));
	v->valid = 1;
	v->offer = &off;
	strcpy(v->auth.from_hex, from);
	hex_decode_fixed(from, v->auth.from, 20);
	strcpy(v->auth.nonce_hex, nonce);
	hex_decode_fixed(nonce, v->auth.nonce, 32);
	strcpy(v->auth.value_dec, value);
	u256_from_dec(value, v->auth.value);
}

#define PAYER	"0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
#define OTHER	"0x15d34aaf54267db7d7c367839aaf71a00a2c6a65"
#define N(x)	"0x00000000000000000000000000000000000000000000000000000000000000" x

static struct rpc	 rpc;
static char		 url[64];

static void
test_selectors(void)
{
	char		 sel[16];
	uint8_t		 h[32];

	keccak256("authorizationState(address,bytes32)", 35, h);
	hex_encode(h, 4, sel);
	TAP_STREQ(sel + 2, X402_CHAIN_SEL_AUTH_STATE, "authorizationState selector");
	keccak256("balanceOf(address)", 18, h);
	hex_encode(h, 4, sel);
	TAP_STREQ(sel + 2, X402_CHAIN_SEL_BALANCE_OF, "balanceOf selector");
}

/* What the node says decides: nonce used, balance, revert, no contract. */
static void
test_answers(void)
{
	struct x402_verdict	 v;

	verdict(&v, PAYER, N("a1"), "10000");
	T_OK(x402_chain_check(&rpc, &v) == 0 && v.valid,
	    "unused nonce, balance = value: still valid (%s)", v.message);
	verdict(&v, PAYER, N("01"), "10000");
	T_OK(x402_chain_check(&rpc, &v) == 0 && !v.valid &&
	    strcmp(v.reason, X402_R_NONCE_USED) == 0, "used nonce");
	verdict(&v, OTHER, N("a1"), "10000");
	T_OK(x402_chain_check(&rpc, &v) == 0 && !v.valid &&
	    strcmp(v.reason, X402_R_BALANCE) == 0, "balance 9999 < 10000 (%s)",
	    v.message);
	verdict(&v, OTHER, N("a1"), "9999");
	T_OK(x402_chain_check(&rpc, &v) == 0 && v.valid, "balance 9999 = value");
	verdict(&v, OTHER, N("01"), "10000");
	T_OK(x402_chain_check(&rpc, &v) == 0 &&
	    strcmp(v.reason, X402_R_NONCE_USED) == 0, "nonce checked before balance");
	verdict(&v, PAYER, N("02"), "10000");
	T_OK(x402_chain_check(&rpc, &v) == -1 && !v.valid &&
	    strcmp(v.reason, X402_R_UNEXPECTED) == 0 &&
	    strstr(v.message, "reverted") != NULL, "revert: unexpected_verify_error (%s)",
	    v.message);
	verdict(&v, PAYER, N("04"), "10000");
	T_OK(x402_chain_check(&rpc, &v) == -1 &&
	    strcmp(v.reason, X402_R_UNEXPECTED) == 0, "no contract (\"0x\") (%s)",
	    v.message);
}

/*
 * The proof with the transfer simulated: a revert is a verdict (the
 * payment refused), a rate limit is no answer (-1: the caller falls back
 * to the facilitator's /verify rather than refuse a good payment).
 */
static void
test_prove(void)
{
	static const char	 fmt[] = "{\"x402Version\":2,\"payload\":{"
	    "\"authorization\":{\"from\":\"" PAYER "\",\"to\":"
	    "\"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\",\"value\":"
	    "\"10000\",\"validAfter\":\"0\",\"validBefore\":\"4102444800\","
	    "\"nonce\":\"%s\"},\"signature\":\"0x%s%s1b\"}}";
	struct x402_verdict	 v;
	char			 js[1024], r[65], s2[65], bal[U256_DEC_SIZE];
	int			 i;

	for (i = 0; i < 64; i++)
		s2[i] = "0123456789abcdef"[i % 16];
	s2[64] = '\0';
	for (i = 0; i < 3; i++) {
		/* r: aa..aa passes, 0505..05 reverts, 0606..06 rate-limited */
		for (size_t k = 0; k < 64; k++)
			r[k] = i == 0 ? 'a' : k % 2 == 0 ? '0' : "56"[i - 1];
		r[64] = '\0';
		snprintf(js, sizeof(js), fmt, N("a1"), r, s2);
		verdict(&v, PAYER, N("a1"), "10000");
		bal[0] = '\0';
		switch (i) {
		case 0:
			T_OK(x402_chain_prove(&rpc, js, &v, bal) == 0 &&
			    v.valid && strcmp(bal, "10000") == 0,
			    "simulated transfer passes: proven, balance read");
			break;
		case 1:
			T_OK(x402_chain_prove(&rpc, js, &v, bal) == 0 &&
			    !v.valid && strcmp(v.reason, X402_R_SIMULATION) == 0,
			    "a revert refuses the payment (%s)", v.message);
			break;
		default:
			T_OK(x402_chain_prove(&rpc, js, &v, bal) == -1 &&
			    strcmp(v.reason, X402_R_UNEXPECTED) == 0 &&
			    strstr(v.message, "rate limit") != NULL,
			    "HTTP 429: no verdict, the caller falls back (%s)",
			    v.message);
		}
	}
}

/* The node never answers: only the client's own 1 s timeout ends the
   call.  The bound is far from both 1 s and the node's 60 s, so a loaded
   machine cannot flake it. */
static void
test_timeout(void)
{
	struct x402_verdict	 v;
	struct timespec		 t0, t1;
	int			 rc;

	verdict(&v, PAYER, N("03"), "10000");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = x402_chain_check(&rpc, &v);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	T_OK(rc == -1 && strcmp(v.reason, X402_R_UNEXPECTED) == 0 &&
	    strstr(v.message, "Timeout") != NULL && t1.tv_sec - t0.tv_sec < 30,
	    "hanging node times out (%s)", v.message);
}

/* Not configured, or nothing to check: verdict untouched. */
static void
test_nothing_to_ask(void)
{
	struct x402_verdict	 v;

	verdict(&v, PAYER, N("01"), "10000");
	T_OK(x402_chain_check(NULL, &v) == 0 && v.valid, "no RPC configured");
	rpc.url = "";
	T_OK(x402_chain_check(&rpc, &v) == 0 && v.valid, "empty RPC URL");
	rpc.url = url;
	v.valid = 0;
	v.reason = X402_R_SIGNATURE;
	T_OK(x402_chain_check(&rpc, &v) == 0 &&
	    strcmp(v.reason, X402_R_SIGNATURE) == 0, "invalid verdict left alone");
}

/* The node is gone: connection refused. */
static void
test_node_down(void)
{
	struct x402_verdict	 v;

	verdict(&v, PAYER, N("a1"), "10000");
	T_OK(x402_chain_check(&rpc, &v) == -1 && !v.valid &&
	    strcmp(v.reason, X402_R_UNEXPECTED) == 0, "node down (%s)", v.message);
}

int
main(void)
{
	pid_t	 pid;
	int	 port;

	test_selectors();
	httpc_init();
	strcpy(off.asset, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
	fflush(stdout);	/* the forked node must not inherit buffered output */
	pid = server(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	memset(&rpc, 0, sizeof(rpc));
	rpc.url = url;
	rpc.connect_ms = 1000;
	rpc.total_ms = 1000;
	test_answers();
	test_prove();
	test_timeout();
	test_nothing_to_ask();
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	test_node_down();
	return tap_done();
}
