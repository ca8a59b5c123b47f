/*
 * Discovery: real and reference beacons, rejected datagrams, the 3.5 request
 * byte for byte, the POSIX listener and `ltuya scan` end to end.
 *
 * Network rule: every socket here binds to and sends to 127.0.0.1 only. The
 * addresses inside the vectors (192.168.1.x, 10.x) are data, never targets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ltuya/discovery.h"
#include "ltuya/json.h"
#include "ltuya_discovery_posix.h"
#include "ltuya_posix.h"
#include "test_support.h"

/* Guards against a hang only; no test asserts on how long anything takes. */
#define GUARD_MS 10000

static char *data;

/* The frame of vector `id` from vectors.data. */
static size_t vector_frame(const char *id, uint8_t *out, size_t cap)
{
    char needle[80];
    snprintf(needle, sizeof needle, "id=%s ", id);
    const char *line = strstr(data, needle);
    assert_non_null(line);
    const char *f = strstr(line, " frame=");
    assert_non_null(f);
    f += 7;
    char hex[4096];
    size_t n = strcspn(f, " \n");
    assert_true(n < sizeof hex);
    memcpy(hex, f, n);
    hex[n] = 0;
    long len = ts_unhex(hex, out, cap);
    assert_true(len > 0);
    return (size_t)len;
}

static int setup(void **state)
{
    (void)state;
    data = ts_read_data_file("vectors.data", NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(data);
    return 0;
}

/* ---- parsing ------------------------------------------------------------------ */

typedef struct {
    const char *vec, *id, *ip, *version, *pk;
    int active;
    bool encrypt;
    ltuya_version_t frame;
    uint32_t cmd;
} want_t;

/* Expected fields: the plaintexts recorded in vectors.json. */
static const want_t beacons[] = {
    {"gen33-udp-beacon", "eb0123456789abcdefghij", "192.168.1.20", "3.3", "keyabcdefghijklm", 2,
     true, LTUYA_V33, 0x13},
    {"gen35-udp-beacon", "eb0123456789abcdefghij", "192.168.1.20", "3.5", "keyabcdefghijklm", 2,
     true, LTUYA_V35, 0x13},
    {"ttkotlin-33-udp-beacon", "bf1bd7f0bda4cbc644ichw", "10.214.2.176", "3.3", "keym4vvjhx4sd9kk",
     2, true, LTUYA_V33, 0x13},
    {"silverline-33-udp-beacon", "bf90769136c9ac3653oqwj", "10.2.1.98", "3.3", "3bhylhz5zhogklel",
     2, true, LTUYA_V33, 0x13},
    {"malkusch-33-udp-beacon", "bf3f795ce962dadfd88hx5", "192.168.188.120", "3.3",
     "keyjup78v54myhan", 2, true, LTUYA_V33, 0x13},
    /* 3.5 without the return code in front of the JSON, and no "encrypt" */
    {"halo-35-udp", "abc", "192.168.1.50", "3.5", "pk", 2, false, LTUYA_V35, 0x13},
};

static void test_beacon_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof beacons / sizeof *beacons; i++) {
        const want_t *w = &beacons[i];
        uint8_t buf[512];
        ltuya_beacon_t b;
        size_t n = vector_frame(w->vec, buf, sizeof buf);
        ltuya_status_t st = ltuya_discovery_parse(buf, n, &b);
        if (st != LTUYA_OK)
            fail_msg("%s: %s", w->vec, ltuya_status_str(st));
        assert_string_equal(b.id, w->id);
        assert_string_equal(b.ip, w->ip);
        assert_string_equal(b.version, w->version);
        assert_string_equal(b.product_key, w->pk);
        assert_int_equal(b.active, w->active);
        assert_int_equal(b.encrypt, w->encrypt);
        assert_int_equal(b.frame, w->frame);
        assert_int_equal(b.cmd, w->cmd);
        ltuya_version_t v;
        assert_int_equal(ltuya_version_parse(w->version, &v), LTUYA_OK);
        assert_int_equal(b.protocol, v);
    }
}

static void expect_reject(uint8_t *buf, size_t n, ltuya_status_t want, const char *what)
{
    ltuya_beacon_t b;
    memset(&b, 0x5a, sizeof b);
    ltuya_status_t st = ltuya_discovery_parse(buf, n, &b);
    if (st != want)
        fail_msg("%s: got %s, want %s", what, ltuya_status_name(st), ltuya_status_name(want));
    assert_int_equal(b.id[0], 0); /* nothing left over from a half-read datagram */
}

/* A beacon-shaped frame encrypted as a device of version v would, but with `key`. */
static size_t frame_with_key(ltuya_version_t v, const uint8_t *key, uint32_t cmd, const char *json,
                             bool from_device, uint8_t *buf, size_t cap)
{
    ltuya_frame_spec_t s = {0};
    s.version = v;
    s.key = key;
    s.cmd = cmd;
    s.from_device = from_device;
    s.plaintext = key == NULL;
    s.header = LTUYA_HEADER_OFF;
    s.payload = (const uint8_t *)json;
    s.payload_len = strlen(json);
    s.nonce = (const uint8_t *)"deviceiv0001";
    size_t n;
    assert_int_equal(ltuya_frame_encode(&s, buf, cap, &n), LTUYA_OK);
    return n;
}

