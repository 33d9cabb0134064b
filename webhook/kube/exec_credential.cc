#include "webhook/kube/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
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
  return out_credential;
}

}  // namespace keyward
