#include "tests/webhook/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace keyward::testing {
namespace {

using Clock = std::chrono::steady_clock;

pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<std::string> argv_storage = {KEYWARD_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // The child starts with default signal handling and nothing blocked.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const int error = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) throw std::runtime_error(std::string("cannot start ") + KEYWARD_BINARY);
  return pid;
}

std::optional<int> Reap(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ServerProcess::ServerProcess(const std::vector<std::string>& args, std::string log_path)
    : log_path_(std::move(log_path)), pid_(Spawn(args, log_path_)) {}

ServerProcess::~ServerProcess() {
  if (!exit_status_) {
    ::kill(pid_, SIGKILL);
    Reap(pid_, std::chrono::seconds(10));
  }
}

bool ServerProcess::WaitUntilServing(std::chrono::milliseconds timeout) {
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
    if (WaitForExit(std::chrono::milliseconds(0))) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

bool ServerProcess::WaitForLog(std::string_view text, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  do {
    if (Log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (Clock::now() < deadline);
  return false;
}

std::string ServerProcess::Log() const { return ReadFile(log_path_); }

void ServerProcess::Signal(int signal_number) {
  if (!exit_status_) ::kill(pid_, signal_number);
}

std::optional<int> ServerProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (!exit_status_) exit_status_ = Reap(pid_, timeout);
  return exit_status_;
}

CommandResult RunKeyward(const std::vector<std::string>& args, const std::string& scratch_dir,
                         std::chrono::milliseconds timeout) {
  const std::string log_path = scratch_dir + "/command.log";
  CommandResult result;
  {
    ServerProcess process(args, log_path);
    result.exit_status = process.WaitForExit(timeout).value_or(-1);
  }
  result.output = ReadFile(log_path);
  return result;
}

}  // namespace keyward::testing
