/*
 * Facilitator client against a tiny in-test HTTP responder: outcomes for
 * every kind of answer (ok, refused at 200 and 400, 5xx, garbage, timeout,
 * connection refused), the 308 re-POST, /supported, and CDP JWT auth.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "x402/cdp_jwt.h"
#include "basics/err.h"
#include "x402/facilitator.h"
#include "tap.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

static const char pem_sec1[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIENbgHefgXN1jW60WGjz2joXKFVBBqB0H/F/CdwO6/tSoAoGCCqGSM49\n"
    "AwEHoUQDQgAElwRrdEOCvECvgKSS1C5/9mombGC30p0788p5Yp2YybSqcpqPk4sG\n"
    "ZSlJy6hUwoPY2Jw5LcLwRpdsVKp184Tiuw==\n"
    "-----END EC PRIVATE KEY-----\n";
static const char pem_pkcs8[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQ1uAd5+Bc3WNbrRY\n"
    "aPPaOhcoVUEGoHQf8X8J3A7r+1KhRANCAASXBGt0Q4K8QK+ApJLULn/2aiZsYLfS\n"
    "nTvzynlinZjJtKpymo+TiwZlKUnLqFTCg9jYnDktwvBGl2xUqnXzhOK7\n"
    "-----END PRIVATE KEY-----\n";

/* The responder: scenario in, last request out. */
static struct {
	int		 fd;
	int		 port;
	const char	*status;	/* "200 OK" */
	const char	*body;
	int		 delay_ms;
	int		 redirect;	/* 308 the first request */
	char		 method[8];
	char		 path[256];
	char		 auth[1024];
	char		*reqbody;
	int		 nreq;
} srv;

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;

static void
serve_one(int c)
{
	char	 req[65536], out[70000], *hdr_end, *p;
	size_t	 len = 0, clen = 0;
	ssize_t	 n;

	while (len < sizeof(req) - 1) {
		if ((n = read(c, req + len, sizeof(req) - 1 - len)) <= 0)
			return;
		len += (size_t)n;
		req[len] = '\0';
		if ((hdr_end = strstr(req, "\r\n\r\n")) == NULL)
			continue;
		if ((p = strcasestr(req, "\r\nContent-Length:")) != NULL &&
		    p < hdr_end)
			clen = strtoul(p + 17, NULL, 10);
		if (len >= (size_t)(hdr_end + 4 - req) + clen)
			break;
	}
	hdr_end = strstr(req, "\r\n\r\n");
	pthread_mutex_lock(&mu);
	srv.nreq++;
	sscanf(req, "%7s %255s", srv.method, srv.path);
	srv.auth[0] = '\0';
	if ((p = strcasestr(req, "\r\nAuthorization: ")) != NULL && p < hdr_end)
		sscanf(p + 17, "%1023[^\r]", srv.auth);
	free(srv.reqbody);
	srv.reqbody = strdup(hdr_end ? hdr_end + 4 : "");
	pthread_mutex_unlock(&mu);
	/* A delayed reply: hold it until the client hangs up (then answer
	 * nothing) or delay_ms pass, so no test waits on a fixed sleep. */
	if (srv.delay_ms && poll(&(struct pollfd){ .fd = c, .events = POLLIN },
	    1, srv.delay_ms) != 0)
		return;
	if (srv.redirect && srv.nreq == 1)
		snprintf(out, sizeof(out), "HTTP/1.1 308 Permanent Redirect\r\n"
		    "Location: /moved%s\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n", srv.path);
	else
		snprintf(out, sizeof(out), "HTTP/1.1 %s\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n%s", srv.status,
		    strlen(srv.body), srv.body);
	if (write(c, out, strlen(out)) < 0)
		return;
}

static void *
serve(void *arg)
{
	int	 c;

	(void)arg;
	while ((c = accept(srv.fd, NULL, NULL)) >= 0) {
		serve_one(c);
		close(c);
	}
	return NULL;
}

static void
scenario(const char *status, const char *body, int delay_ms, int redirect)
{
	pthread_mutex_lock(&mu);
	srv.status = status;
	srv.body = body;
	srv.delay_ms = delay_ms;
	srv.redirect = redirect;
	srv.nreq = 0;
	pthread_mutex_unlock(&mu);
}

static const char payload[] = "{\"x402Version\":2,\"payload\":{\"signature\":"
    "\"0x00\"},\"accepted\":{\"scheme\":\"exact\"}}";
static const char reqs[] = "{\"scheme\":\"exact\",\"network\":\"eip155:84532\"}";

static struct facilitator_config	 fc;
static char				 url[128], dead[128];

