// The real keyward binary, started by a test: `keyward serve` on 127.0.0.1
// (ephemeral ports) with a policy and a fresh self-signed certificate in a
// private temporary directory, its standard output and error captured in a
// log file there.
//
// Sanitizer builds report into that log and exit non-zero, so Stop()'s exit
// status and SanitizerReport() make a test fail on any report the server
// produced while the test ran.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/hardening/test_certificates.h"

namespace keyward::hardening {

class KeywardServer {
 public:
  // Starts the server and waits until it logs that it serves. Extra flags
  // are appended to the defaults (text logs are never used: the log is
  // parsed as JSON lines). Returns null, with *error set, when it does not
  // come up within the startup bound.
  static std::unique_ptr<KeywardServer> Start(const std::string& policy_yaml,
                                              const std::vector<std::string>& extra_flags, std::string* error);
  ~KeywardServer();  // kills the process if it still runs; removes the directory

  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path policy_path() const { return dir_ / "policy.yaml"; }
  std::filesystem::path certificate_path() const { return dir_ / "tls.crt"; }
  std::filesystem::path key_path() const { return dir_ / "tls.key"; }
  const TestCertificate& initial_certificate() const { return certificate_; }

  // Everything the process wrote so far.
  std::string Log() const;
  // The first sanitizer report in the log, or "" when there is none.
  std::string SanitizerReport() const;
  // Resident set size now, in KiB (0 once the process is gone).
  long RssKiB() const;
  int Threads() const;

  // Sends SIGTERM and waits up to `timeout`; returns the exit status, or -1
  // when it did not exit in time (then it is killed) or died by a signal.
  int Stop(std::chrono::milliseconds timeout);
  void Signal(int signal_number) const;
  // Waits for an exit already under way; same result as Stop().
  int WaitForExit(std::chrono::milliseconds timeout);
  bool Running();

 private:
  KeywardServer() = default;

  std::filesystem::path dir_;
  TestCertificate certificate_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_status_ = -1;
  int port_ = -1;
  int metrics_port_ = -1;
};

// Writes `text` to `path` atomically (a temporary file, then rename), as
// kubelet and cert-manager replace mounted files.
void ReplaceFile(const std::filesystem::path& path, const std::string& text);
// Rewrites `path` in place (truncate, then write in two halves with a pause),
// the worst case for a reader: it may see an empty or half file.
void RewriteInPlace(const std::filesystem::path& path, const std::string& text);

// A test-wide policy: tenants team-a (one default key) and team-b (separate
// volume and output keys), deny, inject, ARN-only.
std::string StandardPolicy();

}  // namespace keyward::hardening
