#include "webhook/kube/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/base/json_member.h"

extern char** environ;

namespace keyward {
namespace {

constexpr auto kPluginTimeout = std::chrono::seconds(30);
constexpr size_t kMaxPluginOutput = 1u << 20;

}  // namespace

Result<ExecCredential> RunExecPlugin(const ExecPlugin& plugin) {
  const std::string api_version = plugin.api_version.empty() ? "client.authentication.k8s.io/v1" : plugin.api_version;
  if (api_version != "client.authentication.k8s.io/v1" && api_version != "client.authentication.k8s.io/v1beta1") {
    return Status::Error("the exec plugin's apiVersion " + api_version + " is not supported", plugin.command,
                         "use client.authentication.k8s.io/v1 or v1beta1");
  }
  std::vector<std::string> args = {plugin.command};
  args.insert(args.end(), plugin.args.begin(), plugin.args.end());
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& [name, value] : plugin.env) env.push_back(name + "=" + value);
  env.push_back("KUBERNETES_EXEC_INFO=" +
                nlohmann::json{{"apiVersion", api_version}, {"kind", "ExecCredential"}, {"spec", {{"interactive", false}}}}
                    .dump());
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::IoError("cannot create a pipe for the exec plugin");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (spawned != 0) {
    close(out[0]);
    return Status::Error("cannot run the exec plugin " + plugin.command + ": " + strerror(spawned), "",
                         plugin.install_hint.empty() ? "install it or fix the kubeconfig's exec.command"
                                                     : plugin.install_hint);
  }
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + kPluginTimeout;
  bool timed_out = false;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fd{out[0], POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[65536];
    const ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
    if (output.size() > kMaxPluginOutput) break;
  }
  close(out[0]);
  if (timed_out || output.size() > kMaxPluginOutput) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (timed_out) return Status::Error("the exec plugin " + plugin.command + " did not finish within 30 s");
  if (output.size() > kMaxPluginOutput) return Status::Error("the exec plugin " + plugin.command + " printed over 1 MiB");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Error("the exec plugin " + plugin.command + " failed (exit status " +
                         std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) + ")",
                         "", "run it by hand to see why (for EKS: aws eks get-token needs AWS credentials)");
  }
  const nlohmann::json credential = nlohmann::json::parse(output, nullptr, false);
  if (!credential.is_object() || StringMember(credential, "kind") != "ExecCredential" || !credential.contains("status") ||
      !credential["status"].is_object()) {
    return Status::Error("the exec plugin " + plugin.command + " did not print an ExecCredential");
  }
  const nlohmann::json& s = credential["status"];
  ExecCredential out_credential;
  out_credential.token = StringMember(s, "token");
  out_credential.client_certificate_pem = StringMember(s, "clientCertificateData");
  out_credential.client_key_pem = StringMember(s, "clientKeyData");
  if (out_credential.token.empty() && out_credential.client_certificate_pem.empty()) {
    return Status::Error("the exec plugin " + plugin.command + "'s ExecCredential has neither a token nor a certificate");
  }
  out_credential.expires = ParseRfc3339(StringMember(s, "expirationTimestamp"));
  return out_credential;
}

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS, then optional .fraction, then Z or +HH:MM / -HH:MM.
  if (text.size() < 20 || text.size() > 40) return std::nullopt;
  auto digits = [&text](size_t at, size_t count, int* out) {
    int value = 0;
    for (size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    *out = value;
    return true;
  };
  std::tm fields{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(0, 4, &year) || text[4] != '-' || !digits(5, 2, &month) || text[7] != '-' || !digits(8, 2, &day) ||
      (text[10] != 'T' && text[10] != 't') || !digits(11, 2, &hour) || text[13] != ':' || !digits(14, 2, &minute) ||
      text[16] != ':' || !digits(17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
  }
  int offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    offset_minutes = 0;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    int hours = 0, minutes = 0;
    if (!digits(at + 1, 2, &hours) || !digits(at + 4, 2, &minutes) || hours > 23 || minutes > 59) return std::nullopt;
    offset_minutes = (text[at] == '+' ? 1 : -1) * (hours * 60 + minutes);
  } else {
    return std::nullopt;
  }
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_sec = second;
  const std::time_t utc = timegm(&fields);
  return std::chrono::system_clock::from_time_t(utc) - std::chrono::minutes(offset_minutes);
}

}  // namespace keyward
