#include "target.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

const char cli_target_help[] =
    "device (a name or id from devices.json, or the four options below):\n"
    "  DEVICE               name or id in ./devices.json, ~/.config/ltuya/devices.json\n"
    "                       or --devices FILE (tinytuya wizard format)\n"
    "  --ip ADDR --id ID --key KEY --version V [--port P]\n"
    "                       the device given directly (port 6668 by default;\n"
    "                       the key may come from the LTUYA_KEY variable instead)\n"
    "common options:\n"
    "  -V, --version V      protocol version 3.1 .. 3.5 (overrides devices.json)\n"
    "  -t, --timeout S      reply timeout in seconds (default 5)\n"
    "      --device22       query with CONTROL_NEW + null DPs (old 3.2/3.3 firmware)\n"
    "  -j, --json           machine-readable output\n"
    "  -v, --verbose        log every frame in hex on stderr (never the key)\n"
    "exit status: 0 ok, 2 usage, 3 device not found, 4 cannot connect, 5 no reply,\n"
    "  6 wrong key, 7 device closed after our first frame (wrong version?),\n"
    "  8 device accepts no connection (another client holds it), 9 device refused\n";

bool cli_target_option(cli_target_t *t, int opt, const char *arg)
{
    switch (opt) {
    case 1001:
        t->ip = arg;
        return true;
    case 1002:
        t->id = arg;
        return true;
    case 1003:
        t->key = arg;
        return true;
    case 'V':
        t->version = arg;
        return true;
    case 1004:
        t->port = (unsigned)atoi(arg);
        return true;
    case 1005:
        t->devices_file = arg;
        return true;
    case 't':
        t->timeout_s = atof(arg);
        return true;
    case 'j':
        t->json = true;
        return true;
    case 'v':
        t->verbose++;
        return true;
    case 1006:
        t->device22 = true;
        return true;
    default:
        return false;
    }
}

static void log_frame(void *user, bool outgoing, const uint8_t *raw, size_t len,
                      const ltuya_frame_t *f, ltuya_status_t st)
{
    (void)user;
    /* An incoming frame comes twice: as received (printed as hex, so the line
     * can be fed to `ltuya decode`), then decoded in place (printed as text). */
    bool received = !outgoing && st == LTUYA_NEED_MORE && !f;
    if (outgoing || received) {
        fprintf(stderr, "%s %zu bytes: ", outgoing ? ">>" : "<<", len);
        cli_print_hex(stderr, raw, len);
        fputc('\n', stderr);
        return;
    }
    if (f) {
        const char *name = ltuya_cmd_name(f->cmd);
        fprintf(stderr, "   cmd %u %s, seq %u", (unsigned)f->cmd, name ? name : "?",
                (unsigned)f->seq);
        if (f->has_retcode)
            fprintf(stderr, ", retcode %u", (unsigned)f->retcode);
        if (f->payload_len && cli_is_text(f->payload, f->payload_len))
            fprintf(stderr, ": %.*s", (int)f->payload_len, (const char *)f->payload);
    } else {
        fprintf(stderr, "   (%s)", ltuya_status_str(st));
    }
    fputc('\n', stderr);
}

