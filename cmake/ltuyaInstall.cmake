# Install rules (cmake --install): the libraries, headers, the ltuya tool,
# the CMake package (ltuyaConfig.cmake, ltuya::ltuya and ltuya::posix),
# pkg-config files, shell completions and docs. Man pages: docs/man.
include(CMakePackageConfigHelpers)

set(ltuya_install_targets ltuya_core)
if(TARGET ltuya_posix)
  list(APPEND ltuya_install_targets ltuya_posix)
endif()
install(TARGETS ${ltuya_install_targets} EXPORT ltuyaTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)

file(GLOB ltuya_public_headers ${PROJECT_SOURCE_DIR}/include/ltuya/*.h)
install(FILES ${ltuya_public_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ltuya COMPONENT dev)
if(TARGET ltuya_posix)
  file(GLOB ltuya_posix_headers ${PROJECT_SOURCE_DIR}/ports/posix/*.h)
  install(FILES ${ltuya_posix_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ltuya/posix COMPONENT dev)
endif()

# ---- CMake package ----
set(ltuya_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/ltuya)
install(EXPORT ltuyaTargets NAMESPACE ltuya:: DESTINATION ${ltuya_cmake_dir} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ltuyaConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ltuyaConfig.cmake INSTALL_DESTINATION ${ltuya_cmake_dir})
# 0.x: a minor release may change the ABI, so only the same minor matches.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(ltuya_compat SameMinorVersion)
else()
  set(ltuya_compat SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ltuyaConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${ltuya_compat})
install(FILES ${PROJECT_BINARY_DIR}/ltuyaConfig.cmake ${PROJECT_BINARY_DIR}/ltuyaConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/ltuyaFindMbedCrypto.cmake DESTINATION ${ltuya_cmake_dir} COMPONENT dev)

# ---- pkg-config ----
# The prefix is filled in at install time, so `cmake --install --prefix P`
# writes P (not the configure-time CMAKE_INSTALL_PREFIX).
if(LTUYA_CRYPTO STREQUAL "openssl")
  set(LTUYA_PC_REQUIRES_PRIVATE "libcrypto")
  set(LTUYA_PC_LIBS_PRIVATE "")
endif()
# With static libraries only, the crypto library is needed by every link,
# not only by `pkg-config --static` ones.
set(LTUYA_PC_REQUIRES "")
set(LTUYA_PC_LIBS "")
if(NOT BUILD_SHARED_LIBS)
  set(LTUYA_PC_REQUIRES "${LTUYA_PC_REQUIRES_PRIVATE}")
  set(LTUYA_PC_LIBS "${LTUYA_PC_LIBS_PRIVATE}")
  set(LTUYA_PC_REQUIRES_PRIVATE "")
  set(LTUYA_PC_LIBS_PRIVATE "")
endif()
set(LTUYA_PC_PREFIX "@LTUYA_PC_PREFIX@")
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(LTUYA_PC_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    set(LTUYA_PC_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
set(ltuya_pc_files ltuya)
if(TARGET ltuya_posix)
  list(APPEND ltuya_pc_files ltuya-posix)
endif()
foreach(pc ${ltuya_pc_files})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc.in @ONLY)
  install(CODE "set(LTUYA_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
    configure_file(\"${PROJECT_BINARY_DIR}/${pc}.pc.in\" \"${PROJECT_BINARY_DIR}/${pc}.pc\" @ONLY)"
    COMPONENT dev)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()

# ---- the tool, its completions, docs ----
if(TARGET ltuya)
  install(TARGETS ltuya RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tool)
  install(FILES ${PROJECT_SOURCE_DIR}/contrib/completion/ltuya.bash
    DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ltuya COMPONENT tool)
  install(FILES ${PROJECT_SOURCE_DIR}/contrib/completion/_ltuya
    DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions COMPONENT tool)
  install(FILES ${PROJECT_SOURCE_DIR}/contrib/completion/ltuya.fish
    DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d COMPONENT tool)
endif()
file(GLOB ltuya_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/CHANGELOG.md ${ltuya_docs}
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT doc)
