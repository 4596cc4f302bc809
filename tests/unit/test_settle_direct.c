/*
 * Direct settlement building blocks against viem 2.x vectors:
 * encodeFunctionData(transferWithAuthorization), signTransaction (EIP-1559,
 * RFC 6979) and keccak256 of the raw transaction; payload parsing (v
 * normalisation) and the relayer key file checks.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "x402/evm/settle_direct.h"
#include "tap.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

/* anvil #5: a public test key. */
#define RELAYER_KEY "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"
#define RELAYER_ADDR "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc"

static const char payload_v2[] = "{\"x402Version\":2,\"payload\":{"
    "\"authorization\":{\"from\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\","
    "\"to\":\"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\",\"value\":\"10000\","
    "\"validAfter\":\"0\",\"validBefore\":\"1795303380\",\"nonce\":"
    "\"0xccacc573b5dbdb069fdd440a466d1379eaf55e98b4a96453a627486c65420024\"},"
    "\"signature\":\"0x3be68e347fde890e1d029ad8b35374972e6ed453cf184440614d43"
    "37753947c32ada48083fd6e16f063dbcfdbfddb015398bf39bb3ba3fd118554a9e00dca1"
    "dd%s\"}}";

static const char want_data[] = "0xe3ee160e"
    "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"
    "0000000000000000000000003c44cdddb6a900fa2b585dd299e03d12fa4293bc"
    "0000000000000000000000000000000000000000000000000000000000002710"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000006b0227d4"
    "ccacc573b5dbdb069fdd440a466d1379eaf55e98b4a96453a627486c65420024"
    "000000000000000000000000000000000000000000000000000000000000001c"
    "3be68e347fde890e1d029ad8b35374972e6ed453cf184440614d4337753947c3"
    "2ada48083fd6e16f063dbcfdbfddb015398bf39bb3ba3fd118554a9e00dca1dd";

static const char want_raw[] =
    "0x02f9019483014a3407843b9aca0084ab5d04c08301698e945fbdb2315678af"
    "ecb367f032d93f642f64180aa380b90124e3ee160e0000000000000000000000"
    "0070997970c51812dc3a010c7d01b50e0d17dc79c80000000000000000000000"
    "003c44cdddb6a900fa2b585dd299e03d12fa4293bc0000000000000000000000"
    "0000000000000000000000000000000000000027100000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000006b0227d4ccacc573b5dbdb069fdd44"
    "0a466d1379eaf55e98b4a96453a627486c654200240000000000000000000000"
    "00000000000000000000000000000000000000001c3be68e347fde890e1d029a"
    "d8b35374972e6ed453cf184440614d4337753947c32ada48083fd6e16f063dbc"
    "fdbfddb015398bf39bb3ba3fd118554a9e00dca1ddc080a083bceaa94e0bb4c0"
    "deb8ae79fcfc722ec5faf4d87aa775205560c9b3b8635b9aa0465622e31707a8"
    "7aca24573bbbb7b354b3e26b0b6f874ee92aafbadc8e567b33";

static char *
hexbuf(const struct buf *b)
{
	char	*s = malloc(b->len * 2 + 3);

	if (s != NULL)
		hex_encode((const uint8_t *)b->p, b->len, s);
	return s;
}

static int
write_key(const char *path, mode_t mode, const char *text)
{
	int	 fd;
	ssize_t	 n;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	if (n != (ssize_t)strlen(text))
		return -1;
	return chmod(path, mode);
}

