# ltuya_find_mbedcrypto([REQUIRED]): define the imported target
# ltuya::mbedcrypto for mbedTLS's crypto library, found (in this order) as
#   1. mbedTLS's own CMake package (MbedTLS::mbedcrypto, mbedTLS 3.x installs it),
#   2. pkg-config module mbedcrypto (mbedTLS 3.x installs mbedcrypto.pc),
#   3. the header and library in the compiler's search paths (Debian 12's
#      mbedTLS 2.28 ships neither of the above).
# Used by ltuya's own build and by the installed ltuyaConfig.cmake, so the
# search runs on the consumer's machine and no path of the build machine is
# recorded. Sets LTUYA_PC_REQUIRES_PRIVATE / LTUYA_PC_LIBS_PRIVATE for ltuya.pc.
macro(ltuya_find_mbedcrypto)
  if(NOT TARGET ltuya::mbedcrypto)
    find_package(MbedTLS CONFIG QUIET)
    if(TARGET MbedTLS::mbedcrypto)
      get_target_property(_ltuya_global MbedTLS::mbedcrypto IMPORTED_GLOBAL)
      if(NOT _ltuya_global)
        set_target_properties(MbedTLS::mbedcrypto PROPERTIES IMPORTED_GLOBAL TRUE)
      endif()
      add_library(ltuya::mbedcrypto INTERFACE IMPORTED GLOBAL)
      set_target_properties(ltuya::mbedcrypto PROPERTIES INTERFACE_LINK_LIBRARIES MbedTLS::mbedcrypto)
      set(LTUYA_PC_REQUIRES_PRIVATE "mbedcrypto")
      set(LTUYA_PC_LIBS_PRIVATE "")
    else()
      find_package(PkgConfig QUIET)
      if(PKG_CONFIG_FOUND)
        pkg_check_modules(LTUYA_MBEDCRYPTO QUIET IMPORTED_TARGET GLOBAL mbedcrypto)
      endif()
      if(TARGET PkgConfig::LTUYA_MBEDCRYPTO)
        add_library(ltuya::mbedcrypto INTERFACE IMPORTED GLOBAL)
        set_target_properties(ltuya::mbedcrypto PROPERTIES INTERFACE_LINK_LIBRARIES PkgConfig::LTUYA_MBEDCRYPTO)
        set(LTUYA_PC_REQUIRES_PRIVATE "mbedcrypto")
        set(LTUYA_PC_LIBS_PRIVATE "")
      else()
        find_path(LTUYA_MBEDTLS_INCLUDE_DIR mbedtls/version.h)
        find_library(LTUYA_MBEDCRYPTO_LIBRARY mbedcrypto)
        if(LTUYA_MBEDTLS_INCLUDE_DIR AND LTUYA_MBEDCRYPTO_LIBRARY)
          add_library(ltuya::mbedcrypto UNKNOWN IMPORTED GLOBAL)
          set_target_properties(ltuya::mbedcrypto PROPERTIES
            IMPORTED_LOCATION "${LTUYA_MBEDCRYPTO_LIBRARY}"
            INTERFACE_INCLUDE_DIRECTORIES "${LTUYA_MBEDTLS_INCLUDE_DIR}")
          set(LTUYA_PC_REQUIRES_PRIVATE "")
          set(LTUYA_PC_LIBS_PRIVATE "-lmbedcrypto")
        endif()
      endif()
    endif()
  endif()
  if(NOT TARGET ltuya::mbedcrypto AND "${ARGN}" STREQUAL "REQUIRED")
    message(FATAL_ERROR "mbedTLS not found (Debian: apt-get install libmbedtls-dev), "
                        "or configure with -DLTUYA_CRYPTO=openssl")
  endif()
endmacro()
