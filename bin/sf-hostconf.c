/*
 * sf-hostconf: write the web server configuration for every endpoint in
 * the definition table, from the same configuration the endpoints read.
 *
 *	sf-hostconf lighttpd WWW_DIR RUN_DIR FCGI_DIR [OPS_BIN [MCP_BIN [JOBS_BIN]]]
 *	sf-hostconf apache   WWW_DIR RUN_DIR FCGI_DIR [OPS_BIN [MCP_BIN [JOBS_BIN]]]
 *	sf-hostconf nginx    WWW_DIR RUN_DIR FCGI_DIR [OPS_BIN [MCP_BIN [JOBS_BIN]]]
 *	sf-hostconf spawn    RUN_DIR FCGI_DIR [OPS_BIN [MCP_BIN [JOBS_BIN]]]
 *	sf-hostconf endpoints		(JSON list of the definitions, for tests)
 *
 * WWW_DIR is the document root, RUN_DIR holds sockets and logs, FCGI_DIR
 * the endpoint binaries (one per definition, named by file stem).  OPS_BIN
 * is sf-ops (/metrics, /healthz), MCP_BIN sf-mcp (MCP_PATH, /mcp), JOBS_BIN
 * sf-jobs (FLOW_JOBS_PATH, /v1/jobs and below: the job routes, and the
 * runners that take over jobs whose process died); each by default
 * FCGI_DIR/<name> or FCGI_DIR/../bin/<name>, left out when neither exists
 * (also when given as "").
 *
 * lighttpd starts the binaries itself (bin-path).  Apache (mod_proxy_fcgi)
 * and nginx cannot: "spawn" prints one "name<TAB>socket<TAB>binary" line
 * per process for spawn-fcgi (etc/run.sh, tests/lib/server.mjs); the
 * sockets are RUN_DIR/<stem>.sock either way.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "flow/flow_job.h"
#include "ops/errdoc.h"
#include "serve/mcp.h"
#include "serve/serve.h"
#include "providers/route.h"
#include "validate/schema.h"

struct hostconf {
	const struct cfg	*c;
	char			 www[PATH_MAX];
	char			 run[PATH_MAX];
	char			 fcgi[PATH_MAX];
	char			 media[PATH_MAX];
	char			 ops[PATH_MAX];		/* "" = none */
	char			 mcp[PATH_MAX];		/* "" = none */
	char			 jobs[PATH_MAX];	/* "" = none */
	/*
	 * What the server lets through: our cap (BODY_MAX), so a body over
	 * it gets the same JSON 413 whoever answers (the server's error
	 * document says what ours says); MCP_PATH gets sf-mcp's framing
	 * allowance on top (hostconf_body_max).
	 */
	unsigned long		 body_limit;
	/* Request header lines: PAYMENT-SIGNATURE grows with ERC-6492
	   signatures and echoed extensions (hosting-and-formats §2.1). */
	unsigned long		 header_limit;
	int			 root;	/* Apache/nginx workers: www-data */
	/* Client connections the server keeps open at once (hostconf_conns). */
	unsigned long		 conns;
	/* Open files each endpoint process needs (serve_fds_needed): lighttpd
	   hands its own limit down to the endpoints it starts. */
	unsigned long		 fds;
};

/* Config strings: refuse what would need escaping rather than escape. */
static int
hostconf_safe(const char *s)
{
	return strpbrk(s, "\"\\\n\r$ \t'`;{}#") == NULL;
}

/* Absolute path (servers resolve relative ones against their own roots). */
static int
hostconf_abs(const char *in, char *out, size_t sz)
{
	char	 cwd[PATH_MAX];
	size_t	 n;

	if (realpath(in, out) != NULL)
		return 0;
	if (in[0] == '/')
		n = (size_t)snprintf(out, sz, "%s", in);
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	else
		n = (size_t)snprintf(out, sz, "%s/%s", cwd, in);
	return n < sz ? 0 : -1;
}

static int
hostconf_exe(const char *p)
{
	struct stat	 st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(p, X_OK) == 0;
}

/* A helper binary: as given, else next to the endpoints or in ../bin. */
static int
hostconf_helper(const struct hostconf *h, const char *name, const char *given,
    char *out, size_t sz)
{
	char	 p[PATH_MAX + 16];

	/* "" = look it up, so MCP_BIN can follow a default OPS_BIN. */
	if (given != NULL && *given != '\0')
		return hostconf_abs(given, out, sz);
	snprintf(p, sizeof(p), "%s/%s", h->fcgi, name);
	if (!hostconf_exe(p))
		snprintf(p, sizeof(p), "%s/../bin/%s", h->fcgi, name);
	if (hostconf_exe(p))
		return hostconf_abs(p, out, sz);
	return 0;
}

/*
 * Connection and process limits.  Each endpoint process serves up to
 * WORKERS_MAX requests at once (slow upstream calls); the server must let
 * at least that many through to one endpoint while still serving the
 * site, so it keeps four times as many client connections (at least
 * 1024).  A proxied request holds two descriptors (client + FastCGI).
 */
static unsigned long
hostconf_conns(const struct cfg *c)
{
	unsigned long	 n = 4UL * c->workers_max;

	return n < 1024 ? 1024 : n;
}

static void
hostconf_limits_lighttpd(const struct hostconf *h)
{
	printf("server.max-connections = %lu\n", h->conns);
	printf("server.max-fds = %lu\n", 3 * h->conns > h->fds ? 3 * h->conns :
	    h->fds);
}

/* mpm_event: threads per child x children >= the connections above. */
static void
hostconf_limits_apache(const struct hostconf *h)
{
	unsigned long	 per = 64, servers = (h->conns + per - 1) / per;

	printf("ThreadsPerChild %lu\nServerLimit %lu\n"
	    "MaxRequestWorkers %lu\n", per, servers, servers * per);
}

static void
hostconf_limits_nginx(const struct hostconf *h)
{
	printf("worker_rlimit_nofile %lu;\n", 3 * h->conns);
	printf("events { worker_connections %lu; }\n", 2 * h->conns);
}

