/*
 * verify.h — `minhu-admin verify`: recomputes the hash chain of every
 * ticket's event log (sql/009_audit.sql) and reports the first broken link
 * of each ticket.
 */
#ifndef MINHU_TOOLS_VERIFY_H
#define MINHU_TOOLS_VERIFY_H

#include <libpq-fe.h>

/* The command's --help text. */
extern const char verify_usage[];

/*
 * Checks every chain in the database on conn (a connection set up by
 * db_sync_connect; borrowed).  Prints one line per broken ticket on stdout
 * ("broken ticket=NUMBER id=UUID seq=N problem=..."), then a summary on
 * stderr.  Returns 0 when every chain holds, 1 when one is broken or the
 * check could not run (after printing why).
 */
int verify_run(PGconn *conn);

#endif
