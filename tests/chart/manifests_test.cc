// manifests/: the plain-YAML install is the chart's rendering, and its
// kustomization with scripts/manifest-certs.sh yields a working TLS setup.
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "tests/chart/chart_support.h"
#include "tests/chart/local_install.h"
#include "tests/chart/x509_support.h"

namespace keyward::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kManifestNamespace[] = "keyward";
constexpr char kManifestName[] = "keyward";

TEST(ManifestsTest, AreRenderedFromTheCurrentChart) {
  std::string helm = HelmPath();
  ASSERT_FALSE(helm.empty());
  TempDir directory;
  std::map<std::string, std::string> env = HelmEnvironment(directory);
  env["KEYWARD_HELM"] = helm;
  std::string fresh = directory.File("keyward.yaml");
  ProcessResult render = RunProcess({SourcePath("scripts/render-manifests.sh"), fresh}, env);
  ASSERT_EQ(render.exit_code, 0) << render.error_output;
  EXPECT_TRUE(ReadFile(SourcePath("manifests/keyward.yaml")) == ReadFile(fresh))
      << "manifests/keyward.yaml is stale: run scripts/render-manifests.sh";
}

class KustomizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* file : {"kustomization.yaml", "namespace.yaml", "keyward.yaml"}) {
      fs::copy_file(SourcePath(std::string("manifests/") + file), directory_.File(file));
    }
  }

  void GenerateCertificates() {
    ProcessResult certs = RunProcess({SourcePath("scripts/manifest-certs.sh"), directory_.File("tls")});
    ASSERT_EQ(certs.exit_code, 0) << certs.error_output;
  }

  Objects Build() {
    std::string kubectl = KubectlPath();
    if (kubectl.empty()) return Objects();
    ProcessResult build = RunProcess({kubectl, "kustomize", directory_.path()});
    EXPECT_EQ(build.exit_code, 0) << build.error_output;
    return Objects(build.output);
  }

  TempDir directory_;
};

TEST_F(KustomizationTest, FillsTheSecretAndCaBundleFromTheGeneratedCertificates) {
  ASSERT_NO_FATAL_FAILURE(GenerateCertificates());
  Objects objects = Build();
  const std::string ca_pem = ReadFile(directory_.File("tls/ca.crt"));

  EXPECT_EQ(objects.OfKind("Namespace").size(), 1u);
  YAML::Node deployment = objects.One("Deployment", kManifestName);
  EXPECT_EQ(At(deployment, "metadata.namespace").as<std::string>(""), kManifestNamespace);
  std::string mounted;
  for (const YAML::Node& volume : At(deployment, "spec.template.spec.volumes")) {
    if (volume["name"].as<std::string>() == "tls") mounted = At(volume, "secret.secretName").as<std::string>("");
  }
  YAML::Node secret = objects.One("Secret", mounted);
  ASSERT_TRUE(secret.IsMap()) << "no Secret for the mounted name " << mounted;
  EXPECT_EQ(At(secret, "metadata.namespace").as<std::string>(""), kManifestNamespace);
  YAML::Node data = secret["data"];
  EXPECT_EQ(Base64Decode(data["ca.crt"].as<std::string>("")), ca_pem);

  X509Ptr ca = ParseCertificate(ca_pem);
  X509Ptr serving = ParseCertificate(Base64Decode(data["tls.crt"].as<std::string>("")));
  KeyPtr key = ParsePrivateKey(Base64Decode(data["tls.key"].as<std::string>("")));
  ASSERT_TRUE(ca && serving && key);
  EXPECT_EQ(VerifyServerCertificate(serving.get(), ca.get()), "");
  EXPECT_EQ(X509_check_private_key(serving.get(), key.get()), 1);
  std::vector<std::string> names = DnsNames(serving.get());
  for (const char* name : {"keyward.keyward.svc", "keyward.keyward.svc.cluster.local"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }

  for (const char* kind : {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
    YAML::Node webhooks = objects.One(kind, kManifestName)["webhooks"];
    ASSERT_EQ(webhooks.size(), 1u) << kind;
    EXPECT_EQ(Base64Decode(At(webhooks[0], "clientConfig.caBundle").as<std::string>("")), ca_pem) << kind;
    EXPECT_EQ(At(webhooks[0], "clientConfig.service.name").as<std::string>(""),
              At(objects.One("Service", kManifestName), "metadata.name").as<std::string>(""));
  }
}

TEST_F(KustomizationTest, KustomizedInstallServesTlsTheApiserverTrusts) {
  ASSERT_NO_FATAL_FAILURE(GenerateCertificates());
  ExpectServesWhatTheApiserverTrusts(Build(), kManifestName, "keyward.keyward.svc");
}

TEST_F(KustomizationTest, RenewingTheServingCertificateKeepsTheCa) {
  ASSERT_NO_FATAL_FAILURE(GenerateCertificates());
  const std::string ca_before = ReadFile(directory_.File("tls/ca.crt"));
  const std::string serving_before = ReadFile(directory_.File("tls/tls.crt"));
  ASSERT_NO_FATAL_FAILURE(GenerateCertificates());

  EXPECT_EQ(ReadFile(directory_.File("tls/ca.crt")), ca_before);
  const std::string serving_after = ReadFile(directory_.File("tls/tls.crt"));
  EXPECT_NE(serving_after, serving_before);
  X509Ptr ca = ParseCertificate(ca_before);
  X509Ptr serving = ParseCertificate(serving_after);
  ASSERT_TRUE(ca && serving);
  EXPECT_EQ(VerifyServerCertificate(serving.get(), ca.get()), "");
}

TEST_F(KustomizationTest, WithoutCertificatesTheBuildFailsInsteadOfInstallingABrokenWebhook) {
  std::string kubectl = KubectlPath();
  ASSERT_FALSE(kubectl.empty());
  ProcessResult build = RunProcess({kubectl, "kustomize", directory_.path()});
  EXPECT_NE(build.exit_code, 0);
  EXPECT_NE(build.error_output.find("tls"), std::string::npos) << build.error_output;
}

}  // namespace
}  // namespace keyward::testing
