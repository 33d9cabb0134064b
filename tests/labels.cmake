# keyward_discover_tests(<target> LABELS <label>... [FILTER <gtest filter>]
#                        [TIMEOUT <seconds>] [EACH])
#
# Registers the GoogleTest tests of <target> with CTest, each labelled
# LABELS (tests/CMakeLists.txt says what each label means), and makes
# <target> part of keyward_<label>_tests. With FILTER, only the tests it
# matches: one executable whose tests need different labels is registered
# once per filter.
#
# Tests labelled unit alone are pure and quick: each registration is one
# CTest test that runs the whole executable (its FILTER applied), not one
# process per test. Under the sanitizers a process costs far more than a
# unit test does (hundreds of them took most of CI's test time); a failing
# test is still named in the output (--gtest_brief prints failures only).
# EACH keeps one CTest test per test, for an executable of few long tests
# that two CTest workers should share.
# Run one with the executable itself: build/tests/policy/evaluate_test
# --gtest_filter=NAME.
#
# gtest_discover_tests cannot pass a list in its PROPERTIES (CMake 3.25
# splits it, and the second label is lost), so several labels are set by a
# script CTest runs after the discovered tests are included, from the list
# of their names (TEST_LIST). That list leaves out names with '[' or ']':
# such a test would have no label, which EveryTestHasALabel reports.
function(keyward_discover_tests target)
  unset(script)
  cmake_parse_arguments(PARSE_ARGV 1 arg "EACH" "FILTER;TIMEOUT" "LABELS")
  if(NOT arg_LABELS)
    message(FATAL_ERROR "${target}: every test needs a label (${KEYWARD_TEST_LABELS})")
  endif()
  foreach(label IN LISTS arg_LABELS)
    if(NOT label IN_LIST KEYWARD_TEST_LABELS)
      message(FATAL_ERROR "${target}: label \"${label}\" is not one of ${KEYWARD_TEST_LABELS}")
    endif()
    add_dependencies(keyward_${label}_tests ${target})
  endforeach()

  # One list per registration: the count of earlier ones names it.
  get_property(registrations TARGET ${target} PROPERTY KEYWARD_TEST_REGISTRATIONS)
  list(LENGTH registrations index)
  set_property(TARGET ${target} APPEND PROPERTY KEYWARD_TEST_REGISTRATIONS ${index})
  set(list_name "${target}_tests_${index}")

  if(arg_LABELS STREQUAL "unit" AND NOT arg_EACH)
    set(name ${target})
    if(index GREATER 0)
      set(name ${target}_${index})
    endif()
    set(command ${target} --gtest_brief=1)
    if(DEFINED arg_FILTER)
      list(APPEND command "--gtest_filter=${arg_FILTER}")
    endif()
    set(timeout 600)
    if(DEFINED arg_TIMEOUT)
      set(timeout ${arg_TIMEOUT})
    endif()
    add_test(NAME ${name} COMMAND ${command})
    set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT ${timeout})
    return()
  endif()

  set(options TEST_LIST ${list_name})
  if(DEFINED arg_FILTER)
    list(APPEND options TEST_FILTER "${arg_FILTER}")
  endif()
  set(properties "")
  if(DEFINED arg_TIMEOUT)
    list(APPEND properties TIMEOUT ${arg_TIMEOUT})
  endif()
  list(LENGTH arg_LABELS label_count)
  if(label_count EQUAL 1)
    list(APPEND properties LABELS ${arg_LABELS})
  else()
    set(script "${CMAKE_CURRENT_BINARY_DIR}/${list_name}_labels.cmake")
    file(WRITE "${script}"
         "if(${list_name})\n  set_tests_properties(\${${list_name}} PROPERTIES LABELS \"${arg_LABELS}\")\nendif()\n")
  endif()
  if(properties)
    list(APPEND options PROPERTIES ${properties})
  endif()
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 30 ${options})
  # After gtest_discover_tests, which adds the include file that defines the list.
  if(DEFINED script)
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
  endif()
endfunction()
