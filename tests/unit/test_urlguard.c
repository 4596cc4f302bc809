/*
 * urlguard: every refused range, URL forms, the allow-list, and fetches
 * against a local server (redirect hops re-checked, caps, non-images).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <gd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "http/http.h"
#include "media/urlguard.h"
#include "minihttpd.h"
#include "tap.h"

static const struct {
	const char	*ip;
	int		 refused;
} ips[] = {
	{ "0.0.0.0", 1 }, { "0.1.2.3", 1 }, { "10.0.0.1", 1 },
	{ "10.255.255.255", 1 }, { "100.64.0.1", 1 },
	{ "100.127.255.255", 1 }, { "100.63.255.255", 0 },
	{ "100.128.0.0", 0 }, { "127.0.0.1", 1 }, { "127.255.255.254", 1 },
	{ "169.254.169.254", 1 }, { "169.254.0.1", 1 }, { "169.253.0.1", 0 },
	{ "172.16.0.1", 1 }, { "172.31.255.255", 1 }, { "172.15.255.255", 0 },
	{ "172.32.0.0", 0 }, { "192.168.0.1", 1 }, { "192.168.255.255", 1 },
	{ "192.169.0.1", 0 }, { "192.0.0.8", 1 }, { "198.18.0.1", 1 },
	{ "224.0.0.1", 1 }, { "239.255.255.255", 1 }, { "240.0.0.1", 1 },
	{ "255.255.255.255", 1 }, { "8.8.8.8", 0 }, { "1.1.1.1", 0 },
	{ "93.184.216.34", 0 },
	{ "::", 1 }, { "::1", 1 }, { "fc00::1", 1 }, { "fdff:ffff::1", 1 },
	{ "fe80::1", 1 }, { "febf::1", 1 }, { "fec0::1", 1 }, { "ff02::1", 1 },
	{ "ff00::", 1 }, { "::ffff:127.0.0.1", 1 }, { "::ffff:10.0.0.1", 1 },
	{ "::ffff:169.254.169.254", 1 }, { "::ffff:8.8.8.8", 0 },
	{ "::127.0.0.1", 1 }, { "64:ff9b::7f00:1", 1 },
	{ "64:ff9b::a00:1", 1 }, { "64:ff9b::a9fe:a9fe", 1 },
	{ "64:ff9b::808:808", 0 }, { "64:ff9b:1::1", 1 },
	{ "2002:7f00:1::", 1 }, { "2002:c0a8:101::1", 1 },
	{ "2002:808:808::1", 0 }, { "2001:db8::1", 1 }, { "100::1", 1 },
	{ "2606:4700:4700::1111", 0 }, { "2001:4860:4860::8888", 0 },
	{ "not-an-ip", 1 },
};

/* Refused without any network: forms, schemes, userinfo, literals. */
static const char *const bad_urls[] = {
	"", "ftp://example.com/x.png", "file:///etc/passwd",
	"gopher://example.com/", "javascript:alert(1)",
	"data:image/png;base64,iVBORw0KGgo=", "//example.com/a.png",
	"example.com/a.png", "http://user:pw@8.8.8.8/a.png",
	"http://user@8.8.8.8/a.png", "https://:pw@8.8.8.8/",
	"http://8.8.8.8/a b.png", "http://127.0.0.1/", "http://127.1/",
	"http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/",
	"http://0.0.0.0/", "http://10.0.0.1:8080/x", "http://[::1]/",
	"http://[::]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
	"http://[fe80::1]/", "http://[fe80::1%25eth0]/", "http://[fd00::1]/",
	"http://[ff02::1]/", "http://[64:ff9b::a9fe:a9fe]/",
	"http://169.254.169.254/latest/meta-data/", "http://localhost/",
	"HTTP://127.0.0.1/", "http://[::1",
};

static const char *const good_urls[] = {
	"http://8.8.8.8/x.png", "https://1.1.1.1:8443/a?b=c",
	"https://[2606:4700:4700::1111]/img.webp", "HTTPS://8.8.8.8/UP.PNG",
};

static unsigned char	*png;
static int		 pnglen;

static void
check_ranges(void)
{
	size_t		 i;
	const char	*why;

	for (i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		why = urlguard_ip_refused(ips[i].ip);
		TAP_OK((why != NULL) == ips[i].refused, "%s %s (%s)",
		    ips[i].ip, ips[i].refused ? "refused" : "allowed",
		    why ? why : "public");
	}
}