static int
hostconf_init(struct hostconf *h, const struct cfg *c, const char *www,
    const char *run, const char *fcgi, const char *ops, const char *mcp,
    const char *jobs)
{

	memset(h, 0, sizeof(*h));
	h->c = c;
	if ((www != NULL && hostconf_abs(www, h->www, sizeof(h->www)) == -1) ||
	    hostconf_abs(run, h->run, sizeof(h->run)) == -1 ||
	    hostconf_abs(fcgi, h->fcgi, sizeof(h->fcgi)) == -1 ||
	    hostconf_abs(cfg_get_or(c, "MEDIA_DIR", "var/media"), h->media,
	    sizeof(h->media)) == -1) {
		fprintf(stderr, "sf-hostconf: a path is too long\n");
		return -1;
	}
	if (hostconf_helper(h, "sf-ops", ops, h->ops, sizeof(h->ops)) == -1 ||
	    hostconf_helper(h, "sf-mcp", mcp, h->mcp, sizeof(h->mcp)) == -1 ||
	    hostconf_helper(h, "sf-jobs", jobs, h->jobs, sizeof(h->jobs)) ==
	    -1) {
		fprintf(stderr, "sf-hostconf: a path is too long\n");
		return -1;
	}
	if (!hostconf_safe(h->www) || !hostconf_safe(h->run) ||
	    !hostconf_safe(h->fcgi) || !hostconf_safe(h->media) ||
	    !hostconf_safe(h->ops) || !hostconf_safe(h->mcp) ||
	    !hostconf_safe(h->jobs)) {
		fprintf(stderr, "sf-hostconf: a path contains a quote, "
		    "backslash, $, blank, or other character the server "
		    "configurations would need escaped\n");
		return -1;
	}
	h->body_limit = (unsigned long)c->body_max;
	h->header_limit = 65535;
	h->root = geteuid() == 0;
	h->conns = hostconf_conns(c);
	h->fds = serve_fds_needed(c);
	return 0;
}

/* Every endpoint path is ours; refuse anything that needs quoting. */
static int
hostconf_paths_ok(void)
{
	const struct def_entry	*e;

	for (e = def_table; e->ep != NULL; e++)
		if (!hostconf_safe(e->ep->path) || e->ep->path[0] != '/' ||
		    strchr(e->stem, '/') != NULL) {
			fprintf(stderr, "sf-hostconf: endpoint path %s cannot "
			    "be written to a server configuration\n",
			    e->ep->path);
			return 0;
		}
	return 1;
}

/*
 * ---- Error documents --------------------------------------------------
 * What the web server answers itself (404 for a path no endpoint owns,
 * 411, 413 over its body limit, 431, 400 for a request it cannot read,
 * 5xx when an endpoint process is gone) is in our error shape under the
 * API paths, and a JSON-RPC error under MCP_PATH, as the endpoints'
 * own answers are.  The documents are files in RUN_DIR/errors/ written
 * here: api-NNN (our shape), mcp-NNN (JSON-RPC), site-404.html and
 * site-403.html (man-style pages for people; the site keeps HTML 404s,
 * and a directory such as /media/ is refused with the 403 page).  A
 * server that refuses a request before it applies its per-path settings
 * (nginx and Apache for an oversized header) cannot tell /mcp from /v1/:
 * those answers are in our shape everywhere (lighttpd too for 431: it has
 * not read the request line).  lighttpd sends a request it has read but
 * refuses (400 for conflicting Content-Type headers) to its error
 * handler, sf-ops at ERRDOC_PATH, which answers by the refused path.
 * The table and the documents are in ops/errdoc.c.
 */
/* The body limit the server enforces for a path: ours, plus sf-mcp's
   allowance for the JSON-RPC framing around the arguments. */
static unsigned long
hostconf_body_max(const struct hostconf *h, int mcp)
{
	return (unsigned long)h->c->body_max + (mcp ? 16384 : 0);
}

static cJSON *
hostconf_err_json(const struct hostconf *h, const struct errdoc *e, int mcp)
{
	return errdoc_json(e, mcp, hostconf_body_max(h, mcp));
}

static int
hostconf_write_file(const char *path, const char *text)
{
	FILE	*f;
	int	 rc = 0;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	if (fputs(text, f) == EOF)
		rc = -1;
	if (fclose(f) == EOF)
		rc = -1;
	return rc;
}

/* People who mistype a page get a man page saying so. */
#define HOSTCONF_SITE_PAGE(code, name, text)				\
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" \
    "<meta name=\"viewport\" content=\"width=device-width, "		\
    "initial-scale=1\">\n<title>" code " — synthforge</title>\n"	\
    "<link rel=\"stylesheet\" href=\"/style.css\">\n</head>\n<body>\n" \
    "<header class=\"top\"><nav aria-label=\"site\"><a class=\"brand\" " \
    "href=\"/index.html\">synthforge</a> <a href=\"/llms.txt\">llms.txt" \
    "</a> <a href=\"/registry.json\">registry.json</a></nav></header>\n" \
    "<main id=\"main\">\n<p class=\"prompt\" aria-hidden=\"true\">$ man " \
    code "</p>\n<h1>" code "(7)</h1>\n<section id=\"name\">\n"	\
    "<h2>NAME</h2>\n<p><b>" code "</b> — " name "</p>\n</section>\n"	\
    "<section id=\"description\">\n<h2>DESCRIPTION</h2>\n<p>" text	\
    "  The endpoints and their pages are listed on the <a "		\
    "href=\"/index.html\">index</a>; agents read <a "			\
    "href=\"/llms.txt\">llms.txt</a>.</p>\n</section>\n"			\
    "<section id=\"see-also\">\n<h2>SEE ALSO</h2>\n<p><a "		\
    "href=\"/index.html\">synthforge(7)</a>, <a href=\"/x402.7.html\">" \
    "x402(7)</a></p>\n</section>\n</main>\n</body>\n</html>\n"

static const char hostconf_site_404[] = HOSTCONF_SITE_PAGE("404",
    "no page here", "Nothing is served at this address.");
/* A directory (/media/, /media/ab/) is never listed, on any server; on
   lighttpd this is also the site's answer to any 403. */
static const char hostconf_site_403[] = HOSTCONF_SITE_PAGE("403",
    "refused", "The server refuses this request.  Directories such as "
    "/media/ are not listed: each media file is at the URL the endpoint "
    "that made it returned.");

/*
 * RUN_DIR/errors/{api,mcp}-NNN.<ext>, site-404.html and site-403.html.
 * lighttpd wants ".html" (its errorfile-prefix adds it; the MIME type comes from
 * mimetype.assign by file name), the others ".json".  0 or -1.
 */