/* The responder on a free port, and a port nobody listens on. */
static int
start(pthread_t *th)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 one = 1, s;

	srv.fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(srv.fd, 16) == -1 ||
	    getsockname(srv.fd, (struct sockaddr *)&sa, &sl) == -1)
		return -1;
	srv.port = ntohs(sa.sin_port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv.port);
	pthread_create(th, NULL, serve, NULL);

	/* A port nobody listens on: bind, read it, close. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_port = 0;
	sl = sizeof(sa);
	bind(s, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(s, (struct sockaddr *)&sa, &sl);
	snprintf(dead, sizeof(dead), "http://127.0.0.1:%d", ntohs(sa.sin_port));
	close(s);

	memset(&fc, 0, sizeof(fc));
	fc.url = url;
	fc.verify_ms = 2000;
	fc.settle_ms = 2000;
	return 0;
}

static void
test_verify_ok(void)
{
	struct facilitator_result	 r;
	enum facilitator_outcome	 o;

	scenario("200 OK", "{\"isValid\":true,\"payer\":\"0xabc\"}", 0, 0);
	o = facilitator_verify(&fc, 2, payload, reqs, &r);
	T(o == FACILITATOR_OK && r.success, "verify ok");
	TAP_STREQ(srv.path, "/verify", "trailing slash not doubled");
	TAP_STREQ(r.payer, "0xabc", "payer");
	T(srv.reqbody && strstr(srv.reqbody, "\"x402Version\":2") &&
	    strstr(srv.reqbody, "\"paymentPayload\":{") &&
	    strstr(srv.reqbody, "\"paymentRequirements\":{"),
	    "request envelope");
	T(srv.auth[0] == '\0', "no Authorization without CDP keys");
}

static void
test_settle_ok(void)
{
	struct facilitator_result	 r;
	enum facilitator_outcome	 o;

	scenario("200 OK", "{\"success\":true,\"transaction\":\"0x1234\","
	    "\"network\":\"eip155:84532\",\"payer\":\"0xabc\"}", 0, 0);
	o = facilitator_settle(&fc, 2, payload, reqs, &r);
	T(o == FACILITATOR_OK, "settle ok");
	TAP_STREQ(r.transaction, "0x1234", "transaction");
	TAP_STREQ(r.network, "eip155:84532", "network");
}

/* "No" at 200 and at 400 is FAILED with the reason; 5xx and garbage are
   UNKNOWN (the settlement may have landed). */
static void
test_refusals(void)
{
	struct facilitator_result	 r;
	enum facilitator_outcome	 o;

	scenario("200 OK", "{\"success\":false,\"errorReason\":"
	    "\"invalid_exact_evm_nonce_already_used\",\"errorMessage\":\"used\","
	    "\"transaction\":\"\",\"network\":\"eip155:84532\"}", 0, 0);
	o = facilitator_settle(&fc, 2, payload, reqs, &r);
	T(o == FACILITATOR_FAILED && !r.success && r.http_status == 200,
	    "200 success:false is FAILED");
	TAP_STREQ(r.reason, "invalid_exact_evm_nonce_already_used", "reason");
	TAP_STREQ(r.message, "used", "message");

	scenario("400 Bad Request", "{\"isValid\":false,\"invalidReason\":"
	    "\"invalid_payload\"}", 0, 0);
	o = facilitator_verify(&fc, 1, payload, reqs, &r);
	T(o == FACILITATOR_FAILED && r.http_status == 400,
	    "CDP-style 400 isValid:false is FAILED");
	TAP_STREQ(r.reason, "invalid_payload", "400 reason");

	scenario("500 Internal Server Error", "{\"success\":false,"
	    "\"errorReason\":\"unexpected_settle_error\"}", 0, 0);
	o = facilitator_settle(&fc, 2, payload, reqs, &r);
	T(o == FACILITATOR_UNKNOWN, "settle 500 is UNKNOWN");
	TAP_STREQ(r.reason, "unexpected_settle_error", "500 reason kept");

	scenario("200 OK", "<html>oops</html>", 0, 0);
	o = facilitator_settle(&fc, 2, payload, reqs, &r);
	T(o == FACILITATOR_UNKNOWN, "garbage 200 is UNKNOWN");
	scenario("200 OK", "{\"success\":true}", 0, 0);
	o = facilitator_settle(&fc, 2, payload, reqs, &r);
	T(o == FACILITATOR_UNKNOWN, "success without transaction is UNKNOWN");
}