int cli_target_open(cli_target_t *t, bool keep_alive)
{
    const char *ip = t->ip, *id = t->id, *key = t->key, *ver = t->version;
    if (t->name) {
        const char *path = cli_devices_path(t->devices_file);
        char *text = NULL;
        size_t len = 0;
        if (!path) {
            fprintf(
                stderr,
                "ltuya: no devices.json found (looked in ./devices.json and "
                "~/.config/ltuya/devices.json).\n"
                "       Give --devices FILE, or the device directly: --ip --id --key --version\n");
            return CLI_EXIT_CONFIG;
        }
        if (!cli_devices_load(path, &text, &len))
            return CLI_EXIT_CONFIG;
        bool found = cli_devices_find(text, len, t->name, &t->entry, false);
        free(text);
        if (!found) {
            fprintf(stderr, "ltuya: no device named '%s' in %s\n", t->name, path);
            return CLI_EXIT_CONFIG;
        }
        ip = ip ? ip : t->entry.ip;
        id = id ? id : t->entry.id;
        key = key ? key : t->entry.key;
        ver = ver ? ver : (t->entry.version[0] ? t->entry.version : NULL);
    }
    if (!key) /* keeps the key out of shell history and `ps` */
        key = getenv("LTUYA_KEY");
    if (!ip || !*ip || !id || !key) {
        fprintf(stderr, "ltuya: which device? Give a DEVICE name from devices.json, or --ip, "
                        "--id and --key (and --version)\n");
        return t->name ? CLI_EXIT_CONFIG : CLI_EXIT_USAGE;
    }
    if (strlen(key) != 16) {
        uint8_t k[16];
        (void)cli_parse_key(key, k, "the local key");
        return t->name ? CLI_EXIT_CONFIG : CLI_EXIT_USAGE;
    }
    t->ver = LTUYA_V33;
    if (ver && ltuya_version_parse(ver, &t->ver) != LTUYA_OK) {
        fprintf(stderr,
                "ltuya: unknown protocol version '%s' (3.1 .. 3.5; 'ltuya scan' shows it)\n", ver);
        return CLI_EXIT_USAGE;
    }
    ltuya_posix_init();
    ltuya_posix_tcp_init(&t->tcp, &t->transport);
    ltuya_device_opts_t o;
    memset(&o, 0, sizeof o);
    o.client.host = ip;
    o.client.port = (uint16_t)(t->port ? t->port : 6668);
    o.client.dev_id = id;
    o.client.local_key = key;
    o.client.version = t->ver;
    o.client.device22 = t->device22;
    o.client.reply_timeout_ms = t->timeout_s > 0 ? (uint32_t)(t->timeout_s * 1000) : 0;
    o.client.on_frame = t->verbose ? log_frame : NULL;
    o.client.transport = &t->transport;
    o.client.clock = ltuya_posix_clock();
    o.keep_alive = keep_alive;
    if (t->entry.map_count)
        cli_devices_energy_map(&t->entry, &o.energy);
    ltuya_status_t st = ltuya_device_init(&t->dev, &o, t->rx, sizeof t->rx, t->tx, sizeof t->tx);
    if (st != LTUYA_OK) {
        fprintf(stderr, "ltuya: %s\n", ltuya_status_str(st));
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_target_fail(cli_target_t *t, ltuya_status_t st, const char *what)
{
    const char *host = t->dev.client.host;
    unsigned port = t->dev.client.opts.port;
    const char *v = ltuya_version_str(t->ver);
    fprintf(stderr, "ltuya: %s failed: %s\n", what, ltuya_status_str(st));
    switch (st) {
    case LTUYA_ERR_REFUSED:
        fprintf(stderr,
                "  Nothing listens on %s:%u. Check the IP address ('ltuya scan' lists\n"
                "  devices) and that the device is powered.\n",
                host, port);
        return CLI_EXIT_CONNECT;
    case LTUYA_ERR_UNREACHABLE:
    case LTUYA_ERR_TIMEOUT:
        if (st == LTUYA_ERR_TIMEOUT && t->dev.client.frames_seen) {
            fprintf(stderr, "  The device answered before but not this time; try again.\n");
            return CLI_EXIT_NO_REPLY;
        }
        fprintf(stderr,
                "  %s:%u cannot be reached. Is the device on the same network and\n"
                "  powered? Devices change IP addresses: 'ltuya scan' finds them.\n",
                host, port);
        return CLI_EXIT_CONNECT;
    case LTUYA_ERR_NO_REPLY:
        fprintf(stderr,
                "  It accepted the connection but never answered. The protocol version\n"
                "  is probably not %s ('ltuya scan' shows each device's version).\n",
                v);
        return CLI_EXIT_NO_REPLY;
    case LTUYA_ERR_WRONG_KEY:
        fprintf(stderr, "  The local key does not match the device's. It changes every time the\n"
                        "  device is removed and re-added in the Smart Life app: fetch it again\n"
                        "  ('python -m tinytuya wizard').\n");
        return CLI_EXIT_KEY;
    case LTUYA_ERR_REJECTED:
        fprintf(stderr,
                "  The device closed the connection after our first frame: the protocol\n"
                "  version (%s) or the local key is wrong ('ltuya scan' shows the version).\n",
                v);
        return CLI_EXIT_REJECTED;
    case LTUYA_ERR_CONN_LIMIT:
        fprintf(stderr,
                "  The device closes every new connection: another client holds its only\n"
                "  slot. Close the Smart Life app (or Home Assistant, tinytuya...) and retry.\n");
        return CLI_EXIT_BUSY;
    case LTUYA_ERR_DEVICE:
        fprintf(stderr, "  The device said: %s\n", ltuya_device_last_error(&t->dev));
        if (strstr(ltuya_device_last_error(&t->dev), "data format error"))
            fprintf(stderr,
                    "  (old firmware may need --device22; some refuse several DPs at once)\n");
        return CLI_EXIT_DEVICE;
    case LTUYA_ERR_CLOSED:
    case LTUYA_ERR_RESET:
        fprintf(stderr, "  The device dropped the connection. Another client may have taken it.\n");
        return CLI_EXIT_REJECTED;
    case LTUYA_ERR_NOT_FOUND:
        return CLI_EXIT_FAIL;
    default:
        return CLI_EXIT_FAIL;
    }
}

void cli_target_close(cli_target_t *t)
{
    ltuya_device_deinit(&t->dev);
}
