/*
 * Which database a ledger or demo unit test runs on.  Without SF_TEST_PG
 * the SQLite file given; with it (a PostgreSQL URI ending in "/", set by
 * `node tests/lib/pg.mjs`, see `make unit-pg`) a fresh database of that
 * name on that server, dropped and created here, so each run starts
 * empty.  Both backends must pass the same assertions.
 */
#ifndef SF_PGTEST_H
#define SF_PGTEST_H

#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

static inline int
pgtest_on(void)
{
	const char	*b = getenv("SF_TEST_PG");

	return b != NULL && *b != '\0';
}

/* out = the URI or path; -1 when the fresh database cannot be made. */
static inline int
pgtest_db(const char *name, const char *sqlite_path, char *out, size_t sz)
{
	const char	*base = getenv("SF_TEST_PG");
	char		 admin[512], sql[160];
	PGconn		*c;
	PGresult	*r;
	int		 ok;

	if (!pgtest_on()) {
		if (out != sqlite_path)
			snprintf(out, sz, "%s", sqlite_path);
		return 0;
	}
	snprintf(admin, sizeof(admin), "%spostgres", base);
	if ((c = PQconnectdb(admin)) == NULL || PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "# pgtest: %s\n", c ? PQerrorMessage(c) : "oom");
		PQfinish(c);
		return -1;
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	    name);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "# pgtest: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	snprintf(out, sz, "%s%s", base, name);
	return ok ? 0 : -1;
}

/* One statement on the test database (to age rows, bump versions). */
static inline int
pgtest_exec(const char *uri, const char *sql)
{
	PGconn		*c = PQconnectdb(uri);
	PGresult	*r;
	int		 ok;

	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		return -1;
	}
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

#endif
