#include "ltuya/status.h"

const char *ltuya_status_str(ltuya_status_t st)
{
    switch (st) {
#define LTUYA_STATUS_STR_(name, text)                                                              \
    case LTUYA_##name:                                                                             \
        return text;
        LTUYA_STATUS_LIST(LTUYA_STATUS_STR_)
#undef LTUYA_STATUS_STR_
    default:
        return "unknown status";
    }
}

const char *ltuya_status_name(ltuya_status_t st)
{
    switch (st) {
#define LTUYA_STATUS_NAME_(name, text)                                                             \
    case LTUYA_##name:                                                                             \
        return #name;
        LTUYA_STATUS_LIST(LTUYA_STATUS_NAME_)
#undef LTUYA_STATUS_NAME_
    default:
        return "UNKNOWN";
    }
}
