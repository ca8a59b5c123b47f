/* The engine: many devices from one thread; see engine.h. */
#include "ltuya/engine.h"

#include <string.h>

_Static_assert(LTUYA_ENGINE_SET_DPS <= 32, "confirmed/contradicted are 32-bit masks");
_Static_assert(LTUYA_ENGINE_QUEUE <= 255, "q_head/q_len are uint8_t");

/* Phases of the request at the head of a device's queue. */
enum { PH_QUEUED, PH_SENT, PH_CONFIRMING, PH_READING };

static ltuya_client_t *cl(const ltuya_engine_dev_t *ed)
{
    return &ed->dev->client;
}

static uint64_t clock_now(const ltuya_engine_dev_t *ed)
{
    const ltuya_clock_t *clk = cl(ed)->opts.clock;
    return clk->now_ms(clk->ctx);
}

static ltuya_engine_slot_t *slot_at(ltuya_engine_dev_t *ed, size_t i)
{
    return &ed->q[(ed->q_head + i) % LTUYA_ENGINE_QUEUE];
}

static uint32_t interval(const ltuya_engine_dev_t *ed)
{
    return ed->opts.min_write_interval_ms ? ed->opts.min_write_interval_ms
                                          : LTUYA_ENGINE_MIN_WRITE_INTERVAL_MS;
}

static uint32_t all_bits(size_t n)
{
    return n >= 32 ? UINT32_MAX : ((uint32_t)1 << n) - 1;
}

/* ---- completing requests ----------------------------------------------------- */

static void fire(ltuya_engine_dev_t *ed, const ltuya_engine_slot_t *s, ltuya_status_t st,
                 ltuya_proof_t proof, const ltuya_dps_t *dps)
{
    ltuya_engine_result_t r;
    r.op = (ltuya_op_t)s->op;
    r.status = st;
    r.proof = proof;
    r.dps = dps;
    r.device_error = st == LTUYA_ERR_DEVICE ? ltuya_client_device_error(cl(ed)) : "";
    for (size_t i = 0; i < s->waiters; i++)
        s->w[i].fn(s->w[i].cookie, ed, &r);
}

/* Take the head off the queue, then tell its waiters (a copy: callbacks may
 * queue new requests into the freed slot). */
static void complete_head(ltuya_engine_dev_t *ed, ltuya_status_t st, ltuya_proof_t proof,
                          const ltuya_dps_t *dps)
{
    ltuya_engine_slot_t done = *slot_at(ed, 0);
    bool orphaned = ed->head_orphaned;
    ed->q_head = (uint8_t)((ed->q_head + 1) % LTUYA_ENGINE_QUEUE);
    ed->q_len--;
    ed->phase = PH_QUEUED;
    ed->head_orphaned = false;
    ed->confirmed = ed->contradicted = 0;
    ed->kick = true;
    if (!orphaned)
        fire(ed, &done, st, proof, dps);
}

/* Every request not yet sent fails with st (a connection attempt failed). */
static void fail_queued(ltuya_engine_dev_t *ed, ltuya_status_t st)
{
    while (ed->q_len) {
        if (ed->phase == PH_SENT || ed->phase == PH_READING)
            return; /* the client still owes that one its on_done */
        if (ed->phase == PH_CONFIRMING)
            complete_head(ed, LTUYA_OK, LTUYA_PROOF_ACKED, NULL);
        else
            complete_head(ed, st, LTUYA_PROOF_NONE, NULL);
    }
}

/* ---- the proof of a write ----------------------------------------------------- */

static bool same_value(const ltuya_dp_t *want, const ltuya_dp_t *got)
{
    if (want->type != got->type)
        return false;
    switch (want->type) {
    case LTUYA_DP_BOOL:
        return want->b == got->b;
    case LTUYA_DP_INT:
        return want->i == got->i;
    case LTUYA_DP_STR:
    case LTUYA_DP_RAW:
        return want->str.len == got->str.len &&
               (want->str.len == 0 || memcmp(want->str.ptr, got->str.ptr, want->str.len) == 0);
    default:
        return true;
    }
}