static int
hostconf_errors_write(const struct hostconf *h, const char *ext)
{
	const struct errdoc		*e;
	char				 dir[PATH_MAX + 16], path[PATH_MAX + 64];
	char				*s;
	cJSON				*j;
	int				 mcp;

	snprintf(dir, sizeof(dir), "%s/errors", h->run);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		goto fail;
	/* Workers of another user (www-data) read these. */
	if (chmod(dir, 0755) == -1)
		goto fail;
	for (e = errdoc_table; e->status != 0; e++)
		for (mcp = 0; mcp <= 1; mcp++) {
			if ((j = hostconf_err_json(h, e, mcp)) == NULL ||
			    (s = cJSON_PrintUnformatted(j)) == NULL) {
				cJSON_Delete(j);
				goto fail;
			}
			cJSON_Delete(j);
			snprintf(path, sizeof(path), "%s/%s-%d.%s", dir,
			    mcp ? "mcp" : "api", e->status, ext);
			if (hostconf_write_file(path, s) == -1) {
				cJSON_free(s);
				goto fail;
			}
			cJSON_free(s);
		}
	snprintf(path, sizeof(path), "%s/site-404.html", dir);
	if (hostconf_write_file(path, hostconf_site_404) == -1)
		goto fail;
	snprintf(path, sizeof(path), "%s/site-403.html", dir);
	if (hostconf_write_file(path, hostconf_site_403) == -1)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "sf-hostconf: %s/errors: cannot write the error "
	    "documents\n", h->run);
	return -1;
}

/*
 * lighttpd: server.errorfile-prefix, global = api- (what it refuses
 * before reading the path), site- for pages, mcp- under MCP_PATH.
 * The names map to application/json one by one (mimetype.assign tries
 * the whole file name first), so the site's .html stays text/html.
 */
static int
hostconf_errors_lighttpd(const struct hostconf *h)
{
	const struct errdoc		*e;

	if (hostconf_errors_write(h, "html") == -1)
		return -1;
	printf("# Error documents in our JSON shape (see sf-hostconf.c).\n");
	printf("mimetype.assign += (\n");
	for (e = errdoc_table; e->status != 0; e++)
		printf("  \"api-%d.html\" => \"application/json\",\n"
		    "  \"mcp-%d.html\" => \"application/json\",\n",
		    e->status, e->status);
	printf(")\n");
	printf("server.errorfile-prefix = \"%s/errors/api-\"\n", h->run);
	printf("$HTTP[\"url\"] !~ \"^/(v1|api|mcp)(/|$)\" {\n"
	    "  server.errorfile-prefix = \"%s/errors/site-\"\n}\n", h->run);
	/*
	 * What lighttpd refuses before it applies the settings of a path
	 * (conflicting Content-Type headers, a malformed header line) goes
	 * to the error handler, global by necessity: sf-ops answers it by
	 * the refused request's path, so /mcp gets JSON-RPC there too.
	 * Requests it has read keep the files (the empty regex matches
	 * every path, and no condition applies to the others).
	 */
	if (h->ops[0] != '\0')
		printf("server.error-handler = \"%s\"\n"
		    "$HTTP[\"url\"] =~ \"\" {\n"
		    "  server.error-handler = \"\"\n}\n", ERRDOC_PATH);
	printf("$HTTP[\"url\"] =~ \"^%s(/|$)\" {\n"
	    "  server.errorfile-prefix = \"%s/errors/mcp-\"\n"
	    "  server.max-request-size = %lu\n}\n", MCP_PATH, h->run,
	    (hostconf_body_max(h, 1) + 1023) / 1024);
	return 0;
}

/* Apache: ErrorDocument per status, redirected to the files (as GET). */
static void
hostconf_errors_apache_set(const char *kind)
{
	const struct errdoc		*e;

	for (e = errdoc_table; e->status != 0; e++)
		printf("  ErrorDocument %d /_sf_errors/%s-%d.json\n", e->status,
		    kind, e->status);
}

static int
hostconf_errors_apache(const struct hostconf *h)
{
	if (hostconf_errors_write(h, "json") == -1)
		return -1;
	printf("# Error documents in our JSON shape (see sf-hostconf.c).\n");
	printf("Alias /_sf_errors/ \"%s/errors/\"\n", h->run);
	printf("<Directory \"%s/errors\">\n  Require all granted\n"
	    "  Options None\n</Directory>\n", h->run);
	hostconf_errors_apache_set("api");
	printf("ErrorDocument 404 /_sf_errors/site-404.html\n");
	printf("<LocationMatch \"^/(v1|api)(/|$)\">\n");
	printf("  ErrorDocument 404 /_sf_errors/api-404.json\n");
	printf("</LocationMatch>\n");
	printf("<LocationMatch \"^%s(/|$)\">\n", MCP_PATH);
	hostconf_errors_apache_set("mcp");
	printf("  LimitRequestBody %lu\n", hostconf_body_max(h, 1));
	printf("</LocationMatch>\n");
	return 0;
}

/* nginx: error_page per status (494 is its "header too large"). */
static void
hostconf_errors_nginx_set(const char *kind, const char *indent)
{
	const struct errdoc		*e;

	for (e = errdoc_table; e->status != 0; e++)
		printf("%serror_page %d /_sf_errors/%s-%d.json;\n", indent,
		    e->status, kind, e->status);
	printf("%serror_page 494 =431 /_sf_errors/%s-431.json;\n", indent,
	    kind);
}

static int
hostconf_errors_nginx(const struct hostconf *h)
{
	const struct errdoc		*e;

	if (hostconf_errors_write(h, "json") == -1)
		return -1;
	/* Server level: our shape, but the site's own 404 page. */
	for (e = errdoc_table; e->status != 0; e++)
		printf("    error_page %d /_sf_errors/%s-%d.%s;\n", e->status,
		    e->status == 404 ? "site" : "api", e->status,
		    e->status == 404 ? "html" : "json");
	printf("    error_page 494 =431 /_sf_errors/api-431.json;\n");
	printf("    location ^~ /_sf_errors/ {\n      internal;\n"
	    "      alias %s/errors/;\n"
	    "      types { application/json json; text/html html; }\n"
	    "    }\n", h->run);
	printf("    location ~ ^/(v1|api)/ {\n"
	    "      error_page 404 /_sf_errors/api-404.json;\n"
	    "      return 404;\n    }\n");
	printf("    location ~ ^%s/ {\n", MCP_PATH);
	hostconf_errors_nginx_set("mcp", "      ");
	printf("      return 404;\n    }\n");
	return 0;
}

/* Inside the MCP_PATH location: JSON-RPC errors, sf-mcp's body limit. */
static void
hostconf_errors_nginx_mcp(const struct hostconf *h)
{
	hostconf_errors_nginx_set("mcp", "      ");
	printf("      client_max_body_size %lu;\n", hostconf_body_max(h, 1));
}

/*
 * ---- The pages' security headers ---------------------------------------
 * Every answer carries a strict Content-Security-Policy: scripts, styles,
 * fonts and frames only from our origin, no inline script or style, no
 * plugins, never framed (frame-ancestors), forms posting only here; images
 * and media also from https: (a result may live on an S3 or CDN host);
 * fetch()/XHR to our origin and to the public Solana RPC each Solana
 * network's pay-and-run form reads (PAGES_RPC_URL_<NET>, else the public
 * cluster's, as registry/gen_try.c writes it).  Referrer-Policy keeps the
 * page's address to ourselves.  0, or -1 with a message.
 */