static void
test_parse(void)
{
	struct settle_direct_auth	 a;
	struct sf_err			 err;
	char				 js[2048];

	snprintf(js, sizeof(js), payload_v2, "1c");
	T(settle_direct_parse(js, &a, &err) == 0, "parse v2 payload");
	T(a.v == 28, "v 0x1c stays 28");
	snprintf(js, sizeof(js), payload_v2, "01");
	T(settle_direct_parse(js, &a, &err) == 0 && a.v == 28,
	    "yParity 1 becomes v 28");
	snprintf(js, sizeof(js), payload_v2, "1d");
	T(settle_direct_parse(js, &a, &err) == -1, "v 29 refused");
	snprintf(js, sizeof(js), payload_v2, "1c00");
	T(settle_direct_parse(js, &a, &err) == -1 &&
	    strcmp(err.code, "invalid_exact_evm_signature") == 0,
	    "66-byte signature refused by the (v, r, s) parse");
	T(settle_direct_parse_auth(js, &a, &err) == 0 && a.value[31] != 0 &&
	    a.from[0] != 0 && a.v == 0, "a contract wallet's 66-byte "
	    "signature: its authorization still read (reconciliation, payer)");
	T(settle_direct_parse("{\"payload\":{}}", &a, &err) == -1,
	    "missing authorization refused");
	T(settle_direct_parse_auth("{\"payload\":{}}", &a, &err) == -1,
	    "missing authorization refused (authorization only)");
}

static void
test_calldata(struct buf *data)
{
	struct settle_direct_auth	 a;
	struct sf_err			 err;
	char				 js[2048], *s;

	snprintf(js, sizeof(js), payload_v2, "1c");
	settle_direct_parse(js, &a, &err);
	T(settle_direct_calldata(&a, data) == 0 && data->len == 4 + 9 * 32,
	    "calldata length");
	s = hexbuf(data);
	TAP_STREQ(s, want_data, "calldata equals viem encodeFunctionData");
	free(s);
}

static void
test_sign(const struct buf *data)
{
	struct settle_direct_tx		 t;
	struct sf_err			 err;
	struct buf			 raw;
	uint8_t				 key[32], hash[32];
	char				*s, h[67];

	buf_init(&raw);
	hex_decode_fixed(RELAYER_KEY, key, 32);
	memset(&t, 0, sizeof(t));
	t.chain_id = 84532;
	t.nonce = 7;
	t.max_priority_fee = 1000000000;
	t.max_fee = 2875000000;
	t.gas = 92558;
	hex_decode_fixed("0x5FbDB2315678afecb367f032d93F642f64180aa3", t.to, 20);
	t.data = (const uint8_t *)data->p;
	t.data_len = data->len;
	T(settle_direct_sign(&t, key, &raw, hash, &err) == 0, "sign");
	s = hexbuf(&raw);
	TAP_STREQ(s, want_raw, "signed tx equals viem signTransaction");
	free(s);
	hex_encode(hash, 32, h);
	TAP_STREQ(h, "0x2b491d8c4d2e8c8445a82a7a179645a23353b0e5aedaeb5e227a5a98b210570e",
	    "tx hash equals viem keccak256(raw)");
	buf_free(&raw);
}

/* Minimal tx: zero fields encode as empty strings. */
static void
test_sign_minimal(void)
{
	struct settle_direct_tx		 t;
	struct sf_err			 err;
	struct buf			 raw;
	uint8_t				 key[32], hash[32];
	char				*s;

	buf_init(&raw);
	hex_decode_fixed(RELAYER_KEY, key, 32);
	memset(&t, 0, sizeof(t));
	t.chain_id = 1;
	t.max_fee = 1;
	t.gas = 21000;
	t.to[19] = 1;
	T(settle_direct_sign(&t, key, &raw, hash, &err) == 0, "sign minimal");
	s = hexbuf(&raw);
	TAP_STREQ(s, "0x02f862018080018252089400000000000000000000000000000000"
	    "000000018080c080a0ca8ce36b6aeb4c6c05984c1d3967e37cc5cdb8a3690577d991"
	    "b56ddcc414dddfa04045adca819d39b2708ef1b5301082cb6a25816129299f376a7745"
	    "4dacd0633d", "minimal tx equals viem");
	free(s);
	buf_free(&raw);
}

