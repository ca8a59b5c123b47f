/* A simulated device; see sim_device.h and docs/simulator.md. */
#include "sim_device.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "ltuya/crypto.h"
#include "ltuya/handshake.h"

static uint32_t rnd(sim_device_t *d)
{
    d->rng ^= d->rng << 13;
    d->rng ^= d->rng >> 17;
    d->rng ^= d->rng << 5;
    return d->rng;
}

static sim_dp_t *dp_mut(sim_device_t *d, uint16_t id)
{
    for (size_t i = 0; i < d->ndps; i++)
        if (d->dps[i].id == id)
            return &d->dps[i];
    return NULL;
}

const sim_dp_t *sim_device_dp(const sim_device_t *d, uint16_t id)
{
    return dp_mut((sim_device_t *)d, id);
}

bool sim_device_init(sim_device_t *d, const char *id, const uint8_t key[16], ltuya_version_t v,
                     const char *profile, uint32_t seed)
{
    const sim_profile_t *p = sim_profile_find(profile ? profile : "plug");
    if (!p)
        return false;
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "%s", id);
    memcpy(d->key, key, 16);
    d->version = v;
    d->prof = p;
    snprintf(d->product_key, sizeof d->product_key, "%s", p->product_id);
    d->quirks = p->quirks;
    for (size_t i = 0; i < p->n && i < SIM_MAX_DPS; i++) {
        const sim_dp_spec_t *s = &p->dps[i];
        sim_dp_t *x = &d->dps[d->ndps++];
        x->spec = s;
        x->id = s->id;
        x->type = sim_kind_wire_type(s->kind);
        x->b = s->init_i != 0;
        x->i = s->init_i;
        if (s->init_s)
            snprintf(x->s, sizeof x->s, "%s", s->init_s);
    }
    d->dp_switch = p->sw;
    d->dp_current = p->cur;
    d->dp_power = p->pow;
    d->dp_voltage = p->volt;
    d->dp_energy = p->energy;
    d->rng = seed ? seed : 0x2545f491u;
    d->load_ma = 371; /* a ~85 W appliance, as in a real capture */
    d->max_clients = 1;
    d->idle_timeout_ms = 30000;
    sim_device_measure(d);
    return true;
}

static sim_dp_t *dp_by_code(sim_device_t *d, const char *code)
{
    for (size_t i = 0; i < d->ndps; i++)
        if (d->dps[i].spec && !strcmp(d->dps[i].spec->code, code))
            return &d->dps[i];
    return NULL;
}

/* Mains wanders around 230 V; the load switches between idle and working. */
static void measure_energy(sim_device_t *d)
{
    sim_dp_t *sw = dp_mut(d, d->dp_switch);
    sim_dp_t *c = dp_mut(d, d->dp_current), *p = dp_mut(d, d->dp_power),
             *v = dp_mut(d, d->dp_voltage);
    if (!c || !p || !v)
        return;
    bool on = !sw || sw->b;
    int volts10 = 2300 + (int)(rnd(d) % 81) - 40;
    if (rnd(d) % 8 == 0)
        d->load_ma = d->load_ma > 100 ? 28 : 371 + (int)(rnd(d) % 40);
    int ma = on ? d->load_ma + (int)(rnd(d) % 7) - 3 : 0;
    /* P = V * I * PF, PF 0.97; W x10 */
    int w10 = on ? (int)((int64_t)volts10 * ma * 97 / 100000) : 0;
    v->i = volts10;
    c->i = ma;
    p->i = w10;
    sim_dp_t *e = dp_mut(d, d->dp_energy);
    if (e && on) {
        d->energy_mwh += w10 / 10; /* a coarse tick of added energy */
        e->i = d->energy_mwh / 1000;
    }
}

/* A room: a thermostat heats towards its set point half a degree per reading,
 * and cools towards 18 degrees when off; a sensor's readings wander. */
