// `keyward test` decides as the server does: every case of the project's
// own suites (examples/tests) is also sent to a running `keyward serve`,
// with the suite's policy, and its Namespaces and Pipelines served by the
// in-test API server as the cluster context. Mutate, apply the patch,
// validate, as the kube-apiserver does; the verdict, the denial's codes,
// the patched object and the warnings must equal what `keyward test`
// reported for the case.
#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/server_fixture.h"
#include "tests/webhook/kube/fake_kube_api.h"
#include "webhook/cli/manifest_reader.h"

namespace keyward::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;

const fs::path kSuites = fs::path(KEYWARD_SOURCE_DIR) / "examples" / "tests";

// The objects of a suite's `key` file (namespaces, pipelines), or none.
std::vector<json> SuiteObjects(const fs::path& suite_file, const json& suite, const char* key) {
  std::vector<json> objects;
  if (!suite.contains(key)) return objects;
  std::istringstream no_input;
  ManifestReadResult read =
      ReadManifests({(suite_file.parent_path() / suite[key].get<std::string>()).string()}, no_input);
  EXPECT_TRUE(read.errors.empty()) << read.errors.front().ToString();
  for (Manifest& manifest : read.manifests) objects.push_back(std::move(manifest.object));
  return objects;
}

// What one request came to: whether it is admitted, the denial's message
// (every deny-level violation, with its code and path), the object after
// the patch, and the warnings of both webhooks.
struct Decision {
  bool allowed = false;
  std::string message;
  json patched;
  json warnings = json::array();
  bool operator==(const Decision&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Decision& d) {
  return out << "{allowed " << d.allowed << ", message " << d.message << ", warnings " << d.warnings.dump()
             << ", patched " << d.patched.dump() << "}";
}

// What `keyward test` reported for a case, in the same terms.
Decision Reported(const json& actual) {
  return {actual["verdict"] != "denied", actual["message"], actual["patched"], actual["warnings"]};
}

class PolicySuitesServerTest : public ServerTest {
 protected:
  json Send(const std::string& path, const json& review) {
    auto client = Client();
    HttpResult http = Post(*client, path, review.dump());
    EXPECT_EQ(http.status, 200) << http.body;
    return http.json["response"];
  }

  Decision ThroughTheServer(json review) {
    Decision d;
    const json mutated = Send("/mutate", review);
    json& request = review["request"];
    if (request.contains("object")) {
      if (mutated.contains("patch")) request["object"] = request["object"].patch(DecodePatch({{"response", mutated}}));
      d.patched = request["object"];
    }
    const json validated = Send("/validate", review);
    d.allowed = validated["allowed"] == true;
    d.message = validated.value("/status/message"_json_pointer, std::string());
    for (const json* response : {&mutated, &validated}) {
      for (const json& warning : response->value("warnings", json::array())) d.warnings.push_back(warning);
    }
    EXPECT_EQ(d.allowed || !DeniedCodes(validated).empty(), true) << "a denial names its codes: " << d.message;
    return d;
  }

  static bool WaitFor(const std::function<bool()>& condition, milliseconds bound = milliseconds(10'000)) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return condition();
  }

  std::unique_ptr<FakeKubeApi> api_;
};

TEST_F(PolicySuitesServerTest, EveryCaseOfTheExampleSuitesGetsTheSameAnswerFromTheServer) {
  std::vector<fs::path> suites;
  for (const auto& entry : fs::recursive_directory_iterator(kSuites)) {
    if (entry.path().filename() == "keyward-test.yaml") suites.push_back(entry.path());
  }
  ASSERT_GE(suites.size(), 2u);
  size_t compared = 0;
  for (const fs::path& suite_file : suites) {
    SCOPED_TRACE(suite_file.string());
    std::istringstream no_input;
    const ManifestReadResult read = ReadManifests({suite_file.string()}, no_input);
    ASSERT_EQ(read.manifests.size(), 1u);
    const json& suite = read.manifests.front().object;

    const RunResult tested = RunKeyward({"test", suite_file.string(), "-o", "json"}, Path("test-output"));
    ASSERT_EQ(tested.exit_status, 0) << tested.output;
    const json report = json::parse(tested.output.substr(tested.output.find('{')));

    if (server_ != nullptr) {
      ASSERT_EQ(server_->Stop(std::chrono::seconds(30)), 0) << server_->Log();
      server_.reset();
    }
    api_ = std::make_unique<FakeKubeApi>(ca_, dir_, FakeKubeApi::Options{});
    api_->Serve("", "v1", "namespaces", "Namespace", SuiteObjects(suite_file, suite, "namespaces"));
    api_->Serve("sagemaker.services.k8s.aws", "v1alpha1", "pipelines", "Pipeline",
                SuiteObjects(suite_file, suite, "pipelines"));
    WriteFile(Path("kubeconfig"), "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n"
                                  "  cluster:\n    server: " + api_->server() + "\n    certificate-authority: " +
                                      ca_path_ + "\ncontexts:\n- name: test\n  context: {cluster: fake, user: u}\n"
                                      "users:\n- name: u\n  user: {}\n");
    const std::string policy = (suite_file.parent_path() / suite["policy"].get<std::string>()).string();
    server_ = std::make_unique<KeywardProcess>(ServeArgs({"--policy", policy, "--kubeconfig", Path("kubeconfig")}),
                                               Path("server.log"));
    ASSERT_TRUE(server_->WaitUntilServing()) << server_->Log();
    ASSERT_TRUE(WaitFor([&] { return GetOps("/readyz").status == 200; })) << "namespaces listed: " << server_->Log();

    for (const json& c : report["suites"][0]["cases"]) {
      const Decision expected = Reported(c["actual"]);
      // The Pipelines' watch may still be listing after readiness.
      WaitFor([&] { return ThroughTheServer(c["request"]) == expected; });
      EXPECT_EQ(ThroughTheServer(c["request"]), expected) << c["name"] << " (" << c["source"] << ")";
      ++compared;
    }
  }
  EXPECT_GE(compared, 30u);
}

}  // namespace
}  // namespace keyward::testing
