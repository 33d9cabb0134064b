# Fails when a test registered with CTest has no label, so that `ctest -L`
# (tests/CMakeLists.txt lists the labels) never silently leaves one out.
# Run by ctest:
#   cmake -DCTEST=<ctest> -DBUILD_DIR=<build directory> -P tests/every_test_labelled.cmake
cmake_minimum_required(VERSION 3.25)
# `-LE .` leaves out every test with a label: what is listed has none.
execute_process(COMMAND ${CTEST} --test-dir ${BUILD_DIR} -N -LE .
                OUTPUT_VARIABLE listing RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "ctest -N failed in ${BUILD_DIR}")
endif()
string(REGEX MATCHALL "Test +#[0-9]+: [^\n]+" unlabelled "${listing}")
# GoogleTest's stand-in for an executable this build did not make (a build
# of some labels only) is not a test.
list(FILTER unlabelled EXCLUDE REGEX "_NOT_BUILT$")
if(unlabelled)
  list(JOIN unlabelled "\n  " lines)
  message(FATAL_ERROR "tests without a label (tests/CMakeLists.txt lists the labels):\n  ${lines}")
endif()
