# ltuya as a MicroPython user C module, for the CMake-based ports (esp32):
#   make -C ports/esp32 BOARD=ESP32_GENERIC \
#        USER_C_MODULES=<ltuya>/bindings/micropython/micropython.cmake
# (README.md beside this file). Under ESP-IDF the network, clocks and random
# bytes come from ports/lwip and the crypto from IDF's mbedTLS; elsewhere from
# ports/posix and the system's libmbedcrypto. -DLTUYA_MPY_PORT=lwip|posix
# overrides the choice.
get_filename_component(LTUYA_ROOT ${CMAKE_CURRENT_LIST_DIR}/../.. ABSOLUTE)

add_library(usermod_ltuya INTERFACE)

file(GLOB LTUYA_MPY_CORE_SRC ${LTUYA_ROOT}/src/*.c)
target_sources(usermod_ltuya INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}/modltuya.c
    ${LTUYA_MPY_CORE_SRC}
    ${LTUYA_ROOT}/src/crypto/common.c
    ${LTUYA_ROOT}/src/crypto/mbedtls.c
)
target_include_directories(usermod_ltuya INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}
    ${LTUYA_ROOT}/include
)

if(NOT LTUYA_MPY_PORT)
    if(IDF_TARGET)
        set(LTUYA_MPY_PORT lwip)
    else()
        set(LTUYA_MPY_PORT posix)
    endif()
endif()

if(LTUYA_MPY_PORT STREQUAL "lwip")
    # lwIP sockets, esp_random(), the RTC; mbedTLS comes with IDF (the esp32
    # port's main component already requires it).
    file(GLOB LTUYA_MPY_PORT_SRC ${LTUYA_ROOT}/ports/lwip/*.c)
    if(NOT LTUYA_MPY_PORT_SRC)
        message(FATAL_ERROR "ltuya: ${LTUYA_ROOT}/ports/lwip has no sources")
    endif()
    target_sources(usermod_ltuya INTERFACE ${LTUYA_MPY_PORT_SRC})
    target_include_directories(usermod_ltuya INTERFACE ${LTUYA_ROOT}/ports/lwip)
    target_compile_definitions(usermod_ltuya INTERFACE MLTUYA_PORT_LWIP=1)
elseif(LTUYA_MPY_PORT STREQUAL "posix")
    target_sources(usermod_ltuya INTERFACE
        ${LTUYA_ROOT}/ports/posix/tcp.c
        ${LTUYA_ROOT}/ports/posix/platform.c
    )
    target_include_directories(usermod_ltuya INTERFACE ${LTUYA_ROOT}/ports/posix)
    target_compile_definitions(usermod_ltuya INTERFACE MLTUYA_PORT_POSIX=1 _GNU_SOURCE)
    target_link_libraries(usermod_ltuya INTERFACE mbedcrypto)
else()
    message(FATAL_ERROR "ltuya: LTUYA_MPY_PORT must be lwip or posix")
endif()

target_link_libraries(usermod INTERFACE usermod_ltuya)
