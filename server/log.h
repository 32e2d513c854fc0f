/*
 * log.h — one line per event on stderr, key=value, PostgreSQL's message
 * style.  Never a full phone number, a token or an appeal's text above
 * debug level: callers pass identifiers, not content.
 */
#ifndef MINHU_SERVER_LOG_H
#define MINHU_SERVER_LOG_H

typedef enum LogLevel { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR } LogLevel;

void log_set_level(LogLevel level);
int log_level_parse(const char *name); /* -1 when unknown */

/* Writes "ts=... level=... " + the formatted key=value text + "\n". */
void log_msg(LogLevel level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
