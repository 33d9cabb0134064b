// Running helm, kubectl and the project's scripts from tests, and reading
// what they render as Kubernetes objects.
//
// helm and kubectl come from scripts/get-helm.sh: $KEYWARD_HELM and
// $KEYWARD_KUBECTL name them, else $KEYWARD_TOOLS_DIR/bin, else the tools
// directory the build was configured with. A missing binary fails the test
// that needs it, with the command that installs it.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "tests/support/files.h"

namespace keyward::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed, or could not start (see error_output)
  std::string output;
  std::string error_output;
};

// Runs argv[0] (a path, or a name looked up on PATH) without a shell,
// with `env` added to the environment. Killed after `timeout`.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(120));

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

// Empty, with a test failure explaining how to install it, when missing.
std::string HelmPath();
std::string KubectlPath();

std::string SourcePath(std::string_view relative);  // in the source tree

// Environment for helm that isolates it from the user's configuration and
// clusters: its own config/cache/data homes and an empty kubeconfig, unless
// `kubeconfig` names one.
std::map<std::string, std::string> HelmEnvironment(const TempDir& home, const std::string& kubeconfig = "");

// The objects of a multi-document YAML stream (null documents dropped).
class Objects {
 public:
  Objects() = default;
  explicit Objects(const std::string& yaml_stream);

  std::vector<YAML::Node> OfKind(std::string_view kind) const;
  // The single object of that kind (and name, when given); a test failure
  // and a null node when there is not exactly one.
  YAML::Node One(std::string_view kind, std::string_view name = "") const;
  size_t size() const { return objects_.size(); }

 private:
  std::vector<YAML::Node> objects_;
};

inline constexpr char kRelease[] = "kw";
inline constexpr char kNamespace[] = "sagemaker-guard";
inline constexpr char kFullname[] = "kw-keyward";  // the chart's name for kRelease
// The kinds of the chart's two webhook configurations.
inline constexpr const char* kConfigurationKinds[] = {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"};

// `helm template kw charts/keyward -n sagemaker-guard <args>`.
ProcessResult HelmTemplate(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& extra_env = {});
// As above, failing the test (with helm's message) unless helm succeeds.
Objects MustRender(const std::vector<std::string>& args);

// Structural equality: same scalars, same sequences, same map entries in
// any order (yaml-cpp's operator== compares identity).
bool SameYaml(const YAML::Node& a, const YAML::Node& b);

// The value at a dotted path ("spec.template.spec"), or a null node.
YAML::Node At(const YAML::Node& node, std::string_view dotted_path);
std::vector<std::string> Strings(const YAML::Node& sequence);

}  // namespace keyward::testing