static void
test_key_file(const char *dir)
{
	struct sf_err	 err;
	uint8_t		 key[32];
	char		 addr[43], path[300];

	snprintf(path, sizeof(path), "%s/relayer.key", dir);
	T(write_key(path, 0600, RELAYER_KEY "\n") == 0 &&
	    settle_direct_load_key(path, key, addr, &err) == 0,
	    "key file 0600 accepted");
	TAP_STREQ(addr, RELAYER_ADDR, "relayer address derived");
	T(write_key(path, 0644, RELAYER_KEY "\n") == 0 &&
	    settle_direct_load_key(path, key, addr, &err) == -1,
	    "key file 0644 refused");
	T(strstr(err.message, "8b3a35") == NULL, "error does not quote the key");
	T(write_key(path, 0600, "0x1234\n") == 0 &&
	    settle_direct_load_key(path, key, addr, &err) == -1,
	    "short key refused");
	T(settle_direct_load_key("/nonexistent/key", key, addr, &err) == -1,
	    "missing key file refused");
	unlink(path);
}

/* The v2 payload with validBefore vb (seconds) and the last byte v. */
static void
payload_until(char *js, size_t sz, const char *vb, const char *v)
{
	char	 t[2048], *at;

	snprintf(t, sizeof(t), payload_v2, v);
	at = strstr(t, "1795303380");
	snprintf(js, sz, "%.*s%s%s", (int)(at - t), t, vb, at + 10);
}

/*
 * The phases before any transaction, each refusing with its reason and
 * whether a retry can help: no RPC, a value that is not our price, an
 * expired authorization (final); the relayer key unusable, the node
 * unreachable (retryable).  Nothing here reaches a chain.
 */
static void
test_phases(const char *dir)
{
	struct settle_direct_config	 c;
	struct settle_direct_result	 r;
	char				 js[2048], path[300];
	static const char reqs[] = "{\"network\":\"eip155:84532\","
	    "\"amount\":\"10000\",\"payTo\":"
	    "\"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\",\"asset\":"
	    "\"0x036CbD53842c5426634e7929541eC2318f3dCF7e\"}";

	payload_until(js, sizeof(js), "4102444800", "1c");	/* 2100 */
	snprintf(path, sizeof(path), "%s/relayer.key", dir);
	unlink(path);
	memset(&c, 0, sizeof(c));
	c.key_file = path;
	T(settle_direct(&c, js, reqs, &r) == SETTLE_DIRECT_FAILED &&
	    strcmp(r.reason, "config_error") == 0 && !r.retryable,
	    "no RPC_URL: config_error, final");
	c.rpc_url = "http://127.0.0.1:9";
	c.rpc_ms = 2000;
	T(settle_direct(&c, js, "{\"network\":\"eip155:84532\",\"amount\":"
	    "\"10001\"}", &r) == SETTLE_DIRECT_FAILED && strcmp(r.reason,
	    "invalid_exact_evm_payload_authorization_value_mismatch") == 0 &&
	    !r.retryable, "another price: value_mismatch, final");
	T(settle_direct(&c, js, reqs, &r) == SETTLE_DIRECT_FAILED &&
	    strcmp(r.reason, "config_error") == 0 && r.retryable,
	    "no relayer key file: config_error, retryable");
	T(write_key(path, 0600, RELAYER_KEY "\n") == 0, "relayer key written");
	T(settle_direct(&c, js, reqs, &r) == SETTLE_DIRECT_FAILED &&
	    strcmp(r.reason, "rpc_unreachable") == 0 && r.retryable &&
	    r.tx[0] == '\0', "node unreachable: rpc_unreachable, retryable, "
	    "no tx");
	payload_until(js, sizeof(js), "1", "1c");
	T(settle_direct(&c, js, reqs, &r) == SETTLE_DIRECT_FAILED &&
	    strcmp(r.reason, "invalid_exact_evm_payload_authorization_"
	    "valid_before") == 0 && !r.retryable,
	    "expired authorization: valid_before, final");
	unlink(path);
}

int
main(void)
{
	struct buf	 data;
	char		 dir[] = "/tmp/sf-sd-XXXXXX";

	if (mkdtemp(dir) == NULL)
		return 1;
	buf_init(&data);
	test_parse();
	test_calldata(&data);
	test_sign(&data);
	test_sign_minimal();
	test_key_file(dir);
	test_phases(dir);
	rmdir(dir);
	buf_free(&data);
	return tap_done();
}
