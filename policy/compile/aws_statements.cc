#include "policy/compile/aws_statements.h"

#include <algorithm>
#include <map>
#include <set>

#include "policy/base/field_path.h"
#include "policy/base/glob.h"
#include "policy/base/key_reference.h"
#include "policy/catalog/aws_actions.h"
#include "policy/catalog/catalog.h"
#include "policy/catalog/guardrails.h"

namespace keyward {
namespace {

using json = nlohmann::json;

// ---- what IAM can see ----

// True when SageMaker may refuse the field (or one it lies below) for a
// reason IAM cannot see: variants that name models or are serverless, an S3
// Express output. A request may then rightly lack the field.
bool RefusedBeyondIam(const CatalogKind& kind, const SplitPath& path) {
  for (const RefusedField* row : kind.refused) {
    if (row->when == Refusal::kLocalStorage || row->split_path.size() > path.size()) continue;
    if (std::equal(row->split_path.begin(), row->split_path.end(), path.begin(),
                   [](const PathSegment& a, const PathSegment& b) { return a.name == b.name && a.array == b.array; })) {
      return true;
    }
  }
  return false;
}

const KmsField* FieldOf(const CatalogKind& kind, std::string_view path) {
  for (const KmsField& field : kind.fields) {
    if (field.path == path) return &field;
  }
  return nullptr;
}

// A field whose request always holds its parent: a member of spec, or of an
// object anchored at spec (a job's networkConfig), never in an array; for a
// call made per element of an array (AwsCall::each), a member of the element.
bool AlwaysJudged(const GuardrailField& row, std::string_view each) {
  if (!each.empty()) {
    const std::string prefix = std::string(each) + ".";
    if (!row.path.starts_with(prefix)) return false;
    const std::string_view member = row.path.substr(prefix.size());
    return member.find('.') == std::string_view::npos && member.find('[') == std::string_view::npos;
  }
  if (HasArray(row.split_path) || row.split_path.empty() || row.split_path.front().name != "spec") return false;
  return row.anchor_depth == 1 || (row.anchor_depth == 0 && row.split_path.size() == 2);
}

bool AbsenceSensitive(AwsGuardTest test) {
  return test == AwsGuardTest::kMustBeTrue || test == AwsGuardTest::kMustEqual || test == AwsGuardTest::kMustExist;
}

// ---- the tables read per condition key ----

// For one key condition key: the actions that carry it, and those whose
// request may be denied for lacking it.
struct KeyActions {
  std::set<std::string> carry;
  std::set<std::string> absent_denied;           // no key is always wrong
  std::set<std::string> absent_denied_off_nvme;  // wrong unless an instance type has local NVMe storage
  std::set<std::string> absent_allowed;          // some kind's call may rightly lack it
};

std::vector<std::pair<std::string, KeyActions>> KeyActionsByCondition() {
  std::vector<std::pair<std::string, KeyActions>> out;
  auto entry = [&out](std::string_view key) -> KeyActions& {
    for (auto& [name, actions] : out) {
      if (name == key) return actions;
    }
    return out.emplace_back(std::string(key), KeyActions{}).second;
  };
  for (const AwsCall& call : AwsCalls()) {
    const CatalogKind* kind = FindCatalogKind(call.group, call.kind);
    if (kind == nullptr) continue;
    const std::string action(call.action);
    for (const AwsKeyField& key : call.keys) {
      const KmsField* field = FieldOf(*kind, key.field);
      if (field == nullptr || !AwsActionHasKey(call.action, key.condition_key)) continue;
      KeyActions& actions = entry(key.condition_key);
      actions.carry.insert(action);
      const bool denied = key.absence == AwsAbsence::kDenied && !field->deprecated && field->anchor.empty() &&
                          !HasArray(field->split_path) && !RefusedBeyondIam(*kind, field->split_path);
      if (!denied) {
        actions.absent_allowed.insert(action);
      } else if (field->local_storage == LocalStorageRule::kRejectKey && AwsActionHasKey(call.action, kInstanceTypes)) {
        actions.absent_denied_off_nvme.insert(action);
      } else {
        actions.absent_denied.insert(action);
      }
    }
  }
  for (auto& [name, actions] : out) {
    for (const std::string& action : actions.absent_allowed) {
      actions.absent_denied.erase(action);
      actions.absent_denied_off_nvme.erase(action);
    }
  }
  return out;
}

// The actions a guardrail line applies to: those of the kinds with a row it
// maps whose action carries its condition key. An absence-sensitive test
// applies only where every such row is always judged, and SageMaker never
// refuses the field for a reason IAM cannot see.
std::set<std::string> GuardrailActions(const AwsGuardrail& line) {
  std::set<std::string> actions, excluded;
  for (const AwsCall& call : AwsCalls()) {
    const CatalogKind* kind = FindCatalogKind(call.group, call.kind);
    if (kind == nullptr || !AwsActionHasKey(call.action, line.condition_key)) continue;
    for (const GuardrailField& row : GuardrailsFor(call.group, call.kind)) {
      if (row.rule != line.rule || row.code != line.code || row.check != line.check) continue;
      if (!line.field_suffix.empty() && !row.path.ends_with(line.field_suffix)) continue;
      const bool judged = AlwaysJudged(row, call.each) && !RefusedBeyondIam(*kind, row.split_path);
      (AbsenceSensitive(line.test) && !judged ? excluded : actions).insert(std::string(call.action));
    }
  }
  for (const std::string& action : excluded) actions.erase(action);
  return actions;
}

// ---- statements ----

// "sagemaker:VolumeKmsKeyArn" -> "VolumeKmsKeyArn"; a Sid holds letters and
// digits only.
std::string SidWord(std::string_view text) {
  std::string out;
  bool upper = true;
  for (char c : text.substr(text.find(':') + 1)) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

json Deny(const std::string& sid, const std::set<std::string>& actions, json condition) {
  return {{"Sid", sid},
          {"Effect", "Deny"},
          {"Action", json(std::vector<std::string>(actions.begin(), actions.end()))},
          {"Resource", "*"},
          {"Condition", std::move(condition)}};
}

// Instance types with local NVMe storage, as IAM StringLike patterns.
std::vector<std::string> LocalStoragePatterns(const Policy& policy) {
  std::vector<std::string> out;
  for (std::string_view family : LocalStorageFamilies()) out.push_back(std::string(family) + ".*");
  for (const std::string& glob : policy.local_storage_instance_types) {
    out.push_back(glob);
    out.push_back(glob + ".*");
  }
  return out;
}

std::vector<std::string> OthersValues(const Policy& policy, const Tenant& tenant,
                                      std::vector<std::string> Tenant::*list) {
  std::set<std::string> values;
  for (const Tenant& other : policy.tenants) {
    if (&other != &tenant) values.insert((other.*list).begin(), (other.*list).end());
  }
  return {values.begin(), values.end()};
}

void AddKeyDenies(const Policy& policy, const Tenant& tenant, std::vector<json>& out, std::vector<std::string>& notes) {
  std::vector<std::string> approved;
  for (const std::string& key : ApprovedKeys(tenant)) {
    if (key.starts_with("arn:")) {
      if (std::find(approved.begin(), approved.end(), key) == approved.end()) approved.push_back(key);
    } else {
      notes.push_back("approved key " + key + " is not an ARN; SageMaker's condition keys hold key ARNs, so the AWS "
                      "policies do not approve it: write its key ARN");
    }
  }
  std::sort(approved.begin(), approved.end());
  for (const auto& [key, actions] : KeyActionsByCondition()) {
    const std::string word = SidWord(key);
    json foreign = {{"Null", {{key, "false"}}}};
    if (!approved.empty()) foreign["ArnNotLike"] = {{key, approved}};
    out.push_back(Deny("Deny" + word + "NotTheTenants", actions.carry, std::move(foreign)));
    if (!actions.absent_denied.empty()) {
      out.push_back(Deny("Deny" + word + "Missing", actions.absent_denied, {{"Null", {{key, "true"}}}}));
    }
    if (!actions.absent_denied_off_nvme.empty()) {
      out.push_back(Deny("Deny" + word + "MissingOffLocalNvme", actions.absent_denied_off_nvme,
                         {{"Null", {{key, "true"}, {std::string(kInstanceTypes), "false"}}},
                          {"ForAllValues:StringNotLike", {{std::string(kInstanceTypes), LocalStoragePatterns(policy)}}}}));
    }
  }
}

void AddPassRoleDeny(const Policy& policy, const Tenant& tenant, std::vector<json>& out) {
  json statement = {{"Effect", "Deny"},
                    {"Action", "iam:PassRole"},
                    {"Condition", {{"StringEquals", {{"iam:PassedToService", "sagemaker.amazonaws.com"}}}}}};
  if (!tenant.roles.empty()) {
    statement["Sid"] = "DenyPassRoleOutsideTheTenant";
    statement["NotResource"] = tenant.roles;
  } else {
    const std::vector<std::string> others = OthersValues(policy, tenant, &Tenant::roles);
    if (others.empty()) return;
    statement["Sid"] = "DenyPassRoleOfOtherTenants";
    statement["Resource"] = others;
  }
  out.push_back(std::move(statement));
}

void AddGuardrailDenies(const Policy& policy, const Tenant& tenant, std::vector<json>& out) {
  for (const AwsGuardrail& line : AwsGuardrails()) {
    if (policy.GuardrailFor(&tenant, line.rule).level != RuleLevel::kDeny) continue;
    const std::set<std::string> actions = GuardrailActions(line);
    if (actions.empty()) continue;
    const std::string key(line.condition_key);
    // GuardrailNetworkIsolation, GuardrailUnapprovedNetworkVpcSubnets.
    const std::string code = SidWord(line.code), key_word = SidWord(key);
    const std::string sid = "Guardrail" + (key_word.starts_with(code) ? key_word : code + key_word);
    switch (line.test) {
      case AwsGuardTest::kMustBeTrue:
        out.push_back(Deny(sid, actions, {{"BoolIfExists", {{key, "false"}}}}));
        break;
      case AwsGuardTest::kMustNotBeTrue:
        out.push_back(Deny(sid, actions, {{"Bool", {{key, "true"}}}}));
        break;
      case AwsGuardTest::kMustEqual:
        out.push_back(Deny(sid, actions, {{"StringNotEqualsIfExists", {{key, line.value}}}}));
        break;
      case AwsGuardTest::kMustNotEqual:
        out.push_back(Deny(sid, actions, {{"StringEquals", {{key, line.value}}}}));
        break;
      case AwsGuardTest::kMustExist:
        out.push_back(Deny(sid, actions, {{"Null", {{key, "true"}}}}));
        break;
      case AwsGuardTest::kApprovedIds: {
        auto list = line.check == GuardCheck::kSubnets ? &Tenant::subnets : &Tenant::security_groups;
        if (!(tenant.*list).empty()) {
          out.push_back(Deny(sid, actions,
                             {{"Null", {{key, "false"}}}, {"ForAnyValue:StringNotLike", {{key, tenant.*list}}}}));
        } else if (const std::vector<std::string> others = OthersValues(policy, tenant, list); !others.empty()) {
          out.push_back(Deny(sid + "OfOtherTenants", actions, {{"ForAnyValue:StringLike", {{key, others}}}}));
        }
        break;
      }
    }
  }
}

std::vector<std::string> Sorted(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

json AllowVia(const std::string& sid, const std::vector<std::string>& principals, const std::vector<std::string>& actions,
              const std::vector<std::string>& services) {
  return {{"Sid", sid},
          {"Effect", "Allow"},
          {"Principal", {{"AWS", "*"}}},
          {"Action", actions},
          {"Resource", "*"},
          {"Condition", {{"ArnLike", {{"aws:PrincipalArn", principals}}}, {"StringEquals", {{"kms:ViaService", services}}}}}};
}

}  // namespace

json PolicyDocument(const json& statements) { return {{"Version", "2012-10-17"}, {"Statement", statements}}; }

json AllowEverything() { return {{"Sid", "AllowWhatIdentityPoliciesAllow"}, {"Effect", "Allow"}, {"Action", "*"}, {"Resource", "*"}}; }

std::vector<json> TenantDenyStatements(const Policy& policy, const Tenant& tenant, std::vector<std::string>& notes) {
  std::vector<json> out;
  AddKeyDenies(policy, tenant, out, notes);
  AddPassRoleDeny(policy, tenant, out);
  AddGuardrailDenies(policy, tenant, out);
  if (tenant.caller_roles.empty()) {
    notes.push_back("no callerRoles: attach the guardrail policy to the roles that create the tenant's SageMaker "
                    "resources (its ACK controller's role), and list them as callerRoles for the key policies");
  }
  return out;
}

std::vector<std::string> TenantKeyArns(const Tenant& tenant) {
  std::vector<std::string> out;
  for (const std::string& key : ApprovedKeys(tenant)) {
    if (IsGlob(key)) continue;
    const KeyParseResult parsed = ParseKeyReference(key);
    if (parsed.key && parsed.key->form == KeyReferenceForm::kKeyArn) out.push_back(key);
  }
  return Sorted(std::move(out));
}

json KeyPolicyStatements(const Tenant& tenant, const std::string& key_arn, std::vector<std::string>& notes) {
  const KeyParseResult parsed = ParseKeyReference(key_arn);
  const std::string region = parsed.key ? parsed.key->region : "";
  auto via = [&region](std::string_view service) { return std::string(service) + "." + region + ".amazonaws.com"; };
  std::vector<std::string> services;
  for (std::string_view service : KeyServices()) services.push_back(via(service));
  const std::vector<std::string> use = {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
                                        "kms:ReEncrypt*"};
  const std::vector<std::string> roles = Sorted(tenant.roles), callers = Sorted(tenant.caller_roles),
                                 users = Sorted(tenant.key_users);
  const std::string prefix = "Keyward" + SidWord(":" + tenant.name);
  json out = json::array();
  if (!roles.empty()) {
    out.push_back(AllowVia(prefix + "ExecutionRolesThroughServices", roles, use, services));
    out.push_back({{"Sid", prefix + "ExecutionRolesGrantsForAwsResources"},
                   {"Effect", "Allow"},
                   {"Principal", {{"AWS", "*"}}},
                   {"Action", "kms:CreateGrant"},
                   {"Resource", "*"},
                   {"Condition", {{"ArnLike", {{"aws:PrincipalArn", roles}}},
                                  {"Bool", {{"kms:GrantIsForAWSResource", "true"}}}}}});
  }
  if (!callers.empty()) {
    out.push_back(AllowVia(prefix + "CallerRolesGrantsThroughSageMaker", callers,
                           {"kms:CreateGrant", "kms:DescribeKey"}, {via("sagemaker")}));
  }
  if (!users.empty()) {
    out.push_back(AllowVia(prefix + "KeyUsersDecryptThroughS3", users, {"kms:Decrypt", "kms:DescribeKey"}, {via("s3")}));
  }
  std::vector<std::string> everyone = roles;
  everyone.insert(everyone.end(), callers.begin(), callers.end());
  everyone.insert(everyone.end(), users.begin(), users.end());
  everyone = Sorted(std::move(everyone));
  if (everyone.empty()) {
    notes.push_back("key " + key_arn + ": the tenant lists no roles, callerRoles or keyUsers, so its key policy "
                    "cannot name who may use the key; none is written");
    return json::array();
  }
  const std::vector<std::string> denied = {"kms:CreateGrant", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*",
                                           "kms:ReEncrypt*"};
  out.push_back({{"Sid", prefix + "DenyEveryoneElse"},
                 {"Effect", "Deny"},
                 {"Principal", {{"AWS", "*"}}},
                 {"Action", denied},
                 {"Resource", "*"},
                 {"Condition", {{"ArnNotLike", {{"aws:PrincipalArn", everyone}}},
                                {"BoolIfExists", {{"aws:PrincipalIsAWSService", "false"}}}}}});
  out.push_back({{"Sid", prefix + "DenyUseOutsideTheServices"},
                 {"Effect", "Deny"},
                 {"Principal", {{"AWS", "*"}}},
                 {"Action", denied},
                 {"Resource", "*"},
                 {"Condition", {{"ArnLike", {{"aws:PrincipalArn", everyone}}}, {"Null", {{"kms:ViaService", "true"}}}}}});
  return out;
}

}  // namespace keyward