static void
check_forms(void)
{
	struct sf_err	 e;
	size_t		 i;
	int		 rc;

	unsetenv("SYNTHFORGE_URL_ALLOW");
	for (i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
		sf_err_clear(&e);
		rc = urlguard_check(NULL, bad_urls[i], "image_url", &e);
		TAP_OK(rc == -1 && e.status == 400 &&
		    strcmp(e.field, "image_url") == 0,
		    "refused: '%s' (%s: %s)", bad_urls[i], e.code, e.message);
	}
	for (i = 0; i < sizeof(good_urls) / sizeof(good_urls[0]); i++) {
		sf_err_clear(&e);
		rc = urlguard_check(NULL, good_urls[i], "image_url", &e);
		TAP_OK(rc == 0, "allowed: '%s' %s", good_urls[i],
		    e.message);
	}
	sf_err_clear(&e);
	urlguard_check(NULL, "http://127.0.0.1/", "mask_url", &e);
	TAP_STREQ(e.code, "url_refused", "code url_refused");
	TAP_STREQ(e.field, "mask_url", "field named");
	TAP_OK(strstr(e.message, "loopback") != NULL, "reason given: %s",
	    e.message);
	TAP_OK(strstr(e.message, "URL_ALLOW") == NULL,
	    "no hint for a URL not ours");
	{
		/* make run: our media URLs are on 127.0.0.1.  The refusal
		   says how to feed them back in; URL_ALLOW does it. */
		struct cfg	 own;

		memset(&own, 0, sizeof(own));
		snprintf(own.public_url, sizeof(own.public_url),
		    "http://127.0.0.1:8080");
		unsetenv("SYNTHFORGE_URL_ALLOW");
		sf_err_clear(&e);
		rc = urlguard_check(&own,
		    "http://127.0.0.1:8080/media/ab/ab12.png", "image_url", &e);
		TAP_OK(rc == -1 && strcmp(e.code, "url_refused") == 0 &&
		    strstr(e.message, "SYNTHFORGE_URL_ALLOW=127.0.0.1") != NULL,
		    "our own local media URL: refused, with the hint (%s)",
		    e.message);
		sf_err_clear(&e);
		rc = urlguard_check(&own, "http://127.0.0.1:9/x.png",
		    "image_url", &e);
		TAP_OK(rc == -1 && strstr(e.message, "URL_ALLOW") == NULL,
		    "another local port is not ours: no hint");
		setenv("SYNTHFORGE_URL_ALLOW", "127.0.0.1", 1);
		sf_err_clear(&e);
		rc = urlguard_check(&own,
		    "http://127.0.0.1:8080/media/ab/ab12.png", "image_url", &e);
		TAP_OK(rc == 0, "URL_ALLOW=127.0.0.1 lets it in (%s)",
		    e.message);
		unsetenv("SYNTHFORGE_URL_ALLOW");
	}

	/* The allow-list: by address, by host name, with spaces. */
	setenv("SYNTHFORGE_URL_ALLOW", " example.invalid , 127.0.0.1", 1);
	rc = urlguard_check(NULL, "http://127.0.0.1:9/x", "image_url",
	    &e);
	TAP_OK(rc == 0, "URL_ALLOW lists the address");
	rc = urlguard_check(NULL, "http://10.0.0.1/x", "image_url", &e);
	TAP_OK(rc == -1, "URL_ALLOW lists only what it lists");
	rc = urlguard_check(NULL, "ftp://127.0.0.1/x", "image_url", &e);
	TAP_OK(rc == -1, "URL_ALLOW does not allow other schemes");
	rc = urlguard_check(NULL, "http://u:p@127.0.0.1/x", "image_url",
	    &e);
	TAP_OK(rc == -1, "URL_ALLOW does not allow userinfo");
	setenv("SYNTHFORGE_URL_ALLOW", "LOCALHOST", 1);
	rc = urlguard_check(NULL, "http://localhost:9/x", "image_url",
	    &e);
	TAP_OK(rc == 0, "URL_ALLOW lists the host (any case)");
	unsetenv("SYNTHFORGE_URL_ALLOW");
}

static int
fetch(const char *url, unsigned char **d, size_t *n, char mime[48],
    struct sf_err *e)
{
	sf_err_clear(e);
	return urlguard_fetch_image(NULL, url, "image_url",
	    http_now_ms() + 10000, d, n, mime, e);
}

