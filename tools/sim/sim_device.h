/*
 * A simulated Tuya device: its data points, its energy meter, and the
 * device side of the LAN protocol for each connection. Framing and crypto
 * come from the core; the behaviour (what firmware answers, when it closes
 * a connection, what it pushes) is this file's own.
 */
#ifndef LTUYA_SIM_DEVICE_H
#define LTUYA_SIM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/frame.h"
#include "ltuya/json.h"
#include "sim_profile.h"

#define SIM_MAX_DPS 32
#define SIM_STR     64
#define SIM_RX      2048
#define SIM_TX      4096

typedef struct {
    const sim_dp_spec_t *spec; /* code, type, range: what a write is checked against */
    uint16_t id;
    ltuya_dp_type_t type; /* BOOL, INT or STR */
    bool b;
    int64_t i;
    char s[SIM_STR];
} sim_dp_t;

/* Behaviour switches (--quirk). */
enum {
    SIM_Q_DEVICE22 = 1u << 0,           /* DP_QUERY answered with "data format error" */
    SIM_Q_PUSH_ON_CONNECT = 1u << 1,    /* send the state right after connect / handshake */
    SIM_Q_REJECT_MULTI_DP = 1u << 2,    /* refuse writes of more than one DP */
    SIM_Q_HEADER_ON_QUERY = 1u << 3,    /* answer queries with the version header */
    SIM_Q_SILENT_BEACONS = 1u << 4,     /* no periodic beacons; 3.5 answers requests only */
    SIM_Q_HEARTBEAT_REQUIRED = 1u << 6, /* closes a connection without a heartbeat for the
                                           idle timeout, whatever else it sends */
    SIM_Q_HANDSHAKE_WEDGE = 1u << 7,    /* two overlapping handshakes wedge it until a
                                           power cycle (make-all/tuya-local#6054) */
    SIM_Q_STRICT_HEADERS = 1u << 5,     /* TuyaOpen's rule: header forbidden on queries,
                                           required on writes */
    SIM_Q_BACK_TO_BACK = 1u << 9,       /* a write's push right behind its ACK, no gap */
    SIM_Q_PUSH_BEFORE_ACK = 1u << 10,   /* TuyaOpen: the push may come before the ACK */
    SIM_Q_NO_REFRESH_REPLY = 1u << 11,  /* TuyaOpen: DP refresh 0x12 silently ignored */
    SIM_Q_NATIVE_ENDIAN_ACK = 1u << 12, /* TuyaOpen: write ACKs carry return code 1 in
                                           little-endian bytes (01 00 00 00) */
    SIM_Q_PUSH_IN_HANDSHAKE = 1u << 13, /* a DP change pushed between RESP and FINISH,
                                           sealed with the local key (TuyaOpen) */
    SIM_Q_SILENT_REJECT = 1u << 8,      /* TuyaOpen: refused DPs are ACKed like accepted
                                           ones and dropped, without a push */
};

/* Faults injected on frames the device sends (--fault NAME=RATE, RATE in 0..1). */
#define SIM_FAULT_LIST(X)                                                                          \
    X(DROP, "drop")         /* the frame is never sent */                                          \
    X(DELAY, "delay")       /* held 0.1-2 s */                                                     \
    X(RESET, "reset")       /* the connection is reset (RST) instead */                            \
    X(CORRUPT, "corrupt")   /* one byte flipped */                                                 \
    X(SPLIT, "split")       /* sent in many small writes */                                        \
    X(COALESCE, "coalesce") /* held briefly so the next frames go in the same write */             \
    X(GARBAGE, "garbage")   /* random bytes sent before it */                                      \
    X(CLOSE, "close")       /* sent, then the connection is closed (as an idle timeout would) */

enum {
#define SIM_FAULT_ENUM_(name, text) SIM_F_##name,
    SIM_FAULT_LIST(SIM_FAULT_ENUM_)
#undef SIM_FAULT_ENUM_
        SIM_F_COUNT
};

/* SIM_F_* for a fault name, or -1. */
int sim_fault_parse(const char *name);

/* n random bytes from the library's random source (ltuya_random, installed by
 * ltuya_posix_init); a simulator without one cannot make nonces: it exits. */
void sim_random(uint8_t *buf, size_t n);
const char *sim_fault_name(int f);

typedef struct sim_device sim_device_t;