static void measure_room(sim_device_t *d)
{
    sim_dp_t *set = dp_by_code(d, "temp_set"), *cur = dp_by_code(d, "temp_current");
    if (set && cur) {
        sim_dp_t *sw = dp_by_code(d, "switch");
        int64_t goal = !sw || sw->b ? set->i : 180;
        cur->i += cur->i < goal ? 5 : cur->i > goal ? -5 : 0;
    }
    sim_dp_t *t = dp_by_code(d, "va_temperature"), *h = dp_by_code(d, "va_humidity");
    if (t && t->i > 150 && t->i < 300)
        t->i += (int64_t)(rnd(d) % 5) - 2;
    if (h && h->i > 30 && h->i < 70)
        h->i += (int64_t)(rnd(d) % 3) - 1;
}

void sim_device_measure(sim_device_t *d)
{
    measure_energy(d);
    measure_room(d);
}

/* ---- JSON ------------------------------------------------------------------ */

static void put_dp(ltuya_jw_t *w, const sim_dp_t *x)
{
    char key[8];
    snprintf(key, sizeof key, "%u", x->id);
    ltuya_jw_key(w, key);
    if (x->type == LTUYA_DP_BOOL)
        ltuya_jw_bool(w, x->b);
    else if (x->type == LTUYA_DP_INT)
        ltuya_jw_int(w, x->i);
    else
        ltuya_jw_str(w, x->s, strlen(x->s));
}

size_t sim_device_dps_json(const sim_device_t *d, char *buf, size_t cap)
{
    ltuya_jw_t w;
    size_t n;
    ltuya_jw_init(&w, buf, cap);
    ltuya_jw_obj_begin(&w);
    for (size_t i = 0; i < d->ndps; i++)
        put_dp(&w, &d->dps[i]);
    ltuya_jw_obj_end(&w);
    return ltuya_jw_finish(&w, &n) == LTUYA_OK ? n : 0;
}

/* A status payload for the listed ids (all when ids is NULL). */
static size_t status_json(const sim_device_t *d, const uint16_t *ids, size_t nids, bool envelope,
                          bool with_dev_id, char *buf, size_t cap)
{
    ltuya_jw_t w;
    size_t n;
    int64_t t = (int64_t)time(NULL);
    ltuya_jw_init(&w, buf, cap);
    ltuya_jw_obj_begin(&w);
    if (envelope) { /* 3.4/3.5 pushes: {"protocol":4,"t":..,"data":{"dps":{..}}} */
        ltuya_jw_key(&w, "protocol");
        ltuya_jw_int(&w, 4);
        ltuya_jw_key(&w, "t");
        ltuya_jw_int(&w, t);
        ltuya_jw_key(&w, "data");
        ltuya_jw_obj_begin(&w);
    } else if (with_dev_id) {
        ltuya_jw_key(&w, "devId");
        ltuya_jw_str(&w, d->id, strlen(d->id));
    }
    ltuya_jw_key(&w, "dps");
    ltuya_jw_obj_begin(&w);
    for (size_t i = 0; i < d->ndps; i++) {
        bool want = !ids;
        for (size_t k = 0; ids && k < nids; k++)
            want |= ids[k] == d->dps[i].id;
        if (want)
            put_dp(&w, &d->dps[i]);
    }
    ltuya_jw_obj_end(&w);
    if (envelope) {
        ltuya_jw_obj_end(&w);
    } else if (d->version <= LTUYA_V33) {
        ltuya_jw_key(&w, "t");
        ltuya_jw_int(&w, t);
    }
    ltuya_jw_obj_end(&w);
    return ltuya_jw_finish(&w, &n) == LTUYA_OK ? n : 0;
}

/* ---- sending ------------------------------------------------------------------ */

static const uint8_t *conn_key(const sim_conn_t *c)
{
    return c->keyed ? c->session_key : c->dev->key;
}

static void inject_faults(sim_conn_t *c, size_t start);
static uint64_t mono_ms(void);

/* The network between device and client: the frame leaves latency +- jitter
 * ms from now (seeded), after the frames queued before it. */
