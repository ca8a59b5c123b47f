# Shared part of the Debian cross toolchain files: set LTUYA_CROSS_TRIPLET and
# LTUYA_CROSS_QEMU, then include this.
set(CMAKE_C_COMPILER ${LTUYA_CROSS_TRIPLET}-gcc)
# Target headers and libraries: the cross libc under /usr/<triplet> and the
# multiarch packages under /usr/{include,lib}/<triplet> (cmocka.h and the
# mbedtls headers are architecture-independent, in /usr/include).
set(CMAKE_FIND_ROOT_PATH /usr/${LTUYA_CROSS_TRIPLET})
set(CMAKE_LIBRARY_ARCHITECTURE ${LTUYA_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
# ctest (and try_run) start target binaries through qemu-user. No -L: the
# loader and libc must be one build, so both come from the multiarch libc6:<arch>
# (/lib/<triplet>, pulled in by the -dev packages), which also searches the
# multiarch directories for cmocka and mbedTLS. (The cross libc under
# /usr/<triplet> is only linked against; pairing its loader with the multiarch
# libc.so.6 aborts at start-up with "stack smashing detected".)
set(CMAKE_CROSSCOMPILING_EMULATOR ${LTUYA_CROSS_QEMU})
