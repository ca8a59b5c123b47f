/*
 * sizeof of every context, readable without running target code: each
 * array below is as large as the type it is named after, and `nm -S` on the
 * cross-compiled object prints its size (scripts/size.sh).
 */
#include "ltuya/client.h"
#include "ltuya/device.h"
#include "ltuya/discovery.h"
#include "ltuya/frame.h"
#include "ltuya/json.h"
#include "ltuya/session.h"

#define SIZEOF(name, type) char ltuya_sizeof_##name[sizeof(type)]

SIZEOF(device_t, ltuya_device_t);
SIZEOF(client_t, ltuya_client_t);
SIZEOF(session_t, ltuya_session_t);
SIZEOF(reasm_t, ltuya_reasm_t);
SIZEOF(frame_t, ltuya_frame_t);
SIZEOF(dps_t, ltuya_dps_t);
SIZEOF(dp_t, ltuya_dp_t);
SIZEOF(beacon_t, ltuya_beacon_t);
SIZEOF(client_opts_t, ltuya_client_opts_t);
SIZEOF(session_opts_t, ltuya_session_opts_t);
SIZEOF(cache_entry_t, ltuya_cache_entry_t);