static void add_latency(sim_conn_t *c)
{
    sim_device_t *d = c->dev;
    if (!d->latency_ms && !d->jitter_ms)
        return;
    int64_t ms = (int64_t)d->latency_ms;
    if (d->jitter_ms)
        ms += (int64_t)(rnd(d) % (2 * d->jitter_ms + 1)) - d->jitter_ms;
    uint32_t l = ms < 0 ? 0 : (uint32_t)ms;
    uint64_t now = mono_ms();
    d->stats.lat_min = !d->stats.lat_frames || l < d->stats.lat_min ? l : d->stats.lat_min;
    d->stats.lat_max = l > d->stats.lat_max ? l : d->stats.lat_max;
    d->stats.lat_frames++;
    if (!c->held_since)
        c->held_since = now;
    if (now + l > c->hold_until)
        c->hold_until = now + l;
}

void sim_device_note_held(sim_device_t *d, uint32_t waited_ms)
{
    if (!d->latency_ms && !d->jitter_ms)
        return;
    d->stats.held_min =
        !d->stats.held_n || waited_ms < d->stats.held_min ? waited_ms : d->stats.held_min;
    d->stats.held_n++;
}

typedef enum { SEND_REPLY, SEND_PUSH, SEND_ERROR_PLAIN, SEND_ERROR_ENC, SEND_ACK } send_kind_t;

static void send_frame(sim_conn_t *c, uint32_t cmd, uint32_t req_seq, const void *payload,
                       size_t len, send_kind_t kind)
{
    sim_device_t *d = c->dev;
    uint8_t nonce[12], tail[12] = {0};
    ltuya_frame_spec_t f = {0};
    f.version = d->version;
    f.key = conn_key(c);
    f.cmd = cmd;
    f.from_device = true;
    f.payload = payload;
    f.payload_len = len;
    /* 3.4/3.5 devices count on their own; 3.1-3.3 echo the request's seq */
    f.seq = d->version >= LTUYA_V34 ? ++c->dev_seq : req_seq;
    f.retcode = kind == SEND_ERROR_PLAIN || kind == SEND_ERROR_ENC ? 1 : 0;
    if (kind == SEND_ACK && (d->quirks & SIM_Q_NATIVE_ENDIAN_ACK))
        f.retcode = 0x01000000u; /* 1 as a little-endian CPU stores it, read big-endian */
    f.plaintext = kind == SEND_ERROR_PLAIN && d->version != LTUYA_V35;
    f.header = LTUYA_HEADER_OFF;
    if (kind == SEND_PUSH || (kind == SEND_REPLY && (d->quirks & SIM_Q_HEADER_ON_QUERY) && len)) {
        /* pushes carry the header with the device as the source: crc 0, seq, id 1 */
        f.header = d->version == LTUYA_V31 ? LTUYA_HEADER_OFF : LTUYA_HEADER_ON;
        uint32_t ps = ++c->push_seq; /* frame seqs still rise by one per frame */
        tail[4] = (uint8_t)(ps >> 24);
        tail[5] = (uint8_t)(ps >> 16);
        tail[6] = (uint8_t)(ps >> 8);
        tail[7] = (uint8_t)ps;
        tail[11] = 1;
        f.header_tail = tail;
    }
    f.v31_encrypt = d->version == LTUYA_V31 && kind == SEND_PUSH;
    if (d->version == LTUYA_V35) {
        sim_random(nonce, sizeof nonce);
        f.nonce = nonce;
    }
    size_t n;
    if (ltuya_frame_encode(&f, c->out + c->out_len, sizeof c->out - c->out_len, &n) == LTUYA_OK) {
        size_t start = c->out_len;
        c->out_len += n;
        add_latency(c);
        inject_faults(c, start);
        d->stats.frames_out++;
        if (kind == SEND_PUSH)
            d->stats.pushes++;
    }
}

int sim_fault_parse(const char *name)
{
#define SIM_FAULT_MATCH_(n, text)                                                                  \
    if (!strcmp(name, text))                                                                       \
        return SIM_F_##n;
    SIM_FAULT_LIST(SIM_FAULT_MATCH_)
#undef SIM_FAULT_MATCH_
    return -1;
}

