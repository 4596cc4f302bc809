/*
 * A busy SQLite file at start-up, tried again.
 *
 * Switching a new file to WAL answers SQLITE_BUSY without calling the
 * busy handler when another process does the same at once (every
 * endpoint process opens the ledger when a web server starts them), so
 * sqlite3_busy_timeout alone does not cover it.
 */
#ifndef SQLITE_BUSY_H
#define SQLITE_BUSY_H

#include <sqlite3.h>

/*
 * After a failed statement on db, attempt (0, 1, ...) of a setup: when
 * the failure was SQLITE_BUSY or SQLITE_LOCKED and fewer than 40 attempts
 * were made, sleeps 50 + 10 x attempt ms (about 10 s over all attempts)
 * and returns 1: try the setup again.  Otherwise 0: the failure stands.
 */
int	sqlite_busy_pause(sqlite3 *db, int attempt);

#endif
