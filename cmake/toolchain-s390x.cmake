# Cross build for s390x (64-bit, big-endian), run under qemu-user.
# Libraries come from Debian multiarch (libcmocka-dev:s390x, libmbedtls-dev:s390x);
# scripts/deps.sh cross installs them. Used by scripts/cross-test.sh.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(LTUYA_CROSS_TRIPLET s390x-linux-gnu)
set(LTUYA_CROSS_QEMU qemu-s390x)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-debian-cross.cmake)