/* A report (push or status read) of DPs: which written DPs it proves or
 * contradicts. The last report of a DP counts. */
static void compare_report(ltuya_engine_dev_t *ed, const ltuya_dps_t *dps)
{
    const ltuya_engine_slot_t *s = slot_at(ed, 0);
    for (size_t i = 0; i < s->n; i++) {
        const ltuya_dp_t *got = ltuya_dps_find(dps, s->dps[i].id);
        if (!got)
            continue;
        uint32_t bit = (uint32_t)1 << i;
        if (same_value(&s->dps[i], got)) {
            ed->confirmed |= bit;
            ed->contradicted &= ~bit;
        } else {
            ed->contradicted |= bit;
            ed->confirmed &= ~bit;
        }
    }
}

static ltuya_proof_t verdict(const ltuya_engine_dev_t *ed, const ltuya_engine_slot_t *s)
{
    if (ed->contradicted)
        return LTUYA_PROOF_CONTRADICTED;
    if (ed->confirmed == all_bits(s->n))
        return LTUYA_PROOF_CONFIRMED;
    return LTUYA_PROOF_ACKED;
}

static bool writing(const ltuya_engine_dev_t *ed)
{
    return ed->q_len && slot_at((ltuya_engine_dev_t *)ed, 0)->op == LTUYA_OP_SET &&
           (ed->phase == PH_SENT || ed->phase == PH_CONFIRMING || ed->phase == PH_READING);
}

/* ---- the device's callbacks ----------------------------------------------------- */

static void dev_push(void *user, const ltuya_dps_t *dps)
{
    ltuya_engine_dev_t *ed = user;
    if (writing(ed)) {
        compare_report(ed, dps);
        ed->kick = true;
    }
    if (ed->opts.on_push)
        ed->opts.on_push(ed->opts.user, ed, dps);
}

static void dev_done(void *user, ltuya_req_t req, ltuya_status_t st, const ltuya_dps_t *dps)
{
    ltuya_engine_dev_t *ed = user;
    (void)req;
    if (!ed->q_len || (ed->phase != PH_SENT && ed->phase != PH_READING))
        return; /* not ours (nothing of the engine is in flight) */
    ltuya_engine_slot_t *s = slot_at(ed, 0);
    ed->kick = true;
    if (ed->head_orphaned) { /* cancelled while in flight: its callbacks have fired */
        complete_head(ed, st, LTUYA_PROOF_NONE, NULL);
        return;
    }
    if (ed->phase == PH_READING) {
        /* the status read after a write: the write itself was acknowledged */
        if (st == LTUYA_OK && dps)
            compare_report(ed, dps);
        complete_head(ed, LTUYA_OK, verdict(ed, s), NULL);
        return;
    }
    if (s->op != LTUYA_OP_SET || st != LTUYA_OK) {
        complete_head(ed, st, LTUYA_PROOF_NONE, dps);
        return;
    }
    /* acknowledged: a push may already have proved it (some devices push first) */
    if (ed->confirmed == all_bits(s->n) || ed->opts.confirm == LTUYA_CONFIRM_NONE) {
        complete_head(ed, LTUYA_OK, verdict(ed, s), NULL);
        return;
    }
    ed->phase = PH_CONFIRMING;
    ed->confirm_deadline =
        clock_now(ed) + (ed->opts.confirm_ms ? ed->opts.confirm_ms : LTUYA_ENGINE_CONFIRM_MS);
}

static void dev_state(void *user, ltuya_client_state_t state, ltuya_status_t why)
{
    ltuya_engine_dev_t *ed = user;
    uint8_t before = ed->cstate;
    ed->cstate = (uint8_t)state;
    ed->kick = true;
    if ((state == LTUYA_CLIENT_IDLE || state == LTUYA_CLIENT_BACKOFF) && why != LTUYA_OK) {
        /* An attempt that failed fails what waits for it (a dead device answers every
         * request at once, not one connect timeout after another). A lost working
         * connection keeps what is queued: the next attempt carries it. */
        if (before != LTUYA_CLIENT_READY)
            fail_queued(ed, why);
        else if (ed->q_len && ed->phase == PH_CONFIRMING)
            complete_head(ed, LTUYA_OK, verdict(ed, slot_at(ed, 0)), NULL);
    }
    if (ed->opts.on_state)
        ed->opts.on_state(ed->opts.user, ed, state, why);
}

