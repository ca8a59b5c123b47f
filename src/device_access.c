/* Read-only views and setters of ltuya_device_t for tools; see device.h. Kept
 * apart from device.c so the request engine can change without touching them. */
#include "ltuya/client.h"
#include "ltuya/device.h"

void ltuya_device_set_push_handler(ltuya_device_t *d,
                                   void (*fn)(void *user, const ltuya_dps_t *dps), void *user)
{
    d->user_push = fn;
    d->user = user;
}

bool ltuya_device_is_connected(const ltuya_device_t *d)
{
    /* READY: connected and, on 3.4/3.5, past the handshake */
    return ltuya_client_state(&d->client) == LTUYA_CLIENT_READY;
}

bool ltuya_device_uses_device22(const ltuya_device_t *d)
{
    return d->client.session.device22;
}

unsigned ltuya_device_frames_seen(const ltuya_device_t *d)
{
    return ltuya_client_frames_seen(&d->client);
}