#define HOSTCONF_REFERRER	"strict-origin-when-cross-origin"

/* "scheme://host[:port]" of an http(s) URL, checked to need no quoting. */
static int
hostconf_origin(const char *url, char *out, size_t sz)
{
	const char	*p, *host;
	size_t		 n;

	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return -1;
	n = strcspn(host, "/?#");
	if (n == 0 || (size_t)(host - url) + n >= sz)
		return -1;
	for (p = host; p < host + n; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == ':' || *p == '[' || *p == ']'))
			return -1;
	snprintf(out, sz, "%.*s", (int)((size_t)(host - url) + n), url);
	return 0;
}

static int
hostconf_csp(const struct hostconf *h, char *buf, size_t sz)
{
	const struct cfg_net	*n;
	const char		*rpc;
	char			 origin[300];
	size_t			 i, len;

	len = (size_t)snprintf(buf, sz, "default-src 'self'; script-src "
	    "'self'; style-src 'self'; img-src 'self' data: blob: https:; "
	    "media-src 'self' data: blob: https:; font-src 'self'; "
	    "object-src 'none'; base-uri 'none'; form-action 'self'; "
	    "frame-ancestors 'none'; connect-src 'self'");
	for (i = 0; i < h->c->nnets && len < sz; i++) {
		n = &h->c->nets[i];
		if (!n->svm)
			continue;
		rpc = n->pages_rpc_url;
		if (hostconf_origin(rpc, origin, sizeof(origin)) == -1) {
			fprintf(stderr, "sf-hostconf: PAGES_RPC_URL for %s: "
			    "\"%s\" must be an http(s) URL\n", n->network, rpc);
			return -1;
		}
		len += (size_t)snprintf(buf + len, sz - len, " %s", origin);
	}
	if (len >= sz) {
		fprintf(stderr, "sf-hostconf: the Content-Security-Policy is "
		    "too long\n");
		return -1;
	}
	return 0;
}

static int
hostconf_headers_lighttpd(const struct hostconf *h)
{
	char	 csp[2048];

	if (hostconf_csp(h, csp, sizeof(csp)) == -1)
		return -1;
	printf("# The pages' security headers (see sf-hostconf.c).\n"
	    "setenv.add-response-header += (\n"
	    "  \"Content-Security-Policy\" => \"%s\",\n"
	    "  \"Referrer-Policy\" => \"" HOSTCONF_REFERRER "\",\n"
	    "  \"X-Frame-Options\" => \"DENY\",\n)\n", csp);
	return 0;
}

static int
hostconf_headers_apache(const struct hostconf *h)
{
	char	 csp[2048];

	if (hostconf_csp(h, csp, sizeof(csp)) == -1)
		return -1;
	printf("# The pages' security headers (see sf-hostconf.c).\n"
	    "Header always set Content-Security-Policy \"%s\"\n"
	    "Header always set Referrer-Policy \"" HOSTCONF_REFERRER "\"\n"
	    "Header always set X-Frame-Options \"DENY\"\n", csp);
	return 0;
}

/* Server level: every location without add_header of its own. */
static int
hostconf_headers_nginx(const struct hostconf *h)
{
	char	 csp[2048];

	if (hostconf_csp(h, csp, sizeof(csp)) == -1)
		return -1;
	printf("    add_header Content-Security-Policy \"%s\" always;\n"
	    "    add_header Referrer-Policy \"" HOSTCONF_REFERRER "\" always;\n"
	    "    add_header X-Frame-Options \"DENY\" always;\n", csp);
	return 0;
}

static void
hostconf_mime_lighttpd(void)
{
	printf("mimetype.assign = (\n"
	    "  \".html\" => \"text/html; charset=utf-8\",\n"
	    "  \".css\" => \"text/css; charset=utf-8\",\n"
	    "  \".js\" => \"text/javascript; charset=utf-8\",\n"
	    "  \".json\" => \"application/json\",\n"
	    "  \".txt\" => \"text/plain; charset=utf-8\",\n"
	    "  \".md\" => \"text/markdown; charset=utf-8\",\n"
	    "  \".1\" => \"text/plain; charset=utf-8\",\n"
	    "  \".7\" => \"text/plain; charset=utf-8\",\n"
	    "  \".svg\" => \"image/svg+xml\",\n"
	    "  \".png\" => \"image/png\",\n"
	    "  \".jpg\" => \"image/jpeg\",\n"
	    "  \".webp\" => \"image/webp\",\n"
	    "  \".gif\" => \"image/gif\",\n"
	    "  \".mp3\" => \"audio/mpeg\",\n"
	    "  \".wav\" => \"audio/wav\",\n"
	    "  \".ogg\" => \"audio/ogg\",\n"
	    "  \".mp4\" => \"video/mp4\",\n"
	    "  \".webm\" => \"video/webm\",\n"
	    ")\n");
}

/*
 * ---- Media ------------------------------------------------------------
 * Results are stored under their SHA-256 (MEDIA_DIR/<2 hex>/<hash>.<ext>)
 * and never change, so every server sends a stored file with
 * HOSTCONF_MEDIA_CACHE and nosniff (its type is the one its extension
 * says, never a guess from its bytes).  A prefix folder (/media/ab,
 * /media/ab/) answers the site's 404 whether it exists or not, as a
 * missing file does: the answers must not tell which prefixes hold
 * results (a 301 or 403 where the folder exists, a 404 where not).
 * /media/ itself, which always exists, stays the 403 page.
 */
#define HOSTCONF_MEDIA_CACHE	"public, max-age=31536000, immutable"
/* A prefix folder with or without its slash (a query string allowed):
   a name without a dot, as no stored file has. */
#define HOSTCONF_MEDIA_FOLDER	"^/media/[^/.?]+/?(\\?.*)?$"

static void
hostconf_media_lighttpd(const struct hostconf *h)
{
	printf("# Media (see sf-hostconf.c).\n");
	printf("alias.url = ( \"/media/\" => \"%s/\" )\n", h->media);
	/* Rewritten to a name no result has (hex only): the site's 404. */
	printf("url.rewrite-once = ( \"%s\" => \"/media/.none\" )\n",
	    HOSTCONF_MEDIA_FOLDER);
	/*
	 * Conditions see the URL, not the file: a content-addressed name
	 * that is not stored gets these headers on its 404 too.  Such a
	 * name never becomes a result later (a result is stored before its
	 * URL is given out), so the 404 may be kept as long.
	 */
	printf("$HTTP[\"url\"] =~ \"^/media/[0-9a-f]{2}/[0-9a-f]{64}"
	    "[.][a-z0-9]+$\" {\n"
	    "  setenv.set-response-header = (\n"
	    "    \"X-Content-Type-Options\" => \"nosniff\",\n"
	    "    \"Cache-Control\" => \"%s\",\n  )\n}\n",
	    HOSTCONF_MEDIA_CACHE);
}