/* ---- the queue pump ------------------------------------------------------------ */

static ltuya_req_t req_of(uint8_t op)
{
    switch (op) {
    case LTUYA_OP_STATUS:
        return LTUYA_REQ_STATUS;
    case LTUYA_OP_SET:
        return LTUYA_REQ_SET;
    case LTUYA_OP_REFRESH:
        return LTUYA_REQ_REFRESH;
    default:
        return LTUYA_REQ_HEARTBEAT;
    }
}

/* Send the head request if it may go, move a write's proof along, connect
 * or close as the queue needs. */
static void advance(ltuya_engine_dev_t *ed, uint64_t now)
{
    ltuya_client_t *c = cl(ed);
    ed->kick = false;
    while (ed->q_len) {
        ltuya_engine_slot_t *s = slot_at(ed, 0);
        if (ed->phase == PH_SENT || ed->phase == PH_READING)
            return;
        if (ed->phase == PH_CONFIRMING) {
            if (ed->confirmed == all_bits(s->n)) {
                complete_head(ed, LTUYA_OK, LTUYA_PROOF_CONFIRMED, NULL);
                continue;
            }
            if (now < ed->confirm_deadline)
                return;
            if (ed->opts.confirm == LTUYA_CONFIRM_READ &&
                ltuya_client_state(c) == LTUYA_CLIENT_READY && !c->waiting) {
                ed->phase = PH_READING;
                if (ltuya_client_begin(c, LTUYA_REQ_STATUS, NULL, 0) == LTUYA_OK)
                    return;
                if (ed->phase != PH_READING)
                    continue; /* ended inside begin */
            }
            complete_head(ed, LTUYA_OK, verdict(ed, s), NULL);
            continue;
        }
        /* queued */
        ltuya_client_state_t cs = ltuya_client_state(c);
        if (cs == LTUYA_CLIENT_IDLE) {
            ltuya_client_open(c, now);
            return; /* a failure at once has failed the queue through dev_state */
        }
        if (cs != LTUYA_CLIENT_READY || c->waiting)
            return;
        if (s->op == LTUYA_OP_SET && ed->wrote && now < ed->last_write_ms + interval(ed))
            return; /* the device needs a pause between writes */
        ed->phase = PH_SENT;
        ed->confirmed = ed->contradicted = 0;
        if (s->op == LTUYA_OP_SET) {
            ed->wrote = true;
            ed->last_write_ms = now;
        }
        ltuya_status_t st = ltuya_client_begin(c, req_of(s->op), s->dps, s->n);
        if (st == LTUYA_OK)
            return;
        if (ed->phase == PH_SENT)
            complete_head(ed, st, LTUYA_PROOF_NONE, NULL);
    }
    /* nothing left to do: a device that is not kept alive lets go of its connection */
    if (!ed->opts.keep_alive && ltuya_client_state(c) != LTUYA_CLIENT_IDLE && !c->waiting)
        ltuya_client_close(c);
}

static void enter(ltuya_engine_dev_t *ed)
{
    ed->busy++;
}

static void leave(ltuya_engine_dev_t *ed, uint64_t now)
{
    if (--ed->busy == 0) {
        /* a round may queue more work (a callback's request): go on until quiet */
        for (int rounds = 0; ed->kick && rounds < 4; rounds++) {
            ed->busy++;
            advance(ed, now);
            ed->busy--;
        }
    }
}

/* A change made outside this device's readiness calls: the host loop must
 * look at the device again. */
static void changed(ltuya_engine_dev_t *ed)
{
    ltuya_engine_t *e = ed->engine;
    if (e && e->on_interest && !ed->busy)
        e->on_interest(e->user, ed);
}

/* ---- the engine -------------------------------------------------------------- */

