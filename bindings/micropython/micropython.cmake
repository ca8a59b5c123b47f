# ltuya as a MicroPython user C module, for the CMake-based ports (esp32, rp2):
#   make -C ports/esp32 BOARD=ESP32_GENERIC \
#        USER_C_MODULES=<ltuya>/bindings/micropython/micropython.cmake
#   make -C ports/rp2 BOARD=RPI_PICO_W \
#        USER_C_MODULES=<ltuya>/bindings/micropython/micropython.cmake
# (README.md beside this file). The network, clocks and random bytes are
# MicroPython's own socket/time/os modules (mltuya_net.c), the same on every
# port. The crypto is mbedTLS: ESP-IDF's on esp32, MicroPython's lib/mbedtls
# on rp2 and the other ports that build it for their ssl module.
get_filename_component(LTUYA_ROOT ${CMAKE_CURRENT_LIST_DIR}/../.. ABSOLUTE)

add_library(usermod_ltuya INTERFACE)

file(GLOB LTUYA_MPY_CORE_SRC ${LTUYA_ROOT}/src/*.c)
list(FILTER LTUYA_MPY_CORE_SRC EXCLUDE REGEX "/discovery\\.c$")
target_sources(usermod_ltuya INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}/modltuya.c
    ${CMAKE_CURRENT_LIST_DIR}/mltuya_net.c
    ${CMAKE_CURRENT_LIST_DIR}/mltuya_compat.c
    ${LTUYA_MPY_CORE_SRC}
    ${LTUYA_ROOT}/src/crypto/common.c
    ${LTUYA_ROOT}/src/crypto/mbedtls.c
)
target_include_directories(usermod_ltuya INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}
    ${LTUYA_ROOT}/include
)
if(NOT IDF_TARGET AND NOT MICROPY_SSL_MBEDTLS AND NOT PICO_SDK_PATH)
    # a host build without MicroPython's mbedTLS: the system's
    target_link_libraries(usermod_ltuya INTERFACE mbedcrypto)
endif()

target_link_libraries(usermod INTERFACE usermod_ltuya)
