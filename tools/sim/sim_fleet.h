/*
 * The simulated devices this process serves and how they are set up: from
 * the command line or a fleet file (--config, --shard), each with its
 * listening socket, and what --print-devices-json prints about them.
 */
#ifndef LTUYA_SIM_FLEET_H
#define LTUYA_SIM_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_device.h"

typedef struct {
    sim_device_t dev;
    int listen_fd;
    char host[64];
    unsigned port;
    size_t file_index;  /* its place in a fleet file (control commands name it) */
    unsigned udp_port;  /* beacons go to 127.0.0.1:udp_port */
    int solicit_fd;     /* 3.5: 0x25 requests come in here */
    uint32_t beacon_ms; /* 0 = no periodic beacons */
    uint64_t next_beacon;
    uint32_t push_ms; /* --push-interval: 0 = no periodic status pushes */
    uint64_t next_push;
} sim_slot_t;

/* What all devices share unless their entry in a fleet file says otherwise. */
typedef struct {
    const char *host, *profile;
    ltuya_version_t version;
    uint32_t quirks;
    unsigned clients, idle_s;
    uint32_t seed;
    unsigned udp_port;
    double beacon_s;
    double push_s; /* --push-interval */
    unsigned solicit_port;
    const float *faults; /* SIM_F_COUNT rates */
    unsigned latency_ms, jitter_ms;
    unsigned shard, shards; /* serve fleet entries whose index % shards == shard */
} sim_setup_t;

extern sim_slot_t *sim_slots; /* one per simulated device */
extern size_t sim_nslots;
extern int sim_beacon_fd;   /* every device's beacons go out from here */
extern bool sim_print_only; /* --print-devices-json: set devices up, bind nothing */

/* A --quirk name into its SIM_Q_* bit; false for an unknown name. */
bool sim_parse_quirk(const char *name, uint32_t *q);

/* A whole decimal number 0..max, nothing else ("12x", "-1", "" are not). */
bool sim_parse_uint(const char *text, unsigned long max, unsigned *out);

/* "MS" or "MS:JITTER", JITTER <= MS. */
bool sim_parse_latency(const char *text, unsigned *ms, unsigned *jitter);

/* One device into *sl: checked, initialised, listening (unless sim_print_only). */
bool sim_setup_slot(sim_slot_t *sl, size_t file_index, const char *id, const char *key,
                    unsigned port, const sim_setup_t *c);

/* The devices of a fleet file that belong to this process's shard into sim_slots[]. */
bool sim_load_config(const char *path, const sim_setup_t *common);

/* The devices.json document tinytuya's wizard would write for sim_slots[]. */
void sim_print_devices_json(void);

/* As many descriptors as we may have: a fleet needs one per device and client. */
void sim_raise_fd_limit(void);

#endif