/* mod_headers' "Header set" is for 2xx answers only (not error pages). */
static void
hostconf_media_apache(const struct hostconf *h)
{
	printf("Alias /media/ \"%s/\"\n", h->media);
	printf("RedirectMatch 404 \"%s\"\n", HOSTCONF_MEDIA_FOLDER);
	/* A directory there is refused (403, as lighttpd and nginx do;
	   without mod_autoindex Apache would say 404): the site's page. */
	printf("<Directory \"%s\">\n  Require all granted\n  Options None\n"
	    "  <If \"-d %%{REQUEST_FILENAME}\">\n    Require all denied\n"
	    "  </If>\n  ErrorDocument 403 /_sf_errors/site-403.html\n"
	    "  Header set X-Content-Type-Options nosniff\n"
	    "  Header set Cache-Control \"%s\"\n"
	    "</Directory>\n", h->media, HOSTCONF_MEDIA_CACHE);
}

/* add_header is for 2xx and 3xx answers only (not error pages). */
static int
hostconf_media_nginx(const struct hostconf *h)
{
	/* nginx drops the server's add_header lines in a location that has
	   its own: the pages' headers are repeated here. */
	printf("    location /media/ {\n      alias %s/;\n", h->media);
	if (hostconf_headers_nginx(h) == -1)
		return -1;
	printf("      add_header X-Content-Type-Options nosniff;\n"
	    "      add_header Cache-Control \"%s\";\n"
	    "      error_page 403 /_sf_errors/site-403.html;\n"
	    "      error_page 404 /_sf_errors/site-404.html;\n"
	    "      location ~ \"%s\" {\n        return 404;\n      }\n"
	    "    }\n", HOSTCONF_MEDIA_CACHE, HOSTCONF_MEDIA_FOLDER);
	return 0;
}

/*
 * lighttpd 1.4.69 turns every character of a header name that is not a
 * letter or digit into '_' for the CGI environment, so "X_PAYMENT",
 * "X.PAYMENT" or "X~PAYMENT" all reach the endpoint as HTTP_X_PAYMENT,
 * and whichever came first wins when the real header is also sent
 * (hosting-and-formats §2.1; fixed upstream in 1.4.83).  A front proxy
 * that controls X-PAYMENT would not control these.  Refuse any request
 * carrying such a look-alike of a header we read for payment: every
 * token character (RFC 9110 tchar) other than '-' in place of the '-'.
 */
static void
hostconf_lighttpd_spoof(void)
{
	static const char *const names[][2] = {
		{ "X", "PAYMENT" }, { "PAYMENT", "SIGNATURE" },
	};
	static const char seps[] = "!#%&'*+.^_`|~$";
	size_t		 i, j;

	printf("# Look-alikes of the payment headers (see sf-hostconf.c).\n");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (j = 0; seps[j] != '\0'; j++)
			printf("$REQUEST_HEADER[\"%s%c%s\"] != \"\" "
			    "{ url.access-deny = ( \"\" ) }\n", names[i][0],
			    seps[j], names[i][1]);
}

static void
hostconf_lighttpd_fcgi(const char *path, const char *sock, const char *bin)
{
	printf("$HTTP[\"url\"] == \"%s\" {\n"
	    "  fastcgi.server = ( \"%s\" => ((\n"
	    "    \"socket\" => \"%s\",\n"
	    "    \"bin-path\" => \"%s\",\n"
	    "    \"max-procs\" => 1,\n"
	    "    \"check-local\" => \"disable\",\n"
	    "  )) )\n"
	    "}\n", path, path, sock, bin);
}

/*
 * The job routes: FLOW_JOBS_PATH and everything below it (/v1/jobs/{id})
 * to sf-jobs.  lighttpd matches fastcgi.server keys by prefix, so the key
 * serves both, but only under a condition that takes /v1/jobs and
 * /v1/jobs/... and never /v1/jobsfoo.
 */
static void
hostconf_lighttpd_jobs(const struct hostconf *h)
{
	printf("$HTTP[\"url\"] =~ \"^%s(/|$)\" {\n"
	    "  fastcgi.server = ( \"%s\" => ((\n"
	    "    \"socket\" => \"%s/sf-jobs.sock\",\n"
	    "    \"bin-path\" => \"%s\",\n"
	    "    \"max-procs\" => 1,\n"
	    "    \"check-local\" => \"disable\",\n"
	    "  )) )\n"
	    "}\n", FLOW_JOBS_PATH, FLOW_JOBS_PATH, h->run, h->jobs);
}

static int
hostconf_lighttpd(const struct hostconf *h)
{
	const struct def_entry	*e;
	char			 sock[PATH_MAX + 64], bin[PATH_MAX + 64];

	printf("# generated by sf-hostconf from the synthforge configuration;"
	    " do not edit\n");
	/* mod_access first: its deny must run before mod_fastcgi answers. */
	printf("server.modules += ( \"mod_access\", \"mod_alias\", "
	    "\"mod_rewrite\", \"mod_setenv\", \"mod_fastcgi\" )\n");
	printf("server.document-root = \"%s\"\n", h->www);
	printf("server.bind = \"127.0.0.1\"\n");
	printf("server.port = %u\n", h->c->port);
	printf("server.errorlog = \"%s/lighttpd.error.log\"\n", h->run);
	printf("server.pid-file = \"%s/lighttpd.pid\"\n", h->run);
	/* In KiB: rounded up, so what lighttpd lets through reaches us. */
	printf("server.max-request-size = %lu\n", (h->body_limit + 1023) / 1024);
	printf("server.max-request-field-size = %lu\n", h->header_limit);
	/* A GET or HEAD with a body reaches the endpoint, as under Apache
	   and nginx, which names what is wrong (lighttpd's own 400 cannot). */
	printf("server.http-parseopts = ( \"method-get-body\" => "
	    "\"enable\" )\n");
	hostconf_limits_lighttpd(h);
	printf("server.tag = \"synthforge\"\n");
	printf("index-file.names = ( \"index.html\" )\n");
	hostconf_mime_lighttpd();
	hostconf_media_lighttpd(h);
	hostconf_lighttpd_spoof();
	if (hostconf_headers_lighttpd(h) == -1 ||
	    hostconf_errors_lighttpd(h) == -1)
		return 1;
	/*
	 * One exact-path block per endpoint: fastcgi.server keys match by
	 * prefix, so "/v1/image-generate" would also catch
	 * "/v1/image-generate-pro".
	 */
	for (e = def_table; e->ep != NULL; e++) {
		snprintf(sock, sizeof(sock), "%s/%s.sock", h->run, e->stem);
		snprintf(bin, sizeof(bin), "%s/%s", h->fcgi, e->stem);
		hostconf_lighttpd_fcgi(e->ep->path, sock, bin);
	}
	if (h->ops[0] != '\0') {
		snprintf(sock, sizeof(sock), "%s/sf-ops.sock", h->run);
		hostconf_lighttpd_fcgi("/metrics", sock, h->ops);
		hostconf_lighttpd_fcgi("/healthz", sock, h->ops);
		hostconf_lighttpd_fcgi(ERRDOC_PATH, sock, h->ops);
	}
	if (h->mcp[0] != '\0') {
		snprintf(sock, sizeof(sock), "%s/sf-mcp.sock", h->run);
		hostconf_lighttpd_fcgi(MCP_PATH, sock, h->mcp);
	}
	if (h->jobs[0] != '\0')
		hostconf_lighttpd_jobs(h);
	return 0;
}

