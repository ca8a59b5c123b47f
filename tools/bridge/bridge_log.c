/* stderr logging (bridge_log.h). */
#include "bridge_log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

int blog_level = BLOG_INFO;

void blog(int level, const char *fmt, ...)
{
    if (level > blog_level)
        return;
    static const char *const names[] = {"error", "warning", "info", "debug"};
    static const int prio[] = {3, 4, 6, 7};
    static int journal = -1;
    if (journal < 0)
        journal = getenv("JOURNAL_STREAM") != NULL;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (journal)
        fprintf(stderr, "<%d>%s\n", prio[level], line);
    else
        fprintf(stderr, "ltuya bridge: %s: %s\n", names[level], line);
}
