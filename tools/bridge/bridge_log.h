/* Logging to stderr with levels (systemd-friendly: one line per message,
 * with the sd-daemon priority prefix when stderr goes to the journal).
 * Nothing that holds a local key or a password is ever passed here. */
#ifndef LTUYA_BRIDGE_LOG_H
#define LTUYA_BRIDGE_LOG_H

enum { BLOG_ERROR = 0, BLOG_WARN = 1, BLOG_INFO = 2, BLOG_DEBUG = 3 };

extern int blog_level;
void blog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
