#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "ledger/ledger.h"
#include "ops/metrics.h"

/*
 * File layout.  Zero-filled is the valid empty state (a fresh file is
 * ftruncate'd), every field after the header is an atomic or is written
 * once before its slot's "used" flag is published with release order.
 * Change METRICS_VERSION with the layout: an old file is then reset.
 */
#define METRICS_MAGIC	0x314d4653u	/* "SFM1" */
#define METRICS_VERSION	1u
#define METRICS_PROCS	64		/* processes with an in-flight slot */
#define METRICS_LABELS	96		/* (kind, label) counters */
#define METRICS_HISTS	16		/* upstream providers */
#define METRICS_NSTATUS	501		/* 100..599, then "other" */
#define METRICS_NB	12

/* Upper bounds in ms; one more bucket counts everything (+Inf). */
static const unsigned metrics_le_ms[METRICS_NB] = {
	25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 180000,
};

/*
 * Counters of flow_outcome.pay: one slot per outcome from "required" to
 * "replayed" (enum flow_pay order, named by flow_pay_name), then "other"
 * (the demo).  The slots live in the shared metrics file: its layout
 * (METRICS_VERSION) changes if this count does.
 */
#define MP_FIRST	FLOW_PAY_REQUIRED
#define MP_OTHER	(FLOW_PAY_REPLAYED - MP_FIRST + 1)
#define MP__N		(MP_OTHER + 1)
#define MP_SLOT(p)	((p) - MP_FIRST)
_Static_assert(MP__N == 9,
    "the payment outcome slots changed: bump METRICS_VERSION");

struct metrics_hist {
	_Atomic uint64_t	 bucket[METRICS_NB + 1];
	_Atomic uint64_t	 count;
	_Atomic uint64_t	 sum_ms;
};

struct metrics_proc {
	_Atomic int64_t		 pid;		/* 0 = free */
	_Atomic int64_t		 inflight;
};

struct metrics_label {
	_Atomic uint32_t	 used;
	char			 kind[16];
	char			 label[80];
	_Atomic uint64_t	 value;
};

struct metrics_named_hist {
	_Atomic uint32_t	 used;
	char			 name[32];
	struct metrics_hist	 h;
};

struct metrics_file {
	uint32_t			 magic, version;
	char				 endpoint[64];
	_Atomic uint64_t		 status[METRICS_NSTATUS];
	_Atomic uint64_t		 pay[MP__N];
	_Atomic int64_t			 inflight_other; /* no slot left */
	struct metrics_hist		 duration;
	struct metrics_proc		 procs[METRICS_PROCS];
	struct metrics_label		 labels[METRICS_LABELS];
	struct metrics_named_hist	 upstream[METRICS_HISTS];
};

/* This process's mapping (endpoint side). */
static struct metrics_file	*metrics_map;
static struct metrics_proc	*metrics_slot;
static int			 metrics_fd = -1;
static pthread_mutex_t		 metrics_lock = PTHREAD_MUTEX_INITIALIZER;

const char *
metrics_dir(const struct cfg *c, char *buf, size_t sz)
{
	const char	*v, *db, *slash;

	if ((v = cfg_get(c, "METRICS_DIR")) != NULL && *v != '\0') {
		snprintf(buf, sz, "%s", v);
		return buf;
	}
	db = cfg_get_or(c, "DB", "var/ledger.db");
	/* The counters are this host's: a shared database is no folder. */
	if (ledger_uri_is_pg(db))
		snprintf(buf, sz, "var/metrics");
	else if ((slash = strrchr(db, '/')) == NULL)
		snprintf(buf, sz, "metrics");
	else
		snprintf(buf, sz, "%.*s/metrics", (int)(slash - db), db);
	return buf;
}

