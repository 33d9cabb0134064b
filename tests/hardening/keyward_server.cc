#include "tests/hardening/keyward_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

extern char** environ;

namespace keyward::hardening {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Sanitizer builds run slower; starting is still far quicker than this.
constexpr std::chrono::seconds kStartupBound{60};

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Reads "serving" from the JSON log: the ports the server actually bound.
bool FindPorts(const std::string& log, int* port, int* metrics_port) {
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    const nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (!entry.is_object() || entry.value("msg", "") != "serving") continue;
    *port = entry.value("admission_port", -1);
    *metrics_port = entry.value("metrics_port", -1);
    return *port > 0 && *metrics_port > 0;
  }
  return false;
}

long StatusField(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return 0;
}

}  // namespace

std::unique_ptr<KeywardServer> KeywardServer::Start(const std::string& policy_yaml,
                                                    const std::vector<std::string>& extra_flags,
                                                    std::string* error) {
  std::unique_ptr<KeywardServer> server(new KeywardServer());
  std::string dir_template = (fs::temp_directory_path() / "keyward-hardening-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) {
    *error = "cannot create a temporary directory";
    return nullptr;
  }
  server->dir_ = dir_template;
  server->certificate_ = MakeSelfSignedCertificate("initial");
  WriteFile(server->policy_path(), policy_yaml);
  WriteFile(server->certificate_path(), server->certificate_.certificate_pem);
  WriteFile(server->key_path(), server->certificate_.key_pem);

  // Defaults for tests; extra_flags ("--flag", "value" pairs) override them.
  std::vector<std::pair<std::string, std::string>> flags = {
      {"--policy", server->policy_path()},    {"--tls-cert", server->certificate_path()},
      {"--tls-key", server->key_path()},      {"--listen", "127.0.0.1:0"},
      {"--metrics-listen", "127.0.0.1:0"},    {"--log-format", "json"},
      {"--reload-interval", "50ms"},          {"--shutdown-delay", "0s"},
  };
  for (size_t i = 0; i + 1 < extra_flags.size(); i += 2) {
    bool replaced = false;
    for (auto& [flag, value] : flags) {
      if (flag == extra_flags[i]) value = extra_flags[i + 1], replaced = true;
    }
    if (!replaced) flags.emplace_back(extra_flags[i], extra_flags[i + 1]);
  }
  std::vector<std::string> args = {KEYWARD_BINARY, "serve"};
  for (const auto& [flag, value] : flags) {
    args.push_back(flag);
    args.push_back(value);
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const std::string log_path = server->dir_ / "keyward.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const int spawned = posix_spawn(&server->pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    *error = std::string("cannot start ") + KEYWARD_BINARY;
    return nullptr;
  }
  const auto deadline = Clock::now() + kStartupBound;
  while (Clock::now() < deadline) {
    if (FindPorts(server->Log(), &server->port_, &server->metrics_port_)) return server;
    if (!server->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *error = "keyward did not start serving; its log:\n" + server->Log();
  return nullptr;
}

KeywardServer::~KeywardServer() {
  if (pid_ > 0 && Running()) {
    ::kill(pid_, SIGKILL);
    WaitForExit(std::chrono::seconds(10));
  }
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

std::string KeywardServer::Log() const { return ReadFile(dir_ / "keyward.log"); }

std::string KeywardServer::SanitizerReport() const {
  const std::string log = Log();
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
                             "runtime error:", "ThreadSanitizer: "}) {
    if (size_t at = log.find(marker); at != std::string::npos) return log.substr(at, 4000);
  }
  return "";
}

long KeywardServer::RssKiB() const { return StatusField(pid_, "VmRSS"); }
int KeywardServer::Threads() const { return static_cast<int>(StatusField(pid_, "Threads")); }

void KeywardServer::Signal(int signal_number) const {
  if (pid_ > 0) ::kill(pid_, signal_number);
}

bool KeywardServer::Running() {
  if (reaped_) return false;
  int status = 0;
  const pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    reaped_ = true;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }
  return true;
}

int KeywardServer::WaitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Running()) {
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      reaped_ = true;
      exit_status_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_status_;
}

int KeywardServer::Stop(std::chrono::milliseconds timeout) {
  if (Running()) Signal(SIGTERM);
  return WaitForExit(timeout);
}

void ReplaceFile(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.string() + ".new";
  WriteFile(temporary, text);
  fs::rename(temporary, path);
}

void RewriteInPlace(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text.substr(0, text.size() / 2) << std::flush;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  out << text.substr(text.size() / 2) << std::flush;
}

std::string StandardPolicy() {
  return R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  enforcement: deny
  mutation: inject
  keyReferences: arn
  unmatchedNamespaces: deny
  exemptNamespaces: [kube-system]
  tenants:
    - name: team-a
      namespaces: [team-a]
      keys:
        default: arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab
    - name: team-b
      namespaces: [team-b]
      keys:
        default: arn:aws:kms:us-east-1:444455556666:key/7c9d2e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5
        volume: arn:aws:kms:us-east-1:444455556666:key/1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b
        output: arn:aws:kms:us-east-1:444455556666:key/2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d
)";
}

}  // namespace keyward::hardening
