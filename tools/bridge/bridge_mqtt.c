/* libmosquitto on the libuv loop (bridge_mqtt.h). */
#include "bridge_mqtt.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_log.h"
#include "bridge_poll.h"

#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000

/* A message that could not go out while the broker was away (responses:
 * retained state is re-published on reconnect anyway). */
typedef struct held {
    struct held *next;
    int qos;
    size_t len;
    char *topic;
    char payload[];
} held_t;

#define HELD_MAX 10000

struct bridge_mqtt {
    uv_loop_t *loop;
    struct mosquitto *mosq;
    bridge_settings_t s; /* copy; the overrides pointer is not used here */
    bridge_mqtt_cbs_t cbs;
    bridge_poll_t poll;
    uv_timer_t misc, retry, close_timer;
    uint32_t backoff_ms;
    bool up;         /* CONNACK accepted */
    bool connecting; /* a socket exists (connecting or up) */
    bool closing, closed;
    uint64_t in, out;
    held_t *held_head, *held_tail;
    size_t held_count;
    uint64_t held_dropped;
};

static void hold(bridge_mqtt_t *m, const char *topic, const void *payload, size_t len, int qos)
{
    if (m->held_count >= HELD_MAX) {
        if (m->held_dropped++ == 0)
            blog(BLOG_ERROR, "broker away too long: more than %d answers held; dropping", HELD_MAX);
        return;
    }
    held_t *h = malloc(sizeof *h + len + strlen(topic) + 2);
    if (!h)
        return;
    h->next = NULL;
    h->qos = qos;
    h->len = len;
    memcpy(h->payload, payload, len);
    h->payload[len] = '\0';
    h->topic = h->payload + len + 1;
    strcpy(h->topic, topic);
    if (m->held_tail)
        m->held_tail->next = h;
    else
        m->held_head = h;
    m->held_tail = h;
    m->held_count++;
}

static void flush_held(bridge_mqtt_t *m)
{
    while (m->held_head && m->up) {
        held_t *h = m->held_head;
        if (mosquitto_publish(m->mosq, NULL, h->topic, (int)h->len, h->payload, h->qos, false) !=
            MOSQ_ERR_SUCCESS)
            break;
        m->out++;
        m->held_head = h->next;
        if (!m->held_head)
            m->held_tail = NULL;
        m->held_count--;
        free(h);
    }
}

static void rearm(bridge_mqtt_t *m, bool fresh);
static void schedule_retry(bridge_mqtt_t *m);

static void finish_close(bridge_mqtt_t *m)
{
    if (m->closed)
        return;
    m->closed = true;
    uv_timer_stop(&m->close_timer);
    uv_timer_stop(&m->misc);
    uv_timer_stop(&m->retry);
    bridge_poll_stop(&m->poll);
    if (m->cbs.on_closed)
        m->cbs.on_closed(m->cbs.user);
}

/* The connection is gone (whatever told us first: a callback, an error). */
static void lost(bridge_mqtt_t *m, int rc)
{
    bool was_up = m->up;
    if (!m->connecting && !m->up)
        return;
    m->up = false;
    m->connecting = false;
    bridge_poll_stop(&m->poll);
    if (m->closing) {
        finish_close(m);
        return;
    }
    if (was_up) {
        blog(BLOG_WARN, "broker connection lost (%s); reconnecting", mosquitto_strerror(rc));
        if (m->cbs.on_disconnect)
            m->cbs.on_disconnect(m->cbs.user);
    }
    schedule_retry(m);
}

static void on_connect_cb(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    bridge_mqtt_t *m = obj;
    if (rc != 0) {
        blog(BLOG_ERROR, "broker refused the connection: %s", mosquitto_connack_string(rc));
        return; /* the broker closes; lost() follows */
    }
    m->up = true;
    m->backoff_ms = 0;
    blog(BLOG_INFO, "connected to %s:%u", m->s.host, (unsigned)m->s.port);
    if (m->cbs.on_connect)
        m->cbs.on_connect(m->cbs.user);
    flush_held(m); /* answers to commands that arrived before the broker went away */
}

static void on_disconnect_cb(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    lost(obj, rc ? rc : MOSQ_ERR_CONN_LOST);
}

static void on_message_cb(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
    (void)mosq;
    bridge_mqtt_t *m = obj;
    m->in++;
    if (m->cbs.on_message && msg->topic)
        m->cbs.on_message(m->cbs.user, msg->topic, msg->payload ? msg->payload : "",
                          msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0);
}

