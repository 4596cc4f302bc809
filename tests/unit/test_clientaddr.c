/*
 * clientaddr: whose X-Forwarded-For is believed (TRUSTED_PROXIES) and
 * which entry of it is the client (the rightmost that is not a trusted
 * proxy); the start-up check of the key.
 */
#include <stdio.h>
#include <string.h>

#include "basics/clientaddr.h"
#include "basics/err.h"
#include "tap.h"

static const struct {
	const char	*trusted, *remote, *xff, *want, *why;
} cases[] = {
	{ NULL, "198.51.100.7", "203.0.113.9", "198.51.100.7",
	  "no TRUSTED_PROXIES: nobody's X-Forwarded-For" },
	{ "", "198.51.100.7", "203.0.113.9", "198.51.100.7",
	  "empty TRUSTED_PROXIES: the same" },
	{ "10.0.0.0/8", "198.51.100.7", "203.0.113.9", "198.51.100.7",
	  "a peer not in the list: its header is ignored" },
	{ "10.0.0.0/8", "10.1.2.3", "203.0.113.9", "203.0.113.9",
	  "a trusted balancer: the client it names" },
	{ "10.0.0.0/8", "10.1.2.3", NULL, "10.1.2.3",
	  "a trusted balancer without the header: itself" },
	{ "10.0.0.0/8", "10.1.2.3", "6.6.6.6, 203.0.113.9", "203.0.113.9",
	  "what the client wrote on the left is not believed" },
	{ "10.0.0.0/8", "10.1.2.3", "6.6.6.6, 203.0.113.9, 10.9.9.9",
	  "203.0.113.9", "two trusted hops: the first untrusted from the "
	  "right" },
	{ "10.0.0.0/8", "10.1.2.3", "10.8.8.8, 10.9.9.9", "10.8.8.8",
	  "every entry a trusted proxy: the leftmost" },
	{ "10.0.0.0/8", "10.1.2.3", "6.6.6.6, bogus", "10.1.2.3",
	  "a hop that is no address: the last proxy's view stands" },
	{ "10.0.0.0/8", "10.1.2.3", " 203.0.113.9 ,\t10.4.4.4 ", "203.0.113.9",
	  "blanks around entries" },
	{ "10.0.0.0/8", "10.1.2.3", "", "10.1.2.3", "an empty header" },
	{ "127.0.0.1", "127.0.0.1", "2001:db8::5", "2001:db8::5",
	  "a single address trusted; an IPv6 client" },
	{ "127.0.0.1", "127.0.0.2", "2001:db8::5", "127.0.0.2",
	  "a single address is /32" },
	{ "2001:db8::/32, 192.0.2.0/24", "2001:db8:1::1", "198.51.100.1",
	  "198.51.100.1", "an IPv6 prefix in a list" },
	{ "192.0.2.0/24", "::ffff:192.0.2.10", "198.51.100.1", "198.51.100.1",
	  "an IPv4-mapped peer is its IPv4 address" },
	{ "0.0.0.0/0", "203.0.113.1", "198.51.100.1", "198.51.100.1",
	  "everyone trusted (/0): the operator said so" },
	{ "10.0.0.0/8", "10.1.2.3", "[2001:db8::1]:443", "10.1.2.3",
	  "an address with a port is not an address" },
};

int
main(void)
{
	static const char *const good[] = { "", "10.0.0.0/8",
	    "127.0.0.1, ::1", "2001:db8::/32,192.0.2.0/24", "0.0.0.0/0",
	    "::/0", "10.0.0.1/32", "fd00::/128" };
	static const char *const bad[] = { "10.0.0.0/33", "fd00::/129",
	    "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "localhost",
	    "10.0.0.0/8, nope", "10.0.0.256", "10.0.0.0/ 8" };
	struct sf_err	 err;
	char		 out[64];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		clientaddr_resolve(cases[i].trusted, cases[i].remote,
		    cases[i].xff, out, sizeof(out));
		TAP_STREQ(out, cases[i].want, "%s", cases[i].why);
	}
	clientaddr_resolve("10.0.0.0/8", NULL, "1.2.3.4", out, sizeof(out));
	TAP_STREQ(out, "", "no REMOTE_ADDR: empty");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		TAP_OK(clientaddr_check(good[i], &err) == 0, "valid: \"%s\"",
		    good[i]);
	TAP_OK(clientaddr_check(NULL, &err) == 0, "unset is valid");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sf_err_clear(&err);
		TAP_OK(clientaddr_check(bad[i], &err) == -1 &&
		    strcmp(err.field, "TRUSTED_PROXIES") == 0 &&
		    strcmp(err.code, "config_invalid") == 0,
		    "refused: \"%s\" (%s)", bad[i], err.message);
	}
	return tap_done();
}