void ltuya_engine_init(ltuya_engine_t *e, void (*on_interest)(void *user, ltuya_engine_dev_t *ed),
                       void *user)
{
    memset(e, 0, sizeof *e);
    e->on_interest = on_interest;
    e->user = user;
}

ltuya_status_t ltuya_engine_add(ltuya_engine_t *e, ltuya_engine_dev_t *ed, ltuya_device_t *d,
                                const ltuya_engine_dev_opts_t *opts)
{
    if (!e || !ed || !d || !d->client.opts.clock)
        return LTUYA_ERR_INVALID_ARG;
    memset(ed, 0, sizeof *ed);
    if (opts)
        ed->opts = *opts;
    ed->engine = e;
    ed->dev = d;
    ed->cstate = (uint8_t)ltuya_client_state(&d->client);
    d->user_push = dev_push;
    d->user_done = dev_done;
    d->user_state = dev_state;
    d->user = ed;
    d->keep_alive = ed->opts.keep_alive;
    d->client.opts.reconnect = ed->opts.keep_alive;
    ed->prev = NULL;
    ed->next = e->head;
    if (e->head)
        e->head->prev = ed;
    e->head = ed;
    e->count++;
    return LTUYA_OK;
}

void ltuya_engine_remove(ltuya_engine_dev_t *ed)
{
    ltuya_engine_t *e = ed->engine;
    if (!e)
        return;
    ltuya_engine_cancel_all(ed);
    ed->q_len = 0;
    ltuya_client_close(cl(ed));
    ed->dev->user_push = NULL;
    ed->dev->user_done = NULL;
    ed->dev->user_state = NULL;
    ed->dev->user = NULL;
    if (ed->prev)
        ed->prev->next = ed->next;
    else
        e->head = ed->next;
    if (ed->next)
        ed->next->prev = ed->prev;
    e->count--;
    ed->engine = NULL;
    ed->next = ed->prev = NULL;
}

ltuya_engine_dev_t *ltuya_engine_first(const ltuya_engine_t *e)
{
    return e->head;
}

ltuya_engine_dev_t *ltuya_engine_next(const ltuya_engine_dev_t *ed)
{
    return ed->next;
}

size_t ltuya_engine_count(const ltuya_engine_t *e)
{
    return e->count;
}

uint64_t ltuya_engine_next_deadline(const ltuya_engine_t *e)
{
    uint64_t d = UINT64_MAX;
    for (const ltuya_engine_dev_t *ed = e->head; ed; ed = ed->next) {
        uint64_t x = ltuya_engine_dev_deadline(ed);
        if (x < d)
            d = x;
    }
    return d;
}

uint64_t ltuya_engine_run_timers(ltuya_engine_t *e, uint64_t now_ms)
{
    for (ltuya_engine_dev_t *ed = e->head, *next; ed; ed = next) {
        next = ed->next;
        if (ltuya_engine_dev_deadline(ed) <= now_ms)
            ltuya_engine_dev_on_timer(ed, now_ms);
    }
    return ltuya_engine_next_deadline(e);
}

/* ---- one device's readiness --------------------------------------------------------- */

int ltuya_engine_dev_socket(const ltuya_engine_dev_t *ed)
{
    return ltuya_client_socket(cl(ed));
}

unsigned ltuya_engine_dev_connection_id(const ltuya_engine_dev_t *ed)
{
    return ltuya_client_connection_id(cl(ed));
}

bool ltuya_engine_dev_want_write(const ltuya_engine_dev_t *ed)
{
    return ltuya_client_want_write(cl(ed));
}

void ltuya_engine_dev_on_readable(ltuya_engine_dev_t *ed, uint64_t now_ms)
{
    enter(ed);
    ltuya_client_on_readable(cl(ed), now_ms);
    leave(ed, now_ms);
}

void ltuya_engine_dev_on_writable(ltuya_engine_dev_t *ed, uint64_t now_ms)
{
    enter(ed);
    ltuya_client_on_writable(cl(ed), now_ms);
    leave(ed, now_ms);
}

