#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "ledger/demo.h"
#include "basics/err.h"

#define DEMO_MINUTE	60
#define DEMO_HOUR	3600
/* Waits for another process's admission; each holds the lock briefly. */
#define DEMO_BUSY_MS	5000

struct demo_limits {
	long	 per_min, per_hour, total, paid;
};

static const char demo_schema[] =
	"CREATE TABLE IF NOT EXISTS demo_hits ("
	" client TEXT NOT NULL,"
	" t INTEGER NOT NULL,"
	" paid INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS demo_hits_client ON demo_hits (client, t);"
	"CREATE INDEX IF NOT EXISTS demo_hits_t ON demo_hits (t);";

static int
demo_num(const struct cfg *c, const char *key, long def, long *out,
    struct sf_err *err)
{
	const char	*v = cfg_get(c, key);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0') {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 0 || n > 1000000)
		return sf_err_set(err, 500, "config_invalid", key,
		    "%s=\"%.64s\" must be a whole number from 0 to 1000000",
		    key, v);
	*out = n;
	return 0;
}

static int
demo_limits(const struct cfg *c, struct demo_limits *l, struct sf_err *err)
{
	if (demo_num(c, "DEMO_PER_CLIENT_PER_MINUTE", 2, &l->per_min,
	    err) == -1 ||
	    demo_num(c, "DEMO_PER_CLIENT_PER_HOUR", 10, &l->per_hour,
	    err) == -1 ||
	    demo_num(c, "DEMO_PER_HOUR", 300, &l->total, err) == -1 ||
	    demo_num(c, "DEMO_PAID_PER_HOUR", 0, &l->paid, err) == -1)
		return -1;
	return 0;
}

/* DEMO_DB, else demo.db in the directory of DB (default var/ledger.db). */
static int
demo_path(const struct cfg *c, char *buf, size_t sz, struct sf_err *err)
{
	const char	*v, *slash;
	int		 n;

	v = cfg_get(c, "DEMO_DB");
	if (v != NULL && *v != '\0')
		n = snprintf(buf, sz, "%s", v);
	else {
		v = cfg_get_or(c, "DB", "var/ledger.db");
		if ((slash = strrchr(v, '/')) == NULL)
			n = snprintf(buf, sz, "demo.db");
		else
			n = snprintf(buf, sz, "%.*s/demo.db",
			    (int)(slash - v), v);
	}
	if (n < 0 || (size_t)n >= sz)
		return sf_err_set(err, 500, "config_invalid", "DEMO_DB",
		    "the demo database path is too long");
	return 0;
}

static int
demo_unavailable(sqlite3 *db, const char *what, struct sf_err *err)
{
	return sf_err_set(err, 503, "demo_unavailable", NULL,
	    "the free demo is unavailable right now (%s: %.160s); try again "
	    "later, or POST with an x402 payment", what,
	    db != NULL ? sqlite3_errmsg(db) : "cannot open");
}