static void test_rejects(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t n;
    const uint8_t *other_key = (const uint8_t *)"0123456789abcdef";

    n = vector_frame("gen35-udp-beacon", buf, sizeof buf);
    buf[40] ^= 1;
    expect_reject(buf, n, LTUYA_ERR_BAD_TAG, "3.5 ciphertext bit flip");
    n = vector_frame("gen35-udp-beacon", buf, sizeof buf);
    buf[7] ^= 1; /* the header is authenticated too */
    expect_reject(buf, n, LTUYA_ERR_BAD_TAG, "3.5 header bit flip");
    n = vector_frame("gen35-udp-beacon", buf, sizeof buf);
    expect_reject(buf, n - 1, LTUYA_ERR_TRUNCATED, "3.5 short by one");

    n = vector_frame("gen33-udp-beacon", buf, sizeof buf);
    expect_reject(buf, n - 10, LTUYA_ERR_TRUNCATED, "3.3 short");
    n = vector_frame("gen33-udp-beacon", buf, sizeof buf);
    buf[24] ^= 1;
    expect_reject(buf, n, LTUYA_ERR_BAD_CRC, "3.3 bit flip");
    n = vector_frame("gen33-udp-beacon", buf, sizeof buf);
    buf[n - 1] ^= 0xff;
    expect_reject(buf, n, LTUYA_ERR_BAD_FOOTER, "3.3 footer");
    n = vector_frame("gen33-udp-beacon", buf, sizeof buf);
    buf[14] = 0x7f; /* length field far beyond LTUYA_MAX_FRAME */
    expect_reject(buf, n, LTUYA_ERR_FRAME_TOO_LARGE, "3.3 huge length");
    n = vector_frame("gen33-udp-beacon", buf, sizeof buf);
    buf[14] = 0;
    buf[15] = 2; /* shorter than any frame */
    expect_reject(buf, n, LTUYA_ERR_BAD_LENGTH, "3.3 tiny length");

    expect_reject((uint8_t *)"hello world, not a frame", 24, LTUYA_ERR_BAD_PREFIX, "text");
    expect_reject(buf, 0, LTUYA_ERR_TRUNCATED, "empty datagram");
    expect_reject(buf, 3, LTUYA_ERR_TRUNCATED, "3 bytes");

    /* encrypted, but not with the UDP key */
    n = frame_with_key(LTUYA_V33, other_key, 0x13, "{\"gwId\":\"x\"}", true, buf, sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_BAD_PADDING, "3.3 other key");
    n = frame_with_key(LTUYA_V35, other_key, 0x13, "{\"gwId\":\"x\"}", true, buf, sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_BAD_TAG, "3.5 other key");

    /* well framed, but no beacon inside */
    n = frame_with_key(LTUYA_V33, ltuya_udp_key, 0x13, "{\"ip\":\"10.0.0.2\"}", true, buf,
                       sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_NOT_FOUND, "no gwId");
    n = frame_with_key(LTUYA_V33, ltuya_udp_key, 0x13, "{\"gwId\":12345}", true, buf, sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_NOT_FOUND, "gwId not a string");
    n = frame_with_key(LTUYA_V33, ltuya_udp_key, 0x13, "{\"gwId\":\"\"}", true, buf, sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_NOT_FOUND, "empty gwId");
    n = frame_with_key(LTUYA_V33, ltuya_udp_key, 0x13,
                       "{\"gwId\":\"0123456789012345678901234567890123456789\"}", true, buf,
                       sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_NOT_FOUND, "gwId over LTUYA_MAX_ID");
    n = frame_with_key(LTUYA_V33, ltuya_udp_key, 0x13, "{\"gwId\":\"abc\",", true, buf, sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_MALFORMED_JSON, "cut JSON");
    n = frame_with_key(LTUYA_V33, ltuya_udp_key, 0x13, "[\"gwId\",\"abc\"]", true, buf, sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_MALFORMED_JSON, "JSON array");
    n = frame_with_key(LTUYA_V33, ltuya_udp_key, 0x13, "hello, world", true, buf, sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_MALFORMED_JSON, "text");
    n = frame_with_key(LTUYA_V33, NULL, 0x00, "not json at all", true, buf, sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_MALFORMED_JSON, "3.1 plaintext, not JSON");
    n = frame_with_key(LTUYA_V33, ltuya_udp_key, 0x13,
                       "{\"gwId\":\"abc\",\"x\":[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]}",
                       true, buf, sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_JSON_TOO_DEEP, "deep JSON");

    /* a 3.5 request (another app's, or our own broadcast heard back) */
    n = vector_frame("gen35-udp-discovery-request", buf, sizeof buf);
    expect_reject(buf, n, LTUYA_ERR_UNEXPECTED, "0x25 request");

    ltuya_beacon_t b;
    assert_int_equal(ltuya_discovery_parse(NULL, 10, &b), LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_discovery_parse(buf, n, NULL), LTUYA_ERR_INVALID_ARG);
}