void ltuya_engine_dev_on_timer(ltuya_engine_dev_t *ed, uint64_t now_ms)
{
    enter(ed);
    ed->kick = true;
    if (ltuya_client_next_deadline(cl(ed)) <= now_ms)
        ltuya_client_on_timer(cl(ed), now_ms);
    leave(ed, now_ms);
}

uint64_t ltuya_engine_dev_deadline(const ltuya_engine_dev_t *ed)
{
    if (ed->kick)
        return 0; /* work queued outside a readiness call: run on_timer now */
    uint64_t d = ltuya_client_next_deadline(cl(ed));
    if (ed->q_len) {
        const ltuya_engine_slot_t *s = &ed->q[ed->q_head];
        uint64_t x = UINT64_MAX;
        if (ed->phase == PH_CONFIRMING)
            x = ed->confirm_deadline;
        else if (ed->phase == PH_QUEUED && s->op == LTUYA_OP_SET && ed->wrote &&
                 ltuya_client_state(cl(ed)) == LTUYA_CLIENT_READY)
            x = ed->last_write_ms + interval(ed);
        if (x < d)
            d = x;
    }
    return d;
}

ltuya_device_t *ltuya_engine_dev_device(const ltuya_engine_dev_t *ed)
{
    return ed->dev;
}

void *ltuya_engine_dev_user(const ltuya_engine_dev_t *ed)
{
    return ed->opts.user;
}

size_t ltuya_engine_dev_pending(const ltuya_engine_dev_t *ed)
{
    return ed->q_len;
}

ltuya_status_t ltuya_engine_dev_open(ltuya_engine_dev_t *ed)
{
    enter(ed);
    ltuya_status_t st = ltuya_client_open(cl(ed), clock_now(ed));
    leave(ed, clock_now(ed));
    changed(ed);
    return st;
}

void ltuya_engine_dev_close(ltuya_engine_dev_t *ed)
{
    ltuya_client_close(cl(ed));
    ed->kick = ed->q_len > 0;
    changed(ed);
}

/* ---- requests ---------------------------------------------------------------------- */

static ltuya_status_t submit(ltuya_engine_dev_t *ed, ltuya_op_t op, const ltuya_dp_t *dps, size_t n,
                             ltuya_engine_done_fn fn, void *cookie)
{
    if (!fn || n > LTUYA_ENGINE_SET_DPS || (op == LTUYA_OP_SET && n == 0) || !ed->engine)
        return LTUYA_ERR_INVALID_ARG;
    /* a write behind an unsent write: merge (the later value of a DP wins) */
    if (op == LTUYA_OP_SET && ed->q_len && !(ed->q_len == 1 && ed->phase != PH_QUEUED)) {
        ltuya_engine_slot_t *t = slot_at(ed, ed->q_len - 1u);
        size_t extra = 0;
        for (size_t i = 0; i < n; i++) {
            bool found = false;
            for (size_t k = 0; k < t->n && !found; k++)
                found = t->dps[k].id == dps[i].id;
            extra += !found;
        }
        if (t->op == LTUYA_OP_SET && t->waiters < LTUYA_ENGINE_WAITERS &&
            t->n + extra <= LTUYA_ENGINE_SET_DPS) {
            for (size_t i = 0; i < n; i++) {
                size_t k = 0;
                while (k < t->n && t->dps[k].id != dps[i].id)
                    k++;
                t->dps[k] = dps[i];
                if (k == t->n)
                    t->n++;
            }
            t->w[t->waiters].fn = fn;
            t->w[t->waiters].cookie = cookie;
            t->waiters++;
            changed(ed);
            return LTUYA_OK;
        }
    }
    if (ed->q_len >= LTUYA_ENGINE_QUEUE)
        return LTUYA_ERR_BUSY;
    ltuya_engine_slot_t *s = slot_at(ed, ed->q_len);
    memset(s, 0, sizeof *s);
    s->op = (uint8_t)op;
    s->n = (uint8_t)n;
    if (n)
        memcpy(s->dps, dps, n * sizeof *dps);
    s->w[0].fn = fn;
    s->w[0].cookie = cookie;
    s->waiters = 1;
    ed->q_len++;
    /* sent from the next on_timer (never from inside this call, so fn cannot
     * fire before the caller has returned) */
    ed->kick = true;
    changed(ed);
    return LTUYA_OK;
}

