#include "fuzz/fuzz_policies.h"

#include <array>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"

namespace keyward::fuzz {
namespace {

constexpr std::string_view kDenyInjectArn = R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  enforcement: deny
  mutation: inject
  keyReferences: arn
  unmatchedNamespaces: deny
  exemptNamespaces: [kube-system]
  trustedUsers: [system:serviceaccount:ack-system:ack-sagemaker-controller]
  guardrails:
    networkIsolation: {enforcement: deny, inject: true}
    interContainerEncryption: {enforcement: warn, inject: true}
    notebookExposure: {enforcement: deny, inject: true}
    vpc: warn
    images: audit
    interactiveAccess: deny
  imageRegistries: ["*.dkr.ecr.*.amazonaws.com/*"]
  tenants:
    - name: team-a
      namespaces: [team-a, "team-a-*"]
      keys:
        default: arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab
      roles: ["arn:aws:iam::111122223333:role/team-a-*"]
      subnets: ["subnet-0a*"]
    - name: team-b
      namespaces: [team-b]
      enforcement: warn
      keys:
        default: arn:aws:kms:us-east-1:444455556666:key/7c9d2e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5
        volume: arn:aws:kms:us-east-1:444455556666:key/1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b
        output: arn:aws:kms:us-east-1:444455556666:key/2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d
      allowedKeys:
        - arn:aws:kms:us-east-1:444455556666:key/*
)";

constexpr std::string_view kWarnDisabledNamespacesWarn = R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-west-2
  enforcement: warn
  mutation: disabled
  unmatchedNamespaces: warn
  trustedUsers: ["system:serviceaccount:ack-system:*"]
  tenants:
    - name: team-a
      namespaces: ["team-a*"]
      enforcement: deny
      keys:
        default: arn:aws:kms:us-west-2:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab
    - name: team-b
      namespaces: [team-b]
      keys:
        default: arn:aws:kms:us-west-2:444455556666:key/mrk-0123456789abcdef0123456789abcdef
)";

constexpr std::string_view kAuditAnyReferencesAllow = R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  enforcement: audit
  mutation: inject
  keyReferences: any
  unmatchedNamespaces: allow
  exemptNamespaces: ["kube-*"]
  trustedUsers: [system:serviceaccount:ack-system:ack-sagemaker-controller]
  localStorageInstanceTypes: ["ml.m5.*"]
  tenants:
    - name: team-a
      namespaces: [team-a, team-a-dev]
      keys:
        default: arn:aws:kms:us-east-1:111122223333:alias/team-a
        volume: arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab
      allowedKeys: [alias/team-a-extra, "arn:aws:kms:us-east-1:111122223333:*"]
    - name: eu
      namespaces: ["eu-*"]
      region: eu-west-1
      enforcement: deny
      keys:
        default: arn:aws:kms:eu-west-1:555566667777:key/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f
        output: arn:aws:kms:eu-west-1:555566667777:alias/eu-output
)";

struct Loaded {
  std::vector<FuzzPolicy> policies;
};

Loaded LoadAll() {
  Loaded loaded;
  const std::array<std::pair<std::string_view, std::string_view>, 3> sources = {{
      {"deny-inject-arn", kDenyInjectArn},
      {"warn-disabled-namespaces-warn", kWarnDisabledNamespacesWarn},
      {"audit-any-references-allow", kAuditAnyReferencesAllow},
  }};
  for (const auto& [name, yaml] : sources) {
    PolicyLoadResult result = LoadPolicy(yaml, name);
    std::string problems;
    for (const Diagnostic& d : result.diagnostics) problems += d.ToString() + "\n";
    Require(result.policy != nullptr, "every fuzz policy loads", problems);
    loaded.policies.push_back({name, yaml, std::move(result.policy)});
  }
  return loaded;
}

}  // namespace

std::span<const FuzzPolicy> FuzzPolicies() {
  static const Loaded loaded = LoadAll();
  return loaded.policies;
}

std::span<const std::string_view> FuzzNamespaces() {
  static constexpr std::array<std::string_view, 6> kNamespaces = {"team-a", "team-a-dev", "team-b",
                                                                  "eu-ml",  "kube-system", "unclaimed"};
  return kNamespaces;
}

}  // namespace keyward::fuzz