/*
 * Apache 2.4 with mod_proxy_fcgi to the spawn-fcgi sockets.  One
 * LocationMatch per exact path (Location and ProxyPass match prefixes);
 * each backend gets its own worker name so connections never mix.
 * Header names with characters other than letters, digits and '-' never
 * reach the CGI environment under Apache (observed), so no spoofing
 * guard is needed here.
 */
static void
hostconf_apache_fcgi(const struct hostconf *h, const char *path,
    const char *stem)
{
	char		 host[128];
	size_t		 i;

	snprintf(host, sizeof(host), "%s", stem);
	for (i = 0; host[i] != '\0'; i++)
		if (host[i] == '_')
			host[i] = '-';
	/*
	 * mod_proxy_fcgi streams the body and drops our Content-Length
	 * (chunked on the wire); mod_buffer collects the whole response so
	 * Apache states its length again.  Bodies are small JSON.
	 */
	printf("<LocationMatch \"^%s$\">\n"
	    "  SetHandler \"proxy:unix:%s/%s.sock|fcgi://%s/\"\n"
	    "  SetOutputFilter BUFFER\n"
	    "  BufferSize 33554432\n"	/* inline base64 images too */
	    "</LocationMatch>\n", path, h->run, stem, host);
}

/* The job routes, /v1/jobs and below, as hostconf_apache_fcgi does. */
static void
hostconf_apache_jobs(const struct hostconf *h)
{
	printf("<LocationMatch \"^%s(/[^/]*)?$\">\n"
	    "  SetHandler \"proxy:unix:%s/sf-jobs.sock|fcgi://sf-jobs/\"\n"
	    "  SetOutputFilter BUFFER\n"
	    "  BufferSize 33554432\n"
	    "</LocationMatch>\n", FLOW_JOBS_PATH, h->run);
}

static int
hostconf_apache(const struct hostconf *h)
{
	static const char *const mods[] = {
		"mpm_event", "authz_core", "mime", "alias", "dir", "proxy",
		"proxy_fcgi", "buffer", "headers", NULL,
	};
	const struct def_entry	*e;
	const char *const	*m;

	printf("# generated by sf-hostconf from the synthforge configuration;"
	    " do not edit\n");
	printf("ServerRoot \"%s\"\n", h->run);
	printf("DefaultRuntimeDir \"%s\"\n", h->run);
	printf("PidFile \"%s/apache.pid\"\n", h->run);
	printf("ErrorLog \"%s/apache.error.log\"\n", h->run);
	printf("LogLevel warn\n");
	printf("Listen 127.0.0.1:%u\n", h->c->port);
	printf("ServerName 127.0.0.1\n");
	printf("ServerTokens Prod\nServerSignature Off\n");
	for (m = mods; *m != NULL; m++)
		printf("LoadModule %s_module /usr/lib/apache2/modules/"
		    "mod_%s.so\n", *m, *m);
	hostconf_limits_apache(h);	/* mpm_event's, so after it loads */
	if (h->root)
		printf("User www-data\nGroup www-data\n");
	printf("TypesConfig /etc/mime.types\n"
	    "AddType \"text/html; charset=utf-8\" .html\n"
	    "AddType \"text/css; charset=utf-8\" .css\n"
	    "AddType \"text/markdown; charset=utf-8\" .md\n"
	    "AddType \"text/plain; charset=utf-8\" .txt .1 .7\n"
	    "AddType application/json .json\n");
	/* Ours: Apache's 413 is our JSON 413 (hostconf_errors_apache). */
	printf("LimitRequestBody %lu\n", h->body_limit);
	printf("LimitRequestFieldSize %lu\n", h->header_limit);
	printf("LimitRequestLine 16384\n");
	printf("Timeout 600\n");
	printf("DocumentRoot \"%s\"\n", h->www);
	printf("DirectoryIndex index.html\n");
	printf("<Directory />\n  Require all denied\n  AllowOverride None\n"
	    "</Directory>\n");
	printf("<Directory \"%s\">\n  Require all granted\n  Options None\n"
	    "</Directory>\n", h->www);
	hostconf_media_apache(h);
	/* Upstream calls take minutes for video: no proxy timeout first. */
	printf("ProxyTimeout 600\n");
	if (hostconf_headers_apache(h) == -1 ||
	    hostconf_errors_apache(h) == -1)
		return 1;
	for (e = def_table; e->ep != NULL; e++)
		hostconf_apache_fcgi(h, e->ep->path, e->stem);
	if (h->ops[0] != '\0') {
		hostconf_apache_fcgi(h, "/metrics", "sf-ops");
		hostconf_apache_fcgi(h, "/healthz", "sf-ops");
		/* METRICS_TOKEN: Apache keeps Authorization from backends. */
		printf("<Location \"/metrics\">\n  CGIPassAuth On\n"
		    "</Location>\n");
	}
	if (h->mcp[0] != '\0')
		hostconf_apache_fcgi(h, MCP_PATH, "sf-mcp");
	if (h->jobs[0] != '\0')
		hostconf_apache_jobs(h);
	return 0;
}

/* The CGI variables nginx passes (its fastcgi_params, written out so the
   configuration does not depend on where a distribution keeps it). */