/* The odd shapes firmware sends, and every version's framing. */
static void test_beacon_shapes(void **state)
{
    (void)state;
    static const char json[] =
        "{\"ip\":\"127.0.0.1\",\"gwId\":\"bf0123456789abcdefgh\","
        "\"active\":2,\"productKey\":\"2iepauebcvo74ujc\",\"version\":\"3.x\"}";
    static const struct {
        ltuya_version_t v;
        ltuya_version_t frame;
        uint32_t cmd;
    } vs[] = {{LTUYA_V31, LTUYA_V31, 0x00},
              {LTUYA_V32, LTUYA_V33, 0x13},
              {LTUYA_V33, LTUYA_V33, 0x13},
              {LTUYA_V34, LTUYA_V34, 0x23},
              {LTUYA_V35, LTUYA_V35, 0x13}};
    uint8_t buf[512];
    size_t n;
    ltuya_beacon_t b;
    for (size_t i = 0; i < sizeof vs / sizeof *vs; i++) {
        assert_int_equal(ltuya_discovery_beacon(vs[i].v, json, sizeof json - 1,
                                                (const uint8_t *)"deviceiv0001", buf, sizeof buf,
                                                &n),
                         LTUYA_OK);
        assert_int_equal(ltuya_discovery_parse(buf, n, &b), LTUYA_OK);
        assert_string_equal(b.id, "bf0123456789abcdefgh");
        assert_string_equal(b.product_key, "2iepauebcvo74ujc");
        assert_int_equal(b.active, 2);
        assert_int_equal(b.frame, vs[i].frame);
        assert_int_equal(b.cmd, vs[i].cmd);
        assert_int_equal(b.protocol, 0); /* "3.x" is no version */
    }

    /* NUL padding, version as a number, no "active", escapes, "encrypt":false */
    static const char padded[] = "{\"gwId\":\"bf\\u0041bc\",\"version\":3.4,\"encrypt\":false,"
                                 "\"ip\":\"10.0.0.7\"}\0\0\0";
    /* (frame_with_key would stop at the first NUL: encode the padding explicitly) */
    ltuya_frame_spec_t s = {0};
    s.version = LTUYA_V33;
    s.key = ltuya_udp_key;
    s.cmd = 0x23;
    s.from_device = true;
    s.header = LTUYA_HEADER_OFF;
    s.payload = (const uint8_t *)padded;
    s.payload_len = sizeof padded - 1;
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_OK);
    assert_int_equal(ltuya_discovery_parse(buf, n, &b), LTUYA_OK);
    assert_string_equal(b.id, "bfAbc");
    assert_string_equal(b.version, "3.4");
    assert_int_equal(b.protocol, LTUYA_V34);
    assert_int_equal(b.active, -1);
    assert_false(b.encrypt);
    assert_string_equal(b.ip, "10.0.0.7");
    assert_string_equal(b.product_key, "");
    assert_int_equal(b.frame, LTUYA_V34);

    /* a 3.1 beacon without the return code, plaintext right after the length */
    n = frame_with_key(LTUYA_V33, NULL, 0x00, "{\"gwId\":\"bf31\",\"version\":\"3.1\"}", false, buf,
                       sizeof buf);
    assert_int_equal(ltuya_discovery_parse(buf, n, &b), LTUYA_OK);
    assert_string_equal(b.id, "bf31");
    assert_int_equal(b.protocol, LTUYA_V31);
    assert_int_equal(b.frame, LTUYA_V31);

    /* a field too long for its slot is left empty rather than cut */
    n = frame_with_key(LTUYA_V33, ltuya_udp_key, 0x13,
                       "{\"gwId\":\"bf1\",\"ip\":\"0123456789012345678901234567890123456789\"}",
                       true, buf, sizeof buf);
    assert_int_equal(ltuya_discovery_parse(buf, n, &b), LTUYA_OK);
    assert_string_equal(b.ip, "");

    /* extra bytes after the frame in the datagram are ignored */
    n = vector_frame("silverline-33-udp-beacon", buf, sizeof buf);
    memset(buf + n, 0xee, 8);
    assert_int_equal(ltuya_discovery_parse(buf, n + 8, &b), LTUYA_OK);
    assert_string_equal(b.id, "bf90769136c9ac3653oqwj");
}

/* ---- the 3.5 request ------------------------------------------------------------ */

