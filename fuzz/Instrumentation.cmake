# Included by the top-level CMakeLists.txt when KEYWARD_BUILD_FUZZERS is on,
# before any target exists: libFuzzer steers by the coverage of the code under
# test, so every library the fuzzers link (policy/, webhook/) is built with
# coverage instrumentation, AddressSanitizer and UndefinedBehaviorSanitizer.
# Only the fuzzer executables link libFuzzer's main (fuzz/CMakeLists.txt).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR
    "KEYWARD_BUILD_FUZZERS needs clang (libFuzzer ships with it, not with gcc): "
    "use `cmake --preset fuzz`, or configure with -DCMAKE_CXX_COMPILER=clang++ "
    "(Debian packages clang and libclang-rt-14-dev)")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
