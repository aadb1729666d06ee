# CMake toolchain file for building deno_core's QuickJS backend without internet access.
# Its build fetches the header-only SIMDe library with FetchContent; we point FetchContent at
# Debian's copy instead (apt-get install libsimde-dev). `simde-root/simde` links to
# /usr/include/simde. Selected for every build by .cargo/config.toml (CMAKE_TOOLCHAIN_FILE).
set(FETCHCONTENT_SOURCE_DIR_SIMDE "${CMAKE_CURRENT_LIST_DIR}/simde-root" CACHE PATH "" FORCE)
set(FETCHCONTENT_FULLY_DISCONNECTED ON CACHE BOOL "" FORCE)