/* No answer: a timeout, a refused connection; a payload we cannot send. */
static void
test_no_answer(void)
{
	struct facilitator_result	 r;
	enum facilitator_outcome	 o;

	/* The reply would come after 60 s: only our 300 ms timeout ends it. */
	scenario("200 OK", "{\"success\":true,\"transaction\":\"0x1\"}", 60000, 0);
	fc.settle_ms = 300;
	o = facilitator_settle(&fc, 2, payload, reqs, &r);
	T(o == FACILITATOR_UNKNOWN && r.http_status == 0, "timeout is UNKNOWN");
	TAP_STREQ(r.reason, "facilitator_unreachable", "timeout reason");
	fc.settle_ms = 2000;

	fc.url = dead;
	o = facilitator_settle(&fc, 2, payload, reqs, &r);
	T(o == FACILITATOR_UNKNOWN, "connection refused is UNKNOWN");
	fc.url = url;

	o = facilitator_settle(&fc, 2, "{not json", reqs, &r);
	T(o == FACILITATOR_FAILED, "local bad JSON is FAILED, nothing sent");
}

static void
test_redirect_and_supported(void)
{
	struct facilitator_result	 r;
	struct sf_err			 err;
	enum facilitator_outcome	 o;
	char				*sup;

	scenario("200 OK", "{\"success\":true,\"transaction\":\"0x99\"}", 0, 1);
	o = facilitator_settle(&fc, 2, payload, reqs, &r);
	T(o == FACILITATOR_OK && srv.nreq == 2, "308 followed");
	TAP_STREQ(srv.method, "POST", "308: still POST");
	TAP_STREQ(srv.path, "/moved/settle", "308: new location");
	T(srv.reqbody && strstr(srv.reqbody, "paymentPayload") != NULL,
	    "308: body re-sent");

	scenario("200 OK", "{\"kinds\":[{\"x402Version\":2,\"scheme\":"
	    "\"exact\",\"network\":\"eip155:84532\"}]}", 0, 0);
	T(facilitator_supported(&fc, &sup, &err) == 0 &&
	    strstr(sup, "eip155:84532") != NULL, "supported");
	TAP_STREQ(srv.method, "GET", "supported is GET");
	free(sup);
}

/* The token's claims, decoded (base64url, RFC 7515 §2). */
static char *
jwt_claims(const char *jwt)
{
	const char	*dot = strchr(jwt, '.');
	size_t		 n;

	if (dot == NULL)
		return NULL;
	return (char *)b64url_decode(dot + 1, strcspn(dot + 1, "."), &n);
}

/* CDP auth: an ES256 JWT from either PEM form, its claims, its signature. */
static void
test_cdp_jwt(void)
{
	struct sf_err	 err;
	struct buf	 jwt;
	char		*dec;

	buf_init(&jwt);
	T(cdp_jwt_make("kid-1", pem_sec1, "POST",
	    "https://api.cdp.coinbase.com/platform/v2/x402/verify?x=1", 1700000000,
	    &jwt, &err) == 0, "jwt from SEC1 PEM");
	T(cdp_jwt_verify(jwt.p, pem_sec1) == 0, "jwt signature verifies");
	T(cdp_jwt_verify(jwt.p, pem_pkcs8) == 0, "PKCS#8 PEM is the same key");
	T(strchr(jwt.p, '=') == NULL && strchr(jwt.p, '+') == NULL &&
	    strchr(jwt.p, '/') == NULL, "base64url, no padding");
	dec = jwt_claims(jwt.p);
	T(dec && strstr(dec, "\"uris\":[\"POST api.cdp.coinbase.com"
	    "/platform/v2/x402/verify\"]") != NULL, "uris claim");
	T(dec && strstr(dec, "\"exp\":1700000120") != NULL &&
	    strstr(dec, "\"iss\":\"cdp\"") != NULL &&
	    strstr(dec, "\"aud\":[\"cdp_service\"]") != NULL,
	    "iss, aud, exp claims");
	free(dec);
	jwt.p[jwt.len - 3] ^= 1;
	T(cdp_jwt_verify(jwt.p, pem_sec1) == -1, "tampered jwt fails");
	buf_free(&jwt);
	T(cdp_jwt_make("kid", "not a pem", "POST", "https://x/y", 0, &jwt,
	    &err) == -1 && strstr(err.message, "not a pem") == NULL,
	    "bad secret refused without quoting it");
	buf_free(&jwt);
}

/*
 * Keys the parser must refuse, each a real PEM from openssl: a SEC1 key
 * on secp256k1 and the same in PKCS#8 (their scalar sits behind the very
 * bytes 02 01 01 04 20 a byte scan looked for), an Ed25519 PKCS#8 key, an
 * encrypted PKCS#8 key, a block with a damaged body.  And one it must
 * take: the SEC1 test key with CRLF line ends.
 */
