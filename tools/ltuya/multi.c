#include "multi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "devices.h"
#include "ltuya_uv.h"

typedef struct {
    ltuya_uv_t uv;
    ltuya_uv_dev_t *uds; /* one per device, beside m->devs */
} loop_t;

static void add_name(void *user, const cli_device_entry_t *e)
{
    char ***names = ((void **)user)[0];
    size_t *n = ((void **)user)[1];
    char **grown = realloc(*names, (*n + 1) * sizeof **names);
    if (!grown)
        return;
    *names = grown;
    /* by id: names may repeat or be absent, ids may not */
    if (((*names)[*n] = strdup(e->id)) != NULL)
        (*n)++;
}

int cli_multi_names(const char *list, bool all, const char *devices_file, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    if (all) {
        const char *path = cli_devices_path(devices_file);
        char *text;
        size_t len;
        if (!path) {
            fprintf(stderr, "ltuya: --all: no devices.json found (give --devices FILE)\n");
            return CLI_EXIT_CONFIG;
        }
        if (!cli_devices_load(path, &text, &len))
            return CLI_EXIT_CONFIG;
        void *user[2] = {names, n};
        bool ok = cli_devices_each(text, len, add_name, user);
        free(text);
        if (!ok || !*n) {
            if (ok)
                fprintf(stderr, "ltuya: --all: %s lists no devices\n", path);
            cli_multi_names_free(*names, *n);
            return CLI_EXIT_CONFIG;
        }
        return 0;
    }
    for (const char *p = list;; p++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (!len) {
            fprintf(stderr, "ltuya: '%s': an empty device name in the list\n", list);
            cli_multi_names_free(*names, *n);
            return CLI_EXIT_USAGE;
        }
        char **grown = realloc(*names, (*n + 1) * sizeof **names);
        if (!grown || !((*names = grown)[*n] = strndup(p, len))) {
            cli_multi_names_free(*names, *n);
            return CLI_EXIT_FAIL;
        }
        (*n)++;
        if (!end)
            return 0;
        p = end;
    }
}

void cli_multi_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

const char *cli_multi_label(const cli_multi_dev_t *d)
{
    static char buf[160];
    const cli_target_t *t = d->t;
    const char *id = t->dev_id ? t->dev_id : t->name;
    if (t->entry.name[0] && strcmp(t->entry.name, id))
        snprintf(buf, sizeof buf, "%s (%s)", t->entry.name, id);
    else
        snprintf(buf, sizeof buf, "%s", id ? id : "?");
    return buf;
}

ltuya_engine_dev_t *cli_multi_engine(cli_multi_dev_t *d)
{
    loop_t *l = d->m->uv;
    return &l->uds[d - d->m->devs].ed;
}

static void start_next(cli_multi_t *m)
{
    while (m->running < m->jobs && m->next < m->n) {
        cli_multi_dev_t *d = &m->devs[m->next++];
        if (d->done)
            continue; /* failed while opening */
        m->running++;
        int rc = m->start(d);
        if (rc && !d->done)
            cli_multi_done(d, rc);
    }
}

void cli_multi_done(cli_multi_dev_t *d, int rc)
{
    if (d->done)
        return;
    d->done = true;
    d->rc = rc;
    if (rc && !d->error)
        d->error = "failed";
    d->m->report(d);
    fflush(stdout);
    if (d->added) {
        d->m->running--;
        start_next(d->m);
    }
}

void cli_multi_fail(cli_multi_dev_t *d, ltuya_status_t st, const char *what)
{
    fprintf(stderr, "ltuya: %s:\n", cli_multi_label(d));
    d->error = ltuya_status_str(st);
    cli_multi_done(d, cli_target_fail(d->t, st, what));
}

int cli_multi_run(cli_multi_t *m)
{
    loop_t *l = calloc(1, sizeof *l);
    if (!l || !(l->uds = calloc(m->n, sizeof *l->uds))) {
        free(l);
        fprintf(stderr, "ltuya: out of memory for %zu devices\n", m->n);
        return CLI_EXIT_FAIL;
    }
    m->uv = l;
    ltuya_uv_init(&l->uv, uv_default_loop());
    for (size_t i = 0; i < m->n; i++) {
        cli_multi_dev_t *d = &m->devs[i];
        d->m = m;
        d->t->addresses_only = true;
        int rc = cli_target_open(d->t, false);
        if (rc) {
            fprintf(stderr, "ltuya: %s: the device above cannot be used\n", d->t->name);
            d->error = "cannot open (see the message on stderr)";
            cli_multi_done(d, rc);
            continue;
        }
        if (ltuya_uv_add(&l->uv, &l->uds[i], &d->t->dev, NULL) != 0) {
            d->error = "cannot add it to the loop";
            cli_multi_done(d, CLI_EXIT_FAIL);
            continue;
        }
        d->added = true;
    }
    start_next(m);
    uv_run(l->uv.loop, UV_RUN_DEFAULT);
    int rc = 0;
    size_t failed = 0;
    for (size_t i = 0; i < m->n; i++) {
        cli_multi_dev_t *d = &m->devs[i];
        if (!d->done) { /* cannot happen: every request ends once */
            d->error = "no answer";
            cli_multi_done(d, CLI_EXIT_FAIL);
        }
        if (d->added)
            ltuya_uv_remove(&l->uds[i], NULL);
        if (!d->rc)
            continue;
        rc = !failed || rc == d->rc ? d->rc : CLI_EXIT_FAIL;
        failed++;
    }
    uv_run(l->uv.loop, UV_RUN_DEFAULT); /* let libuv close the handles */
    for (size_t i = 0; i < m->n; i++)
        if (m->devs[i].added)
            cli_target_close(m->devs[i].t);
    uv_loop_close(l->uv.loop);
    free(l->uds);
    free(l);
    if (failed) {
        fprintf(stderr, "ltuya %s: %zu of %zu devices failed:", m->verb, failed, m->n);
        for (size_t i = 0; i < m->n; i++)
            if (m->devs[i].rc)
                fprintf(stderr, " %s (exit %d)%s", cli_multi_label(&m->devs[i]), m->devs[i].rc,
                        --failed ? "," : "\n");
    }
    return rc;
}