static void test_request(void **state)
{
    (void)state;
    uint8_t want[256], got[256];
    size_t wn = vector_frame("gen35-udp-discovery-request", want, sizeof want), gn = 0;
    /* encoding only: this frame is never sent */
    assert_int_equal(ltuya_discovery_request("192.168.1.10", (const uint8_t *)"clientiv0001", got,
                                             sizeof got, &gn),
                     LTUYA_OK);
    assert_int_equal(gn, wn);
    assert_memory_equal(got, want, gn);

    /* no nonce given: 12 bytes come from ltuya_random */
    ts_fixed_random((const uint8_t *)"clientiv0001", 12);
    memset(got, 0, sizeof got);
    assert_int_equal(ltuya_discovery_request("192.168.1.10", NULL, got, sizeof got, &gn), LTUYA_OK);
    assert_memory_equal(got, want, wn);
    ts_fixed_random(NULL, 0);
    assert_int_equal(ltuya_discovery_request("192.168.1.10", NULL, got, sizeof got, &gn),
                     LTUYA_ERR_NO_RANDOM);

    /* the longest address fits the documented maximum, one byte less does not */
    uint8_t big[LTUYA_DISCOVERY_REQUEST_MAX];
    const uint8_t *iv = (const uint8_t *)"clientiv0001";
    assert_int_equal(ltuya_discovery_request("255.255.255.255", iv, big, sizeof big, &gn),
                     LTUYA_OK);
    assert_int_equal(ltuya_discovery_request("192.168.1.10", iv, got, wn - 1, &gn),
                     LTUYA_ERR_BUF_TOO_SMALL);

    /* the device answers to this address: it must be one */
    static const char *const bad[] = {"",         "192.168.1", "192.168.1.256", "192.168.01.1",
                                      "host.lan", "1.2.3.4.5", "1.2.3.4 ",      " 1.2.3.4",
                                      "1..2.3",   "1.2.3.-4",  "1234.1.1.1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (ltuya_discovery_request(bad[i], iv, got, sizeof got, &gn) != LTUYA_ERR_INVALID_ARG)
            fail_msg("reply ip '%s' accepted", bad[i]);
    assert_int_equal(ltuya_discovery_request(NULL, iv, got, sizeof got, &gn),
                     LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_discovery_request("10.0.0.1", iv, NULL, 0, &gn), LTUYA_ERR_INVALID_ARG);

    /* a device reads it back */
    ltuya_decode_opts_t o = {LTUYA_V35, ltuya_udp_key, LTUYA_FROM_CLIENT};
    ltuya_frame_t f;
    assert_int_equal(ltuya_discovery_request("0.0.0.0", iv, got, sizeof got, &gn), LTUYA_OK);
    assert_int_equal(ltuya_frame_decode_whole(got, gn, &o, &f), LTUYA_OK);
    assert_int_equal(f.cmd, LTUYA_CMD_REQ_DEVINFO);
    assert_int_equal(f.seq, 0);
    assert_int_equal(f.payload_len, strlen("{\"from\":\"app\",\"ip\":\"0.0.0.0\"}"));
    assert_memory_equal(f.payload, "{\"from\":\"app\",\"ip\":\"0.0.0.0\"}", f.payload_len);
}

/* ---- loopback sockets ------------------------------------------------------------- */

static int loopback_socket(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port ? *port : 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    if (port)
        *port = ntohs(sa.sin_port);
    return fd;
}

static void send_loopback(int fd, uint16_t port, const uint8_t *buf, size_t n)
{
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* never anywhere else */
    to.sin_port = htons(port);
    assert_int_equal(sendto(fd, buf, n, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)n);
}

static void open_loopback(ltuya_posix_discovery_t *d, size_t nports)
{
    static const uint16_t any[3] = {0, 0, 0}; /* free ports, chosen by the system */
    ltuya_posix_discovery_opts_t o = {"127.0.0.1", any, nports};
    assert_int_equal(ltuya_posix_discovery_open(d, &o), LTUYA_OK);
    for (size_t i = 0; i < nports; i++) {
        assert_true(d->fd[i] >= 0);
        assert_true(d->port[i] != 0);
    }
}

static void test_posix_listen(void **state)
{
    (void)state;
    ltuya_posix_discovery_t d;
    open_loopback(&d, 3);
    int tx = loopback_socket(NULL);
    uint8_t buf[512];
    size_t n;

    n = vector_frame("gen33-udp-beacon", buf, sizeof buf);
    send_loopback(tx, d.port[1], buf, n);
    n = vector_frame("gen35-udp-beacon", buf, sizeof buf);
    send_loopback(tx, d.port[2], buf, n);
    send_loopback(tx, d.port[0], (const uint8_t *)"garbage", 7);
    n = vector_frame("gen35-udp-discovery-request", buf, sizeof buf);
    send_loopback(tx, d.port[2], buf, n);
    static const char noip[] = "{\"gwId\":\"bf-no-ip\",\"version\":\"3.3\"}";
    assert_int_equal(
        ltuya_discovery_beacon(LTUYA_V33, noip, sizeof noip - 1, NULL, buf, sizeof buf, &n),
        LTUYA_OK);
    send_loopback(tx, d.port[0], buf, n);

    bool seen33 = false, seen35 = false, seen_noip = false, seen_garbage = false,
         seen_request = false;
    for (int i = 0; i < 5; i++) {
        ltuya_beacon_t b;
        ltuya_posix_datagram_src_t src;
        ltuya_status_t st = ltuya_posix_discovery_recv(&d, GUARD_MS, &b, &src);
        assert_int_not_equal(st, LTUYA_ERR_TIMEOUT);
        assert_string_equal(src.addr, "127.0.0.1");
        if (st == LTUYA_ERR_BAD_PREFIX) {
            assert_int_equal(src.local_port, d.port[0]);
            seen_garbage = true;
        } else if (st == LTUYA_ERR_UNEXPECTED) {
            assert_int_equal(src.local_port, d.port[2]);
            seen_request = true;
        } else {
            assert_int_equal(st, LTUYA_OK);
            if (!strcmp(b.id, "bf-no-ip")) {
                assert_string_equal(b.ip, "127.0.0.1"); /* filled in from the sender */
                seen_noip = true;
            } else if (!strcmp(b.version, "3.3")) {
                assert_string_equal(b.id, "eb0123456789abcdefghij");
                assert_string_equal(b.ip, "192.168.1.20");
                assert_int_equal(src.local_port, d.port[1]);
                seen33 = true;
            } else {
                assert_string_equal(b.version, "3.5");
                assert_string_equal(b.id, "eb0123456789abcdefghij");
                assert_int_equal(src.local_port, d.port[2]);
                seen35 = true;
            }
        }
    }
    assert_true(seen33 && seen35 && seen_noip && seen_garbage && seen_request);
    /* nothing else pending */
    ltuya_beacon_t b;
    assert_int_equal(ltuya_posix_discovery_recv(&d, 0, &b, NULL), LTUYA_ERR_TIMEOUT);
    close(tx);
    ltuya_posix_discovery_close(&d);
    ltuya_posix_discovery_close(&d); /* twice is fine */
}

/* --solicit on loopback: the test plays a 3.5 device that only answers requests. */
static void test_posix_solicit(void **state)
{
    (void)state;
    ltuya_posix_init();
    ltuya_posix_discovery_t d;
    open_loopback(&d, 2);
    uint16_t dev_port = 0;
    int dev = loopback_socket(&dev_port);

    char ip[INET_ADDRSTRLEN];
    assert_int_equal(ltuya_posix_discovery_reply_ip(&d, "127.0.0.1", ip, sizeof ip), LTUYA_OK);
    assert_string_equal(ip, "127.0.0.1"); /* the bound address */
    assert_int_equal(ltuya_posix_discovery_solicit(&d, "127.0.0.1", dev_port, NULL), LTUYA_OK);

    uint8_t buf[512];
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    struct pollfd p = {dev, POLLIN, 0};
    assert_int_equal(poll(&p, 1, GUARD_MS), 1);
    ssize_t got = recvfrom(dev, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    assert_true(got > 0);
    assert_int_equal(ntohl(from.sin_addr.s_addr), INADDR_LOOPBACK);
    assert_int_equal(ntohs(from.sin_port), d.port[1]); /* sent from our last listening port */

    ltuya_decode_opts_t o = {LTUYA_V35, ltuya_udp_key, LTUYA_FROM_CLIENT};
    ltuya_frame_t f;
    assert_int_equal(ltuya_frame_decode_whole(buf, (size_t)got, &o, &f), LTUYA_OK);
    assert_int_equal(f.cmd, LTUYA_CMD_REQ_DEVINFO);
    const char want[] = "{\"from\":\"app\",\"ip\":\"127.0.0.1\"}";
    assert_int_equal(f.payload_len, sizeof want - 1);
    assert_memory_equal(f.payload, want, sizeof want - 1);

    /* answer to where the request came from (a real device: reply ip, port 7000) */
    size_t n = vector_frame("gen35-udp-beacon", buf, sizeof buf);
    send_loopback(dev, ntohs(from.sin_port), buf, n);
    ltuya_beacon_t b;
    ltuya_posix_datagram_src_t src;
    assert_int_equal(ltuya_posix_discovery_recv(&d, GUARD_MS, &b, &src), LTUYA_OK);
    assert_string_equal(b.id, "eb0123456789abcdefghij");
    assert_string_equal(b.version, "3.5");
    assert_int_equal(src.port, dev_port);
    assert_int_equal(src.local_port, d.port[1]);

    /* an explicit reply address goes into the request as given */
    assert_int_equal(ltuya_posix_discovery_solicit(&d, "127.0.0.1", dev_port, "127.0.0.9"),
                     LTUYA_OK);
    assert_int_equal(poll(&p, 1, GUARD_MS), 1);
    got = recv(dev, buf, sizeof buf, 0);
    assert_true(got > 0);
    assert_int_equal(ltuya_frame_decode_whole(buf, (size_t)got, &o, &f), LTUYA_OK);
    assert_non_null(memmem(f.payload, f.payload_len, "\"127.0.0.9\"", 11));

    assert_int_equal(ltuya_posix_discovery_solicit(&d, "localhost", dev_port, NULL),
                     LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_posix_discovery_solicit(&d, "127.0.0.1", dev_port, "me"),
                     LTUYA_ERR_INVALID_ARG);
    close(dev);
    ltuya_posix_discovery_close(&d);
}

static void test_posix_setup(void **state)
{
    (void)state;
    ltuya_posix_discovery_t d, d2;
    uint16_t ports[LTUYA_POSIX_DISCOVERY_MAX_PORTS + 1] = {0};
    ltuya_posix_discovery_opts_t o = {"127.0.0.1", ports, LTUYA_POSIX_DISCOVERY_MAX_PORTS + 1};
    assert_int_equal(ltuya_posix_discovery_open(&d, &o), LTUYA_ERR_INVALID_ARG);
    o.port_count = 0;
    assert_int_equal(ltuya_posix_discovery_open(&d, &o), LTUYA_ERR_INVALID_ARG);
    o.port_count = 1;
    o.bind_addr = "not-an-address";
    assert_int_equal(ltuya_posix_discovery_open(&d, &o), LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_posix_discovery_open(NULL, &o), LTUYA_ERR_INVALID_ARG);

    /* a second listener on the same port coexists (SO_REUSEPORT), as other
     * Tuya software on the host would */
    open_loopback(&d, 1);
    o.bind_addr = "127.0.0.1";
    ports[0] = d.port[0];
    assert_int_equal(ltuya_posix_discovery_open(&d2, &o), LTUYA_OK);
    assert_int_equal(d2.port[0], d.port[0]);
    ltuya_posix_discovery_close(&d2);

    /* a port that cannot be bound is reported, the others still listen */
    int plain = loopback_socket(&ports[1]); /* no SO_REUSEPORT: holds its port alone */
    ports[0] = 0;
    o.port_count = 2;
    assert_int_equal(ltuya_posix_discovery_open(&d2, &o), LTUYA_OK);
    assert_true(d2.fd[0] >= 0);
    assert_int_equal(d2.fd[1], -1);
    assert_int_equal(d2.error[1], EADDRINUSE);
    ltuya_posix_discovery_close(&d2);
    ports[0] = ports[1];
    o.port_count = 1;
    assert_int_equal(ltuya_posix_discovery_open(&d2, &o), LTUYA_ERR_IO);
    close(plain);

    /* connecting a UDP socket sends nothing; it only asks the routing table */
    char ip[INET_ADDRSTRLEN];
    assert_int_equal(ltuya_posix_local_ip_for("127.0.0.1", ip, sizeof ip), LTUYA_OK);
    assert_string_equal(ip, "127.0.0.1");
    assert_int_equal(ltuya_posix_local_ip_for("nowhere", ip, sizeof ip), LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_posix_local_ip_for("127.0.0.1", ip, 8), LTUYA_ERR_INVALID_ARG);

    ltuya_beacon_t b;
    ltuya_posix_discovery_close(&d);
    assert_int_equal(ltuya_posix_discovery_recv(&d, 0, &b, NULL), LTUYA_ERR_BAD_STATE);
    assert_int_equal(ltuya_posix_discovery_solicit(&d, "127.0.0.1", 9, NULL), LTUYA_ERR_BAD_STATE);
}

/* The size check the shared sockets code does with a buffer one byte over
 * LTUYA_MAX_FRAME (the stack cuts a longer datagram there): a datagram of
 * exactly LTUYA_MAX_FRAME bytes is parsed, one byte more is too large. */
static void test_posix_oversized(void **state)
{
    (void)state;
    static uint8_t big[LTUYA_MAX_FRAME + 100];
    memset(big, 0x55, sizeof big);
    ltuya_posix_discovery_t d;
    open_loopback(&d, 1);
    uint16_t from_port = 0;
    int tx = loopback_socket(&from_port);
    ltuya_beacon_t b;
    ltuya_posix_datagram_src_t src;
    const size_t sizes[] = {LTUYA_MAX_FRAME + 1, sizeof big};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        send_loopback(tx, d.port[0], big, sizes[i]);
        assert_int_equal(ltuya_posix_discovery_recv(&d, GUARD_MS, &b, &src),
                         LTUYA_ERR_FRAME_TOO_LARGE);
        assert_int_equal(src.port, from_port);
    }
    send_loopback(tx, d.port[0], big, LTUYA_MAX_FRAME);
    ltuya_status_t st = ltuya_posix_discovery_recv(&d, GUARD_MS, &b, &src);
    assert_int_not_equal(st, LTUYA_ERR_FRAME_TOO_LARGE);
    assert_int_not_equal(st, LTUYA_OK); /* 0x55 bytes are no beacon */
    assert_int_not_equal(st, LTUYA_ERR_TIMEOUT);
    close(tx);
    ltuya_posix_discovery_close(&d);
}

/* ---- ltuya scan ---------------------------------------------------------------- */

/* $LTUYA_BIN, else `ltuya` in the build directory above this test. */
static const char *ltuya_bin(void)
{
    static char path[4096];
    const char *env = getenv("LTUYA_BIN");
    if (env && access(env, X_OK) == 0)
        return env;
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 8);
    if (n <= 0)
        return NULL;
    path[n] = 0;
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(path, '/');
        if (!slash)
            return NULL;
        *slash = 0;
    }
    strcat(path, "/ltuya");
    return access(path, X_OK) == 0 ? path : NULL;
}

