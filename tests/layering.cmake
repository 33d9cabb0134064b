# Checks the shell's rooms keep their one-way dependencies
# (webhook/CMakeLists.txt): a room includes only from itself and the rooms
# below it, and the core (policy/) includes nothing of the shell. Also that
# each library's internals are used in its one file. Run by ctest:
#   cmake -DSOURCE_DIR=<repository> -P tests/layering.cmake
cmake_minimum_required(VERSION 3.25)
set(below_observe observe)
set(below_admission admission observe)
set(below_kube kube admission observe)
set(below_server server kube admission observe)
set(below_cli cli server kube admission observe)

set(problems "")
foreach(room observe admission kube server cli)
  file(GLOB files "${SOURCE_DIR}/webhook/${room}/*.h" "${SOURCE_DIR}/webhook/${room}/*.cc")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" includes REGEX "^#include \"webhook/")
    foreach(line IN LISTS includes)
      string(REGEX MATCH "^#include \"webhook/([a-z_]+)/" matched "${line}")
      set(target "${CMAKE_MATCH_1}")
      if(NOT matched OR NOT target IN_LIST below_${room})
        string(APPEND problems "\n  ${file}: ${line}: webhook/${room} may include only from: ${below_${room}}")
      endif()
    endforeach()
  endforeach()
endforeach()

file(GLOB_RECURSE core "${SOURCE_DIR}/policy/*.h" "${SOURCE_DIR}/policy/*.cc")
foreach(file IN LISTS core)
  file(STRINGS "${file}" includes REGEX "^#include [<\"](webhook/|httplib|spdlog|yaml-cpp|sys/|fstream)")
  foreach(line IN LISTS includes)
    string(APPEND problems "\n  ${file}: ${line}: the core uses no shell, sockets, files or logs")
  endforeach()
endforeach()

# Library internals, one file per library (each with a version check).
file(GLOB_RECURSE shell "${SOURCE_DIR}/webhook/*.h" "${SOURCE_DIR}/webhook/*.cc")
foreach(file IN LISTS shell)
  file(READ "${file}" text)
  if(text MATCHES "nlohmann::detail::" AND NOT file MATCHES "webhook/admission/bounded_json\\.cc$")
    string(APPEND problems "\n  ${file}: nlohmann::detail is used only in webhook/admission/bounded_json.cc")
  endif()
  if(text MATCHES "svr_sock_|process_and_close_socket|read_timeout_sec_" AND
     NOT file MATCHES "webhook/server/tls_server\\.(h|cc)$")
    string(APPEND problems "\n  ${file}: cpp-httplib's protected members are used only in webhook/server/tls_server")
  endif()
endforeach()

if(problems)
  message(FATAL_ERROR "layering:${problems}")
endif()
message(STATUS "layering: every room includes only from the rooms below it")
