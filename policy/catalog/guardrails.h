// Guardrails beyond keys: the SageMaker security baseline as policy. Each
// rule (network isolation, inter-container encryption, VPC placement, ...)
// has its own level per tenant; the table of where each rule looks is data,
// one row per (kind, field), like the key catalog.
#pragma once

#include <array>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/base/enum_words.h"
#include "policy/base/field_path.h"
#include "policy/catalog/violation_codes.h"

namespace keyward {

enum class Guardrail {
  kNetworkIsolation,
  kInterContainerEncryption,
  kVpc,
  kNotebookExposure,
  kDomainNetwork,
  kPublicWorkforce,
  kInteractiveAccess,
  kImages,
};
inline constexpr size_t kGuardrailCount = 8;
// The policy's names for the rules (spec.guardrails.<name>).
inline constexpr EnumWord<Guardrail> kGuardrailWords[] = {
    {Guardrail::kNetworkIsolation, "networkIsolation"},
    {Guardrail::kInterContainerEncryption, "interContainerEncryption"},
    {Guardrail::kVpc, "vpc"},
    {Guardrail::kNotebookExposure, "notebookExposure"},
    {Guardrail::kDomainNetwork, "domainNetwork"},
    {Guardrail::kPublicWorkforce, "publicWorkforce"},
    {Guardrail::kInteractiveAccess, "interactiveAccess"},
    {Guardrail::kImages, "images"}};
std::string_view GuardrailName(Guardrail rule);
// True for the rules whose table has a row that can be injected.
bool GuardrailInjects(Guardrail rule);

// What a row requires of its field.
enum class GuardCheck {
  kMustEqual,       // value == `value` (absent counts as SageMaker's unsafe default)
  kMustNotEqual,    // value != `value` (absent is fine)
  kMustExist,       // the object is present (a VPC configuration)
  kSubnets,         // every subnet ID is the tenant's (and no other tenant's)
  kSecurityGroups,  // every security group ID likewise
  kApprovedImage,   // the image matches an imageRegistries glob
  kMustNotMatch,    // the value does not match the glob `value`
};

struct GuardrailField {
  Guardrail rule;
  std::string_view code;  // violation code (violation_codes.h)
  std::string_view path;  // field path (catalog syntax; AWS-cased inside pipeline steps)
  GuardCheck check;
  std::string_view value = {};   // JSON text (kMustEqual, kMustNotEqual) or glob (kMustNotMatch)
  std::string_view anchor = {};  // as KmsField::anchor: the setting applies while its parent is missing
  bool injectable = false;       // mutation may set `value` where the field is absent
  std::string_view inject_requires = {};  // a field that must be set for the injection (a notebook's subnetID)
  std::string_view why = {};              // what the rule protects, for messages

  // Filled when the table is built.
  SplitPath split_path = {};
  size_t anchor_depth = 0;
  nlohmann::json expected = {};  // `value` parsed (kMustEqual, kMustNotEqual)
};

// The rows for a kind's fields (ACK and legacy), by group and kind; empty
// for kinds no rule reaches. Built once.
std::span<const GuardrailField> GuardrailsFor(std::string_view group, std::string_view kind);
// The rows for a pipeline step's Arguments, by step Type (AWS casing).
std::span<const GuardrailField> StepGuardrailsFor(std::string_view step_type);
// Every (group, kind) with rows: the kinds guardrails bring into the catalog.
std::vector<std::pair<std::string_view, std::string_view>> KindsWithGuardrails();

}  // namespace keyward
