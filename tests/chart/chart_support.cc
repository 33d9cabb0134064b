#include "tests/chart/chart_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/keyward_process.h"

namespace keyward::testing {
namespace {

namespace fs = std::filesystem;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string ToolPath(const char* override_variable, const char* tool) {
  std::string tools_dir = EnvOr("KEYWARD_TOOLS_DIR", KEYWARD_DEFAULT_TOOLS_DIR);
  std::string path = EnvOr(override_variable, tools_dir + "/bin/" + tool);
  if (access(path.c_str(), X_OK) != 0) {
    ADD_FAILURE() << tool << " not found at " << path
                  << ": run scripts/get-helm.sh (scripts/test.sh runs it), or set " << override_variable;
    return "";
  }
  return path;
}

// Reads both pipes until the child closes them or the deadline passes.
bool Drain(int out_fd, int err_fd, std::chrono::steady_clock::time_point deadline, ProcessResult* result) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&result->output, &result->error_output};
  int open_count = 2;
  char buffer[65536];
  while (open_count > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    int ready = poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  return true;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                         std::chrono::seconds timeout) {
  ProcessResult result;
  std::vector<std::string> args = argv;
  std::vector<std::string> env_strings = EnvironmentWith(env);
  std::vector<char*> c_args = CStrings(args);
  std::vector<char*> c_env = CStrings(env_strings);

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.error_output = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, STDIN_FILENO);
    execvpe(c_args[0], c_args.data(), c_env.data());
    dprintf(STDERR_FILENO, "cannot run %s: %s\n", c_args[0], std::strerror(errno));
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    result.error_output = std::string("fork: ") + std::strerror(errno);
    close(out_pipe[0]);
    close(err_pipe[0]);
    return result;
  }
  bool finished = Drain(out_pipe[0], err_pipe[0], std::chrono::steady_clock::now() + timeout, &result);
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (!finished) {
    kill(pid, SIGKILL);
    result.error_output += "\n(killed after " + std::to_string(timeout.count()) + " s)";
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (finished && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  if (port == 0) ADD_FAILURE() << "no free port on 127.0.0.1";
  return port;
}

std::string HelmPath() { return ToolPath("KEYWARD_HELM", "helm"); }
std::string KubectlPath() { return ToolPath("KEYWARD_KUBECTL", "kubectl"); }

std::string SourcePath(std::string_view relative) { return std::string(KEYWARD_SOURCE_DIR) + "/" + std::string(relative); }

std::map<std::string, std::string> HelmEnvironment(const TempDir& home, const std::string& kubeconfig) {
  std::string config = kubeconfig;
  if (config.empty()) {
    config = home.File("empty-kubeconfig");
    if (!fs::exists(config)) WriteFile(config, "");
  }
  return {{"HELM_CONFIG_HOME", home.File("helm-config")},
          {"HELM_CACHE_HOME", home.File("helm-cache")},
          {"HELM_DATA_HOME", home.File("helm-data")},
          {"KUBECONFIG", config}};
}

Objects::Objects(const std::string& yaml_stream) {
  for (const YAML::Node& document : YAML::LoadAll(yaml_stream)) {
    if (document.IsMap()) objects_.push_back(document);
  }
}

std::vector<YAML::Node> Objects::OfKind(std::string_view kind) const {
  std::vector<YAML::Node> matching;
  for (const YAML::Node& object : objects_) {
    if (object["kind"].as<std::string>("") == kind) matching.push_back(object);
  }
  return matching;
}

YAML::Node Objects::One(std::string_view kind, std::string_view name) const {
  std::vector<YAML::Node> matching;
  for (const YAML::Node& object : OfKind(kind)) {
    if (name.empty() || At(object, "metadata.name").as<std::string>("") == name) matching.push_back(object);
  }
  if (matching.size() != 1) {
    ADD_FAILURE() << "expected exactly one " << kind << (name.empty() ? "" : " named ") << name << ", found "
                  << matching.size();
    return YAML::Node(YAML::NodeType::Null);
  }
  return matching.front();
}

ProcessResult HelmTemplate(const std::vector<std::string>& args, const std::map<std::string, std::string>& extra_env) {
  std::string helm = HelmPath();
  if (helm.empty()) return {};
  static TempDir home;  // one isolated helm home for the whole test program
  std::map<std::string, std::string> env = HelmEnvironment(home);
  for (const auto& [name, value] : extra_env) env[name] = value;
  std::vector<std::string> argv = {helm, "template", kRelease, SourcePath("charts/keyward"), "--namespace", kNamespace};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, env);
}

Objects MustRender(const std::vector<std::string>& args) {
  ProcessResult result = HelmTemplate(args);
  if (result.exit_code != 0) {
    ADD_FAILURE() << "helm template failed (exit " << result.exit_code << "): " << result.error_output;
    return Objects();
  }
  return Objects(result.output);
}

YAML::Node At(const YAML::Node& node, std::string_view dotted_path) {
  // reset() rebinds; plain assignment would overwrite the node it walks
  // through, and the const operator[] never inserts.
  YAML::Node current;
  current.reset(node);
  size_t start = 0;
  while (true) {
    size_t dot = dotted_path.find('.', start);
    std::string key(dotted_path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    const YAML::Node& parent = current;
    if (!parent.IsMap() || !parent[key]) return YAML::Node(YAML::NodeType::Null);
    current.reset(parent[key]);
    if (dot == std::string_view::npos) return current;
    start = dot + 1;
  }
}

bool SameYaml(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  switch (a.Type()) {
    case YAML::NodeType::Scalar:
      return a.Scalar() == b.Scalar();
    case YAML::NodeType::Sequence:
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!SameYaml(a[i], b[i])) return false;
      }
      return true;
    case YAML::NodeType::Map:
      if (a.size() != b.size()) return false;
      for (const auto& entry : a) {
        const YAML::Node other = b[entry.first.as<std::string>()];
        if (!other || !SameYaml(entry.second, other)) return false;
      }
      return true;
    default:
      return true;
  }
}

std::vector<std::string> Strings(const YAML::Node& sequence) {
  std::vector<std::string> values;
  if (!sequence.IsSequence()) return values;
  for (const YAML::Node& item : sequence) values.push_back(item.as<std::string>());
  return values;
}

}  // namespace keyward::testing