const char *sim_fault_name(int f)
{
    static const char *const names[] = {
#define SIM_FAULT_NAME_(n, text) text,
        SIM_FAULT_LIST(SIM_FAULT_NAME_)
#undef SIM_FAULT_NAME_
    };
    return f >= 0 && f < SIM_F_COUNT ? names[f] : "?";
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool roll(sim_device_t *d, int f)
{
    if (d->fault_rate[f] <= 0)
        return false;
    bool hit = (float)(rnd(d) % 1000000u) / 1e6f < d->fault_rate[f];
    if (hit)
        d->stats.faults[f]++;
    return hit;
}

/* Seeded faults on the frame just appended at c->out[start..]. */
static void inject_faults(sim_conn_t *c, size_t start)
{
    sim_device_t *d = c->dev;
    size_t n = c->out_len - start;
    if (roll(d, SIM_F_DROP)) {
        c->out_len = start;
        return;
    }
    if (roll(d, SIM_F_CORRUPT))
        c->out[start + rnd(d) % n] ^= (uint8_t)(1u << (rnd(d) % 8));
    if (roll(d, SIM_F_GARBAGE)) {
        size_t g = 1 + rnd(d) % 16;
        if (c->out_len + g <= sizeof c->out) {
            memmove(c->out + start + g, c->out + start, n);
            for (size_t i = 0; i < g; i++)
                c->out[start + i] = (uint8_t)rnd(d);
            c->out_len += g;
        }
    }
    if (roll(d, SIM_F_RESET))
        c->reset_now = true;
    if (roll(d, SIM_F_CLOSE))
        c->close_after_flush = true;
    if (roll(d, SIM_F_SPLIT))
        c->split = true;
    uint64_t hold = 0;
    if (roll(d, SIM_F_DELAY))
        hold = mono_ms() + 100 + rnd(d) % 1900;
    else if (roll(d, SIM_F_COALESCE) && !c->hold_until)
        hold = mono_ms() + 50;
    if (hold > c->hold_until)
        c->hold_until = hold; /* never sooner than latency already holds it */
}

static void push_dps(sim_conn_t *c, const uint16_t *ids, size_t n)
{
    char json[1024];
    size_t len =
        status_json(c->dev, ids, n, c->dev->version >= LTUYA_V34, false, json, sizeof json);
    if (len)
        send_frame(c, LTUYA_CMD_STATUS, 0, json, len, SEND_PUSH);
}

void sim_random(uint8_t *buf, size_t n)
{
    ltuya_status_t st = ltuya_random(buf, n);
    if (st != LTUYA_OK) {
        fprintf(stderr, "ltuya sim: no random bytes: %s\n", ltuya_status_str(st));
        exit(1);
    }
}

void sim_conn_init(sim_conn_t *c, sim_device_t *d, int fd, uint64_t now_ms)
{
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->dev = d;
    ltuya_reasm_init(&c->rx, c->rxbuf, sizeof c->rxbuf);
    uint8_t r[2];
    sim_random(r, 2);
    c->dev_seq = (uint32_t)(r[0] << 8 | r[1]); /* a random start, like TuyaOpen */
    c->last_rx_ms = now_ms;
    c->last_hb_ms = now_ms;
    static uint64_t serials;
    c->serial = ++serials;
}

void sim_conn_closed(sim_conn_t *c)
{
    if (c->later_at)
        c->dev->stats.late_pushes_lost++;
    c->later_at = 0;
    if (c->hs_start_ms && c->dev->hs_pending)
        c->dev->hs_pending--;
    c->hs_start_ms = 0;
}

void sim_device_power_cycle(sim_device_t *d)
{
    d->wedged = false;
    d->hs_pending = 0;
}

static bool ready(const sim_conn_t *c)
{
    return c->dev->version < LTUYA_V34 || c->keyed;
}

void sim_conn_opened(sim_conn_t *c)
{
    if ((c->dev->quirks & SIM_Q_PUSH_ON_CONNECT) && ready(c))
        push_dps(c, NULL, 0);
}

/* ---- receiving ---------------------------------------------------------------- */

static bool handshake(sim_conn_t *c, const ltuya_frame_t *f)
{
    sim_device_t *d = c->dev;
    if (f->cmd == LTUYA_CMD_SESS_KEY_NEG_START) {
        uint8_t resp[LTUYA_HS_RESP_LEN];
        if (c->keyed || f->payload_len != 16)
            return false; /* never renegotiate on an open connection */
        uint64_t now = mono_ms();
        /* two connections starting handshakes within 0.5 s (users saw 40 ms apart) */
        if ((d->quirks & SIM_Q_HANDSHAKE_WEDGE) && d->hs_last_conn &&
            d->hs_last_conn != c->serial && now - d->hs_last_start < 500)
            d->wedged = true;
        if (d->wedged)
            return true; /* silently ignored until a power cycle */
        if (!c->hs_start_ms)
            d->hs_pending++;
        c->hs_start_ms = now;
        d->hs_last_start = now;
        d->hs_last_conn = c->serial;
        memcpy(c->lc, f->payload, 16);
        sim_random(c->ld, 16);
        c->have_lc = true;
        ltuya_hs_resp_payload(d->key, c->lc, c->ld, resp);
        send_frame(c, LTUYA_CMD_SESS_KEY_NEG_RESP, f->seq, resp, sizeof resp, SEND_REPLY);
        if (d->quirks & SIM_Q_PUSH_IN_HANDSHAKE) {
            /* a DP changed meanwhile (a button, another client): pushed before
             * this client's FINISH, so still under the local key */
            uint16_t sw = d->dp_switch ? d->dp_switch : d->dps[0].id;
            push_dps(c, &sw, 1);
        }
        return true;
    }
    /* FINISH */
    if (!c->have_lc || ltuya_hs_check_finish(d->key, c->ld, f->payload, f->payload_len) != LTUYA_OK)
        return false;
    if (ltuya_hs_session_key(d->version, d->key, c->lc, c->ld, c->session_key) != LTUYA_OK)
        return false;
    c->keyed = true;
    if (c->hs_start_ms && d->hs_pending)
        d->hs_pending--;
    c->hs_start_ms = 0;
    d->stats.handshakes++;
    sim_conn_opened(c);
    return true;
}

/* The DPs a write changed, in the order the device reports them. */
typedef struct {
    uint16_t ids[SIM_MAX_DPS];
    size_t n;
} changes_t;

static void note(changes_t *ch, uint16_t id)
{
    for (size_t i = 0; i < ch->n; i++)
        if (ch->ids[i] == id)
            return;
    if (id && ch->n < SIM_MAX_DPS)
        ch->ids[ch->n++] = id;
}

static void store(sim_dp_t *x, const ltuya_dp_t *in)
{
    if (x->type == LTUYA_DP_BOOL) {
        x->b = in->b;
    } else if (x->type == LTUYA_DP_INT) {
        x->i = in->i;
    } else {
        size_t n;
        if (ltuya_json_unescape(in->str, x->s, sizeof x->s - 1, &n) != LTUYA_OK)
            n = 0;
        x->s[n] = 0;
    }
}

/* What follows from a write on the device itself: the relay changes what the
 * meter reads; a curtain motor runs to the position asked for. */
static void consequences(sim_device_t *d, changes_t *ch)
{
    for (size_t i = 0; i < ch->n; i++)
        if (ch->ids[i] == d->dp_switch && d->dp_power) {
            measure_energy(d);
            note(ch, d->dp_current);
            note(ch, d->dp_power);
            note(ch, d->dp_voltage);
            break;
        }
    sim_dp_t *ctl = dp_by_code(d, "control"), *target = dp_by_code(d, "percent_control"),
             *pos = dp_by_code(d, "percent_state"), *state = dp_by_code(d, "work_state");
    if (!target || !pos || !state)
        return;
    bool moved = false;
    for (size_t i = 0; i < ch->n; i++)
        moved |= ch->ids[i] == target->id;
    if (ctl && !moved)
        for (size_t i = 0; i < ch->n; i++)
            if (ch->ids[i] == ctl->id && (!strcmp(ctl->s, "open") || !strcmp(ctl->s, "close"))) {
                target->i = !strcmp(ctl->s, "open") ? 100 : 0;
                note(ch, target->id);
                moved = true;
            }
    if (moved && target->i != pos->i) {
        snprintf(state->s, sizeof state->s, "%s", target->i > pos->i ? "opening" : "closing");
        pos->i = target->i; /* the motor's run, taken as instant */
        note(ch, pos->id);
        note(ch, state->id);
    }
}

/* Check every DP of a write, then apply it. A write with a DP the device
 * refuses (unknown, read-only, wrong type, out of range) is refused whole,
 * unless `keep_valid` (TuyaOpen's way: the valid DPs are applied, the others
 * dropped without a word). *why says what the first refused DP was. */
static bool write_dps(sim_device_t *d, const ltuya_dps_t *in, bool local, bool keep_valid,
                      changes_t *ch, const char **why)
{
    bool all_ok = true;
    *why = NULL;
    ch->n = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < in->count; i++) {
            sim_dp_t *x = dp_mut(d, in->dp[i].id);
            const char *err = !x ? "no such DP" : sim_dp_check(x->spec, &in->dp[i], local);
            if (pass == 0 && err) {
                all_ok = false;
                if (!*why)
                    *why = err;
            }
            if (pass == 1 && !err) {
                store(x, &in->dp[i]);
                note(ch, x->id);
            }
        }
        if (pass == 0 && !all_ok && !keep_valid)
            return false;
    }
    consequences(d, ch);
    return all_ok;
}

