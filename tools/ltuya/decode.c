/*
 * `ltuya decode`: turn captured frames (hex) into one JSON object per frame.
 *
 * Frames come as arguments or on stdin, one capture per line. A line may hold
 * several frames (one TCP read) and may use the capture format of the seed's
 * capture.py ("[SOCKET] send 136 bytes: 00 00 55 aa ..."), which also tells
 * the direction. Without --version each frame is tried against every version
 * and key at hand. Given a whole 3.4/3.5 conversation in order, the session
 * key is derived from the handshake frames with the local key alone.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "ltuya/frame.h"
#include "ltuya/handshake.h"
#include "ltuya/json.h"
#include "util.h"

/* MD5("yGAdlopoPVldABfn"): the fixed key of UDP discovery beacons. */
static const uint8_t udp_key[16] = {0x6c, 0x1e, 0xc8, 0xe2, 0xbb, 0x9b, 0xb5, 0x9a,
                                    0xb5, 0x0b, 0x0d, 0xaf, 0x64, 0x9b, 0x41, 0x0a};

typedef enum { KEY_NONE, KEY_LOCAL, KEY_SESSION, KEY_UDP } key_kind_t;
static const char *const key_names[] = {"none", "local", "session", "udp"};

typedef struct {
    uint8_t local_key[16];
    bool have_local;
    uint8_t session_key[16];
    bool have_session;
    bool session_given;             /* --session-key: kept across conversations */
    uint8_t lc[LTUYA_HS_NONCE_LEN]; /* client nonce seen in a SESS_KEY_NEG_START */
    bool have_lc;
    ltuya_version_t version; /* 0 = try each */
    ltuya_direction_t direction;
    unsigned index;
    unsigned failures;
} decode_ctx_t;

typedef struct {
    ltuya_version_t version;
    key_kind_t key;
} attempt_t;

static const uint8_t *key_bytes(const decode_ctx_t *c, key_kind_t k)
{
    switch (k) {
    case KEY_LOCAL:
        return c->have_local ? c->local_key : NULL;
    case KEY_SESSION:
        return c->have_session ? c->session_key : NULL;
    case KEY_UDP:
        return udp_key;
    default:
        return NULL;
    }
}

/* The (version, key) pairs worth trying for a frame, most likely first. */
static size_t plan_attempts(const decode_ctx_t *c, bool is_6699, uint32_t cmd, attempt_t *out)
{
    static const ltuya_version_t all55[] = {LTUYA_V33, LTUYA_V31, LTUYA_V34};
    size_t n = 0;
    /* A 55AA beacon (0x13, or 0x23 from 3.4 devices) is a UDP frame: CRC and
     * the UDP key whatever version the device speaks over TCP. */
    if (!is_6699 && (cmd == LTUYA_CMD_UDP_NEW || cmd == LTUYA_CMD_BOARDCAST_LPV34))
        out[n++] = (attempt_t){LTUYA_V33, KEY_UDP};
    const ltuya_version_t *vers = all55;
    size_t nvers = 3;
    ltuya_version_t only = is_6699 ? LTUYA_V35 : c->version;
    if (only) {
        vers = &only;
        nvers = 1;
    }
    for (size_t i = 0; i < nvers; i++) {
        ltuya_version_t v = vers[i];
        if (v == LTUYA_V31) {
            out[n++] = (attempt_t){v, c->have_local ? KEY_LOCAL : KEY_NONE};
            continue;
        }
        /* After a handshake most frames use the session key; the handshake
         * itself and pre-3.4 frames the local key; beacons the UDP key. */
        if (v >= LTUYA_V34 && c->have_session)
            out[n++] = (attempt_t){v, KEY_SESSION};
        if (c->have_local)
            out[n++] = (attempt_t){v, KEY_LOCAL};
        out[n++] = (attempt_t){v, KEY_UDP};
    }
    return n;
}

static bool integrity_failure(ltuya_status_t st)
{
    return st == LTUYA_ERR_BAD_CRC || st == LTUYA_ERR_BAD_HMAC || st == LTUYA_ERR_BAD_TAG ||
           st == LTUYA_ERR_BAD_PADDING || st == LTUYA_ERR_UNSUPPORTED_VERSION;
}