static sqlite3 *
demo_open(const char *path, struct sf_err *err)
{
	sqlite3	*db = NULL;

	/* One connection per admission: processes share only the file. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		demo_unavailable(db, "open", err);
		sqlite3_close(db);
		return NULL;
	}
	if (sqlite3_busy_timeout(db, DEMO_BUSY_MS) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(db, demo_schema, NULL, NULL, NULL) != SQLITE_OK) {
		demo_unavailable(db, "schema", err);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/*
 * Rows of client (NULL = every client; paid_only = paid rows) newer than
 * since: how many, and when limit >= 1 and count >= limit, the time of
 * the row whose expiry brings the count back under limit.  -1 on error.
 */
static int
demo_window(sqlite3 *db, const char *client, int paid_only, time_t since,
    long limit, long *count, time_t *frees)
{
	static const char q_count[] = "SELECT count(*) FROM demo_hits "
	    "WHERE (?1 IS NULL OR client = ?1) AND (?2 = 0 OR paid = 1) "
	    "AND t > ?3";
	static const char q_nth[] = "SELECT t FROM demo_hits "
	    "WHERE (?1 IS NULL OR client = ?1) AND (?2 = 0 OR paid = 1) "
	    "AND t > ?3 ORDER BY t LIMIT 1 OFFSET ?4";
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	*count = 0;
	*frees = 0;
	if (sqlite3_prepare_v2(db, q_count, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if ((client != NULL ? sqlite3_bind_text(st, 1, client, -1,
	    SQLITE_TRANSIENT) : sqlite3_bind_null(st, 1)) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, paid_only) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)since) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto out;
	*count = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (limit < 1 || *count < limit) {
		rc = 0;
		goto out;
	}
	if (sqlite3_prepare_v2(db, q_nth, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if ((client != NULL ? sqlite3_bind_text(st, 1, client, -1,
	    SQLITE_TRANSIENT) : sqlite3_bind_null(st, 1)) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, paid_only) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)since) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)(*count - limit)) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	*frees = (time_t)sqlite3_column_int64(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static unsigned
demo_wait(time_t frees, long window, time_t now)
{
	long long	 w = (long long)frees + window - (long long)now;

	/* A clock that went back must not promise a zero wait. */
	if (w < 1)
		return 1;
	if (w > window)
		return (unsigned)window;
	return (unsigned)w;
}

static int
demo_exec(sqlite3 *db, const char *sql, time_t a, const char *client,
    int paid)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)a) != SQLITE_OK)
		goto out;
	if (client != NULL &&
	    (sqlite3_bind_text(st, 2, client, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK || sqlite3_bind_int(st, 3, paid) != SQLITE_OK))
		goto out;
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Within the open transaction: 1 admitted, 0 refused (err set), -1 db. */
static int
demo_decide(sqlite3 *db, const struct demo_limits *l, const char *client,
    time_t now, int *paid_ok, unsigned *retry_after, struct sf_err *err)
{
	long	 n;
	time_t	 frees;

	if (demo_exec(db, "DELETE FROM demo_hits WHERE t <= ?1",
	    now - DEMO_HOUR, NULL, 0) == -1)
		return -1;
	if (l->per_min > 0) {
		if (demo_window(db, client, 0, now - DEMO_MINUTE, l->per_min,
		    &n, &frees) == -1)
			return -1;
		if (n >= l->per_min) {
			*retry_after = demo_wait(frees, DEMO_MINUTE, now);
			sf_err_set(err, 429, "demo_rate_limited", NULL,
			    "the free demo allows %ld requests per minute per "
			    "client; try again in %u s, or POST with an x402 "
			    "payment", l->per_min, *retry_after);
			return 0;
		}
	}
	if (demo_window(db, client, 0, now - DEMO_HOUR, l->per_hour, &n,
	    &frees) == -1)
		return -1;
	if (n >= l->per_hour) {
		*retry_after = demo_wait(frees, DEMO_HOUR, now);
		sf_err_set(err, 429, "demo_rate_limited", NULL,
		    "the free demo allows %ld requests per hour per client; "
		    "try again in %u s, or POST with an x402 payment",
		    l->per_hour, *retry_after);
		return 0;
	}
	if (demo_window(db, NULL, 0, now - DEMO_HOUR, l->total, &n,
	    &frees) == -1)
		return -1;
	if (n >= l->total) {
		*retry_after = demo_wait(frees, DEMO_HOUR, now);
		sf_err_set(err, 429, "demo_busy", NULL,
		    "the free demo has served its %ld requests for this hour; "
		    "try again in %u s, or POST with an x402 payment",
		    l->total, *retry_after);
		return 0;
	}
	if (l->paid > 0) {
		if (demo_window(db, NULL, 1, now - DEMO_HOUR, 0, &n,
		    &frees) == -1)
			return -1;
		*paid_ok = n < l->paid;
	}
	if (demo_exec(db, "INSERT INTO demo_hits (t, client, paid) "
	    "VALUES (?1, ?2, ?3)", now, client, *paid_ok) == -1)
		return -1;
	return 1;
}

int
demo_admit(const struct cfg *c, const char *client_addr, time_t now,
    int *paid_upstream_ok, unsigned *retry_after, struct sf_err *err)
{
	struct demo_limits	 l;
	sqlite3			*db;
	char			 path[1024], client[64];
	int			 r;

	*paid_upstream_ok = 0;
	*retry_after = 0;
	if (demo_limits(c, &l, err) == -1 ||
	    demo_path(c, path, sizeof(path), err) == -1)
		return -1;
	if (l.per_hour == 0 || l.total == 0)
		return sf_err_set(err, 403, "demo_disabled", NULL,
		    "the free demo is turned off on this server; POST with "
		    "an x402 payment");
	demo_client_key(client_addr, client, sizeof(client));
	if ((db = demo_open(path, err)) == NULL)
		return -1;
	/* IMMEDIATE: count and insert under one write lock, across processes. */
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		demo_unavailable(db, "lock", err);
		sqlite3_close(db);
		return -1;
	}
	r = demo_decide(db, &l, client, now, paid_upstream_ok, retry_after,
	    err);
	if (r == -1) {
		demo_unavailable(db, "query", err);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
		*paid_upstream_ok = 0;
		return -1;
	}
	/* A refusal commits too: it keeps the expired-row purge. */
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		demo_unavailable(db, "commit", err);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
		*paid_upstream_ok = 0;
		*retry_after = 0;
		return -1;
	}
	sqlite3_close(db);
	if (r == 0) {
		*paid_upstream_ok = 0;
		return -1;
	}
	return 0;
}