static void
check_fetch(void)
{
	static char		 big[4096];
	struct mh_route		 routes[] = {
		{ "/img.png", 200, "Content-Type: image/png\r\n", NULL, 0 },
		{ "/text", 200, "Content-Type: text/plain\r\n", "hello", 5 },
		{ "/r1", 302, "Location: /r2\r\n", NULL, 0 },
		{ "/r2", 301, "Location: /img.png\r\n", NULL, 0 },
		{ "/loop", 302, "Location: /loop\r\n", NULL, 0 },
		{ "/r-meta", 302, "Location: http://169.254.169.254/x\r\n",
		  NULL, 0 },
		{ "/r-lo", 302, "Location: http://[::1]/img.png\r\n", NULL, 0 },
		{ "/r-ftp", 302, "Location: ftp://127.0.0.1/img.png\r\n",
		  NULL, 0 },
		{ "/r-none", 302, NULL, NULL, 0 },
		{ "/big", 200, NULL, big, sizeof(big) },
		{ "/gone", 404, NULL, NULL, 0 },
		{ NULL, 0, NULL, NULL, 0 }
	};
	struct mh		 m, m6;
	struct sf_err		 e;
	unsigned char		*d = NULL;
	size_t			 n = 0;
	char			 url[256], mime[48];
	int			 hits, rc;

	routes[0].body = png;
	routes[0].len = (size_t)pnglen;
	memcpy(big, png, (size_t)pnglen);
	if (mh_start(&m, routes, 0) == -1) {
		TAP_OK(0, "local server starts");
		return;
	}

	/* Not allow-listed: refused before any request is made. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/img.png", m.port);
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == -1 && e.status == 400 &&
	    m.hits == 0, "loopback refused, nothing sent (%s)", e.message);

	setenv("SYNTHFORGE_URL_ALLOW", "127.0.0.1", 1);
	/* A proxy would bypass the pinned address: it must be ignored. */
	setenv("http_proxy", "http://127.0.0.1:1", 1);
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == 0 && n == (size_t)pnglen &&
	    memcmp(d, png, n) == 0, "allow-listed fetch, proxy ignored (%s)",
	    e.message);
	TAP_STREQ(mime, "image/png", "mime sniffed");
	free(d);
	d = NULL;
	unsetenv("http_proxy");

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/r1", m.port);
	hits = m.hits;
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == 0 && n == (size_t)pnglen &&
	    m.hits == hits + 3, "two relative redirects followed hop by hop "
	    "(%s)", e.message);
	free(d);
	d = NULL;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/loop", m.port);
	hits = m.hits;
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == -1 && e.status == 400 &&
	    strstr(e.message, "redirects") != NULL && m.hits == hits + 4,
	    "redirect loop stops after 3 hops (%s)", e.message);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/r-meta", m.port);
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == -1 && e.status == 400 &&
	    strcmp(e.code, "url_refused") == 0,
	    "redirect to the metadata address refused (%s)", e.message);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/r-lo", m.port);
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == -1 &&
	    strcmp(e.code, "url_refused") == 0,
	    "redirect to ::1 refused (%s)", e.message);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/r-ftp", m.port);
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == -1 && e.status == 400,
	    "redirect to ftp refused (%s)", e.message);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/r-none", m.port);
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == -1 && e.status == 400,
	    "redirect without Location fails (%s)", e.message);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/text", m.port);
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == -1 && e.status == 415 &&
	    strcmp(e.code, "input_not_image") == 0, "text is not an image");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/gone", m.port);
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == -1 && e.status == 400 &&
	    strstr(e.message, "404") != NULL, "HTTP 404 reported (%s)",
	    e.message);

	setenv("SYNTHFORGE_INPUT_MAX_BYTES", "1000", 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", m.port);
	rc = fetch(url, &d, &n, mime, &e);
	TAP_OK(rc == -1 && e.status == 413 &&
	    strcmp(e.code, "input_too_large") == 0, "size cap (%s)",
	    e.message);
	unsetenv("SYNTHFORGE_INPUT_MAX_BYTES");

	/* Deadline already passed. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/img.png", m.port);
	sf_err_clear(&e);
	rc = urlguard_fetch_image(NULL, url, "image_url", http_now_ms() - 1,
	    &d, &n, mime, &e);
	TAP_OK(rc == -1 && e.status == 400,
	    "past deadline fails (%s)", e.message);
	mh_stop(&m);

	/* IPv6 literal, allow-listed.  A kernel without IPv6 loopback fails
	 * this check with a clear message rather than skipping it. */
	if (mh_start(&m6, routes, 1) != 0)
		TAP_OK(0, "IPv6 loopback ::1 available for the IPv6 literal "
		    "fetch (this machine has no IPv6: enable it, e.g. sysctl "
		    "net.ipv6.conf.lo.disable_ipv6=0)");
	else {
		setenv("SYNTHFORGE_URL_ALLOW", "::1", 1);
		snprintf(url, sizeof(url), "http://[::1]:%d/img.png",
		    m6.port);
		rc = fetch(url, &d, &n, mime, &e);
		TAP_OK(rc == 0 && n == (size_t)pnglen, "IPv6 literal fetch (%s)", e.message);
		free(d);
		d = NULL;
		mh_stop(&m6);
	}
	unsetenv("SYNTHFORGE_URL_ALLOW");
}

int
main(void)
{
	gdImagePtr	 im;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	im = gdImageCreateTrueColor(32, 24);
	gdImageFilledRectangle(im, 4, 4, 20, 20, gdTrueColor(200, 10, 10));
	png = gdImagePngPtr(im, &pnglen);
	gdImageDestroy(im);

	check_ranges();
	check_forms();
	check_fetch();

	gdFree(png);
	curl_global_cleanup();
	return tap_done();
}