static void print_payload(const ltuya_frame_t *f)
{
    const uint8_t *p = f->payload;
    size_t n = f->payload_len;
    if (n == 0) {
        printf(",\"payload_type\":\"empty\",\"payload\":\"\"");
    } else if (ltuya_json_validate((const char *)p, n) == LTUYA_OK) {
        printf(",\"payload_type\":\"json\",\"payload\":%.*s", (int)n, (const char *)p);
    } else if (cli_is_text(p, n)) {
        printf(",\"payload_type\":\"text\",\"payload\":");
        cli_json_string(stdout, (const char *)p, n);
    } else {
        printf(",\"payload_type\":\"binary\",\"payload\":\"");
        cli_print_hex(stdout, p, n);
        printf("\"");
    }
}

static void print_version_header(const ltuya_frame_t *f)
{
    const uint8_t *h = f->version_header;
    uint32_t crc = (uint32_t)h[3] << 24 | (uint32_t)h[4] << 16 | (uint32_t)h[5] << 8 | h[6];
    uint32_t seq = (uint32_t)h[7] << 24 | (uint32_t)h[8] << 16 | (uint32_t)h[9] << 8 | h[10];
    uint32_t src = (uint32_t)h[11] << 24 | (uint32_t)h[12] << 16 | (uint32_t)h[13] << 8 | h[14];
    printf(",\"version_header\":{\"version\":\"%c%c%c\",\"crc\":%u,\"seq\":%u,\"source\":%u}", h[0],
           h[1], h[2], (unsigned)crc, (unsigned)seq, (unsigned)src);
}

/* Follow a 3.4/3.5 handshake so later frames can use the session key. */
static void track_handshake(decode_ctx_t *c, const ltuya_frame_t *f, key_kind_t key)
{
    if (key != KEY_LOCAL || f->version < LTUYA_V34)
        return;
    if (f->cmd == LTUYA_CMD_SESS_KEY_NEG_START && f->payload_len == LTUYA_HS_NONCE_LEN) {
        memcpy(c->lc, f->payload, LTUYA_HS_NONCE_LEN);
        c->have_lc = true;
        return;
    }
    if (f->cmd != LTUYA_CMD_SESS_KEY_NEG_RESP || !c->have_lc)
        return;
    uint8_t ld[LTUYA_HS_NONCE_LEN];
    ltuya_status_t st = ltuya_hs_check_resp(c->local_key, c->lc, f->payload, f->payload_len, ld);
    printf(",\"handshake\":\"%s\"", st == LTUYA_OK ? "ok" : ltuya_status_str(st));
    if (st == LTUYA_OK &&
        ltuya_hs_session_key(f->version, c->local_key, c->lc, ld, c->session_key) == LTUYA_OK) {
        c->have_session = true;
        printf(",\"session_key\":\"derived\"");
    }
    ltuya_zeroize(ld, sizeof ld);
}

static void print_frame(decode_ctx_t *c, const uint8_t *raw, const ltuya_frame_t *f, key_kind_t key,
                        bool guessed)
{
    const char *name = ltuya_cmd_name(f->cmd);
    printf("{\"index\":%u,\"prefix\":\"%s\",\"version\":\"%s\"%s,\"seq\":%u,\"cmd\":%u,"
           "\"cmd_name\":",
           c->index, raw[2] == 0x55 ? "55aa" : "6699", ltuya_version_str(f->version),
           guessed ? ",\"version_guessed\":true" : "", (unsigned)f->seq, (unsigned)f->cmd);
    if (name)
        printf("\"%s\"", name);
    else
        printf("null");
    if (f->has_retcode)
        printf(",\"retcode\":%u", (unsigned)f->retcode);
    if (f->has_version_header)
        print_version_header(f);
    printf(",\"integrity\":\"ok\",\"key\":\"%s\",\"encrypted\":%s", key_names[key],
           f->encrypted ? "true" : "false");
    if (f->v31_signature != LTUYA_SIG_NONE)
        printf(",\"signature\":\"%s\"", f->v31_signature == LTUYA_SIG_OK ? "ok" : "mismatch");
    print_payload(f);
    track_handshake(c, f, key);
    printf("}\n");
}