/* Free loopback ports, released again so `ltuya scan` can take them alone. */
static void free_ports(uint16_t *ports, size_t n)
{
    int fds[8];
    for (size_t i = 0; i < n; i++) {
        ports[i] = 0;
        fds[i] = loopback_socket(&ports[i]);
    }
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
}

typedef struct {
    char out[8192], err[8192];
    size_t out_len, err_len;
    int status;
    int requests; /* 3.5 requests the fake device answered */
} run_t;

static void append(int fd, char *buf, size_t *len, size_t cap, bool *open)
{
    ssize_t n = read(fd, buf + *len, cap - 1 - *len);
    if (n <= 0) {
        *open = false;
        return;
    }
    *len += (size_t)n;
    buf[*len] = 0;
}

/* Run `ltuya scan ARGS...`. While it runs, send `beacon` to 127.0.0.1:beacon_port
 * again and again (the scan may not listen yet at first), and answer 3.5
 * requests arriving on dev_fd with `answer`. */
static void run_scan(const char *bin, char *const *args, const uint8_t *beacon, size_t beacon_len,
                     uint16_t beacon_port, int dev_fd, const uint8_t *answer, size_t answer_len,
                     run_t *r)
{
    int out[2], err[2];
    memset(r, 0, sizeof *r);
    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(err), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(err[0]);
        execv(bin, args);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    int tx = loopback_socket(NULL);
    bool out_open = true, err_open = true;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (t = t0; (out_open || err_open) && t.tv_sec - t0.tv_sec < 3 * GUARD_MS / 1000;
         clock_gettime(CLOCK_MONOTONIC, &t)) {
        if (beacon)
            send_loopback(tx, beacon_port, beacon, beacon_len);
        struct pollfd p[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {dev_fd, POLLIN, 0}};
        p[0].fd = out_open ? out[0] : -1;
        p[1].fd = err_open ? err[0] : -1;
        if (poll(p, 3, 20) <= 0)
            continue;
        if (p[0].revents)
            append(out[0], r->out, &r->out_len, sizeof r->out, &out_open);
        if (p[1].revents)
            append(err[0], r->err, &r->err_len, sizeof r->err, &err_open);
        if (dev_fd >= 0 && (p[2].revents & POLLIN)) {
            uint8_t req[512];
            struct sockaddr_in from;
            socklen_t flen = sizeof from;
            ssize_t n = recvfrom(dev_fd, req, sizeof req, 0, (struct sockaddr *)&from, &flen);
            ltuya_decode_opts_t o = {LTUYA_V35, ltuya_udp_key, LTUYA_FROM_CLIENT};
            ltuya_frame_t f;
            assert_true(n > 0);
            assert_int_equal(ltuya_frame_decode_whole(req, (size_t)n, &o, &f), LTUYA_OK);
            assert_int_equal(f.cmd, LTUYA_CMD_REQ_DEVINFO);
            assert_non_null(memmem(f.payload, f.payload_len, "\"ip\":\"127.0.0.1\"", 16));
            assert_int_equal(ntohl(from.sin_addr.s_addr), INADDR_LOOPBACK);
            send_loopback(dev_fd, ntohs(from.sin_port), answer, answer_len);
            r->requests++;
        }
    }
    if (out_open || err_open)
        kill(pid, SIGKILL);
    close(tx);
    close(out[0]);
    close(err[0]);
    assert_int_equal(waitpid(pid, &r->status, 0), pid);
    if (out_open || err_open)
        fail_msg("ltuya scan did not finish; stderr: %s", r->err);
}

