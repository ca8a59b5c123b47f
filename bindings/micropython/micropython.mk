# ltuya as a MicroPython user C module, for the make-based ports (unix, and
# any port built with make):
#   make -C ports/unix USER_C_MODULES=<ltuya>/bindings ...
# (README.md beside this file). The network, clocks and random bytes are
# MicroPython's own socket/time/os modules (mltuya_net.c); the crypto is
# mbedTLS: the port's copy when it builds one, else the system's.
LTUYA_MPY_DIR := $(USERMOD_DIR)
LTUYA_ROOT := $(abspath $(LTUYA_MPY_DIR)/../..)

# Recent MicroPython puts a module's objects in BUILD/<its directory name>/,
# and here that is BUILD/micropython: the unix port's binary. Spelling the
# path so that it does not start with USERMOD_DIR (the // below) sends the
# objects beside the core's instead, on every MicroPython version.
LTUYA_MPY_SRC := $(LTUYA_ROOT)/bindings//micropython
SRC_USERMOD_C += $(LTUYA_MPY_SRC)/modltuya.c $(LTUYA_MPY_SRC)/mltuya_net.c \
                 $(LTUYA_MPY_SRC)/mltuya_compat.c

# The core is a plain C library: the LIB list keeps it out of the QSTR scan.
# Discovery (UDP) is not used by the module.
SRC_USERMOD_LIB_C += $(filter-out %/discovery.c,$(wildcard $(LTUYA_ROOT)/src/*.c))
SRC_USERMOD_LIB_C += $(LTUYA_ROOT)/src/crypto/common.c $(LTUYA_ROOT)/src/crypto/mbedtls.c

CFLAGS_USERMOD += -I$(LTUYA_ROOT)/include -I$(LTUYA_MPY_DIR)

# mbedTLS: MicroPython's own copy (lib/mbedtls) when its ssl module is built
# with it, else the system's libmbedcrypto (Debian: libmbedtls-dev).
ifneq ($(MICROPY_PY_SSL)$(MICROPY_SSL_MBEDTLS),11)
LIBS_USERMOD += -lmbedcrypto
endif