static void print_failure(decode_ctx_t *c, ltuya_status_t st, const char *detail)
{
    printf("{\"index\":%u,\"integrity\":", c->index);
    cli_json_string(stdout, ltuya_status_str(st), strlen(ltuya_status_str(st)));
    printf(",\"status\":\"%s\"", ltuya_status_name(st));
    if (detail)
        printf(",\"detail\":\"%s\"", detail);
    printf("}\n");
    c->failures++;
}

static void decode_one(decode_ctx_t *c, const uint8_t *raw, size_t len, ltuya_direction_t dir)
{
    static uint8_t work[LTUYA_MAX_FRAME];
    attempt_t plan[16];
    uint32_t cmd = len >= 12 ? (uint32_t)raw[8] << 24 | (uint32_t)raw[9] << 16 |
                                   (uint32_t)raw[10] << 8 | raw[11]
                             : 0;
    size_t n = plan_attempts(c, raw[2] == 0x66, cmd, plan);
    ltuya_status_t best = LTUYA_ERR_INVALID_ARG;
    bool have_best = false;

    for (size_t i = 0; i < n; i++) {
        const uint8_t *key = key_bytes(c, plan[i].key);
        if (!key && !(plan[i].version == LTUYA_V31))
            continue;
        ltuya_decode_opts_t o = {plan[i].version, key, dir};
        ltuya_frame_t f;
        memcpy(work, raw, len);
        ltuya_status_t st = ltuya_frame_decode_whole(work, len, &o, &f);
        /* A 3.1 "success" on bytes that are neither JSON nor text is really
         * an encrypted payload we had no key for. */
        if (st == LTUYA_OK && plan[i].version == LTUYA_V31 && !f.encrypted &&
            !cli_is_text(f.payload, f.payload_len))
            st = LTUYA_ERR_BAD_PADDING;
        /* "3.1" + signature + base64 is 3.1's encryption, not a 3.3 plaintext. */
        if (st == LTUYA_OK && c->version == 0 && plan[i].version == LTUYA_V33 && !f.encrypted &&
            f.payload_len >= 3 && !memcmp(f.payload, "3.1", 3))
            st = LTUYA_ERR_BAD_PADDING;
        /* 55AA + CRC + plain JSON is 3.1; 3.2/3.3 only send plaintext errors. */
        if (st == LTUYA_OK && c->version == 0 && f.version == LTUYA_V33 && !f.encrypted &&
            !f.has_version_header && f.payload_len && f.payload[0] == '{')
            f.version = LTUYA_V31;
        if (st == LTUYA_OK) {
            /* 3.2 and 3.3 frame alike; the version header tells them apart. */
            if (f.version == LTUYA_V33 && f.has_version_header && f.version_header[2] == '2')
                f.version = LTUYA_V32;
            print_frame(c, raw, &f, f.encrypted ? plan[i].key : KEY_NONE, c->version == 0);
            return;
        }
        /* Remember the most telling error: a structural one beats "this key
         * or version did not fit". */
        if (!have_best || (integrity_failure(best) && !integrity_failure(st))) {
            best = st;
            have_best = true;
        }
    }
    print_failure(c, best,
                  integrity_failure(best) && c->version == 0
                      ? "no version/key combination verified; check --key (and --session-key "
                        "for frames after a 3.4/3.5 handshake)"
                      : NULL);
}

/* Split one captured chunk into frames and decode each. */
static void decode_chunk(decode_ctx_t *c, const uint8_t *buf, size_t len, ltuya_direction_t dir)
{
    size_t off = 0;
    while (off < len) {
        size_t flen = 0;
        c->index++;
        ltuya_status_t st = ltuya_frame_peek(buf + off, len - off, &flen);
        if (st == LTUYA_NEED_MORE || (st == LTUYA_OK && flen > len - off)) {
            print_failure(c, LTUYA_ERR_TRUNCATED, NULL);
            return;
        }
        if (st != LTUYA_OK) {
            print_failure(c, st, NULL);
            return;
        }
        decode_one(c, buf + off, flen, dir);
        off += flen;
    }
}