void
demo_client_key(const char *addr, char *buf, size_t sz)
{
	unsigned char	 a[16];
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (addr != NULL && inet_pton(AF_INET, addr, a) == 1)
		snprintf(buf, sz, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else if (addr != NULL && inet_pton(AF_INET6, addr, a) == 1) {
		if (memcmp(a, mapped, sizeof(mapped)) == 0)
			snprintf(buf, sz, "%u.%u.%u.%u", a[12], a[13], a[14],
			    a[15]);
		else
			snprintf(buf, sz, "%02x%02x:%02x%02x:%02x%02x:"
			    "%02x%02x::/64", a[0], a[1], a[2], a[3], a[4],
			    a[5], a[6], a[7]);
	} else
		/* Unknown callers share one budget rather than escape it. */
		snprintf(buf, sz, "unknown");
}

static int
demo_hex(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decode n bytes of s (form encoding) into a new string; NULL if invalid. */
static char *
demo_unescape(const char *s, size_t n)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	if ((out = o = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] != '%')
			*o++ = s[i];
		else {
			/* %00 would cut the string short. */
			if (i + 2 >= n ||
			    (hi = demo_hex((unsigned char)s[i + 1])) < 0 ||
			    (lo = demo_hex((unsigned char)s[i + 2])) < 0 ||
			    (hi == 0 && lo == 0))
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static size_t
demo_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* One key=value of the query into obj; -1 with err set. */
static int
demo_pair(const struct def_endpoint *ep, cJSON *obj, const char *s,
    size_t n, int *demo, struct sf_err *err)
{
	const char	*eq;
	char		*k = NULL, *v = NULL;
	size_t		 kn;
	int		 rc = -1;

	eq = memchr(s, '=', n);
	kn = eq != NULL ? (size_t)(eq - s) : n;
	if ((k = demo_unescape(s, kn)) == NULL ||
	    (v = demo_unescape(eq != NULL ? eq + 1 : s + n,
	    eq != NULL ? n - kn - 1 : 0)) == NULL) {
		sf_err_set(err, 400, "invalid_query", k,
		    "the query string is not valid URL encoding");
		goto out;
	}
	if (strcmp(k, "demo") == 0) {
		if (*demo) {
			sf_err_set(err, 400, "duplicate_field", "demo",
			    "field \"demo\" appears more than once");
			goto out;
		}
		if (strcmp(v, "true") != 0 && strcmp(v, "1") != 0) {
			sf_err_set(err, 400, "invalid_value", "demo",
			    "demo must be true");
			goto out;
		}
		*demo = 1;
		rc = 0;
		goto out;
	}
	if (strcmp(k, "prompt") != 0 && (ep->model_param == NULL ||
	    strcmp(k, ep->model_param) != 0)) {
		sf_err_set(err, 400, "unknown_field", k, "the demo takes only "
		    "demo, prompt%s%s; POST with an x402 payment for \"%.32s\"",
		    ep->model_param ? " and " : "",
		    ep->model_param ? ep->model_param : "", k);
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(obj, k) != NULL) {
		sf_err_set(err, 400, "duplicate_field", k,
		    "field \"%s\" appears more than once", k);
		goto out;
	}
	if (strcmp(k, "prompt") == 0 && demo_chars(v) > DEMO_PROMPT_MAX) {
		sf_err_set(err, 400, "too_long", "prompt", "a demo prompt is "
		    "limited to %d characters", DEMO_PROMPT_MAX);
		goto out;
	}
	if (cJSON_AddStringToObject(obj, k, v) == NULL) {
		sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(k);
	free(v);
	return rc;
}

int
demo_wanted(const char *query)
{
	const char	*s;

	for (s = query; s != NULL && *s != '\0'; s++) {
		if (strncmp(s, "demo", 4) == 0 &&
		    (s[4] == '=' || s[4] == '&' || s[4] == '\0'))
			return 1;
		if ((s = strchr(s, '&')) == NULL)
			break;
	}
	return 0;
}

cJSON *
demo_request(const struct def_endpoint *ep, const char *query,
    struct sf_err *err)
{
	const struct def_param	*p;
	const char		*s, *amp;
	cJSON			*obj;
	size_t			 n;
	int			 demo = 0;
	static const char *const sizes[] = { "width", "height", NULL };
	size_t			 i;

	if ((obj = cJSON_CreateObject()) == NULL) {
		sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
		return NULL;
	}
	for (s = query != NULL ? query : ""; *s != '\0'; s = amp + 1) {
		if ((amp = strchr(s, '&')) == NULL)
			amp = s + strlen(s);
		n = (size_t)(amp - s);
		if (n > 0 && demo_pair(ep, obj, s, n, &demo, err) == -1)
			goto fail;
		if (*amp == '\0')
			break;
	}
	if (!demo) {
		sf_err_set(err, 400, "missing_field", "demo",
		    "add demo=true to the query for the free demo");
		goto fail;
	}
	if (cJSON_GetObjectItemCaseSensitive(obj, "prompt") == NULL &&
	    def_find_param(ep, "prompt") != NULL &&
	    cJSON_AddStringToObject(obj, "prompt", DEMO_PROMPT) == NULL)
		goto oom;
	/* A fixed, small size bounds the demo's cost whatever the route. */
	for (i = 0; sizes[i] != NULL; i++)
		if ((p = def_find_param(ep, sizes[i])) != NULL &&
		    p->models == NULL && (!p->has_range ||
		    (DEMO_SIZE >= p->min && DEMO_SIZE <= p->max)) &&
		    cJSON_AddNumberToObject(obj, sizes[i], DEMO_SIZE) == NULL)
			goto oom;
	return obj;
oom:
	sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
fail:
	cJSON_Delete(obj);
	return NULL;
}

static int
demo_set(cJSON *body, const char *name, cJSON *v)
{
	if (v == NULL)
		return -1;
	cJSON_DeleteItemFromObjectCaseSensitive(body, name);
	if (!cJSON_AddItemToObject(body, name, v)) {
		cJSON_Delete(v);
		return -1;
	}
	return 0;
}

int
demo_annotate(const struct cfg *c, cJSON *body, int offline)
{
	struct demo_limits	 l;
	char			 notice[512];

	if (demo_limits(c, &l, NULL) == -1)
		l.per_hour = 10;
	snprintf(notice, sizeof(notice), "Free demo: no payment was taken. "
	    "%s Limited to %ld requests per client per hour. For full output "
	    "and every parameter, POST to this endpoint with an x402 payment.",
	    offline ? "The image comes from the offline sample generator, "
	    "not the model." : "The image comes from the model.",
	    l.per_hour);
	if (demo_set(body, "demo", cJSON_CreateTrue()) == -1 ||
	    demo_set(body, "notice", cJSON_CreateString(notice)) == -1)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(body, "price") != NULL &&
	    demo_set(body, "price", cJSON_CreateString("$0.00")) == -1)
		return -1;
	return 0;
}