/* A real plug ACKs a write at once and pushes the new state tens of ms later,
 * once the relay has moved; TuyaOpen applies DPs on another thread, so its
 * push can even come first. */
static void push_after_ack(sim_conn_t *c, const ltuya_frame_t *f, const changes_t *ch)
{
    sim_device_t *d = c->dev;
    if (ch->n && (d->quirks & SIM_Q_PUSH_BEFORE_ACK))
        push_dps(c, ch->ids, ch->n);
    send_frame(c, f->cmd, f->seq, NULL, 0, SEND_ACK); /* the empty ACK */
    if (!ch->n || (d->quirks & SIM_Q_PUSH_BEFORE_ACK))
        return;
    if (d->quirks & SIM_Q_BACK_TO_BACK) {
        push_dps(c, ch->ids, ch->n);
        return;
    }
    for (size_t i = 0; i < ch->n; i++) { /* writes in quick succession share one push */
        bool have = false;
        for (size_t k = 0; k < c->later_n; k++)
            have |= c->later_ids[k] == ch->ids[i];
        if (!have && c->later_n < SIM_MAX_DPS)
            c->later_ids[c->later_n++] = ch->ids[i];
    }
    if (!c->later_at)
        c->later_at = mono_ms() + 20 + rnd(d) % 61; /* 20-80 ms, seeded */
}