/* ---- captures of a conversation --------------------------------------------
 * Lines that say which way the bytes went (capture.py's "[SOCKET] send|recv
 * N bytes: hex", the CLI's own -v ">> N bytes: hex" / "<< ...") are reads and
 * writes of one TCP stream: a reader may take a frame in two reads (tinytuya
 * reads the header, then the rest), so each direction's bytes go through the
 * core's reassembler and frames are decoded once whole. A "[SOCKET] connect"
 * line starts a new conversation. */

typedef struct {
    ltuya_reasm_t r;
    uint8_t buf[2 * LTUYA_MAX_FRAME];
    bool used;
} stream_t;

static stream_t streams[2]; /* [0] client to device, [1] device to client */

static void stream_feed(decode_ctx_t *c, stream_t *s, const uint8_t *p, size_t n,
                        ltuya_direction_t dir)
{
    if (!s->used) {
        ltuya_reasm_init(&s->r, s->buf, sizeof s->buf);
        s->used = true;
    }
    while (n) {
        size_t took = 0;
        ltuya_reasm_feed(&s->r, p, n, &took);
        p += took;
        n -= took;
        for (;;) {
            uint8_t *frame;
            size_t flen;
            ltuya_status_t st = ltuya_reasm_next(&s->r, &frame, &flen);
            if (st == LTUYA_NEED_MORE)
                break;
            c->index++;
            if (st != LTUYA_OK)
                print_failure(c, st, NULL);
            else
                decode_one(c, frame, flen, dir);
        }
        if (!took && n) { /* cannot happen with a buffer of two frames; never loop */
            c->index++;
            print_failure(c, LTUYA_ERR_FRAME_TOO_LARGE, NULL);
            return;
        }
    }
}

/* The end of a conversation: bytes still waiting are a frame cut short. */
static void streams_end(decode_ctx_t *c)
{
    for (size_t i = 0; i < 2; i++) {
        stream_t *s = &streams[i];
        if (s->used && s->r.end > s->r.start) {
            c->index++;
            print_failure(c, LTUYA_ERR_TRUNCATED, "the capture ends inside a frame");
        }
        s->used = false;
    }
}

static void new_conversation(decode_ctx_t *c)
{
    streams_end(c);
    if (!c->session_given) /* a derived session key belongs to the last connection */
        c->have_session = false;
    c->have_lc = false;
}

/* Text around the frames that is not input: capture.py's other tags, the
 * CLI's decoded lines under -v ("   cmd 8 STATUS, seq 1: ...") and messages. */
static bool annotation(const char *line)
{
    if (line[0] == '[' || !strncmp(line, "ltuya", 5))
        return true;
    if (line[0] != ' ' && line[0] != '\t')
        return false;
    /* an indented line is text unless every character is one hex allows */
    for (; *line && *line != '\n' && *line != '\r'; line++)
        if (!isxdigit((unsigned char)*line) && !strchr(" \t:-", *line))
            return true;
    return false;
}

/* One input line: bare hex (one captured read, frames must be whole), or a
 * capture line of a conversation (see above). */
