// The real `keyward serve` binary as a child process: started with its
// output captured in a file, found by the ports it logs, always killed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyward::testing {

class ServerProcess {
 public:
  // Runs KEYWARD_BINARY with `args`, standard output and error into log_path.
  ServerProcess(const std::vector<std::string>& args, std::string log_path);
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Waits for the "serving" log line and reads both ports from it. False if
  // the process exited or the timeout passed first.
  bool WaitUntilServing(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  int admission_port() const { return admission_port_; }
  int metrics_port() const { return metrics_port_; }

  // Waits until the log contains `text`.
  bool WaitForLog(std::string_view text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  std::string Log() const;

  void Signal(int signal_number);
  // The exit status, or nullopt if still running after `timeout` (a death
  // by signal is reported as 128 + the signal number).
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  pid_t pid() const { return pid_; }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  int admission_port_ = -1;
  int metrics_port_ = -1;
};

// Runs KEYWARD_BINARY to completion (bounded by `timeout`, then killed) and
// returns its exit status with its combined output.
struct CommandResult {
  int exit_status = -1;
  std::string output;
};
CommandResult RunKeyward(const std::vector<std::string>& args, const std::string& scratch_dir,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace keyward::testing