uint64_t sim_conn_next_due(const sim_conn_t *c)
{
    return c->later_at;
}

void sim_conn_tick(sim_conn_t *c, uint64_t now_ms)
{
    if (!c->later_at || now_ms < c->later_at)
        return;
    /* the state as it is now: a write meanwhile shows in the push, as on a device */
    push_dps(c, c->later_ids, c->later_n);
    c->dev->stats.late_pushes++;
    c->later_n = 0;
    c->later_at = 0;
}

static void control(sim_conn_t *c, const ltuya_frame_t *f)
{
    sim_device_t *d = c->dev;
    ltuya_dps_t in;
    if (ltuya_json_parse_dps((const char *)f->payload, f->payload_len, &in) != LTUYA_OK ||
        !in.has_dps) {
        static const char err[] = "data format error";
        send_frame(c, f->cmd, f->seq, err, sizeof err - 1, SEND_ERROR_ENC);
        return;
    }
    /* device22 status query: the DPs asked for, all null */
    bool query = in.count > 0;
    for (size_t i = 0; i < in.count; i++)
        query &= in.dp[i].type == LTUYA_DP_NULL;
    if (query) {
        uint16_t ids[SIM_MAX_DPS];
        size_t n = 0;
        for (size_t i = 0; i < in.count && n < SIM_MAX_DPS; i++)
            ids[n++] = in.dp[i].id;
        send_frame(c, f->cmd, f->seq, NULL, 0, SEND_ACK);
        push_dps(c, ids, n);
        return;
    }
    if ((d->quirks & SIM_Q_REJECT_MULTI_DP) && in.count > 1) {
        static const char err[] = "data format error";
        send_frame(c, f->cmd, f->seq, err, sizeof err - 1, SEND_ERROR_ENC);
        return;
    }
    changes_t ch;
    const char *why;
    if (!write_dps(d, &in, false, (d->quirks & SIM_Q_SILENT_REJECT) != 0, &ch, &why)) {
        d->stats.rejected_writes++;
        fprintf(stderr, "ltuya sim: %s: write refused: %s\n", d->id, why);
        if (!(d->quirks & SIM_Q_SILENT_REJECT)) {
            static const char err[] = "data format error";
            send_frame(c, f->cmd, f->seq, err, sizeof err - 1, SEND_ERROR_ENC);
            return;
        }
    }
    push_after_ack(c, f, &ch);
}

