/* Version and configuration fingerprint as the library was built. */
#include "ltuya/version.h"

const char *ltuya_version(void)
{
    return LTUYA_VERSION_STRING;
}

uint32_t ltuya_version_number(void)
{
    return LTUYA_VERSION_NUMBER;
}

uint32_t ltuya_config_id(void)
{
    return LTUYA_CONFIG_ID;
}