ltuya_status_t ltuya_engine_status(ltuya_engine_dev_t *ed, ltuya_engine_done_fn fn, void *cookie)
{
    return submit(ed, LTUYA_OP_STATUS, NULL, 0, fn, cookie);
}

ltuya_status_t ltuya_engine_set(ltuya_engine_dev_t *ed, const ltuya_dp_t *dps, size_t n,
                                ltuya_engine_done_fn fn, void *cookie)
{
    return submit(ed, LTUYA_OP_SET, dps, n, fn, cookie);
}

ltuya_status_t ltuya_engine_refresh(ltuya_engine_dev_t *ed, const uint16_t *ids, size_t n,
                                    ltuya_engine_done_fn fn, void *cookie)
{
    ltuya_dp_t which[LTUYA_ENGINE_SET_DPS];
    if (n > LTUYA_ENGINE_SET_DPS)
        return LTUYA_ERR_INVALID_ARG;
    for (size_t i = 0; i < n; i++)
        which[i] = ltuya_dp_null(ids[i]);
    return submit(ed, LTUYA_OP_REFRESH, which, n, fn, cookie);
}

ltuya_status_t ltuya_engine_heartbeat(ltuya_engine_dev_t *ed, ltuya_engine_done_fn fn, void *cookie)
{
    return submit(ed, LTUYA_OP_HEARTBEAT, NULL, 0, fn, cookie);
}

/* Remove the waiters that match (all of them when every is set) into out[];
 * slots left without waiters leave the queue, or, in flight, finish unseen. */
static size_t take_waiters(ltuya_engine_dev_t *ed, const void *cookie, bool every,
                           ltuya_engine_waiter_t *out, uint8_t *ops)
{
    size_t got = 0, kept = 0;
    ltuya_engine_slot_t keep[LTUYA_ENGINE_QUEUE];
    uint8_t len = ed->q_len;
    for (size_t i = 0; i < len; i++) {
        ltuya_engine_slot_t *s = slot_at(ed, i);
        size_t w = 0;
        for (size_t k = 0; k < s->waiters; k++) {
            if (every || s->w[k].cookie == cookie) {
                ops[got] = s->op;
                out[got++] = s->w[k];
            } else {
                s->w[w++] = s->w[k];
            }
        }
        s->waiters = (uint8_t)w;
        bool head_busy = i == 0 && (ed->phase == PH_SENT || ed->phase == PH_READING);
        if (w == 0 && head_busy)
            ed->head_orphaned = true;
        if (w > 0 || head_busy)
            keep[kept++] = *s;
        else if (i == 0) {
            ed->phase = PH_QUEUED; /* the head left the queue (confirming ends here) */
            ed->confirmed = ed->contradicted = 0;
        }
    }
    if (kept != len) {
        ed->q_head = 0;
        ed->q_len = (uint8_t)kept;
        memcpy(ed->q, keep, kept * sizeof keep[0]);
        ed->kick = true;
    }
    return got;
}

static size_t cancel(ltuya_engine_dev_t *ed, const void *cookie, bool every)
{
    ltuya_engine_waiter_t w[LTUYA_ENGINE_QUEUE * LTUYA_ENGINE_WAITERS];
    uint8_t ops[LTUYA_ENGINE_QUEUE * LTUYA_ENGINE_WAITERS];
    size_t n = take_waiters(ed, cookie, every, w, ops);
    for (size_t i = 0; i < n; i++) {
        ltuya_engine_result_t r = {(ltuya_op_t)ops[i], LTUYA_ERR_CANCELLED, LTUYA_PROOF_NONE, NULL,
                                   ""};
        w[i].fn(w[i].cookie, ed, &r);
    }
    changed(ed);
    return n;
}

size_t ltuya_engine_cancel(ltuya_engine_dev_t *ed, const void *cookie)
{
    return cancel(ed, cookie, false);
}

size_t ltuya_engine_cancel_all(ltuya_engine_dev_t *ed)
{
    return cancel(ed, NULL, true);
}