static int
metrics_alive(int64_t pid)
{
	if (pid <= 0 || pid > INT_MAX)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Safe in a file name and a label: the endpoint names are ours anyway. */
static int
metrics_name_ok(const char *s)
{
	return *s != '\0' && strlen(s) < 64 && strspn(s,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
	    == strlen(s);
}

int
metrics_open(const struct cfg *c, const char *endpoint, struct sf_err *err)
{
	struct metrics_file	*m;
	struct stat		 st;
	char			 dir[PATH_MAX], path[PATH_MAX + 80];
	int64_t			 pid, me = (int64_t)getpid();
	size_t			 i;
	int			 fd;

	if (metrics_map != NULL)
		return 0;
	if (!atomic_is_lock_free(&((struct metrics_file *)NULL)->pay[0]))
		return sf_err_set(err, 500, "metrics_unsupported", NULL,
		    "64-bit atomics are not lock-free here");
	if (!metrics_name_ok(endpoint))
		return sf_err_set(err, 500, "metrics_name", NULL,
		    "endpoint name unsuitable for a metrics file");
	metrics_dir(c, dir, sizeof(dir));
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return sf_err_set(err, 500, "metrics_dir", "METRICS_DIR",
		    "cannot create %s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s.metrics", dir, endpoint);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return sf_err_set(err, 500, "metrics_file", "METRICS_DIR",
		    "%s: %s", path, strerror(errno));
	/* Size and header under the file lock: processes start together. */
	if (flock(fd, LOCK_EX) == -1 || fstat(fd, &st) == -1)
		goto syserr;
	if ((size_t)st.st_size != sizeof(*m) &&
	    (ftruncate(fd, 0) == -1 || ftruncate(fd, sizeof(*m)) == -1))
		goto syserr;
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		goto syserr;
	if (m->magic != METRICS_MAGIC || m->version != METRICS_VERSION) {
		memset(m, 0, sizeof(*m));
		snprintf(m->endpoint, sizeof(m->endpoint), "%s", endpoint);
		m->version = METRICS_VERSION;
		m->magic = METRICS_MAGIC;
	}
	flock(fd, LOCK_UN);
	/* A slot for our in-flight count: free, or left by a dead process. */
	for (i = 0; i < METRICS_PROCS && metrics_slot == NULL; i++) {
		pid = atomic_load(&m->procs[i].pid);
		if (pid == me || ((pid == 0 || !metrics_alive(pid)) &&
		    atomic_compare_exchange_strong(&m->procs[i].pid, &pid, me))) {
			atomic_store(&m->procs[i].inflight, 0);
			metrics_slot = &m->procs[i];
		}
	}
	metrics_fd = fd;
	metrics_map = m;
	return 0;
syserr:
	sf_err_set(err, 500, "metrics_file", "METRICS_DIR", "%s: %s", path,
	    strerror(errno));
	close(fd);
	return -1;
}

void
metrics_close(void)
{
	int64_t	 me = (int64_t)getpid();

	if (metrics_map == NULL)
		return;
	if (metrics_slot != NULL) {
		atomic_store(&metrics_slot->inflight, 0);
		atomic_compare_exchange_strong(&metrics_slot->pid, &me, 0);
	}
	munmap(metrics_map, sizeof(*metrics_map));
	close(metrics_fd);
	metrics_map = NULL;
	metrics_slot = NULL;
	metrics_fd = -1;
}

void
metrics_request_begin(void)
{
	if (metrics_map == NULL)
		return;
	if (metrics_slot != NULL)
		atomic_fetch_add(&metrics_slot->inflight, 1);
	else
		atomic_fetch_add(&metrics_map->inflight_other, 1);
}

static void
metrics_observe(struct metrics_hist *h, long long ms)
{
	size_t	 b;

	if (ms < 0)
		ms = 0;
	for (b = 0; b < METRICS_NB && (unsigned long long)ms >
	    metrics_le_ms[b]; b++)
		continue;
	atomic_fetch_add(&h->bucket[b], 1);
	atomic_fetch_add(&h->count, 1);
	atomic_fetch_add(&h->sum_ms, (uint64_t)ms);
}

/*
 * The counter of (kind, label), adding it on first use.  New labels are
 * rare (a reason, a network, a provider), so they take the locks; the
 * steady state is one scan and an atomic add.
 */
static _Atomic uint64_t *
metrics_label(const char *kind, const char *label)
{
	struct metrics_label	*l;
	_Atomic uint64_t	*v = NULL;
	size_t			 i;

	for (i = 0; i < METRICS_LABELS; i++) {
		l = &metrics_map->labels[i];
		if (!atomic_load_explicit(&l->used, memory_order_acquire))
			break;
		if (strcmp(l->kind, kind) == 0 && strcmp(l->label, label) == 0)
			return &l->value;
	}
	pthread_mutex_lock(&metrics_lock);
	if (flock(metrics_fd, LOCK_EX) == 0) {
		for (i = 0; i < METRICS_LABELS; i++) {
			l = &metrics_map->labels[i];
			if (!atomic_load_explicit(&l->used,
			    memory_order_acquire)) {
				snprintf(l->kind, sizeof(l->kind), "%s", kind);
				snprintf(l->label, sizeof(l->label), "%s",
				    label);
				atomic_store_explicit(&l->used, 1,
				    memory_order_release);
				v = &l->value;
				break;
			}
			if (strcmp(l->kind, kind) == 0 &&
			    strcmp(l->label, label) == 0) {
				v = &l->value;
				break;
			}
		}
		flock(metrics_fd, LOCK_UN);
	}
	pthread_mutex_unlock(&metrics_lock);
	return v;	/* NULL: table full, the sample is dropped */
}

static struct metrics_hist *
metrics_upstream(const char *provider)
{
	struct metrics_named_hist	*n;
	struct metrics_hist		*h = NULL;
	size_t				 i;

	for (i = 0; i < METRICS_HISTS; i++) {
		n = &metrics_map->upstream[i];
		if (!atomic_load_explicit(&n->used, memory_order_acquire))
			break;
		if (strcmp(n->name, provider) == 0)
			return &n->h;
	}
	pthread_mutex_lock(&metrics_lock);
	if (flock(metrics_fd, LOCK_EX) == 0) {
		for (i = 0; i < METRICS_HISTS; i++) {
			n = &metrics_map->upstream[i];
			if (!atomic_load_explicit(&n->used,
			    memory_order_acquire)) {
				snprintf(n->name, sizeof(n->name), "%s",
				    provider);
				atomic_store_explicit(&n->used, 1,
				    memory_order_release);
				h = &n->h;
				break;
			}
			if (strcmp(n->name, provider) == 0) {
				h = &n->h;
				break;
			}
		}
		flock(metrics_fd, LOCK_UN);
	}
	pthread_mutex_unlock(&metrics_lock);
	return h;
}

static void
metrics_count(const char *kind, const char *label, uint64_t n)
{
	_Atomic uint64_t	*v;

	if ((v = metrics_label(kind, label[0] != '\0' ? label : "unknown"))
	    != NULL)
		atomic_fetch_add(v, n);
}

void
metrics_request_end(const struct flow_outcome *o, long long latency_ms)
{
	struct metrics_hist	*h;
	size_t			 p;
	int			 s;

	if (metrics_map == NULL)
		return;
	if (metrics_slot != NULL)
		atomic_fetch_sub(&metrics_slot->inflight, 1);
	else
		atomic_fetch_sub(&metrics_map->inflight_other, 1);
	if (o == NULL)
		return;
	s = o->status >= 100 && o->status <= 599 ? o->status - 100 :
	    METRICS_NSTATUS - 1;
	atomic_fetch_add(&metrics_map->status[s], 1);
	metrics_observe(&metrics_map->duration, latency_ms);
	if (o->pay != FLOW_PAY_NONE) {
		p = o->pay >= MP_FIRST && o->pay <= FLOW_PAY_REPLAYED ?
		    (size_t)MP_SLOT(o->pay) : MP_OTHER;
		atomic_fetch_add(&metrics_map->pay[p], 1);
		if (o->pay == FLOW_PAY_REFUSED)
			metrics_count("refused", o->reason, 1);
		else if (o->pay == FLOW_PAY_SETTLE_FAILED ||
		    o->pay == FLOW_PAY_SETTLE_UNKNOWN)
			metrics_count("settle_failed", o->reason, 1);
	}
	if (o->upstream_ms >= 0 && o->provider[0] != '\0' &&
	    (h = metrics_upstream(o->provider)) != NULL)
		metrics_observe(h, o->upstream_ms);
}

/* ---- ops side ------------------------------------------------------ */

struct metrics_loaded {
	char			 endpoint[64];
	struct metrics_file	*m;
};

static void
metrics_unload(struct metrics_loaded *f, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		munmap(f[i].m, sizeof(*f[i].m));
	free(f);
}

/* Map every valid *.metrics file of dir read-only, sorted by name. */
static int
metrics_load(const char *dir, struct metrics_loaded **out, size_t *np)
{
	struct dirent		**ents;
	struct metrics_loaded	*f;
	struct metrics_file	*m;
	struct stat		 st;
	char			 path[PATH_MAX];
	size_t			 n = 0, len;
	int			 k, i, fd;

	*out = NULL;
	*np = 0;
	/* No directory yet: no endpoint has answered, nothing to count. */
	if ((k = scandir(dir, &ents, NULL, alphasort)) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((f = calloc((size_t)k + 1, sizeof(*f))) == NULL) {
		for (i = 0; i < k; i++)
			free(ents[i]);
		free(ents);
		return -1;
	}
	for (i = 0; i < k; i++) {
		len = strlen(ents[i]->d_name);
		if (len > 8 && strcmp(ents[i]->d_name + len - 8,
		    ".metrics") == 0 && (size_t)snprintf(path, sizeof(path),
		    "%s/%s", dir, ents[i]->d_name) < sizeof(path) &&
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
			m = MAP_FAILED;
			if (fstat(fd, &st) == 0 &&
			    (size_t)st.st_size == sizeof(*m))
				m = mmap(NULL, sizeof(*m), PROT_READ,
				    MAP_SHARED, fd, 0);
			close(fd);
			if (m != MAP_FAILED && (m->magic != METRICS_MAGIC ||
			    m->version != METRICS_VERSION ||
			    !metrics_name_ok(m->endpoint))) {
				munmap(m, sizeof(*m));
				m = MAP_FAILED;
			}
			if (m != MAP_FAILED) {
				snprintf(f[n].endpoint, sizeof(f[n].endpoint),
				    "%s", m->endpoint);
				f[n++].m = m;
			}
		}
		free(ents[i]);
	}
	free(ents);
	*out = f;
	*np = n;
	return 0;
}

/* A label value in the exposition format: \\, \" and \n escaped. */
static void
metrics_lv(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_append(b, s, 1);
	}
}

static void
metrics_family(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
metrics_hist_out(struct buf *b, const char *name, const char *lname,
    const char *lval, const struct metrics_hist *h)
{
	uint64_t	 cum = 0;
	size_t		 i;

	for (i = 0; i <= METRICS_NB; i++) {
		cum += atomic_load(&h->bucket[i]);
		buf_printf(b, "%s_bucket{%s=\"", name, lname);
		metrics_lv(b, lval);
		if (i < METRICS_NB)
			buf_printf(b, "\",le=\"%g\"} %llu\n",
			    metrics_le_ms[i] / 1000.0, (unsigned long long)cum);
		else
			buf_printf(b, "\",le=\"+Inf\"} %llu\n",
			    (unsigned long long)cum);
	}
	buf_printf(b, "%s_sum{%s=\"", name, lname);
	metrics_lv(b, lval);
	buf_printf(b, "\"} %.3f\n", atomic_load(&h->sum_ms) / 1000.0);
	buf_printf(b, "%s_count{%s=\"", name, lname);
	metrics_lv(b, lval);
	buf_printf(b, "\"} %llu\n", (unsigned long long)atomic_load(&h->count));
}

/* Every (endpoint, label) series of one kind. */
static void
metrics_labels_out(struct buf *b, const struct metrics_loaded *f, size_t n,
    const char *kind, const char *name, const char *lname)
{
	const struct metrics_label	*l;
	size_t				 i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < METRICS_LABELS; j++) {
			l = &f[i].m->labels[j];
			if (!atomic_load_explicit(&l->used,
			    memory_order_acquire))
				break;
			if (strcmp(l->kind, kind) != 0)
				continue;
			buf_printf(b, "%s{endpoint=\"%s\",%s=\"", name,
			    f[i].endpoint, lname);
			metrics_lv(b, l->label);
			buf_printf(b, "\"} %llu\n",
			    (unsigned long long)atomic_load(&l->value));
		}
}

static int64_t
metrics_inflight(const struct metrics_file *m, unsigned *nprocs)
{
	int64_t		 sum, v, pid;
	size_t		 i;

	sum = atomic_load(&m->inflight_other);
	*nprocs = 0;
	for (i = 0; i < METRICS_PROCS; i++) {
		pid = atomic_load(&m->procs[i].pid);
		if (pid == 0 || !metrics_alive(pid))
			continue;	/* a crashed process's count is void */
		(*nprocs)++;
		v = atomic_load(&m->procs[i].inflight);
		sum += v > 0 ? v : 0;
	}
	return sum > 0 ? sum : 0;
}

int
metrics_processes(const char *dir,
    void (*cb)(void *, const char *, unsigned), void *arg)
{
	struct metrics_loaded	*f;
	size_t			 n, i;
	unsigned		 np;

	if (metrics_load(dir, &f, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		(void)metrics_inflight(f[i].m, &np);
		cb(arg, f[i].endpoint, np);
	}
	metrics_unload(f, n);
	return 0;
}

/* One provider's upstream histogram summed over every endpoint file. */
static void
metrics_sum_provider(const struct metrics_loaded *f, size_t n,
    const char *provider, struct metrics_hist *agg)
{
	const struct metrics_named_hist	*u;
	size_t				 i, j, k;

	for (i = 0; i < n; i++)
		for (j = 0; j < METRICS_HISTS; j++) {
			u = &f[i].m->upstream[j];
			if (!atomic_load_explicit(&u->used,
			    memory_order_acquire))
				break;
			if (strcmp(u->name, provider) != 0)
				continue;
			for (k = 0; k <= METRICS_NB; k++)
				atomic_fetch_add(&agg->bucket[k],
				    atomic_load(&u->h.bucket[k]));
			atomic_fetch_add(&agg->count, atomic_load(&u->h.count));
			atomic_fetch_add(&agg->sum_ms,
			    atomic_load(&u->h.sum_ms));
		}
}

/* One (endpoint, network, asset) sample of the ledger's figures. */
static void
metrics_rev_line(struct buf *b, const char *name,
    const struct ledger_revenue *r, const char *value)
{
	buf_printf(b, "%s{endpoint=\"", name);
	metrics_lv(b, r->endpoint);
	buf_puts(b, "\",network=\"");
	metrics_lv(b, r->network);
	buf_puts(b, "\",asset=\"");
	metrics_lv(b, r->asset);
	buf_printf(b, "\"} %s\n", value);
}

/*
 * The seller's figures, read from the ledger now: what the ledger says
 * is settled is what was earned, whoever settled it (the request, a
 * retry, settle-pending) and however it was paid (HTTP, MCP).
 */
static void
metrics_ledger_out(struct buf *b, struct ledger *l)
{
	struct ledger_revenue	*rev = NULL;
	struct sf_err		 err;
	size_t			 n = 0, i;
	char			 num[32];
	int			 up;

	sf_err_clear(&err);
	up = l != NULL && ledger_revenue(l, &rev, &n, &err) == 0;
	metrics_family(b, "synthforge_ledger_up", "gauge",
	    "1 when the ledger answered this scrape (the payment and revenue "
	    "figures below come from it), else 0.");
	buf_printf(b, "synthforge_ledger_up %d\n", up);
	if (!up) {
		if (err.message[0] != '\0')
			buf_printf(b, "# ledger: %s\n", err.message);
		return;
	}
	metrics_family(b, "synthforge_payments_settled_total", "counter",
	    "Payments settled, by endpoint, network and asset (the ledger's "
	    "settled rows: synthforge-ctl revenue).");
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "%lld",
		    (long long)rev[i].settled_count);
		metrics_rev_line(b, "synthforge_payments_settled_total",
		    &rev[i], num);
	}
	metrics_family(b, "synthforge_revenue_atomic_total", "counter",
	    "Settled revenue in atomic units of the asset (USDC: 6 "
	    "decimals), by endpoint, network and asset, from the ledger.");
	for (i = 0; i < n; i++)
		metrics_rev_line(b, "synthforge_revenue_atomic_total", &rev[i],
		    rev[i].settled);
	metrics_family(b, "synthforge_revenue_pending_atomic", "gauge",
	    "Revenue of work delivered and not settled yet (delivered, "
	    "settle_failed), atomic units, by endpoint, network and asset.");
	for (i = 0; i < n; i++)
		metrics_rev_line(b, "synthforge_revenue_pending_atomic",
		    &rev[i], rev[i].pending);
	free(rev);
}

int
metrics_public(const struct cfg *c)
{
	const char	*v = cfg_get(c, "METRICS_PUBLIC");

	return !c->any_mainnet || (v != NULL && strcmp(v, "1") == 0);
}

int
metrics_check_cfg(const struct cfg *c, struct sf_err *err)
{
	return cfg_check_oneof(c, "METRICS_PUBLIC", "0|1", err);
}

int
metrics_render(const char *dir, struct ledger *l, struct buf *b,
    struct sf_err *err)
{
	struct metrics_loaded	*f;
	const struct metrics_named_hist *u;
	struct metrics_hist	 agg;
	char			 seen[METRICS_HISTS * 4][32];
	size_t			 n, i, j, k, nseen = 0;
	uint64_t		 v;
	unsigned		 np;

	if (metrics_load(dir, &f, &n) == -1)
		return sf_err_set(err, 503, "metrics_unavailable",
		    "METRICS_DIR", "cannot read %s: %s", dir, strerror(errno));

	metrics_family(b, "synthforge_requests_total", "counter",
	    "Requests answered, by endpoint and HTTP status.");
	for (i = 0; i < n; i++)
		for (j = 0; j < METRICS_NSTATUS; j++)
			if ((v = atomic_load(&f[i].m->status[j])) > 0) {
				if (j + 1 < METRICS_NSTATUS)
					buf_printf(b, "synthforge_requests_total"
					    "{endpoint=\"%s\",status=\"%zu\"} "
					    "%llu\n", f[i].endpoint, j + 100,
					    (unsigned long long)v);
				else
					buf_printf(b, "synthforge_requests_total"
					    "{endpoint=\"%s\",status=\"other\"}"
					    " %llu\n", f[i].endpoint,
					    (unsigned long long)v);
			}

	metrics_family(b, "synthforge_request_duration_seconds", "histogram",
	    "Time from request to answer, by endpoint.");
	for (i = 0; i < n; i++)
		metrics_hist_out(b, "synthforge_request_duration_seconds",
		    "endpoint", f[i].endpoint, &f[i].m->duration);

	metrics_family(b, "synthforge_requests_in_flight", "gauge",
	    "Requests being handled now, by endpoint.");
	for (i = 0; i < n; i++)
		buf_printf(b, "synthforge_requests_in_flight{endpoint=\"%s\"} "
		    "%lld\n", f[i].endpoint,
		    (long long)metrics_inflight(f[i].m, &np));
	metrics_family(b, "synthforge_processes", "gauge",
	    "Live endpoint processes, by endpoint.");
	for (i = 0; i < n; i++) {
		(void)metrics_inflight(f[i].m, &np);
		buf_printf(b, "synthforge_processes{endpoint=\"%s\"} %u\n",
		    f[i].endpoint, np);
	}

	metrics_family(b, "synthforge_payments_total", "counter",
	    "Requests by payment outcome: required (402 asked), refused, "
	    "verified, settled, settle_failed, settle_unknown, work_failed "
	    "(not charged), replayed (stored result), other.");
	for (i = 0; i < n; i++)
		for (j = 0; j < MP__N; j++)
			buf_printf(b, "synthforge_payments_total{endpoint=\"%s\","
			    "result=\"%s\"} %llu\n", f[i].endpoint,
			    j < MP_OTHER ? flow_pay_name((enum flow_pay)(j +
			    MP_FIRST)) : "other", (unsigned long long)
			    atomic_load(&f[i].m->pay[j]));
	metrics_family(b, "synthforge_payments_verified_total", "counter",
	    "Payments that passed verification, by endpoint.");
	for (i = 0; i < n; i++)
		buf_printf(b, "synthforge_payments_verified_total{endpoint="
		    "\"%s\"} %llu\n", f[i].endpoint, (unsigned long long)
		    (atomic_load(&f[i].m->pay[MP_SLOT(FLOW_PAY_VERIFIED)]) +
		    atomic_load(&f[i].m->pay[MP_SLOT(FLOW_PAY_SETTLED)]) +
		    atomic_load(&f[i].m->pay[MP_SLOT(FLOW_PAY_SETTLE_FAILED)]) +
		    atomic_load(&f[i].m->pay[MP_SLOT(FLOW_PAY_SETTLE_UNKNOWN)]) +
		    atomic_load(&f[i].m->pay[MP_SLOT(FLOW_PAY_WORK_FAILED)])));
	metrics_family(b, "synthforge_payments_refused_total", "counter",
	    "Payments refused, by endpoint and x402 reason.");
	metrics_labels_out(b, f, n, "refused",
	    "synthforge_payments_refused_total", "reason");
	metrics_family(b, "synthforge_settlements_failed_total", "counter",
	    "Settlements that failed or stayed unknown after the work was "
	    "done, by reason.");
	metrics_labels_out(b, f, n, "settle_failed",
	    "synthforge_settlements_failed_total", "reason");
	metrics_ledger_out(b, l);

	/* Upstream latency is per provider: sum it over the endpoints. */
	metrics_family(b, "synthforge_upstream_duration_seconds", "histogram",
	    "Time spent in the upstream provider, by provider.");
	for (i = 0; i < n; i++)
		for (j = 0; j < METRICS_HISTS; j++) {
			u = &f[i].m->upstream[j];
			if (!atomic_load_explicit(&u->used,
			    memory_order_acquire))
				break;
			for (k = 0; k < nseen; k++)
				if (strcmp(seen[k], u->name) == 0)
					break;
			if (k < nseen || nseen == sizeof(seen) / sizeof(seen[0]))
				continue;
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", u->name);
			memset(&agg, 0, sizeof(agg));
			metrics_sum_provider(f, n, u->name, &agg);
			metrics_hist_out(b,
			    "synthforge_upstream_duration_seconds", "provider",
			    u->name, &agg);
		}
	metrics_unload(f, n);
	if (b->oom)
		return sf_err_set(err, 500, "out_of_memory", NULL,
		    "out of memory");
	return 0;
}

int
metrics_token_ok(const char *want, const char *auth)
{
	size_t		 i, n;
	unsigned char	 d = 0;

	/* The scheme is case-insensitive; 1*SP separates it (RFC 9110). */
	if (want == NULL || *want == '\0' || auth == NULL ||
	    strncasecmp(auth, "Bearer ", 7) != 0)
		return 0;
	for (auth += 7; *auth == ' '; auth++)
		continue;
	n = strlen(auth);
	if (n != strlen(want))
		return 0;
	for (i = 0; i < n; i++)
		d |= (unsigned char)(auth[i] ^ want[i]);
	return d == 0;
}
