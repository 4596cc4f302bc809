/*
 * sf-ops: the operations endpoint, a FastCGI responder like the paid
 * endpoints but free and read-only.
 *
 *	GET /metrics	Prometheus text format, aggregated from the metrics
 *			files every endpoint process keeps, and the seller's
 *			figures read from the ledger (metrics.h); with
 *			METRICS_TOKEN set, only for "Authorization: Bearer
 *			<token>"; on a mainnet without a token, 403 unless
 *			METRICS_PUBLIC=1
 *	GET /healthz	JSON report (health.h), 200 or 503
 *	ERRDOC_PATH	lighttpd's error handler (errdoc.h): the error
 *			document for REDIRECT_STATUS, JSON-RPC when the
 *			refused request (REQUEST_URI) was for /mcp
 *
 * Usage: sf-ops [--socket PATH|:PORT]   (default: the socket on fd 0, as
 * spawned by lighttpd, spawn-fcgi or a systemd socket unit)
 */
#include <sys/socket.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/msg.h"
#include "ledger/ledger.h"
#include "ops/errdoc.h"
#include "ops/health.h"
#include "ops/metrics.h"
#include "serve/mcp.h"
#include "serve/serve.h"

#define OPS_THREADS	2

struct ops {
	const struct cfg	*cfg;
	int			 sock;
	pthread_mutex_t		 accept_lock;
	/* The ledger the revenue figures are read from: opened at the
	   first scrape (DB), again after a failed open. */
	pthread_mutex_t		 ledger_lock;
	struct ledger		*ledger;
};

/* The ledger handle, opened on first use; NULL (logged) if it cannot be. */
static struct ledger *
ops_ledger(struct ops *o)
{
	struct sf_err	 err;
	struct ledger	*l;

	pthread_mutex_lock(&o->ledger_lock);
	if (o->ledger == NULL) {
		sf_err_clear(&err);
		if ((o->ledger = ledger_open(cfg_get_or(o->cfg, "DB",
		    "var/ledger.db"), &err)) == NULL)
			fprintf(stderr, "sf-ops: ledger: %s\n", err.message);
	}
	l = o->ledger;
	pthread_mutex_unlock(&o->ledger_lock);
	return l;
}

static void
ops_respond(FCGX_Stream *out, int status, const char *reason,
    const char *ctype, const char *extra, const struct buf *body,
    int head_only)
{
	struct buf	 h;

	buf_init(&h);
	buf_printf(&h, "Status: %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %lu\r\nCache-Control: no-store\r\n%s\r\n",
	    status, reason, ctype, (unsigned long)body->len, extra);
	if (h.oom)
		FCGX_PutS("Status: 500 Internal Server Error\r\n"
		    "Content-Length: 0\r\n\r\n", out);
	else {
		FCGX_PutStr(h.p, (int)h.len, out);
		if (!head_only && body->len > 0)
			FCGX_PutStr(body->p, (int)body->len, out);
	}
	buf_free(&h);
}

/* Is the request target uri (path and query) for MCP_PATH? */
static int
ops_is_mcp(const char *uri)
{
	size_t	 n = strlen(MCP_PATH);

	return uri != NULL && strncmp(uri, MCP_PATH, n) == 0 &&
	    strchr("/?", uri[n]) != NULL;
}

/*
 * lighttpd's error handler: it refuses some requests (conflicting
 * Content-Type headers, a malformed header) before its per-path settings
 * apply, so its error files cannot tell /mcp from /v1/; this can.
 */
static void
ops_errdoc(struct ops *o, FCGX_Request *fr, struct buf *body)
{
	const char		*rs = FCGX_GetParam("REDIRECT_STATUS", fr->envp);
	const char		*uri = FCGX_GetParam("REQUEST_URI", fr->envp);
	const struct errdoc	*e = rs != NULL ? errdoc_find(atoi(rs)) : NULL;
	cJSON			*j;
	char			*s;
	int			 mcp = ops_is_mcp(uri);

	if (e == NULL)
		e = errdoc_find(rs != NULL && atoi(rs) >= 500 ? 500 : 404);
	j = errdoc_json(e, mcp, (unsigned long)o->cfg->body_max +
	    (mcp ? 16384 : 0));
	if (j == NULL || (s = cJSON_PrintUnformatted(j)) == NULL) {
		cJSON_Delete(j);
		buf_puts(body, "{\"error\":{\"code\":\"internal_error\","
		    "\"message\":\"out of memory\"}}");
		ops_respond(fr->out, 500, "Internal Server Error",
		    "application/json", "", body, 0);
		return;
	}
	cJSON_Delete(j);
	buf_puts(body, s);
	cJSON_free(s);
	ops_respond(fr->out, e->status, msg_status_text(e->status),
	    "application/json", "", body, 0);
}