static void poll_cb(uv_poll_t *h, int status, int events)
{
    bridge_mqtt_t *m = h->data;
    int rc = MOSQ_ERR_SUCCESS;
    if (status < 0) {
        lost(m, MOSQ_ERR_CONN_LOST);
        return;
    }
    if (events & UV_READABLE)
        rc = mosquitto_loop_read(m->mosq, 16);
    if (rc == MOSQ_ERR_SUCCESS && (events & UV_WRITABLE) && mosquitto_socket(m->mosq) >= 0)
        rc = mosquitto_loop_write(m->mosq, 16);
    if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(m->mosq) < 0) {
        lost(m, rc ? rc : MOSQ_ERR_CONN_LOST);
        return;
    }
    rearm(m, false);
}

static void rearm(bridge_mqtt_t *m, bool fresh)
{
    if (!m->connecting)
        return;
    int fd = mosquitto_socket(m->mosq);
    int ev = UV_READABLE | (mosquitto_want_write(m->mosq) ? UV_WRITABLE : 0);
    if (fd >= 0 && !bridge_poll_set(&m->poll, m->loop, fd, ev, fresh, poll_cb, m))
        blog(BLOG_ERROR, "cannot watch the broker socket");
}

static void connect_now(bridge_mqtt_t *m)
{
    int rc;
    if (m->s.protocol == 5) {
        /* MQTT 5 ends a session at disconnect unless it has an expiry:
         * a day keeps queued QoS 1 commands while the bridge is away. libmosquitto 2.0 has no
         * asynchronous connect with properties, so this TCP connect blocks (loopback or LAN:
         * milliseconds). */
        mosquitto_property *props = NULL;
        mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 86400);
        rc =
            mosquitto_connect_bind_v5(m->mosq, m->s.host, m->s.port, m->s.keepalive_s, NULL, props);
        mosquitto_property_free_all(&props);
    } else {
        rc = mosquitto_connect_bind_async(m->mosq, m->s.host, m->s.port, m->s.keepalive_s, NULL);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        blog(BLOG_WARN, "cannot connect to %s:%u: %s", m->s.host, (unsigned)m->s.port,
             rc == MOSQ_ERR_ERRNO ? "connection failed" : mosquitto_strerror(rc));
        schedule_retry(m);
        return;
    }
    m->connecting = true;
    rearm(m, true);
}

static void retry_cb(uv_timer_t *t)
{
    bridge_mqtt_t *m = t->data;
    if (!m->closing && !m->connecting)
        connect_now(m);
}

static void schedule_retry(bridge_mqtt_t *m)
{
    if (m->closing)
        return;
    m->backoff_ms = m->backoff_ms ? m->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (m->backoff_ms > BACKOFF_MAX_MS)
        m->backoff_ms = BACKOFF_MAX_MS;
    /* +-25 % so that many bridges do not return to a restarted broker in step */
    uint32_t jitter = (uint32_t)(rand() % (int)(m->backoff_ms / 2 + 1));
    uv_timer_start(&m->retry, retry_cb, m->backoff_ms - m->backoff_ms / 4 + jitter, 0);
}

static void misc_cb(uv_timer_t *t)
{
    bridge_mqtt_t *m = t->data;
    if (!m->connecting)
        return;
    int rc = mosquitto_loop_misc(m->mosq);
    if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(m->mosq) < 0) {
        lost(m, rc ? rc : MOSQ_ERR_KEEPALIVE);
        return;
    }
    rearm(m, false);
}

static void close_timeout_cb(uv_timer_t *t)
{
    bridge_mqtt_t *m = t->data;
    blog(BLOG_WARN, "broker did not take the DISCONNECT in time");
    finish_close(m);
}

