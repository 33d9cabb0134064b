#include "tests/chart/install_cases.h"

#include <map>

#include "tests/chart/x509_support.h"

namespace keyward::testing {

std::vector<InstallCase> AllInstallCases() {
  std::vector<InstallCase> cases;
  for (const char* mode : {"selfSigned", "certManager", "existingSecret"}) {
    for (int replicas : {1, 3}) cases.push_back({mode, replicas});
  }
  return cases;
}

void PrintTo(const InstallCase& install, std::ostream* out) {
  *out << install.tls_mode << " with " << install.replicas << " replica(s)";
}

std::string InstallCaseName(const ::testing::TestParamInfo<InstallCase>& info) {
  return info.param.tls_mode + "_replicas" + std::to_string(info.param.replicas);
}

const std::string& ExistingSecretCaPem() {
  static const std::string pem = [] {
    static TempDir directory;
    ProcessResult result = RunProcess({SourcePath("scripts/manifest-certs.sh"), directory.path()});
    if (result.exit_code != 0) ADD_FAILURE() << "manifest-certs.sh failed: " << result.error_output;
    return ReadFile(directory.File("ca.crt"));
  }();
  return pem;
}

std::vector<std::string> InstallValues(const InstallCase& install) {
  std::vector<std::string> values = {"--set", "replicaCount=" + std::to_string(install.replicas), "--set",
                                     "tls.mode=" + install.tls_mode};
  if (install.tls_mode == "existingSecret") {
    values.insert(values.end(), {"--set", std::string("tls.existingSecret.name=") + kExistingSecretName, "--set",
                                 "tls.existingSecret.caBundle=" + Base64Encode(ExistingSecretCaPem())});
  }
  return values;
}

const Objects& RenderedInstall(const InstallCase& install) {
  static std::map<std::string, Objects> rendered;
  std::string key = install.tls_mode + "/" + std::to_string(install.replicas);
  auto found = rendered.find(key);
  if (found == rendered.end()) found = rendered.emplace(key, MustRender(InstallValues(install))).first;
  return found->second;
}

std::string MountedTlsSecretName(const Objects& objects) {
  YAML::Node deployment = objects.One("Deployment", kFullname);
  for (const YAML::Node& volume : At(deployment, "spec.template.spec.volumes")) {
    if (volume["name"].as<std::string>() == "tls") return At(volume, "secret.secretName").as<std::string>("");
  }
  ADD_FAILURE() << "the Deployment has no volume named tls";
  return "";
}

}  // namespace keyward::testing
