// Helpers shared by the core's tests: fixtures, YAML to JSON, policies,
// admission requests, and a reference walker for catalog field paths that is
// written independently of the core's own.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "policy/catalog/catalog.h"
#include "policy/rules/evaluate.h"
#include "policy/model/policy.h"

namespace keyward::testing {

std::string FixturePath(std::string_view relative);
std::string ReadFile(const std::string& path);

// The rows ("| ..." lines) of the README.md table whose header and separator
// lines are `header` (e.g. "| code | level | meaning |\n|---|---|---|"),
// up to the first line that is not a row; empty when there is no such table.
std::vector<std::string> ReadmeTableRows(std::string_view header);

// Plain scalars become numbers, booleans or null where YAML 1.2 core would
// read them so; quoted scalars stay strings.
nlohmann::json YamlToJson(const YAML::Node& node);
nlohmann::json YamlTextToJson(std::string_view yaml_text);

// Replaces every $NAME in `text` with vars[NAME]; fails the test on a
// placeholder without a value, so a sample never reaches the core half-filled.
std::string SubstituteVars(std::string_view text, const std::map<std::string, std::string>& vars);

// Loads a policy and fails the current test (with every diagnostic) if it
// does not load.
std::shared_ptr<const Policy> MustLoadPolicy(std::string_view yaml_text);

// The keys of the shared test policy (kTestPolicy).
inline constexpr char kTeamADefault[] = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-4000-8000-000000000001";
inline constexpr char kTeamAVolume[] = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-4000-8000-000000000002";
inline constexpr char kTeamAOutput[] = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-4000-8000-000000000003";
// Matches team-a's allowedKeys glob, in us-east-1.
inline constexpr char kTeamAAllowed[] = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-1111-4000-8000-000000000009";
// Matches team-a's allowedKeys glob for us-west-2.
inline constexpr char kTeamAWest[] = "arn:aws:kms:us-west-2:111122223333:key/aaaaaaaa-2222-4000-8000-000000000001";
inline constexpr char kTeamBDefault[] = "arn:aws:kms:eu-west-1:444455556666:key/bbbbbbbb-0000-4000-8000-000000000001";
// Approved for team-b (allowedKeys), but in us-east-1 while team-b lives in eu-west-1.
inline constexpr char kTeamBUsEast[] = "arn:aws:kms:us-east-1:444455556666:key/bbbbbbbb-1111-4000-8000-000000000001";
inline constexpr char kTeamCDefault[] = "arn:aws:kms:us-east-1:777788889999:key/cccccccc-0000-4000-8000-000000000001";
inline constexpr char kUnknownKey[] = "arn:aws:kms:us-east-1:999999999999:key/dddddddd-0000-4000-8000-000000000001";

// team-a (namespaces team-a, team-a-*; default/volume/output keys; no region,
// so defaultRegion us-east-1), team-b (namespace team-b, eu-west-1, default
// key only), team-c (namespace team-c, default key only, enforcement warn).
// exemptNamespaces kube-system and sandbox-*; two trusted users, one a glob.
std::string TestPolicyYaml(std::string_view spec_overrides = "");
// The test policy with team-a's keys for eu-west-1 too (keys.regions): one
// default key, kTeamAEuWest.
std::string RegionalPolicyYaml();
inline constexpr char kTeamAEuWest[] = "arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-3333-4000-8000-000000000001";
inline constexpr char kControllerUser[] = "system:serviceaccount:ack-system:ack-sagemaker-controller";
inline constexpr char kGitOpsUser[] = "system:serviceaccount:gitops:argocd-application-controller";
inline constexpr char kPlainUser[] = "alice@example.com";

struct ObjectRequest {
  nlohmann::json object;
  nlohmann::json old_object;
  AdmissionRequest request;
};

// A request for `object` in `ns`, group/version/kind taken from the object.
// The returned struct owns the objects; AdmissionRequest points into it, so
// it must not be copied after creation (it is heap allocated for that).
std::unique_ptr<ObjectRequest> MakeRequest(const nlohmann::json& object, std::string_view ns,
                                           Operation op = Operation::kCreate,
                                           const nlohmann::json* old_object = nullptr,
                                           std::string_view user = kPlainUser);

// Mutate/Validate/Evaluate that also check the invariants every result must
// hold (warnings shorter than 120 characters, patch ops well formed).
MutationResult CheckedMutate(const Policy& policy, const AdmissionRequest& request);
ValidationResult CheckedValidate(const Policy& policy, const AdmissionRequest& request);

// Applies an RFC 6902 patch with nlohmann's implementation.
nlohmann::json ApplyPatch(const nlohmann::json& object, const nlohmann::json& patch);

// "spec.productionVariants[1].coreDumpConfig.kmsKeyID" -> JSON pointer.
nlohmann::json::json_pointer PointerFromPath(std::string_view concrete_path);
// The value at a concrete dotted path, or nullptr.
const nlohmann::json* ValueAt(const nlohmann::json& object, std::string_view concrete_path);

// Reference implementation of "parent exists": every concrete path of a
// catalog pattern whose parent object exists, in each array element.
struct ConcreteField {
  std::string path;
  std::vector<size_t> indices;
};
std::vector<ConcreteField> ExpandPattern(const nlohmann::json& object, std::string_view pattern);
// Instance types an instance-type pattern yields for one concrete key field:
// the leading arrays that the two patterns share are bound to the field's
// indices.
std::vector<std::string> InstanceTypesFor(const nlohmann::json& object, const KmsField& field,
                                          const std::vector<size_t>& field_indices);

// The fields a compliant object must hold, with the key each must hold, by
// the definition (parent exists, not deprecated, not local).
std::map<std::string, std::string> RequiredFields(const Policy& policy, const CatalogKind& kind,
                                                  const Tenant& tenant, const nlohmann::json& object);

std::vector<std::string> Codes(const std::vector<Violation>& violations);
std::vector<std::string> CodesAt(const std::vector<Violation>& violations, std::string_view path);
const Violation* FindViolation(const std::vector<Violation>& violations, std::string_view code,
                               std::string_view path);
std::vector<std::string> PatchPaths(const nlohmann::json& patch);

}  // namespace keyward::testing
