/* `ltuya bridge`: options, settings precedence, the loop. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "bridge_log.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: ltuya bridge --mqtt mqtt://HOST:PORT --devices devices.json [options]\n"
               "\n"
               "Every device of devices.json (tinytuya's format) on an MQTT broker, with Home\n"
               "Assistant discovery. Runs in the foreground; logs go to stderr. SIGHUP reloads\n"
               "devices.json; SIGTERM publishes the bridge offline and exits.\n"
               "\n"
               "options:\n"
               "  --mqtt URL               mqtt://[user[:password]@]host[:port] or mqtts://...\n"
               "  --devices FILE           the device list (tinytuya's devices.json)\n"
               "  --config FILE            settings as one JSON object (docs/bridge.md)\n"
               "  --base-topic T           topic prefix (default ltuya)\n"
               "  --discovery-prefix P     Home Assistant's prefix (default homeassistant)\n"
               "  --discovery MODE         device (default), entity (older Home Assistant) or off\n"
               "  --state-dir DIR          where the kWh counters are kept (state.json)\n"
               "  --client-id ID           MQTT client id (default ltuya-bridge-<base topic>)\n"
               "  --protocol V             3.1.1 (default) or 5\n"
               "  --keepalive S            MQTT keepalive in seconds (default 60)\n"
               "  --ca-file F, --ca-path D, --cert-file F, --key-file F   TLS\n"
               "  --tls-insecure           do not check the broker's host name (test brokers)\n"
               "  --energy-interval S      refresh energy readings at most every S s (default 15)\n"
               "  --min-write-interval MS  at least MS between two writes to one device\n"
               "  --health-interval S      bridge/health every S s (default 60)\n"
               "  --no-retain-state        publish device state without the retain flag\n"
               "  --log-level L            error, warning, info (default) or debug\n"
               "  --beacon-port P          listen for device beacons on UDP P (repeatable;\n"
               "                           default 6666, 6667, 7000): moved devices are re-learnt\n"
               "  --no-beacons             do not listen for beacons\n"
               "\n"
               "The MQTT user name and password may also come from LTUYA_BRIDGE_USERNAME and\n"
               "LTUYA_BRIDGE_PASSWORD (precedence: URL, environment, config file).\n"
               "Exit: 0 stopped by a signal, 2 bad options, 3 unusable configuration.\n");
}

static bool copy_opt(char *dst, size_t cap, const char *v, const char *name)
{
    if (strlen(v) >= cap) {
        fprintf(stderr, "ltuya bridge: %s is too long\n", name);
        return false;
    }
    snprintf(dst, cap, "%s", v);
    return true;
}

static bool uint_opt(const char *v, long lo, long hi, long *out, const char *name)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < lo || x > hi) {
        fprintf(stderr, "ltuya bridge: %s must be a number from %ld to %ld\n", name, lo, hi);
        return false;
    }
    *out = x;
    return true;
}

int ltuya_bridge_main(int argc, char **argv)
{
    enum {
        O_MQTT = 256,
        O_DEVICES,
        O_CONFIG,
        O_BASE,
        O_DPREFIX,
        O_DISC,
        O_STATE,
        O_CLIENT,
        O_PROTO,
        O_KEEP,
        O_CA,
        O_CAPATH,
        O_CERT,
        O_KEY,
        O_INSECURE,
        O_ENERGY,
        O_MINW,
        O_HEALTH,
        O_NORETAIN,
        O_LOG,
        O_NOBEACONS,
        O_BEACONPORT
    };
    static const struct option opts[] = {
        {"mqtt", required_argument, 0, O_MQTT},
        {"devices", required_argument, 0, O_DEVICES},
        {"config", required_argument, 0, O_CONFIG},
        {"base-topic", required_argument, 0, O_BASE},
        {"discovery-prefix", required_argument, 0, O_DPREFIX},
        {"discovery", required_argument, 0, O_DISC},
        {"state-dir", required_argument, 0, O_STATE},
        {"client-id", required_argument, 0, O_CLIENT},
        {"protocol", required_argument, 0, O_PROTO},
        {"keepalive", required_argument, 0, O_KEEP},
        {"ca-file", required_argument, 0, O_CA},
        {"ca-path", required_argument, 0, O_CAPATH},
        {"cert-file", required_argument, 0, O_CERT},
        {"key-file", required_argument, 0, O_KEY},
        {"tls-insecure", no_argument, 0, O_INSECURE},
        {"energy-interval", required_argument, 0, O_ENERGY},
        {"min-write-interval", required_argument, 0, O_MINW},
        {"health-interval", required_argument, 0, O_HEALTH},
        {"no-retain-state", no_argument, 0, O_NORETAIN},
        {"log-level", required_argument, 0, O_LOG},
        {"no-beacons", no_argument, 0, O_NOBEACONS},
        {"beacon-port", required_argument, 0, O_BEACONPORT},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    static bridge_t b; /* large; one per process */
    memset(&b, 0, sizeof b);
    bridge_settings_defaults(&b.s);

    /* the config file first: flags and the environment override it */
    const char *config = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            config = argv[i] + 9;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
    }
    if (config) {
        size_t len;
        char *text = bridge_read_file(config, &len);
        char err[200];
        if (!text) {
            fprintf(stderr, "ltuya bridge: cannot read %s\n", config);
            return 3;
        }
        bool ok = bridge_settings_apply_json(&b.s, text, len, err, sizeof err);
        memset(text, 0, len); /* it may hold the MQTT password */
        free(text);
        if (!ok) {
            fprintf(stderr, "ltuya bridge: %s: %s\n", config, err);
            return 3;
        }
    }
    bridge_settings_apply_env(&b.s);

    const char *url = NULL;
    bool beacon_port_given = false;
    optind = 1;
    int c;
    long n = 0; /* set by every parse_long() that succeeds; gcc -O2 cannot see it */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case O_MQTT:
            url = optarg;
            break;
        case O_DEVICES:
            ok = copy_opt(b.s.devices_path, sizeof b.s.devices_path, optarg, "--devices");
            break;
        case O_CONFIG:
            break;
        case O_BASE:
            ok = copy_opt(b.s.base, sizeof b.s.base, optarg, "--base-topic");
            break;
        case O_DPREFIX:
            ok = copy_opt(b.s.disc_prefix, sizeof b.s.disc_prefix, optarg, "--discovery-prefix");
            break;
        case O_DISC:
            if (!strcmp(optarg, "device"))
                b.s.disc_mode = BRIDGE_DISC_DEVICE;
            else if (!strcmp(optarg, "entity"))
                b.s.disc_mode = BRIDGE_DISC_ENTITY;
            else if (!strcmp(optarg, "off"))
                b.s.disc_mode = BRIDGE_DISC_OFF;
            else {
                fprintf(stderr, "ltuya bridge: --discovery must be device, entity or off\n");
                ok = false;
            }
            break;
        case O_STATE:
            ok = copy_opt(b.s.state_dir, sizeof b.s.state_dir, optarg, "--state-dir");
            break;
        case O_CLIENT:
            ok = copy_opt(b.s.client_id, sizeof b.s.client_id, optarg, "--client-id");
            break;
        case O_PROTO:
            if (!strcmp(optarg, "3.1.1"))
                b.s.protocol = 4;
            else if (!strcmp(optarg, "5"))
                b.s.protocol = 5;
            else {
                fprintf(stderr, "ltuya bridge: --protocol must be 3.1.1 or 5\n");
                ok = false;
            }
            break;
        case O_KEEP:
            ok = uint_opt(optarg, 5, 65535, &n, "--keepalive");
            b.s.keepalive_s = (int)n;
            break;
        case O_CA:
            ok = copy_opt(b.s.ca_file, sizeof b.s.ca_file, optarg, "--ca-file");
            break;
        case O_CAPATH:
            ok = copy_opt(b.s.ca_path, sizeof b.s.ca_path, optarg, "--ca-path");
            break;
        case O_CERT:
            ok = copy_opt(b.s.cert_file, sizeof b.s.cert_file, optarg, "--cert-file");
            break;
        case O_KEY:
            ok = copy_opt(b.s.key_file, sizeof b.s.key_file, optarg, "--key-file");
            break;
        case O_INSECURE:
            b.s.tls_insecure = true;
            break;
        case O_ENERGY:
            ok = uint_opt(optarg, 5, 86400, &n, "--energy-interval");
            b.s.energy_interval_s = (uint32_t)n;
            break;
        case O_MINW:
            ok = uint_opt(optarg, 0, 60000, &n, "--min-write-interval");
            b.s.min_write_interval_ms = (uint32_t)n;
            break;
        case O_HEALTH:
            ok = uint_opt(optarg, 1, 86400, &n, "--health-interval");
            b.s.health_interval_s = (uint32_t)n;
            break;
        case O_NORETAIN:
            b.s.retain_state = false;
            break;
        case O_LOG: {
            static const char *const names[] = {"error", "warning", "info", "debug"};
            int found = -1;
            for (int i = 0; i < 4; i++)
                if (!strcmp(optarg, names[i]))
                    found = i;
            if (found < 0) {
                fprintf(stderr,
                        "ltuya bridge: --log-level must be error, warning, info or debug\n");
                ok = false;
            } else
                b.s.log_level = found;
            break;
        }
        case O_NOBEACONS:
            b.s.beacons = false;
            break;
        case O_BEACONPORT:
            ok = uint_opt(optarg, 1, 65535, &n, "--beacon-port");
            if (!beacon_port_given)
                b.s.beacon_port_count = 0;
            beacon_port_given = true;
            if (ok && b.s.beacon_port_count == 4) {
                fprintf(stderr, "ltuya bridge: at most 4 --beacon-port\n");
                ok = false;
            }
            if (ok)
                b.s.beacon_ports[b.s.beacon_port_count++] = (uint16_t)n;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            ok = false;
        }
        if (!ok) {
            fprintf(stderr, "Run 'ltuya bridge --help' for the options.\n");
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ltuya bridge: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (url) {
        /* credentials in the URL win over the environment and the file */
        const char *err;
        char user[128], pass[128];
        snprintf(user, sizeof user, "%s", b.s.username);
        snprintf(pass, sizeof pass, "%s", b.s.password);
        b.s.username[0] = b.s.password[0] = '\0';
        if (!bridge_parse_url(&b.s, url, &err)) {
            fprintf(stderr, "ltuya bridge: --mqtt: %s\n", err);
            return 2;
        }
        if (!b.s.username[0])
            snprintf(b.s.username, sizeof b.s.username, "%s", user);
        if (!b.s.password[0])
            snprintf(b.s.password, sizeof b.s.password, "%s", pass);
    }
    if (!b.s.devices_path[0]) {
        fprintf(stderr, "ltuya bridge: --devices FILE is required\n");
        return 2;
    }
    if (!b.s.base[0] || strpbrk(b.s.base, "+#") || !b.s.disc_prefix[0] ||
        strpbrk(b.s.disc_prefix, "+#")) {
        fprintf(stderr, "ltuya bridge: topics must not be empty or hold + or #\n");
        return 2;
    }
    blog_level = b.s.log_level;
    b.loop = uv_default_loop();
    char err[300];
    if (!bridge_start(&b, err, sizeof err)) {
        blog(BLOG_ERROR, "%s", err);
        bridge_stop(&b);
        return 3;
    }
    uv_run(b.loop, UV_RUN_DEFAULT);
    bridge_stop(&b);
    blog(BLOG_INFO, "stopped");
    return b.exit_code;
}
