/* `ltuya __complete ...`: what the shell completions (contrib/completion)
 * cannot read themselves, because it is JSON: the device names in
 * devices.json and the DP codes of one device's mapping. Not a user command
 * (not listed in the help); one word per line on stdout, nothing on error.
 *   ltuya __complete devices [--devices FILE]
 *   ltuya __complete codes DEVICE [--devices FILE]          */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "devices.h"
#include "ltuya/json.h"

/* Print an unescaped JSON string content on its own line. */
static void print_unescaped(ltuya_str_t s)
{
    char buf[256];
    size_t n;
    if (ltuya_json_unescape(s, buf, sizeof buf, &n) == LTUYA_OK && n > 0 && !memchr(buf, '\n', n))
        printf("%.*s\n", (int)n, buf);
}

/* Every device's name (its id when it has none). */
static void print_devices(const char *text, size_t len)
{
    ltuya_json_iter_t it;
    ltuya_str_t obj, val;
    bool is_str;
    if (ltuya_json_iter_init(&it, text, len) != LTUYA_OK)
        return;
    while (ltuya_json_iter_next(&it, NULL, &obj, &is_str) == LTUYA_OK) {
        if (is_str)
            continue;
        if ((ltuya_json_get(obj.ptr, obj.len, "name", &val, &is_str) == LTUYA_OK && is_str &&
             val.len > 0) ||
            (ltuya_json_get(obj.ptr, obj.len, "id", &val, &is_str) == LTUYA_OK && is_str))
            print_unescaped(val);
    }
}

int cli_complete_main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "", *device = NULL, *file = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--devices") && i + 1 < argc)
            file = argv[++i];
        else if (!device)
            device = argv[i];
        else
            return CLI_EXIT_USAGE;
    }
    const char *path = cli_devices_path(file);
    char *text = NULL;
    size_t len = 0;
    if (!path || !cli_devices_load(path, &text, &len))
        return CLI_EXIT_CONFIG;
    int rc = CLI_EXIT_OK;
    if (!strcmp(what, "devices") && !device) {
        print_devices(text, len);
    } else if (!strcmp(what, "codes") && device) {
        static cli_device_entry_t e; /* large: keep it off the stack */
        if (cli_devices_find(text, len, device, &e, true))
            for (size_t i = 0; i < e.map_count; i++)
                if (e.map[i].code[0])
                    printf("%s\n", e.map[i].code);
    } else {
        rc = CLI_EXIT_USAGE;
    }
    free(text);
    return rc;
}