static void
hostconf_nginx_params(void)
{
	static const char *const p[][2] = {
		{ "QUERY_STRING", "$query_string" },
		{ "REQUEST_METHOD", "$request_method" },
		{ "CONTENT_TYPE", "$content_type" },
		{ "CONTENT_LENGTH", "$content_length" },
		{ "SCRIPT_NAME", "$uri" },
		{ "REQUEST_URI", "$request_uri" },
		{ "DOCUMENT_URI", "$document_uri" },
		{ "DOCUMENT_ROOT", "$document_root" },
		{ "SERVER_PROTOCOL", "$server_protocol" },
		{ "REQUEST_SCHEME", "$scheme" },
		{ "HTTPS", "$https if_not_empty" },
		{ "GATEWAY_INTERFACE", "CGI/1.1" },
		{ "SERVER_SOFTWARE", "nginx" },
		{ "REMOTE_ADDR", "$remote_addr" },
		{ "REMOTE_PORT", "$remote_port" },
		{ "SERVER_ADDR", "$server_addr" },
		{ "SERVER_PORT", "$server_port" },
		{ "SERVER_NAME", "$server_name" },
		{ "HTTP_PROXY", "\"\"" },	/* httpoxy */
	};
	size_t	 i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		printf("      fastcgi_param %s %s;\n", p[i][0], p[i][1]);
}

static void
hostconf_nginx_fcgi(const struct hostconf *h, const char *path,
    const char *stem)
{
	printf("    location = %s {\n", path);
	if (strcmp(path, MCP_PATH) == 0)
		hostconf_errors_nginx_mcp(h);
	hostconf_nginx_params();
	printf("      fastcgi_pass unix:%s/%s.sock;\n    }\n", h->run, stem);
}

/*
 * The job routes: /v1/jobs exactly, and /v1/jobs/ as a prefix that stops
 * the regex search (^~), so the /v1/ regex location of the error
 * documents never takes them; sf-jobs answers deeper paths itself.
 */
static void
hostconf_nginx_jobs(const struct hostconf *h)
{
	const char	*loc[2] = { "= " FLOW_JOBS_PATH, "^~ " FLOW_JOBS_PATH "/" };
	int		 i;

	for (i = 0; i < 2; i++) {
		printf("    location %s {\n", loc[i]);
		hostconf_nginx_params();
		printf("      fastcgi_pass unix:%s/sf-jobs.sock;\n    }\n",
		    h->run);
	}
}

static int
hostconf_nginx(const struct hostconf *h)
{
	const struct def_entry	*e;

	printf("# generated by sf-hostconf from the synthforge configuration;"
	    " do not edit\n");
	if (h->root)
		printf("user www-data;\n");
	printf("worker_processes 2;\n");
	printf("pid %s/nginx.pid;\n", h->run);
	printf("error_log %s/nginx.error.log warn;\n", h->run);
	hostconf_limits_nginx(h);
	printf("http {\n");
	printf("  include /etc/nginx/mime.types;\n"
	    "  types { text/markdown md; text/plain 1 7; }\n"
	    "  default_type application/octet-stream;\n"
	    "  charset utf-8;\n"
	    "  charset_types text/css text/plain text/markdown;\n");
	printf("  access_log off;\n  server_tokens off;\n");
	printf("  client_body_temp_path %s/nginx-body;\n", h->run);
	printf("  fastcgi_temp_path %s/nginx-fastcgi;\n", h->run);
	printf("  proxy_temp_path %s/nginx-proxy;\n", h->run);
	/* Ours: nginx's 413 is our JSON 413 (hostconf_errors_nginx). */
	printf("  client_max_body_size %lu;\n", h->body_limit);
	printf("  client_body_buffer_size 128k;\n");
	/* Big PAYMENT-SIGNATURE in, big PAYMENT-REQUIRED out: the default
	   4k/8k buffers give 400/502 (hosting-and-formats §2.1). */
	printf("  large_client_header_buffers 4 %luk;\n",
	    (h->header_limit + 1) / 1024);
	printf("  fastcgi_buffer_size 64k;\n  fastcgi_buffers 16 64k;\n"
	    "  fastcgi_busy_buffers_size 128k;\n");
	printf("  fastcgi_read_timeout 600s;\n");
	/* Default, written down: look-alike names (X_PAYMENT) are dropped. */
	printf("  underscores_in_headers off;\n  ignore_invalid_headers on;\n");
	printf("  server {\n");
	printf("    listen 127.0.0.1:%u;\n", h->c->port);
	printf("    root %s;\n    index index.html;\n", h->www);
	if (hostconf_headers_nginx(h) == -1 || hostconf_media_nginx(h) == -1)
		return 1;
	if (hostconf_errors_nginx(h) == -1)
		return 1;
	for (e = def_table; e->ep != NULL; e++)
		hostconf_nginx_fcgi(h, e->ep->path, e->stem);
	if (h->ops[0] != '\0') {
		hostconf_nginx_fcgi(h, "/metrics", "sf-ops");
		hostconf_nginx_fcgi(h, "/healthz", "sf-ops");
	}
	if (h->mcp[0] != '\0')
		hostconf_nginx_fcgi(h, MCP_PATH, "sf-mcp");
	if (h->jobs[0] != '\0')
		hostconf_nginx_jobs(h);
	printf("  }\n}\n");
	return 0;
}

/* name, socket, binary: what spawn-fcgi must start for Apache / nginx. */
static int
hostconf_spawn(const struct hostconf *h)
{
	const struct def_entry	*e;

	for (e = def_table; e->ep != NULL; e++)
		printf("%s\t%s/%s.sock\t%s/%s\n", e->stem, h->run, e->stem,
		    h->fcgi, e->stem);
	if (h->ops[0] != '\0')
		printf("sf-ops\t%s/sf-ops.sock\t%s\n", h->run, h->ops);
	if (h->mcp[0] != '\0')
		printf("sf-mcp\t%s/sf-mcp.sock\t%s\n", h->run, h->mcp);
	if (h->jobs[0] != '\0')
		printf("sf-jobs\t%s/sf-jobs.sock\t%s\n", h->run, h->jobs);
	return 0;
}