static void query(sim_conn_t *c, const ltuya_frame_t *f)
{
    sim_device_t *d = c->dev;
    if (d->quirks & SIM_Q_DEVICE22) {
        /* firmware without DP_QUERY; 3.2 devices say it in plaintext */
        static const char err[] = "data format error";
        send_frame(c, f->cmd, f->seq, err, sizeof err - 1,
                   d->version <= LTUYA_V33 ? SEND_ERROR_PLAIN : SEND_ERROR_ENC);
        return;
    }
    char json[1024];
    size_t len = status_json(d, NULL, 0, false, d->version <= LTUYA_V33, json, sizeof json);
    send_frame(c, f->cmd, f->seq, json, len, SEND_REPLY);
}

static void refresh(sim_conn_t *c, const ltuya_frame_t *f)
{
    sim_device_t *d = c->dev;
    if (d->quirks & SIM_Q_NO_REFRESH_REPLY)
        return; /* decrypted, then ignored: no reply, no push, nothing re-measured */
    ltuya_str_t v;
    uint16_t ids[SIM_MAX_DPS];
    size_t n = 0;
    sim_device_measure(d); /* energy plugs re-measure when asked */
    if (ltuya_json_get((const char *)f->payload, f->payload_len, "dpId", &v, NULL) == LTUYA_OK) {
        ltuya_json_iter_t it;
        ltuya_str_t item;
        if (ltuya_json_iter_init(&it, v.ptr, v.len) == LTUYA_OK)
            while (n < SIM_MAX_DPS && ltuya_json_iter_next(&it, NULL, &item, NULL) == LTUYA_OK) {
                unsigned id = 0;
                for (size_t k = 0; k < item.len && item.ptr[k] >= '0' && item.ptr[k] <= '9'; k++)
                    id = id * 10 + (unsigned)(item.ptr[k] - '0');
                if (id && id < 65536 && sim_device_dp(d, (uint16_t)id))
                    ids[n++] = (uint16_t)id; /* DPs the device lacks are skipped */
            }
    }
    send_frame(c, f->cmd, f->seq, NULL, 0, SEND_REPLY);
    if (n)
        push_dps(c, ids, n);
}

