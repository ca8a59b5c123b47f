# ltuya as a MicroPython user C module, for the make-based ports (unix).
#   make -C ports/unix USER_C_MODULES=<ltuya>/bindings ...
# (README.md beside this file). Network, clocks and random bytes come from
# ports/posix; the crypto from mbedTLS.
LTUYA_MPY_DIR := $(USERMOD_DIR)
LTUYA_ROOT := $(abspath $(LTUYA_MPY_DIR)/../..)

# Recent MicroPython puts a module's objects in BUILD/<its directory name>/,
# and here that is BUILD/micropython: the unix port's binary. Spelling the
# path so that it does not start with USERMOD_DIR (the // below) sends the
# object beside the core's instead, on every MicroPython version.
SRC_USERMOD_C += $(LTUYA_ROOT)/bindings//micropython/modltuya.c

# The core and the port are plain C libraries: the LIB list keeps them out of
# the QSTR scan.
SRC_USERMOD_LIB_C += $(wildcard $(LTUYA_ROOT)/src/*.c)
SRC_USERMOD_LIB_C += $(LTUYA_ROOT)/src/crypto/common.c $(LTUYA_ROOT)/src/crypto/mbedtls.c
SRC_USERMOD_LIB_C += $(LTUYA_ROOT)/ports/posix/tcp.c $(LTUYA_ROOT)/ports/posix/platform.c

CFLAGS_USERMOD += -I$(LTUYA_ROOT)/include -I$(LTUYA_ROOT)/ports/posix -I$(LTUYA_MPY_DIR)

# mbedTLS: MicroPython's own copy (lib/mbedtls) when its ssl module is built
# with it, else the system's libmbedcrypto (Debian: libmbedtls-dev).
ifneq ($(MICROPY_PY_SSL)$(MICROPY_SSL_MBEDTLS),11)
LIBS_USERMOD += -lmbedcrypto
endif