static void
test_cdp_keys(void)
{
	static const char k1_sec1[] =
	    "-----BEGIN EC PRIVATE KEY-----\n"
	    "MHQCAQEEIKGEM+0bWSrUCASLRLI/4HZlueUMICo2v+YdqWsPaQoyoAcGBSuBBAAK\n"
	    "oUQDQgAESv6V9oMYFMWyAKeZdm+PZoeKgVKUL2wsfDUZBU7Zb2Xyhwnx6DoC/D9U\n"
	    "osLBrvTbVyo4fU1NjfWUVhUl48LKQQ==\n"
	    "-----END EC PRIVATE KEY-----\n";
	static const char k1_pkcs8[] =
	    "-----BEGIN PRIVATE KEY-----\n"
	    "MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQgoYQz7RtZKtQIBItEsj/g\n"
	    "dmW55QwgKja/5h2paw9pCjKhRANCAARK/pX2gxgUxbIAp5l2b49mh4qBUpQvbCx8\n"
	    "NRkFTtlvZfKHCfHoOgL8P1SiwsGu9NtXKjh9TU2N9ZRWFSXjwspB\n"
	    "-----END PRIVATE KEY-----\n";
	static const char ed25519[] =
	    "-----BEGIN PRIVATE KEY-----\n"
	    "MC4CAQAwBQYDK2VwBCIEIJc/tf6FWVoSpvK58nvX1k8oLSxcPOOefA8U5jpDdkX8\n"
	    "-----END PRIVATE KEY-----\n";
	static const char encrypted[] =
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
	    "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAipm2FRAPusXgICCAAw\n"
	    "-----END ENCRYPTED PRIVATE KEY-----\n";
	char		 crlf[sizeof(pem_sec1) * 2], damaged[sizeof(pem_sec1)];
	struct sf_err	 err;
	struct buf	 jwt;
	size_t		 i, k;

	buf_init(&jwt);
	T(cdp_jwt_make("kid", k1_sec1, "POST", "https://x/y", 0, &jwt,
	    &err) == -1, "a SEC1 key on secp256k1 is refused");
	T(cdp_jwt_make("kid", k1_pkcs8, "POST", "https://x/y", 0, &jwt,
	    &err) == -1, "a PKCS#8 key on secp256k1 is refused");
	T(cdp_jwt_make("kid", ed25519, "POST", "https://x/y", 0, &jwt,
	    &err) == -1, "an Ed25519 PKCS#8 key is refused");
	T(cdp_jwt_make("kid", encrypted, "POST", "https://x/y", 0, &jwt,
	    &err) == -1, "an encrypted PKCS#8 key is refused");
	memcpy(damaged, pem_sec1, sizeof(pem_sec1));
	damaged[40] = '*';
	T(cdp_jwt_make("kid", damaged, "POST", "https://x/y", 0, &jwt,
	    &err) == -1, "a damaged PEM body is refused");
	for (i = k = 0; pem_sec1[i] != '\0'; i++) {
		if (pem_sec1[i] == '\n')
			crlf[k++] = '\r';
		crlf[k++] = pem_sec1[i];
	}
	crlf[k] = '\0';
	T(cdp_jwt_make("kid", crlf, "POST", "https://x/y", 0, &jwt,
	    &err) == 0 && cdp_jwt_verify(jwt.p, pem_sec1) == 0,
	    "CRLF line ends: the same key");
	buf_free(&jwt);
}

static void
test_cdp_header(void)
{
	struct facilitator_result	 r;
	enum facilitator_outcome	 o;

	fc.cdp_key_id = "kid-1";
	fc.cdp_key_secret = pem_pkcs8;
	scenario("200 OK", "{\"isValid\":true}", 0, 0);
	o = facilitator_verify(&fc, 2, payload, reqs, &r);
	T(o == FACILITATOR_OK && strncmp(srv.auth, "Bearer ", 7) == 0 &&
	    cdp_jwt_verify(srv.auth + 7, pem_sec1) == 0,
	    "Authorization: Bearer <valid JWT> sent");
	fc.cdp_key_id = fc.cdp_key_secret = NULL;
}

int
main(void)
{
	pthread_t	 th;

	if (start(&th) == -1)
		return 1;
	test_verify_ok();
	test_settle_ok();
	test_refusals();
	test_no_answer();
	test_redirect_and_supported();
	test_cdp_jwt();
	test_cdp_keys();
	test_cdp_header();
	shutdown(srv.fd, SHUT_RDWR);
	close(srv.fd);
	pthread_join(th, NULL);
	free(srv.reqbody);
	return tap_done();
}