static int
hostconf_endpoints(void)
{
	const struct def_entry	*e;
	const struct def_model	*m;
	const struct def_output	*out;
	const struct def_param	*p;
	cJSON			*arr, *o, *ms, *mo, *outs, *urls;
	char			*s;
	char			 amt[32];

	if ((arr = cJSON_CreateArray()) == NULL)
		return 1;
	for (e = def_table; e->ep != NULL; e++) {
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "name", e->ep->name);
		cJSON_AddStringToObject(o, "stem", e->stem);
		cJSON_AddStringToObject(o, "path", e->ep->path);
		cJSON_AddStringToObject(o, "method", e->ep->method);
		cJSON_AddStringToObject(o, "media", e->ep->media);
		cJSON_AddNumberToObject(o, "deadline", e->ep->deadline);
		cJSON_AddStringToObject(o, "async", def_async_name(e->ep->async));
		snprintf(amt, sizeof(amt), "%llu", (unsigned long long)e->ep->price);
		cJSON_AddStringToObject(o, "price", amt);
		if (e->ep->price_per != NULL)
			cJSON_AddStringToObject(o, "price_per", e->ep->price_per);
		cJSON_AddItemToObject(o, "example", schema_example_input(e->ep));
		cJSON_AddItemToObject(o, "input", schema_input(e->ep));
		outs = cJSON_AddArrayToObject(o, "outputs");
		snprintf(amt, sizeof(amt), "%s_url", e->ep->media);
		for (out = e->ep->outputs; out != NULL && out->name != NULL; out++) {
			cJSON_AddItemToArray(outs, cJSON_CreateString(out->name));
			if (strcmp(out->from != NULL ? out->from : out->name,
			    amt) == 0 && !cJSON_HasObjectItem(o, "media_output"))
				cJSON_AddStringToObject(o, "media_output",
				    out->name);
		}
		urls = cJSON_AddArrayToObject(o, "url_inputs");
		for (p = e->ep->params; p != NULL && p->name != NULL; p++)
			if (p->type == DEF_URL)
				cJSON_AddItemToArray(urls,
				    cJSON_CreateString(p->name));
		ms = cJSON_AddArrayToObject(o, "models");
		for (m = e->ep->models; m != NULL && m->id != NULL; m++) {
			mo = cJSON_CreateObject();
			cJSON_AddItemToArray(ms, mo);
			cJSON_AddStringToObject(mo, "id", m->id);
			snprintf(amt, sizeof(amt), "%llu",
			    (unsigned long long)def_model_price(e->ep, m));
			cJSON_AddStringToObject(mo, "price", amt);
			cJSON_AddStringToObject(mo, "provider", m->provider);
		}
	}
	if ((s = cJSON_Print(arr)) == NULL) {
		cJSON_Delete(arr);
		return 1;
	}
	puts(s);
	cJSON_free(s);
	cJSON_Delete(arr);
	return 0;
}

static void
hostconf_usage(void)
{
	fprintf(stderr, "usage: sf-hostconf lighttpd|apache|nginx WWW_DIR "
	    "RUN_DIR FCGI_DIR [OPS_BIN [MCP_BIN [JOBS_BIN]]]\n"
	    "       sf-hostconf spawn RUN_DIR FCGI_DIR [OPS_BIN [MCP_BIN "
	    "[JOBS_BIN]]]\n"
	    "       sf-hostconf endpoints|offline|port\n");
}

/* Routes listed by hostconf_offline: rendered locally, or refused. */
struct hostconf_count {
	size_t	 offline, refused;
};

static void
hostconf_offline_one(void *arg, const struct def_endpoint *ep,
    const struct def_model *m, const struct route *rt,
    const struct sf_err *err)
{
	struct hostconf_count	*n = arg;

	if (rt != NULL)
		n->offline++;
	else
		n->refused++;
	if (rt != NULL)
		printf("  offline  %-22s %-28s (%s)\n", ep->name, m->id, rt->why);
	else
		printf("  REFUSED  %-22s %-28s %s\n", ep->name, m->id,
		    err != NULL ? err->message : "");
}

/* For make run: which routes run offline (no key) or are refused. */
static int
hostconf_offline(void)
{
	struct hostconf_count	 cnt = { 0, 0 };
	struct sf_err		 err;
	struct cfg		*c;
	size_t			 n;

	sf_err_clear(&err);
	if ((c = cfg_load(NULL, &err)) == NULL) {
		fprintf(stderr, "sf-hostconf: configuration: %s\n", err.message);
		return 1;
	}
	n = route_list_offline(c, def_table, hostconf_offline_one, &cnt);
	if (n == 0)
		printf("every route has its provider configured\n");
	else {
		printf("%zu route(s) above have no provider key:\n", n);
		if (cnt.offline > 0)
			printf("  %zu answer with locally rendered placeholders "
			    "(source \"offline\")\n", cnt.offline);
		if (cnt.refused > 0)
			printf("  %zu are refused before payment (no offline "
			    "stand-in, e.g. video: 501 offline_unsupported)\n",
			    cnt.refused);
		printf("set the provider keys in the configuration to use the "
		    "real models\n");
	}
	cfg_free(c);
	return 0;
}

/* For make run: the port the configuration settles on. */
static int
hostconf_port(void)
{
	struct sf_err	 err;
	struct cfg	*c;

	sf_err_clear(&err);
	if ((c = cfg_load(NULL, &err)) == NULL) {
		fprintf(stderr, "sf-hostconf: configuration: %s\n", err.message);
		return 1;
	}
	printf("%u\n", c->port);
	cfg_free(c);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct hostconf	 h;
	struct sf_err	 err;
	struct cfg	*c;
	const char	*cmd;
	int		 rc, spawn;

	if (argc == 2 && strcmp(argv[1], "endpoints") == 0)
		return hostconf_endpoints();
	if (argc == 2 && strcmp(argv[1], "offline") == 0)
		return hostconf_offline();
	if (argc == 2 && strcmp(argv[1], "port") == 0)
		return hostconf_port();
	cmd = argc > 1 ? argv[1] : "";
	spawn = strcmp(cmd, "spawn") == 0;
	if ((spawn && (argc < 4 || argc > 7)) || (!spawn &&
	    ((strcmp(cmd, "lighttpd") != 0 && strcmp(cmd, "apache") != 0 &&
	    strcmp(cmd, "nginx") != 0) || argc < 5 || argc > 8))) {
		hostconf_usage();
		return 2;
	}
	sf_err_clear(&err);
	if ((c = cfg_load(NULL, &err)) == NULL) {
		fprintf(stderr, "sf-hostconf: configuration: %s\n", err.message);
		return 1;
	}
	rc = 1;
	if (!hostconf_paths_ok())
		goto out;
	if (spawn) {
		if (hostconf_init(&h, c, NULL, argv[2], argv[3],
		    argc >= 5 ? argv[4] : NULL, argc >= 6 ? argv[5] : NULL,
		    argc >= 7 ? argv[6] : NULL) == 0)
			rc = hostconf_spawn(&h);
		goto out;
	}
	if (hostconf_init(&h, c, argv[2], argv[3], argv[4],
	    argc >= 6 ? argv[5] : NULL, argc >= 7 ? argv[6] : NULL,
	    argc >= 8 ? argv[7] : NULL) == -1)
		goto out;
	if (strcmp(cmd, "lighttpd") == 0)
		rc = hostconf_lighttpd(&h);
	else if (strcmp(cmd, "apache") == 0)
		rc = hostconf_apache(&h);
	else
		rc = hostconf_nginx(&h);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "sf-hostconf: write error\n");
		rc = 1;
	}
out:
	cfg_free(c);
	return rc;
}
