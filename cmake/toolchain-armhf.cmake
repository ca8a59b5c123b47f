# Cross build for 32-bit ARM (Debian armhf), run under qemu-user.
# Libraries come from Debian multiarch (libcmocka-dev:armhf, libmbedtls-dev:armhf);
# scripts/deps.sh cross installs them. Used by scripts/cross-test.sh.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(LTUYA_CROSS_TRIPLET arm-linux-gnueabihf)
set(LTUYA_CROSS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-debian-cross.cmake)