static bool handle(sim_conn_t *c, const ltuya_frame_t *f)
{
    sim_device_t *d = c->dev;
    bool hs = f->cmd == LTUYA_CMD_SESS_KEY_NEG_START || f->cmd == LTUYA_CMD_SESS_KEY_NEG_FINISH;
    if (d->version >= LTUYA_V34) {
        if (hs)
            return handshake(c, f);
        if (!c->keyed) {
            /* TuyaOpen: the first three unkeyed frames are dropped, then the door shuts */
            return ++c->unkeyed_frames <= 3;
        }
    }
    if ((d->quirks & SIM_Q_STRICT_HEADERS) && d->version != LTUYA_V31) {
        bool is_query = f->cmd == LTUYA_CMD_DP_QUERY || f->cmd == LTUYA_CMD_DP_QUERY_NEW;
        bool is_write = f->cmd == LTUYA_CMD_CONTROL || f->cmd == LTUYA_CMD_CONTROL_NEW;
        if ((is_query && f->has_version_header) || (is_write && !f->has_version_header)) {
            static const char err[] = "parse data error";
            send_frame(c, f->cmd, f->seq, err, sizeof err - 1, SEND_ERROR_ENC);
            return true;
        }
    }
    switch (f->cmd) {
    case LTUYA_CMD_DP_QUERY:
    case LTUYA_CMD_DP_QUERY_NEW:
        query(c, f);
        break;
    case LTUYA_CMD_CONTROL:
    case LTUYA_CMD_CONTROL_NEW:
        control(c, f);
        break;
    case LTUYA_CMD_HEART_BEAT:
        c->last_hb_ms = mono_ms();
        send_frame(c, LTUYA_CMD_HEART_BEAT, f->seq, NULL, 0, SEND_REPLY);
        break;
    case LTUYA_CMD_UPDATEDPS:
        refresh(c, f);
        break;
    default:
        break; /* unknown commands are ignored, as firmware does */
    }
    return true;
}

static uint32_t get_cmd(const uint8_t *raw)
{
    const uint8_t *p = raw + (raw[2] == 0x66 ? 10 : 8);
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool sim_conn_input(sim_conn_t *c, const uint8_t *data, size_t n, uint64_t now_ms)
{
    sim_device_t *d = c->dev;
    while (n) {
        size_t acc;
        ltuya_reasm_feed(&c->rx, data, n, &acc);
        data += acc;
        n -= acc;
        uint8_t *raw;
        size_t len;
        ltuya_status_t st;
        while ((st = ltuya_reasm_next(&c->rx, &raw, &len)) != LTUYA_NEED_MORE) {
            if (st != LTUYA_OK)
                return false;
            ltuya_decode_opts_t o = {d->version, conn_key(c), LTUYA_FROM_CLIENT};
            ltuya_frame_t f;
            st = ltuya_frame_decode_whole(raw, len, &o, &f);
            d->stats.frames_in++;
            if (st == LTUYA_ERR_BAD_PADDING && d->version <= LTUYA_V33) {
                /* the client's key is not ours: answer what we can, which it cannot read */
                static const char err[] = "data format error";
                d->stats.bad_frames++;
                send_frame(c, get_cmd(raw), 0, err, sizeof err - 1, SEND_ERROR_ENC);
                continue;
            }
            if (st != LTUYA_OK) {
                /* garbage, the wrong framing or the wrong key: slam the door */
                d->stats.bad_frames++;
                return false;
            }
            if (d->version == LTUYA_V35) {
                if (f.seq <= c->last_seq)
                    return false; /* sequence numbers must strictly increase */
                c->last_seq = f.seq;
            }
            c->last_rx_ms = now_ms;
            if (!handle(c, &f))
                return false;
        }
    }
    return true;
}

const char *sim_device_set(sim_device_t *d, const ltuya_dps_t *changes, sim_conn_t **conns,
                           size_t n)
{
    changes_t ch;
    const char *why;
    if (!write_dps(d, changes, true, false, &ch, &why))
        return why;
    for (size_t i = 0; ch.n && i < n; i++)
        if (conns[i] && conns[i]->dev == d && ready(conns[i]))
            push_dps(conns[i], ch.ids, ch.n);
    return NULL;
}

void sim_device_push_status(sim_device_t *d, sim_conn_t **conns, size_t n)
{
    sim_device_measure(d);
    for (size_t i = 0; i < n; i++)
        if (conns[i] && conns[i]->dev == d && ready(conns[i]))
            push_dps(conns[i], NULL, 0);
}
