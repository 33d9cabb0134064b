#include "tests/support/keyward_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include "tests/support/files.h"

extern char** environ;

namespace keyward::testing {
namespace {

using Clock = std::chrono::steady_clock;

pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path, const Environment& env) {
  std::vector<std::string> argv_storage = {KEYWARD_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<std::string> env_storage = EnvironmentWith(env);
  std::vector<char*> argv = CStrings(argv_storage);
  std::vector<char*> envp = CStrings(env_storage);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // The child starts with default signal handling and nothing blocked,
  // whatever the test's threads block or ignore (SIGPIPE).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int signal_number : {SIGTERM, SIGINT, SIGPIPE, SIGHUP}) sigaddset(&defaults, signal_number);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const int error = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) throw std::runtime_error(std::string("cannot start ") + KEYWARD_BINARY);
  return pid;
}

int StatusOf(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

long ProcessStatusField(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return 0;
}

KeywardProcess::KeywardProcess(const std::vector<std::string>& args, std::string log_path, const Environment& env)
    : log_path_(std::move(log_path)), pid_(Spawn(args, log_path_, env)) {}

KeywardProcess::~KeywardProcess() {
  if (Running()) {
    ::kill(pid_, SIGKILL);
    WaitForExit(std::chrono::seconds(10));
  }
}

bool KeywardProcess::WaitUntilServing(std::chrono::milliseconds timeout) {
  // The JSON line ("admission_port":1234) or the text one (admission_port=1234).
  const std::regex ports(R"re(serving.*admission_port"?[:=](\d+).*metrics_port"?[:=](\d+))re");
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::smatch match;
    const std::string log = Log();
    if (std::regex_search(log, match, ports)) {
      admission_port_ = std::stoi(match[1]);
      metrics_port_ = std::stoi(match[2]);
      return true;
    }
    if (!Running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

bool KeywardProcess::WaitForLog(std::string_view text, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  do {
    if (Log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (Clock::now() < deadline);
  return false;
}

std::string KeywardProcess::Log() const { return ReadFile(log_path_); }

std::string KeywardProcess::SanitizerReport() const {
  const std::string log = Log();
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
                             "runtime error:", "ThreadSanitizer: "}) {
    if (size_t at = log.find(marker); at != std::string::npos) return log.substr(at, 4000);
  }
  return "";
}

long KeywardProcess::RssKiB() const { return exit_status_ ? 0 : ProcessStatusField(pid_, "VmRSS"); }
int KeywardProcess::Threads() const { return exit_status_ ? 0 : static_cast<int>(ProcessStatusField(pid_, "Threads")); }

void KeywardProcess::Signal(int signal_number) const {
  if (!exit_status_) ::kill(pid_, signal_number);
}

bool KeywardProcess::Running() {
  if (exit_status_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) exit_status_ = StatusOf(status);
  return !exit_status_;
}

std::optional<int> KeywardProcess::WaitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Running() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return exit_status_;
}

int KeywardProcess::Stop(std::chrono::milliseconds timeout) {
  Signal(SIGTERM);
  if (const std::optional<int> status = WaitForExit(timeout)) return *status;
  ::kill(pid_, SIGKILL);
  WaitForExit(std::chrono::seconds(10));
  return -1;
}

std::vector<std::string> EnvironmentWith(const Environment& extra) {
  Environment merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t eq = text.find('=');
    if (eq != std::string_view::npos) merged[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
  }
  for (const auto& [name, value] : extra) merged[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : merged) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

RunResult RunKeyward(const std::vector<std::string>& args, const std::string& output_path, RunBounds bounds,
                     const Environment& env) {
  RunResult result;
  KeywardProcess process(args, output_path, env);
  const auto deadline = Clock::now() + bounds.time;
  while (process.Running()) {
    const long rss = process.RssKiB();
    if (Clock::now() > deadline || rss > bounds.memory_kib) {
      result.why = rss > bounds.memory_kib
                       ? "used more than " + std::to_string(bounds.memory_kib / 1024) + " MiB"
                       : "ran longer than " + std::to_string(bounds.time.count()) + " ms";
      process.Stop(std::chrono::milliseconds(0));
      result.output = process.Log();
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  result.exit_status = *process.WaitForExit(std::chrono::milliseconds(0));
  result.output = process.Log();
  result.finished = result.exit_status < 128;
  if (!result.finished) result.why = "killed by signal " + std::to_string(result.exit_status - 128);
  return result;
}

}  // namespace keyward::testing