static void decode_line(decode_ctx_t *c, const char *line)
{
    static uint8_t buf[4 * LTUYA_MAX_FRAME];
    ltuya_direction_t dir = c->direction;
    const char *hex = line;
    const char *colon = strstr(line, "bytes:");
    bool stream = false;
    if (!strncmp(line, "[SOCKET] connect", 16)) {
        new_conversation(c);
        return;
    }
    if (colon) {
        const char *send = strstr(line, "send"), *recv = strstr(line, "recv");
        hex = colon + 6;
        stream = true;
        if ((send && send < colon) || !strncmp(line, ">> ", 3))
            dir = LTUYA_FROM_CLIENT;
        else if ((recv && recv < colon) || !strncmp(line, "<< ", 3))
            dir = LTUYA_FROM_DEVICE;
        else
            stream = false;
    } else if (annotation(line)) {
        return;
    }
    size_t hl = strlen(hex);
    while (hl && (hex[hl - 1] == '\n' || hex[hl - 1] == '\r'))
        hl--;
    long n = cli_unhex(hex, hl, buf, sizeof buf);
    if (n == 0)
        return; /* blank line */
    if (n < 0) {
        c->index++;
        print_failure(c, LTUYA_ERR_INVALID_ARG, "input is not hex");
        return;
    }
    if (stream)
        stream_feed(c, &streams[dir == LTUYA_FROM_CLIENT ? 0 : 1], buf, (size_t)n, dir);
    else
        decode_chunk(c, buf, (size_t)n, dir);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: ltuya decode [--key KEY] [--version V] [--session-key HEX]\n"
               "                    [--direction device|client|any] [HEX ...]\n"
               "\n"
               "Decode captured Tuya frames and print one JSON object per frame with its\n"
               "prefix, seq, cmd, retcode, version header, integrity and payload.\n"
               "Frames come from the arguments, or from stdin one capture per line (a line\n"
               "may hold several frames). Lines from the seed's capture.py, like\n"
               "'[SOCKET] recv 16 bytes: 00 00 55 aa ...', and the '>>' / '<<' lines of\n"
               "'ltuya ... -v' are one conversation: each direction's bytes are joined\n"
               "across lines into frames (a frame read in two recv calls is one frame),\n"
               "other lines of those outputs are skipped, and '[SOCKET] connect' starts\n"
               "a new conversation. Give a whole 3.4/3.5 conversation in order and the\n"
               "session key is derived from the handshake with the local key alone.\n"
               "Beacons (55AA 0x13/0x23) decode with the UDP key whatever --version says.\n"
               "\n"
               "options:\n"
               "  -k, --key KEY          the device's 16-character local key (or set LTUYA_KEY)\n"
               "  -V, --version V        3.1 .. 3.5 (default: try each)\n"
               "  -s, --session-key HEX  3.4/3.5 session key (32 hex digits), if known\n"
               "  -d, --direction D      device (replies, pushes), client (requests) or any\n"
               "                         (default: any, guessing per frame)\n"
               "  -h, --help             this text\n"
               "\n"
               "exit status: 0 all frames decoded, 1 a frame failed to decode, 2 bad usage\n"
               "\n"
               "examples:\n"
               "  ltuya decode --key 0123456789abcdef 000055aa00000001000000070000000c...\n"
               "  LTUYA_KEY=0123456789abcdef ltuya decode < capture.txt\n"
               "  python capture.py | grep SOCKET | ltuya decode -k \"$KEY\" -V 3.4\n");
}

int cli_decode_main(int argc, char **argv)
{
    static const struct option longopts[] = {{"key", required_argument, NULL, 'k'},
                                             {"version", required_argument, NULL, 'V'},
                                             {"session-key", required_argument, NULL, 's'},
                                             {"direction", required_argument, NULL, 'd'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    decode_ctx_t c;
    memset(&c, 0, sizeof c);
    c.direction = LTUYA_FROM_ANY;
    const char *key = getenv("LTUYA_KEY");
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "k:V:s:d:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'k':
            key = optarg;
            break;
        case 'V':
            if (!cli_arg_version(optarg, "", &c.version))
                return CLI_EXIT_USAGE;
            break;
        case 's':
            if (cli_unhex(optarg, strlen(optarg), c.session_key, 16) != 16) {
                fprintf(stderr, "ltuya decode: --session-key takes 32 hex digits\n");
                return CLI_EXIT_USAGE;
            }
            c.have_session = c.session_given = true;
            break;
        case 'd':
            if (!strcmp(optarg, "device"))
                c.direction = LTUYA_FROM_DEVICE;
            else if (!strcmp(optarg, "client"))
                c.direction = LTUYA_FROM_CLIENT;
            else if (!strcmp(optarg, "any"))
                c.direction = LTUYA_FROM_ANY;
            else {
                fprintf(stderr, "ltuya decode: --direction is device, client or any\n");
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (key && *key) {
        if (!cli_parse_key(key, c.local_key, "--key"))
            return CLI_EXIT_USAGE;
        c.have_local = true;
    }

    if (optind < argc) {
        for (int i = optind; i < argc; i++)
            decode_line(&c, argv[i]);
    } else {
        static char line[16 * LTUYA_MAX_FRAME];
        while (fgets(line, sizeof line, stdin))
            decode_line(&c, line);
    }
    streams_end(&c);
    unsigned failures = c.failures;
    ltuya_zeroize(&c, sizeof c); /* keys */
    return failures ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
