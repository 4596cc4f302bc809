#include <time.h>

#include <sqlite3.h>

#include "ledger/sqlite/sqlite_busy.h"

int
sqlite_busy_pause(sqlite3 *db, int attempt)
{
	struct timespec	 ts;
	int		 rc = sqlite3_errcode(db) & 0xff;

	if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || attempt >= 40)
		return 0;
	ts.tv_sec = 0;
	ts.tv_nsec = (50 + 10L * attempt) * 1000000L;
	nanosleep(&ts, NULL);
	return 1;
}
