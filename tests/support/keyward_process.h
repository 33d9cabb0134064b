// The real keyward binary (KEYWARD_BINARY) as a child process of a test:
// started with arguments and extra environment, its standard output and
// error captured in a file; waited for with a time bound, signalled, its
// resident memory read from /proc, and the ports it logs found. Killed when
// the object goes.
//
// Sanitizer builds report into the captured output and exit non-zero, so
// an exit status of 0 and an empty SanitizerReport() mean a clean run.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyward::testing {

using Environment = std::map<std::string, std::string>;

// A numeric field of /proc/PID/status (e.g. "VmRSS", in KiB; "Threads"), or
// 0 when the process or the field is not there.
long ProcessStatusField(pid_t pid, const std::string& field);

class KeywardProcess {
 public:
  // Runs KEYWARD_BINARY `args` (without the binary's own name) with `env`
  // added to this process's environment; output into log_path.
  KeywardProcess(const std::vector<std::string>& args, std::string log_path, const Environment& env = {});
  ~KeywardProcess();  // SIGKILL if still running
  KeywardProcess(const KeywardProcess&) = delete;
  KeywardProcess& operator=(const KeywardProcess&) = delete;

  // Waits for the "serving" log line (JSON or text) and reads both ports
  // from it. False if the process exited or the timeout passed first.
  bool WaitUntilServing(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  int admission_port() const { return admission_port_; }
  int metrics_port() const { return metrics_port_; }

  // Waits until the log contains `text`.
  bool WaitForLog(std::string_view text, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  std::string Log() const;
  // The first sanitizer report in the log, or "" when there is none.
  std::string SanitizerReport() const;

  // Resident set size now, in KiB, and the thread count (0 once gone).
  long RssKiB() const;
  int Threads() const;

  void Signal(int signal_number) const;
  bool Running();
  // The exit status, or nullopt while still running after `timeout`. A
  // death by signal is reported as 128 + the signal number.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGTERM, then waits up to `timeout`: the exit status, or -1 when it did
  // not exit in time (then it is killed).
  int Stop(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  int admission_port_ = -1;
  int metrics_port_ = -1;
};

// A run of the binary to its end, bounded in time and resident memory.
struct RunBounds {
  std::chrono::milliseconds time = std::chrono::seconds(20);
  long memory_kib = 1024 * 1024;  // 1 GiB
};
struct RunResult {
  bool finished = false;  // exited by itself (not by a signal), in time and within memory
  int exit_status = -1;   // 128 + N when killed by signal N
  std::string output;     // standard output and error
  std::string why;        // when not finished
};
RunResult RunKeyward(const std::vector<std::string>& args, const std::string& output_path, RunBounds bounds = {},
                     const Environment& env = {});

// For launching other programs too (tests/chart runs helm): this process's
// environment with `extra` added, as "NAME=value" strings; and the
// null-terminated pointers into `strings` that exec and posix_spawn take.
std::vector<std::string> EnvironmentWith(const Environment& extra);
std::vector<char*> CStrings(std::vector<std::string>& strings);

}  // namespace keyward::testing
