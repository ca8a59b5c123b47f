#include "target.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "locate.h"
#include "util.h"

#include <arpa/inet.h>

/* An IPv4 or IPv6 literal (not a name to look up). */
static bool cli_is_address(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

const char cli_target_help[] =
    "device (a name or id from devices.json, or the options below):\n"
    "  DEVICE               name or id in $LTUYA_DEVICES, ./devices.json,\n"
    "                       $XDG_CONFIG_HOME/ltuya/devices.json (~/.config/ltuya/...)\n"
    "                       or --devices FILE (tinytuya wizard format)\n"
    "  --ip ADDR --id ID --key KEY --version V [--port P]\n"
    "                       the device given directly (port 6668 by default;\n"
    "                       the key may come from the LTUYA_KEY variable instead)\n"
    "common options:\n"
    "  -V, --version V      protocol version 3.1 .. 3.5 (overrides devices.json)\n"
    "  -t, --timeout S      reply timeout in seconds, 0.1 .. 600 (default 5)\n"
    "      --device22       query with CONTROL_NEW + null DPs (old 3.2/3.3 firmware)\n"
    "  -j, --json           machine-readable output (shapes in docs/cli.md)\n"
    "  -v, --verbose        log every frame in hex on stderr (never the key)\n"
    "exit status: 0 ok, 1 failed, 2 usage, 3 device not found, 4 cannot connect,\n"
    "  5 no reply, 6 wrong key, 7 device closed after our first frame (wrong\n"
    "  version?), 8 device accepts no connection (another client holds it),\n"
    "  9 device refused, 10 sent but the device did not confirm the new value,\n"
    "  130 interrupted (Ctrl-C)\n";

int cli_target_option(cli_target_t *t, int opt, const char *arg)
{
    unsigned long n;
    switch (opt) {
    case 1001:
        if (!cli_arg_host(arg, "--ip"))
            return -1;
        t->ip = arg;
        return 1;
    case 1002:
        if (!*arg || strlen(arg) > LTUYA_MAX_ID) {
            fprintf(stderr, "ltuya: --id wants the device id, 1 to %d characters (got %zu)\n",
                    LTUYA_MAX_ID, strlen(arg));
            return -1;
        }
        t->id = arg;
        return 1;
    case 1003:
        t->key = arg;
        return 1;
    case 'V':
        if (!cli_arg_version(arg, "", &t->ver))
            return -1;
        t->version_given = true;
        return 1;
    case 1004:
        if (!cli_arg_uint(arg, 1, 65535, "--port", &n))
            return -1;
        t->port = (unsigned)n;
        return 1;
    case 1005:
        t->devices_file = arg;
        return 1;
    case 't':
        return cli_arg_seconds(arg, 0.1, 600, "--timeout", &t->timeout_s) ? 1 : -1;
    case 'j':
        t->json = true;
        return 1;
    case 'v':
        t->verbose++;
        return 1;
    case 1006:
        t->device22 = true;
        return 1;
    default:
        return 0;
    }
}

int cli_target_positionals(cli_target_t *t, int argc, char **argv, int first, int max_extra,
                           const char *cmd)
{
    int i = first;
    if (!t->ip && i < argc)
        t->name = argv[i++];
    if (!t->ip && !t->name) {
        fprintf(stderr,
                "ltuya %s: which device? Give a DEVICE name or id from devices.json, or\n"
                "  --ip ADDR --id ID --key KEY (see 'ltuya %s --help')\n",
                cmd, cmd);
        return 2;
    }
    for (; i < argc; i++) {
        if (t->npos >= max_extra || t->npos >= CLI_MAX_POS) {
            fprintf(stderr, "ltuya %s: unexpected argument '%s'%s\n", cmd, argv[i],
                    max_extra ? " (too many)" : " (one device per command)");
            return 2;
        }
        t->pos[t->npos++] = argv[i];
    }
    return 0;
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

/* The one push handler the library calls; it fans out to the confirmation
 * of a write and to the command's own handler. */
static void dispatch_push(void *user, const ltuya_dps_t *dps)
{
    cli_target_t *t = user;
    if (t->confirm_push)
        t->confirm_push(t->confirm_user, dps);
    if (t->on_push)
        t->on_push(t->push_user, dps);
}

/* Name, devices.json, then the environment fill in what the options left out. */
static int resolve(cli_target_t *t, const char **ip, const char **id, const char **key)
{
    *ip = t->ip;
    *id = t->id;
    *key = t->key;
    if (t->name) {
        int rc = cli_devices_resolve(t->devices_file, t->name, &t->entry);
        if (rc)
            return rc;
        *ip = *ip ? *ip : (t->entry.ip[0] ? t->entry.ip : NULL);
        *id = *id ? *id : t->entry.id;
        *key = *key ? *key : (t->entry.key[0] ? t->entry.key : NULL);
        if (!t->version_given && t->entry.version[0] &&
            !cli_arg_version(t->entry.version, " in devices.json", &t->ver))
            return CLI_EXIT_USAGE;
        t->version_given |= t->entry.version[0] != 0;
        if (!t->port && t->entry.port)
            t->port = t->entry.port;
        if (!*ip && t->addresses_only) {
            fprintf(stderr,
                    "ltuya: %s has no ip in devices.json; with several devices it is not\n"
                    "  searched for by its beacon: add its ip ('ltuya scan' shows it)\n",
                    t->name);
            return CLI_EXIT_CONFIG;
        }
        if (!*ip) {
            /* an id-only entry: find the device by its beacon, as tinytuya does */
            static char found_ip[40], found_ver[8];
            rc = cli_locate(*id, 6, found_ip, sizeof found_ip, found_ver, sizeof found_ver);
            if (rc)
                return rc;
            *ip = found_ip;
            if (!t->version_given && found_ver[0] &&
                cli_arg_version(found_ver, " (beacon)", &t->ver))
                t->version_given = true;
        }
    }
    if (!*key) /* keeps the key out of shell history and `ps` */
        *key = getenv("LTUYA_KEY");
    if (!*id) {
        fprintf(stderr, "ltuya: no device id: give --id ID (20-22 characters; 'ltuya scan' "
                        "shows it)\n");
        return CLI_EXIT_USAGE;
    }
    if (!*key) {
        fprintf(stderr,
                "ltuya: no local key for %s: give --key KEY or set LTUYA_KEY (the\n"
                "       16-character key from 'python -m tinytuya wizard')\n",
                *id);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_target_open(cli_target_t *t, bool keep_alive)
{
    static char raw_key[17];
    const char *ip, *id, *key;
    int rc = resolve(t, &ip, &id, &key);
    if (rc)
        return rc;
    uint8_t k[16];
    if (!cli_parse_key(key, k, t->key ? "--key" : "the local key"))
        return CLI_EXIT_USAGE;
    if (strlen(key) != 16) {
        /* 32 hex digits: the raw key, usable when it is text as the library wants */
        if (memchr(k, 0, 16)) {
            fprintf(stderr, "ltuya: this key's bytes contain a zero; give the 16-character "
                            "key instead\n");
            return CLI_EXIT_USAGE;
        }
        memcpy(raw_key, k, 16);
        raw_key[16] = 0;
        key = raw_key;
    }
    if (t->addresses_only && !cli_is_address(ip)) {
        fprintf(stderr,
                "ltuya: %s: '%s' is a host name; with several devices give addresses (the\n"
                "  engine does not look names up)\n",
                t->name ? t->name : id, ip);
        return CLI_EXIT_USAGE;
    }
    if (!t->version_given)
        t->ver = LTUYA_V33;
    t->host = ip;
    t->dev_id = id;
    t->rport = t->port ? t->port : 6668;
    ltuya_posix_init();
    ltuya_posix_tcp_init(&t->tcp, &t->transport);
    ltuya_device_opts_t o;
    memset(&o, 0, sizeof o);
    o.client.host = ip;
    o.client.port = (uint16_t)t->rport;
    o.client.dev_id = id;
    o.client.local_key = key;
    o.client.version = t->ver;
    o.client.device22 = t->device22;
    o.client.reply_timeout_ms = t->timeout_s > 0 ? (uint32_t)(t->timeout_s * 1000) : 0;
    o.client.on_frame = t->verbose ? log_frame : NULL;
    o.client.on_push = dispatch_push;
    o.client.user = t;
    o.client.transport = &t->transport;
    o.client.clock = ltuya_posix_clock();
    o.keep_alive = keep_alive;
    if (t->entry.map_count)
        cli_devices_energy_map(&t->entry, &o.energy);
    t->energy = o.energy;
    ltuya_status_t st = ltuya_device_init(&t->dev, &o, t->rx, sizeof t->rx, t->tx, sizeof t->tx);
    if (st != LTUYA_OK) {
        fprintf(stderr, "ltuya: %s\n", ltuya_status_str(st));
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

void cli_target_json_head(const cli_target_t *t)
{
    printf("{\"id\":");
    cli_json_string(stdout, t->dev_id, strlen(t->dev_id));
    if (t->entry.name[0]) {
        printf(",\"name\":");
        cli_json_string(stdout, t->entry.name, strlen(t->entry.name));
    }
}

int cli_target_fail(cli_target_t *t, ltuya_status_t st, const char *what)
{
    const char *host = t->host;
    unsigned port = t->rport;
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
        if (st == LTUYA_ERR_TIMEOUT && ltuya_device_frames_seen(&t->dev)) {
            /* frames came but not the answer: a device of another version answers
             * in a form this one does not take for a reply (3.3 to a 3.1 query) */
            fprintf(stderr,
                    "  The device sent frames on this connection but no answer to this request:\n"
                    "  the protocol version (%s) is probably wrong ('ltuya probe' finds it);\n"
                    "  if it worked before, it was busy: try again.\n",
                    v);
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
                "  is probably not %s ('ltuya scan' or 'ltuya probe' shows it).\n",
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
                "  version (%s) or the local key is wrong ('ltuya probe' finds the version).\n",
                v);
        return CLI_EXIT_REJECTED;
    case LTUYA_ERR_CONN_LIMIT:
        fprintf(stderr,
                "  The device closes every new connection: another client holds its only\n"
                "  slot. Close the Smart Life app (or Home Assistant, tinytuya...) and retry.\n");
        return CLI_EXIT_BUSY;
    case LTUYA_ERR_DEVICE: {
        const char *said = ltuya_device_last_error(&t->dev);
        fprintf(stderr, "  The device said: %s\n", said);
        if (strstr(said, "data format error")) {
            if (t->ver == LTUYA_V31 && strcmp(what, "status") != 0)
                /* 3.1 reads are plaintext and work with any key; only writes are
                 * encrypted, so a refused write is the key's fault */
                fprintf(stderr,
                        "  On 3.1 only writes use the key: the local key is probably wrong\n"
                        "  (it changes when the device is re-paired; fetch it again).\n");
            else
                fprintf(stderr, "  (old firmware may need --device22; some refuse several DPs "
                                "at once)\n");
        }
        return CLI_EXIT_DEVICE;
    }
    case LTUYA_ERR_CLOSED:
    case LTUYA_ERR_RESET:
        fprintf(stderr, "  The device dropped the connection. Another client may have taken it.\n");
        return CLI_EXIT_REJECTED;
    default:
        return CLI_EXIT_FAIL;
    }
}

void cli_target_close(cli_target_t *t)
{
    ltuya_device_deinit(&t->dev);
}