static void test_cli_scan(void **state)
{
    (void)state;
    const char *bin = ltuya_bin();
    if (!bin) {
        print_message("ltuya binary not found (set LTUYA_BIN): skipping the CLI run\n");
        skip();
    }
    uint16_t ports[3];
    char portlist[32], target[32], devices[] = "/tmp/ltuya-test-devices-XXXXXX";
    free_ports(ports, 3);
    snprintf(portlist, sizeof portlist, "%u,%u,%u", ports[0], ports[1], ports[2]);
    uint16_t dev_port = 0;
    int dev = loopback_socket(&dev_port);
    snprintf(target, sizeof target, "127.0.0.1:%u", dev_port);

    int fd = mkstemp(devices);
    assert_true(fd >= 0);
    static const char dj[] =
        "[{\"name\":\"Other plug\",\"id\":\"bf0000000000000000aaaa\",\"key\":\"0000000000000000\"},"
        "{\"name\":\"Heat pump\",\"id\":\"bf90769136c9ac3653oqwj\",\"key\":\"S3cr3tL0calKey!!\","
        "\"ip\":\"10.2.1.98\",\"version\":\"3.3\",\"product_id\":\"3bhylhz5zhogklel\"}]";
    assert_int_equal(write(fd, dj, sizeof dj - 1), (ssize_t)(sizeof dj - 1));
    close(fd);

    uint8_t beacon[512], answer[512];
    size_t bn = vector_frame("silverline-33-udp-beacon", beacon, sizeof beacon);
    size_t an = vector_frame("gen35-udp-beacon", answer, sizeof answer);
    char *args[] = {(char *)bin, "scan", "--json",    "--bind", "127.0.0.1", "--ports", portlist,
                    "--timeout", "1",    "--solicit", target,   "--devices", devices,   NULL};
    run_t r;
    run_scan(bin, args, beacon, bn, ports[1], dev, answer, an, &r);
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
        fail_msg("exit %d; stderr: %s", r.status, r.err);
    assert_true(r.requests >= 1);
    assert_null(strstr(r.out, "S3cr3tL0calKey!!")); /* never a key */
    assert_null(strstr(r.err, "S3cr3tL0calKey!!"));

    /* one array, de-duplicated, sorted by address: 10.2.1.98 before 192.168.1.20 */
    assert_int_equal(ltuya_json_validate(r.out, r.out_len), LTUYA_OK);
    ltuya_json_iter_t it;
    ltuya_str_t dv, v;
    bool is_str;
    assert_int_equal(ltuya_json_iter_init(&it, r.out, r.out_len), LTUYA_OK);
    static const char *const want[2][5] = {
        {"Heat pump", "bf90769136c9ac3653oqwj", "10.2.1.98", "3.3", "3bhylhz5zhogklel"},
        {NULL, "eb0123456789abcdefghij", "192.168.1.20", "3.5", "keyabcdefghijklm"}};
    static const char *const keys[5] = {"name", "id", "ip", "version", "product_key"};
    size_t count = 0;
    while (ltuya_json_iter_next(&it, NULL, &dv, &is_str) == LTUYA_OK) {
        assert_true(count < 2);
        for (size_t k = 0; k < 5; k++) {
            assert_int_equal(ltuya_json_get(dv.ptr, dv.len, keys[k], &v, &is_str), LTUYA_OK);
            if (!want[count][k]) {
                assert_false(is_str);
                assert_int_equal(v.len, 4); /* null */
                continue;
            }
            assert_true(is_str);
            if (v.len != strlen(want[count][k]) || memcmp(v.ptr, want[count][k], v.len))
                fail_msg("device %zu %s: %.*s", count, keys[k], (int)v.len, v.ptr);
        }
        count++;
    }
    assert_int_equal(count, 2);
    close(dev);
    unlink(devices);

    /* nothing heard: still exit 0, with the hints */
    free_ports(ports, 3);
    snprintf(portlist, sizeof portlist, "%u,%u,%u", ports[0], ports[1], ports[2]);
    char *quiet[] = {(char *)bin, "scan",      "--bind", "127.0.0.1", "--ports",
                     portlist,    "--timeout", "1",      NULL};
    run_scan(bin, quiet, NULL, 0, 0, -1, NULL, 0, &r);
    assert_true(WIFEXITED(r.status));
    assert_int_equal(WEXITSTATUS(r.status), 0);
    assert_int_equal(r.out_len, 0);
    assert_non_null(strstr(r.err, "no devices found"));
    assert_non_null(strstr(r.err, "--solicit"));

    /* --help, and bad arguments exit 2 */
    char *help[] = {(char *)bin, "scan", "--help", NULL};
    run_scan(bin, help, NULL, 0, 0, -1, NULL, 0, &r);
    assert_int_equal(WEXITSTATUS(r.status), 0);
    assert_non_null(strstr(r.out, "--solicit ADDR"));
    assert_non_null(strstr(r.out, "192.168.1.255"));
    static const char *const bad[][2] = {{"--ports", "0"},   {"--ports", "1,2,"},
                                         {"--timeout", "0"}, {"--solicit", "example.com"},
                                         {"--bind", "eth0"}, {"--reply-ip", "me"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *a[] = {(char *)bin, "scan", (char *)bad[i][0], (char *)bad[i][1], NULL};
        run_scan(bin, a, NULL, 0, 0, -1, NULL, 0, &r);
        if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 2)
            fail_msg("scan %s %s: status %d", bad[i][0], bad[i][1], r.status);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beacon_vectors), cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_beacon_shapes),  cmocka_unit_test(test_request),
        cmocka_unit_test(test_posix_listen),   cmocka_unit_test(test_posix_solicit),
        cmocka_unit_test(test_posix_setup),    cmocka_unit_test(test_posix_oversized),
        cmocka_unit_test(test_cli_scan),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
