#include "ltuya/status.h"

#include "ltuya/config.h"

const char *ltuya_status_str(ltuya_status_t st)
{
#if !LTUYA_WITH_STATUS_TEXT
    return ltuya_status_name(st); /* saves the texts' flash on small targets */
#else
    switch (st) {
#define LTUYA_STATUS_STR_(name, value, text)                                                       \
    case LTUYA_##name:                                                                             \
        return text;
        LTUYA_STATUS_LIST(LTUYA_STATUS_STR_)
#undef LTUYA_STATUS_STR_
    default:
        return "unknown status";
    }
#endif
}

const char *ltuya_status_name(ltuya_status_t st)
{
    switch (st) {
#define LTUYA_STATUS_NAME_(name, value, text)                                                      \
    case LTUYA_##name:                                                                             \
        return #name;
        LTUYA_STATUS_LIST(LTUYA_STATUS_NAME_)
#undef LTUYA_STATUS_NAME_
    default:
        return "UNKNOWN";
    }
}