bridge_mqtt_t *bridge_mqtt_new(uv_loop_t *loop, const bridge_settings_t *s,
                               const bridge_mqtt_cbs_t *cbs, const char *will_topic,
                               const char *will_payload, char *err, size_t errcap)
{
    static bool lib_ready;
    if (!lib_ready) {
        mosquitto_lib_init();
        lib_ready = true;
    }
    bridge_mqtt_t *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    m->loop = loop;
    m->s = *s;
    m->s.overrides_json = NULL;
    m->cbs = *cbs;
    bridge_poll_init(&m->poll);
    /* a persistent session needs a stable client id */
    char id[160];
    if (s->client_id[0])
        snprintf(id, sizeof id, "%s", s->client_id);
    else
        snprintf(id, sizeof id, "ltuya-bridge-%s", s->base);
    m->mosq = mosquitto_new(id, false, m);
    if (!m->mosq) {
        snprintf(err, errcap, "cannot create the MQTT client");
        free(m);
        return NULL;
    }
    mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION,
                         s->protocol == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
    if ((s->username[0] || s->password[0]) &&
        mosquitto_username_pw_set(m->mosq, s->username[0] ? s->username : NULL,
                                  s->password[0] ? s->password : NULL) != MOSQ_ERR_SUCCESS) {
        snprintf(err, errcap, "bad MQTT user name or password");
        goto fail;
    }
    if (s->tls || s->ca_file[0] || s->ca_path[0]) {
        if (!s->ca_file[0] && !s->ca_path[0]) {
            mosquitto_int_option(m->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
        }
        int rc = mosquitto_tls_set(
            m->mosq, s->ca_file[0] ? s->ca_file : NULL, s->ca_path[0] ? s->ca_path : NULL,
            s->cert_file[0] ? s->cert_file : NULL, s->key_file[0] ? s->key_file : NULL, NULL);
        if (rc != MOSQ_ERR_SUCCESS && (s->ca_file[0] || s->ca_path[0])) {
            snprintf(err, errcap, "TLS setup failed (CA, certificate or key file): %s",
                     mosquitto_strerror(rc));
            goto fail;
        }
        if (s->tls_insecure)
            mosquitto_tls_insecure_set(m->mosq, true);
    }
    if (mosquitto_will_set(m->mosq, will_topic, (int)strlen(will_payload), will_payload, 1, true) !=
        MOSQ_ERR_SUCCESS) {
        snprintf(err, errcap, "cannot set the MQTT will");
        goto fail;
    }
    mosquitto_connect_callback_set(m->mosq, on_connect_cb);
    mosquitto_disconnect_callback_set(m->mosq, on_disconnect_cb);
    mosquitto_message_callback_set(m->mosq, on_message_cb);
    uv_timer_init(loop, &m->misc);
    uv_timer_init(loop, &m->retry);
    uv_timer_init(loop, &m->close_timer);
    m->misc.data = m->retry.data = m->close_timer.data = m;
    return m;
fail:
    mosquitto_destroy(m->mosq);
    free(m);
    return NULL;
}

void bridge_mqtt_start(bridge_mqtt_t *m)
{
    uv_timer_start(&m->misc, misc_cb, 1000, 1000);
    connect_now(m);
}

bool bridge_mqtt_connected(const bridge_mqtt_t *m)
{
    return m->up;
}

bool bridge_mqtt_publish(bridge_mqtt_t *m, const char *topic, const void *payload, size_t len,
                         int qos, bool retain)
{
    if (!m->up || (!retain && m->held_head)) {
        /* retained messages are re-published from on_connect; the rest (answers) wait, in
         * order */
        if (!retain && qos > 0 && !m->closing)
            hold(m, topic, payload, len, qos);
        return false;
    }
    int rc = mosquitto_publish(m->mosq, NULL, topic, (int)len, payload, qos, retain);
    if (rc != MOSQ_ERR_SUCCESS) {
        blog(BLOG_WARN, "publish to %s failed: %s", topic, mosquitto_strerror(rc));
        return false;
    }
    m->out++;
    rearm(m, false);
    return true;
}

bool bridge_mqtt_subscribe(bridge_mqtt_t *m, const char *pattern, int qos)
{
    int rc = mosquitto_subscribe(m->mosq, NULL, pattern, qos);
    if (rc != MOSQ_ERR_SUCCESS) {
        blog(BLOG_ERROR, "subscribe to %s failed: %s", pattern, mosquitto_strerror(rc));
        return false;
    }
    rearm(m, false);
    return true;
}

void bridge_mqtt_close(bridge_mqtt_t *m)
{
    if (m->closing)
        return;
    m->closing = true;
    uv_timer_stop(&m->retry);
    if (!m->connecting && !m->up) {
        finish_close(m);
        return;
    }
    /* DISCONNECT goes after what is queued (the offline state), in order */
    if (mosquitto_disconnect(m->mosq) != MOSQ_ERR_SUCCESS) {
        finish_close(m);
        return;
    }
    rearm(m, false);
    uv_timer_start(&m->close_timer, close_timeout_cb, 3000, 0);
}

static void nop_close(uv_handle_t *h)
{
    (void)h;
}

void bridge_mqtt_free(bridge_mqtt_t *m)
{
    if (!m)
        return;
    bridge_poll_stop(&m->poll);
    uv_close((uv_handle_t *)&m->misc, nop_close);
    uv_close((uv_handle_t *)&m->retry, nop_close);
    uv_close((uv_handle_t *)&m->close_timer, nop_close);
    uv_run(m->loop, UV_RUN_NOWAIT); /* let the handles close before the memory goes */
    while (m->held_head) {
        held_t *h = m->held_head;
        m->held_head = h->next;
        free(h);
    }
    mosquitto_destroy(m->mosq);
    free(m);
}

void bridge_mqtt_counts(const bridge_mqtt_t *m, uint64_t *in, uint64_t *out)
{
    *in = m->in;
    *out = m->out;
}