static void
ops_one(struct ops *o, FCGX_Request *fr)
{
	struct buf	 body, path;
	struct sf_err	 err;
	const char	*m, *sn, *pi, *tok;
	char		 dir[4096];
	int		 head, st;

	buf_init(&body);
	buf_init(&path);
	sf_err_clear(&err);
	m = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	sn = FCGX_GetParam("SCRIPT_NAME", fr->envp);
	pi = FCGX_GetParam("PATH_INFO", fr->envp);
	buf_printf(&path, "%s%s", sn != NULL ? sn : "", pi != NULL ? pi : "");
	head = m != NULL && strcmp(m, "HEAD") == 0;
	if (path.p != NULL && strcmp(path.p, ERRDOC_PATH) == 0)
		ops_errdoc(o, fr, &body);
	else if (m == NULL || (strcmp(m, "GET") != 0 && !head)) {
		buf_puts(&body, "{\"error\":{\"code\":\"method_not_allowed\","
		    "\"message\":\"use GET\"}}");
		ops_respond(fr->out, 405, "Method Not Allowed",
		    "application/json", "Allow: GET, HEAD\r\n", &body, 0);
	} else if (path.p != NULL && strcmp(path.p, "/metrics") == 0) {
		tok = cfg_get(o->cfg, "METRICS_TOKEN");
		if ((tok == NULL || *tok == '\0') && !metrics_public(o->cfg)) {
			buf_puts(&body, "{\"error\":{\"code\":\"metrics_private\","
			    "\"message\":\"this service takes mainnet payments: "
			    "/metrics (revenue per endpoint) is served with "
			    "METRICS_TOKEN set (then Authorization: Bearer "
			    "<token>), or to anyone with METRICS_PUBLIC=1\"}}");
			ops_respond(fr->out, 403, "Forbidden",
			    "application/json", "", &body, head);
		} else if (tok != NULL && *tok != '\0' && !metrics_token_ok(tok,
		    FCGX_GetParam("HTTP_AUTHORIZATION", fr->envp))) {
			buf_puts(&body, "{\"error\":{\"code\":\"unauthorized\","
			    "\"message\":\"/metrics needs the bearer token "
			    "(METRICS_TOKEN)\"}}");
			ops_respond(fr->out, 401, "Unauthorized",
			    "application/json",
			    "WWW-Authenticate: Bearer\r\n", &body, head);
		} else if (metrics_render(metrics_dir(o->cfg, dir,
		    sizeof(dir)), ops_ledger(o), &body, &err) == -1) {
			buf_reset(&body);
			buf_printf(&body, "# %s\n", err.message);
			ops_respond(fr->out, 503, "Service Unavailable",
			    "text/plain; charset=utf-8", "", &body, head);
		} else
			ops_respond(fr->out, 200, "OK",
			    "text/plain; version=0.0.4; charset=utf-8", "",
			    &body, head);
	} else if (path.p != NULL && strcmp(path.p, "/healthz") == 0) {
		st = health_check(o->cfg, &body);
		ops_respond(fr->out, st, st == 200 ? "OK" :
		    "Service Unavailable", "application/json", "", &body,
		    head);
	} else {
		buf_puts(&body, "{\"error\":{\"code\":\"not_found\","
		    "\"message\":\"sf-ops serves /metrics and /healthz\"}}");
		ops_respond(fr->out, 404, "Not Found", "application/json", "",
		    &body, head);
	}
	buf_free(&body);
	buf_free(&path);
}

static void *
ops_worker(void *arg)
{
	struct ops	*o = arg;
	FCGX_Request	 fr;
	int		 rc;

	if (FCGX_InitRequest(&fr, o->sock, 0) != 0)
		return NULL;
	for (;;) {
		pthread_mutex_lock(&o->accept_lock);
		rc = FCGX_Accept_r(&fr);
		pthread_mutex_unlock(&o->accept_lock);
		if (rc < 0)
			break;
		ops_one(o, &fr);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct ops	 o;
	struct sf_err	 err;
	struct cfg	*c;
	pthread_t	 th[OPS_THREADS];
	sigset_t	 set;
	int		 i, sig, n = 0;

	serve_signals_block(&set);
	memset(&o, 0, sizeof(o));
	if (argc == 3 && strcmp(argv[1], "--socket") == 0) {
		if (FCGX_Init() != 0 ||
		    (o.sock = FCGX_OpenSocket(argv[2], 128)) < 0) {
			fprintf(stderr, "sf-ops: cannot listen on %s\n",
			    argv[2]);
			return 1;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: sf-ops [--socket PATH|:PORT]\n");
		return 2;
	} else if (FCGX_Init() != 0) {
		fprintf(stderr, "sf-ops: FCGX_Init failed\n");
		return 1;
	}
	sf_err_clear(&err);
	if ((c = cfg_load(NULL, &err)) == NULL) {
		fprintf(stderr, "sf-ops: configuration: %s\n", err.message);
		return 1;
	}
	if (serve_check_cfg(c, &err) == -1) {
		fprintf(stderr, "sf-ops: configuration: %s\n", err.message);
		cfg_free(c);
		return 1;
	}
	o.cfg = c;
	pthread_mutex_init(&o.accept_lock, NULL);
	pthread_mutex_init(&o.ledger_lock, NULL);
	if (!metrics_public(c) && (cfg_get(c, "METRICS_TOKEN") == NULL ||
	    *cfg_get(c, "METRICS_TOKEN") == '\0'))
		fprintf(stderr, "sf-ops: a mainnet without METRICS_TOKEN: "
		    "/metrics answers 403 (set METRICS_TOKEN, or "
		    "METRICS_PUBLIC=1 to publish it)\n");
	/* Signals (blocked since the start) are taken here, as in serve.c:
	   shut the socket down so the workers leave accept(), finish what
	   they answer, exit 0. */
	for (i = 0; i < OPS_THREADS; i++)
		if (pthread_create(&th[n], NULL, ops_worker, &o) == 0)
			n++;
	if (n == 0) {
		fprintf(stderr, "sf-ops: cannot start threads\n");
		cfg_free(c);
		return 1;
	}
	if (sigwait(&set, &sig) == 0) {
		FCGX_ShutdownPending();
		shutdown(o.sock, SHUT_RDWR);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&o.accept_lock);
	pthread_mutex_destroy(&o.ledger_lock);
	ledger_close(o.ledger);
	cfg_free(c);
	return 0;
}
