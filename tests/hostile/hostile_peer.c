/*
 * A device that misbehaves on purpose, for tests/cli/deadlines.sh: it accepts
 * TCP connections on loopback and, depending on --mode, never answers, answers
 * one byte at a time, floods garbage, declares an enormous frame, resets, or
 * floods valid pushes while never answering the request. Whatever it does,
 * every ltuya command must end within its timeout with a specific error.
 *
 * Usage: hostile_peer --port P --mode MODE [--key KEY]
 * Prints READY once listening; runs until killed. One connection at a time
 * (a newer one replaces the older), single-threaded, poll-driven.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ltuya/frame.h"

typedef enum { SILENT, CLOSE, RESET, TRICKLE, GARBAGE, HUGE, PUSHES } mode_t_;

static const char *const mode_names[] = {"silent",  "close", "reset", "trickle",
                                         "garbage", "huge",  "pushes"};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

typedef struct {
    mode_t_ mode;
    uint8_t key[16];
    int fd;            /* the current connection, -1 if none */
    bool spoken_to;    /* the client has sent something */
    uint8_t out[8192]; /* what is still to be sent */
    size_t out_len, out_pos;
    uint64_t next_send; /* trickle / pushes pacing */
    uint32_t seq, lcg;
} peer_t;

static void drop(peer_t *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    p->out_len = p->out_pos = 0;
    p->spoken_to = false;
}

/* A 3.3 frame header announcing `len` bytes after it. */
static void frame_header(uint8_t h[16], uint32_t len)
{
    static const uint8_t start[12] = {0x00, 0x00, 0x55, 0xaa, 0, 0, 0, 1, 0, 0, 0, 10};
    memcpy(h, start, sizeof start);
    h[12] = (uint8_t)(len >> 24);
    h[13] = (uint8_t)(len >> 16);
    h[14] = (uint8_t)(len >> 8);
    h[15] = (uint8_t)len;
}

/* A valid 3.3 status push, encrypted with the real key. */
static void valid_push(peer_t *p)
{
    char json[96];
    int n = snprintf(json, sizeof json, "{\"dps\":{\"1\":true,\"9\":%u},\"t\":1700000000}",
                     (unsigned)(p->seq % 1000));
    ltuya_frame_spec_t s = {0};
    s.version = LTUYA_V33;
    s.key = p->key;
    s.seq = ++p->seq;
    s.cmd = LTUYA_CMD_STATUS;
    s.from_device = true;
    s.payload = (const uint8_t *)json;
    s.payload_len = (size_t)n;
    size_t len = 0;
    if (ltuya_frame_encode(&s, p->out, sizeof p->out, &len) != LTUYA_OK)
        len = 0;
    p->out_len = len;
    p->out_pos = 0;
}

/* Decide what to send next; called when the output is empty and it is time. */
static void refill(peer_t *p)
{
    switch (p->mode) {
    case TRICKLE: {
        /* one byte every 100 ms of a frame that declares 4,000 bytes */
        uint8_t h[16];
        frame_header(h, 4000);
        p->out[0] = p->seq < sizeof h ? h[p->seq] : 0x42;
        p->seq++;
        p->out_len = 1;
        p->out_pos = 0;
        p->next_send = now_ms() + 100;
        return;
    }
    case GARBAGE:
        for (size_t i = 0; i < sizeof p->out; i++) {
            p->lcg = p->lcg * 1664525u + 1013904223u;
            p->out[i] = (uint8_t)(p->lcg >> 24);
        }
        p->out_len = sizeof p->out;
        p->out_pos = 0;
        return;
    case HUGE:
        if (p->seq++ == 0) { /* a header declaring ~2 GB, then endless filler */
            frame_header(p->out, 0x7fffff00u);
            p->out_len = 16;
            p->out_pos = 0;
            return;
        }
        memset(p->out, 0x41, sizeof p->out);
        p->out_len = sizeof p->out;
        p->out_pos = 0;
        return;
    case PUSHES:
        valid_push(p);
        p->next_send = now_ms() + 5;
        return;
    default:
        return;
    }
}

static bool wants_output(const peer_t *p)
{
    return p->fd >= 0 && p->spoken_to &&
           (p->mode == TRICKLE || p->mode == GARBAGE || p->mode == HUGE || p->mode == PUSHES);
}

static void on_accept(peer_t *p, int fd)
{
    drop(p);
    if (p->mode == CLOSE) {
        close(fd);
        return;
    }
    if (p->mode == RESET) {
        struct linger l = {1, 0}; /* close with RST */
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        close(fd);
        return;
    }
    p->fd = fd;
    p->seq = 0;
}

static int serve(peer_t *p, int lfd)
{
    for (;;) {
        struct pollfd fds[2] = {{lfd, POLLIN, 0}, {p->fd, POLLIN, 0}};
        int timeout = -1;
        if (wants_output(p)) {
            uint64_t t = now_ms();
            if (p->out_pos < p->out_len || t >= p->next_send)
                fds[1].events |= POLLOUT;
            else
                timeout = (int)(p->next_send - t);
        }
        int n = poll(fds, p->fd >= 0 ? 2 : 1, timeout);
        if (n < 0 && errno != EINTR)
            return 1;
        if (fds[0].revents & POLLIN) {
            int fd = accept(lfd, NULL, NULL);
            if (fd >= 0)
                on_accept(p, fd);
            continue;
        }
        if (p->fd < 0)
            continue;
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            uint8_t buf[4096];
            ssize_t r = recv(p->fd, buf, sizeof buf, 0);
            if (r <= 0) {
                drop(p);
                continue;
            }
            p->spoken_to = true;
        }
        if (fds[1].revents & POLLOUT) {
            if (p->out_pos >= p->out_len)
                refill(p);
            if (p->out_pos < p->out_len) {
                ssize_t w = send(p->fd, p->out + p->out_pos, p->out_len - p->out_pos,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w < 0 && errno != EAGAIN) {
                    drop(p);
                    continue;
                }
                if (w > 0)
                    p->out_pos += (size_t)w;
            }
        }
    }
}

int main(int argc, char **argv)
{
    peer_t p = {.fd = -1, .lcg = 12345};
    int port = 0;
    const char *mode = NULL, *key = "0123456789abcdef";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port"))
            port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--mode"))
            mode = argv[i + 1];
        else if (!strcmp(argv[i], "--key"))
            key = argv[i + 1];
    }
    bool known = false;
    for (size_t m = 0; mode && m < sizeof mode_names / sizeof *mode_names; m++)
        if (!strcmp(mode, mode_names[m])) {
            p.mode = (mode_t_)m;
            known = true;
        }
    if (port <= 0 || port > 65535 || !known || strlen(key) != 16) {
        fprintf(stderr, "usage: hostile_peer --port P --mode "
                        "silent|close|reset|trickle|garbage|huge|pushes [--key KEY]\n");
        return 2;
    }
    memcpy(p.key, key, 16);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 8)) {
        perror("hostile_peer");
        return 1;
    }
    printf("READY\n");
    fflush(stdout);
    return serve(&p, lfd);
}