typedef struct {
    int fd;
    sim_device_t *dev;
    uint8_t rxbuf[SIM_RX];
    ltuya_reasm_t rx;
    uint8_t out[SIM_TX];
    size_t out_len;
    bool keyed; /* 3.4/3.5 session established */
    uint8_t session_key[16];
    uint8_t lc[16], ld[16];
    bool have_lc;
    unsigned unkeyed_frames; /* frames before the handshake */
    uint32_t dev_seq;        /* the device's own counter (3.4/3.5) */
    uint32_t push_seq;       /* the seq in pushes' version headers */
    uint32_t last_seq;       /* last seq received (3.5 must increase) */
    uint64_t last_rx_ms;
    uint64_t last_hb_ms;             /* last heartbeat (heartbeat-required quirk) */
    uint64_t hs_start_ms;            /* when this connection's START came, 0 if none pending */
    uint64_t serial;                 /* tells connections apart after they are gone */
    bool close_after_flush;          /* close fault: FIN once the output is out */
    uint64_t hold_until;             /* latency / delay / coalesce: send nothing before this (ms) */
    uint64_t held_since;             /* when the oldest frame still held back was queued */
    bool reset_now;                  /* reset fault: RST instead of sending */
    bool split;                      /* split fault: trickle the output out */
    uint16_t later_ids[SIM_MAX_DPS]; /* a write's status push, due after its ACK */
    size_t later_n;
    uint64_t later_at; /* when it is due (ms), 0 = none */
} sim_conn_t;

typedef struct {
    unsigned accepted, refused, closed_by_sim, handshakes, frames_in, frames_out, pushes;
    unsigned bad_frames;
    unsigned rejected_writes;  /* writes with a DP the device refused */
    unsigned late_pushes;      /* write pushes sent after their ACK's gap */
    unsigned late_pushes_lost; /* ...and those whose client left before they were due */
    unsigned faults[SIM_F_COUNT];
    unsigned lat_frames;       /* frames held back by --latency */
    uint32_t lat_min, lat_max; /* the latencies drawn (ms) */
    unsigned held_n;           /* sends of held output */
    uint32_t held_min;         /* the shortest wait a held frame really had (ms) */
} sim_stats_t;

struct sim_device {
    char id[LTUYA_MAX_ID + 1];
    uint8_t key[16];
    ltuya_version_t version;
    const sim_profile_t *prof;
    char product_key[20];
    uint32_t quirks;
    sim_dp_t dps[SIM_MAX_DPS];
    size_t ndps;
    uint16_t dp_switch, dp_current, dp_power, dp_voltage, dp_energy; /* 0 = none */
    uint32_t rng;
    int load_ma; /* what the plugged-in appliance draws */
    int64_t energy_mwh;
    unsigned max_clients;
    unsigned open_clients;
    uint32_t idle_timeout_ms;
    uint32_t latency_ms, jitter_ms; /* each frame it sends leaves latency +- jitter later */
    float fault_rate[SIM_F_COUNT];
    unsigned hs_pending; /* handshakes started and not finished, all connections */
    uint64_t hs_last_start;
    uint64_t hs_last_conn; /* serial of the connection that started it, 0 = none */
    bool wedged;           /* handshake-wedge quirk tripped: no handshake succeeds */
    sim_stats_t stats;
};

/* Set up a device with a built-in profile (sim_profile.c; NULL = plug).
 * False for an unknown profile name. */
bool sim_device_init(sim_device_t *d, const char *id, const uint8_t key[16], ltuya_version_t v,
                     const char *profile, uint32_t seed);

void sim_conn_init(sim_conn_t *c, sim_device_t *d, int fd, uint64_t now_ms);

/* Bytes from the client. Replies and pushes are appended to c->out; returns
 * false when the device closes the connection (after flushing c->out). */
bool sim_conn_input(sim_conn_t *c, const uint8_t *data, size_t n, uint64_t now_ms);

/* When the connection next needs sim_conn_tick (ms), 0 = never. */
uint64_t sim_conn_next_due(const sim_conn_t *c);

/* Time passed: send what is due (a write's status push). */
void sim_conn_tick(sim_conn_t *c, uint64_t now_ms);

/* The connection is going away: forget its unfinished handshake. */
void sim_conn_closed(sim_conn_t *c);

/* Switch the device off and on: clears a wedge (connections are the caller's to close). */
void sim_device_power_cycle(sim_device_t *d);

/* Held output went out `waited_ms` after its oldest frame was queued. */
void sim_device_note_held(sim_device_t *d, uint32_t waited_ms);

/* Right after accept: pushes for the push-on-connect quirk. */
void sim_conn_opened(sim_conn_t *c);

/* Change DPs as a button press or the app would; pushes go to `conns`.
 * NULL, or why the change was refused (nothing changed then). */
const char *sim_device_set(sim_device_t *d, const ltuya_dps_t *changes, sim_conn_t **conns,
                           size_t n);

/* Time passed (--push-interval): re-measure and push the whole status to
 * every ready connection of d among `conns`, as a plug reporting by itself. */
void sim_device_push_status(sim_device_t *d, sim_conn_t **conns, size_t n);

/* Re-measure voltage, current and power (a DP refresh, or time passing). */
void sim_device_measure(sim_device_t *d);

/* {"1":true,...} into buf; returns the length (0 if it did not fit). */
size_t sim_device_dps_json(const sim_device_t *d, char *buf, size_t cap);

const sim_dp_t *sim_device_dp(const sim_device_t *d, uint16_t id);

#endif
