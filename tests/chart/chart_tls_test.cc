// TLS in the three modes: the apiserver must trust exactly the CA that
// signed the certificate keyward serves, for the names it dials.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/chart/chart_support.h"
#include "tests/chart/fake_apiserver.h"
#include "tests/chart/install_cases.h"
#include "tests/chart/x509_support.h"

namespace keyward::testing {
namespace {

using ::testing::TestWithParam;

std::vector<std::string> ServiceDnsNames(const std::string& cluster_domain = "cluster.local") {
  std::string service = kFullname;
  std::string in_namespace = service + "." + kNamespace;
  return {service, in_namespace, in_namespace + ".svc", in_namespace + ".svc." + cluster_domain};
}

std::vector<std::string> Sorted(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  return values;
}

std::string CaBundle(const Objects& objects, const char* kind) {
  return At(objects.One(kind, kFullname), "webhooks")[0]["clientConfig"]["caBundle"].as<std::string>("");
}

// The selfSigned Secret's CA, checked to have signed its serving pair for
// the Service's names.
void ExpectSelfSignedSecretIsConsistent(const YAML::Node& secret, const std::vector<std::string>& dns_names) {
  EXPECT_EQ(secret["type"].as<std::string>(""), "kubernetes.io/tls");
  YAML::Node data = secret["data"];
  X509Ptr ca = ParseCertificate(Base64Decode(data["ca.crt"].as<std::string>("")));
  X509Ptr serving = ParseCertificate(Base64Decode(data["tls.crt"].as<std::string>("")));
  KeyPtr key = ParsePrivateKey(Base64Decode(data["tls.key"].as<std::string>("")));
  ASSERT_TRUE(ca && serving && key);
  EXPECT_TRUE(IsCertificateAuthority(ca.get()));
  EXPECT_EQ(VerifyServerCertificate(serving.get(), ca.get()), "");
  EXPECT_EQ(X509_check_private_key(serving.get(), key.get()), 1) << "tls.key does not belong to tls.crt";
  EXPECT_EQ(Sorted(DnsNames(serving.get())), Sorted(dns_names));
}

class TlsInstallTest : public TestWithParam<InstallCase> {
 protected:
  const Objects& objects() const { return RenderedInstall(GetParam()); }
};

TEST_P(TlsInstallTest, TheApiserverTrustsTheCaOfTheServedCertificate) {
  const std::string mode = GetParam().tls_mode;
  const std::string mounted_secret = MountedTlsSecretName(objects());
  if (mode == "selfSigned") {
    YAML::Node secret = objects().One("Secret", mounted_secret);
    ASSERT_TRUE(secret.IsMap());
    ExpectSelfSignedSecretIsConsistent(secret, ServiceDnsNames());
    for (const char* kind : kConfigurationKinds) {
      EXPECT_EQ(CaBundle(objects(), kind), secret["data"]["ca.crt"].as<std::string>("")) << kind;
    }
  } else if (mode == "existingSecret") {
    EXPECT_EQ(mounted_secret, kExistingSecretName);
    EXPECT_TRUE(objects().OfKind("Secret").empty()) << "the user's Secret must not be rendered over";
    for (const char* kind : kConfigurationKinds) {
      EXPECT_EQ(Base64Decode(CaBundle(objects(), kind)), ExistingSecretCaPem()) << kind;
    }
  } else {
    // cert-manager writes the Secret and its cainjector the caBundle; the
    // chart must point both at the same Certificate.
    std::string certificate_name;
    for (const YAML::Node& certificate : objects().OfKind("Certificate")) {
      if (At(certificate, "spec.secretName").as<std::string>("") == mounted_secret) {
        certificate_name = At(certificate, "metadata.name").as<std::string>();
        EXPECT_EQ(Sorted(Strings(At(certificate, "spec.dnsNames"))), Sorted(ServiceDnsNames()));
        EXPECT_FALSE(At(certificate, "spec.isCA").as<bool>(false));
      }
    }
    ASSERT_FALSE(certificate_name.empty()) << "no Certificate writes the mounted Secret " << mounted_secret;
    for (const char* kind : kConfigurationKinds) {
      YAML::Node configuration = objects().One(kind, kFullname);
      EXPECT_EQ(At(configuration, "metadata.annotations")["cert-manager.io/inject-ca-from"].as<std::string>(""),
                std::string(kNamespace) + "/" + certificate_name)
          << kind;
      EXPECT_EQ(CaBundle(objects(), kind), "") << kind << ": the cainjector owns caBundle";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllInstalls, TlsInstallTest, ::testing::ValuesIn(AllInstallCases()), InstallCaseName);

TEST(SelfSignedTlsTest, CertificateFollowsTheClusterDomain) {
  Objects objects = MustRender({"--set", "clusterDomain=corp.internal"});
  YAML::Node secret = objects.One("Secret", MountedTlsSecretName(objects));
  ASSERT_TRUE(secret.IsMap());
  ExpectSelfSignedSecretIsConsistent(secret, ServiceDnsNames("corp.internal"));
}

// The Secret as the cluster holds it after an install: with the ownership
// metadata Helm adds.
nlohmann::json SecretJson(const YAML::Node& secret) {
  nlohmann::json data = nlohmann::json::object();
  for (const auto& entry : secret["data"]) data[entry.first.as<std::string>()] = entry.second.as<std::string>();
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& entry : At(secret, "metadata.labels")) labels[entry.first.as<std::string>()] = entry.second.as<std::string>();
  nlohmann::json metadata = {
      {"name", At(secret, "metadata.name").as<std::string>()},
      {"namespace", kNamespace},
      {"labels", labels},
      {"annotations", {{"meta.helm.sh/release-name", kRelease}, {"meta.helm.sh/release-namespace", kNamespace}}}};
  return {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", metadata}, {"type", "kubernetes.io/tls"}, {"data", data}};
}

// An upgrade: helm renders against a cluster (here a fake apiserver) that
// already holds the Secret of the first install.
Objects RenderUpgrade(const FakeApiServer& apiserver, const TempDir& directory) {
  // The fake apiserver serves no OpenAPI documents.
  ProcessResult result = HelmTemplate({"--dry-run=server", "--disable-openapi-validation"},
                                      {{"KUBECONFIG", apiserver.WriteKubeconfig(directory.path())}});
  EXPECT_EQ(result.exit_code, 0) << result.error_output;
  return Objects(result.output);
}

TEST(SelfSignedTlsTest, UpgradeKeepsTheCertificatesSoCaBundleNeverDrifts) {
  Objects install = MustRender({});
  YAML::Node installed_secret = install.One("Secret", MountedTlsSecretName(install));
  ASSERT_TRUE(installed_secret.IsMap());

  FakeApiServer apiserver;
  apiserver.AddSecret(SecretJson(installed_secret));
  TempDir directory;
  Objects upgrade = RenderUpgrade(apiserver, directory);
  EXPECT_GE(apiserver.secret_reads(), 1) << "the chart did not look the Secret up";

  YAML::Node upgraded_secret = upgrade.One("Secret", MountedTlsSecretName(upgrade));
  ASSERT_TRUE(upgraded_secret.IsMap());
  for (const char* key : {"ca.crt", "tls.crt", "tls.key"}) {
    EXPECT_EQ(upgraded_secret["data"][key].as<std::string>(""), installed_secret["data"][key].as<std::string>(""))
        << key;
  }
  for (const char* kind : kConfigurationKinds) {
    EXPECT_EQ(CaBundle(upgrade, kind), CaBundle(install, kind)) << kind;
  }
}

TEST(SelfSignedTlsTest, IncompleteExistingSecretIsReplacedWithAConsistentOne) {
  Objects install = MustRender({});
  YAML::Node secret = install.One("Secret", MountedTlsSecretName(install));
  ASSERT_TRUE(secret.IsMap());
  nlohmann::json without_key = SecretJson(secret);
  without_key["data"].erase("tls.key");

  FakeApiServer apiserver;
  apiserver.AddSecret(without_key);
  TempDir directory;
  Objects upgrade = RenderUpgrade(apiserver, directory);

  YAML::Node replaced = upgrade.One("Secret", MountedTlsSecretName(upgrade));
  ASSERT_TRUE(replaced.IsMap());
  EXPECT_NE(replaced["data"]["ca.crt"].as<std::string>(""), secret["data"]["ca.crt"].as<std::string>(""));
  ExpectSelfSignedSecretIsConsistent(replaced, ServiceDnsNames());
  EXPECT_EQ(CaBundle(upgrade, "ValidatingWebhookConfiguration"), replaced["data"]["ca.crt"].as<std::string>(""));
}

TEST(CertManagerTlsTest, DefaultBuildsItsOwnCaSoRenewalsKeepTheCaBundle) {
  Objects objects = MustRender({"--set", "tls.mode=certManager"});
  YAML::Node serving = objects.One("Certificate", std::string(kFullname) + "-serving");
  YAML::Node ca_issuer = objects.One("Issuer", At(serving, "spec.issuerRef.name").as<std::string>(""));
  ASSERT_TRUE(ca_issuer.IsMap());
  std::string ca_secret = At(ca_issuer, "spec.ca.secretName").as<std::string>("");
  ASSERT_FALSE(ca_secret.empty()) << "the serving certificate's issuer must be a CA issuer";

  YAML::Node ca_certificate;
  for (const YAML::Node& certificate : objects.OfKind("Certificate")) {
    if (At(certificate, "spec.secretName").as<std::string>("") == ca_secret) ca_certificate.reset(certificate);
  }
  ASSERT_TRUE(ca_certificate.IsMap()) << "no Certificate writes the CA Secret " << ca_secret;
  EXPECT_TRUE(At(ca_certificate, "spec.isCA").as<bool>(false));
  YAML::Node root_issuer = objects.One("Issuer", At(ca_certificate, "spec.issuerRef.name").as<std::string>(""));
  EXPECT_TRUE(At(root_issuer, "spec.selfSigned").IsMap());
}

TEST(CertManagerTlsTest, GivenIssuerIsUsedAndNoneIsCreated) {
  Objects objects = MustRender({"--set", "tls.mode=certManager", "--set", "tls.certManager.issuerRef.name=corp-ca",
                                "--set", "tls.certManager.issuerRef.kind=ClusterIssuer"});
  EXPECT_TRUE(objects.OfKind("Issuer").empty());
  YAML::Node serving = objects.One("Certificate");
  EXPECT_EQ(At(serving, "spec.issuerRef.name").as<std::string>(""), "corp-ca");
  EXPECT_EQ(At(serving, "spec.issuerRef.kind").as<std::string>(""), "ClusterIssuer");
  EXPECT_EQ(At(serving, "spec.secretName").as<std::string>(""), MountedTlsSecretName(objects));
}

}  // namespace
}  // namespace keyward::testing
