// The catalog: every SageMaker custom resource kind that has KMS key fields
// or IAM role fields, and for each key field what it encrypts and how
// SageMaker treats it.
//
// This is data, not logic: supporting a new kind or field is one table row in
// catalog.cc plus a test. The source of truth is the CRDs of the AWS
// controller for SageMaker (sagemaker.services.k8s.aws) and of the legacy
// SageMaker operator (sagemaker.aws.amazon.com); tests/policy/catalog_test.cc
// walks every CRD schema and fails when a /kms/i field or a field named like a
// role (roleARN, executionRole, ...) is missing here.
//
// Field paths are dotted from the object root; `[]` marks "every element of
// this array", e.g. spec.productionVariants[].coreDumpConfig.kmsKeyID.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "policy/base/enum_words.h"
#include "policy/base/field_path.h"
#include "policy/base/key_reference.h"
#include "policy/catalog/refused_fields.h"

namespace keyward {

// Which of the tenant's keys a field receives.
enum class KeyPurpose {
  kVolume,  // storage volume of instances, notebooks, domains, online stores
  kOutput,  // data SageMaker writes to S3
};

// volume, output: also the policy's names for a tenant's keys.
inline constexpr EnumWord<KeyPurpose> kKeyPurposeWords[] = {{KeyPurpose::kVolume, "volume"},
                                                           {KeyPurpose::kOutput, "output"}};
std::string_view KeyPurposeName(KeyPurpose purpose);

// What a set volume key means when an instance type it covers has local
// NVMe storage: SageMaker encrypts that storage itself and refuses the key,
// on jobs and endpoint configs alike (refused_fields.h).
enum class LocalStorageRule {
  kNotApplicable,  // not a volume field, or no instance types involved
  kRejectKey,      // LocalStorageKey violation
};

// As `keyward catalog` prints them.
inline constexpr EnumWord<LocalStorageRule> kLocalStorageRuleWords[] = {{LocalStorageRule::kNotApplicable, "none"},
                                                                       {LocalStorageRule::kRejectKey, "reject"}};

// The spellings of a key (policy/base/key_reference.h) that AWS documents as
// accepted in a field, as a set of bits. Under `keyReferences: any` a key in
// another form draws a warning naming these.
using KeyForms = unsigned;
constexpr KeyForms FormBit(KeyReferenceForm form) { return 1u << static_cast<unsigned>(form); }
inline constexpr KeyForms kAnyKeyForm = FormBit(KeyReferenceForm::kKeyId) | FormBit(KeyReferenceForm::kKeyArn) |
                                        FormBit(KeyReferenceForm::kAliasName) | FormBit(KeyReferenceForm::kAliasArn);
inline constexpr KeyForms kKeyIdOrArn = FormBit(KeyReferenceForm::kKeyId) | FormBit(KeyReferenceForm::kKeyArn);
inline constexpr KeyForms kKeyArnOnly = FormBit(KeyReferenceForm::kKeyArn);
// "a key ID or key ARN", for messages.
std::string KeyFormsText(KeyForms forms);

struct KmsField {
  std::string_view path;  // e.g. "spec.resourceConfig.volumeKMSKeyID"
  KeyPurpose purpose;
  bool create_only;  // SageMaker cannot change it after creation
  bool deprecated;   // never injected, never required
  LocalStorageRule local_storage = LocalStorageRule::kNotApplicable;
  // Where the instance types covered by this volume live. A pattern that
  // shares an array prefix with `path` refers to the same array element.
  std::vector<std::string_view> instance_type_paths = {};
  // The object whose presence means the data exists, when that is not the
  // key's parent: a FeatureGroup's online store exists with
  // spec.onlineStoreConfig even when its securityConfig does not. Empty: the
  // parent is the anchor. The anchor is a prefix of `path`, and no array lies
  // between the two, so the missing objects can be added in one operation.
  std::string_view anchor = {};
  // A boolean member of the anchor that switches the data off when false
  // (enableOnlineStore). Empty: none.
  std::string_view anchor_switch = {};
  KeyForms accepted_forms = kAnyKeyForm;

  // The paths above split once, when the catalog is built (Catalog()).
  SplitPath split_path = {};
  std::vector<SplitPath> split_instance_type_paths = {};
  size_t anchor_depth = 0;  // segments of `anchor` (0 when there is none)
};

// `field` where AWS documents fewer than all five key spellings.
KmsField Accepting(KeyForms forms, KmsField field);
// Fills the split_* members and anchor_depth from the paths (once, when a
// table is built).
void SplitFieldPaths(KmsField& field);

// A field naming the IAM role a resource runs as. A tenant that names another
// tenant's role runs with that tenant's permissions, key grants included.
struct RoleField {
  std::string_view path;  // e.g. spec.roleARN
  SplitPath split_path = {};
};

// A document inside the object whose keys keyward judges too.
enum class EmbeddedKeys {
  kNone,
  kPipelineDefinition,  // a JSON string of steps (policy/catalog/pipeline_steps.h, policy/rules/pipeline_rules.h)
  kPipelineParameters,  // [{name, value}]: the parameter values of a pipeline run
};

struct CatalogKind {
  std::string_view group;     // API group
  std::string_view version;   // served version in the CRD
  std::string_view kind;
  std::string_view resource;  // plural resource name, for webhook rules
  // The resource's region when it carries one in its spec (legacy operator).
  std::string_view region_path;
  std::vector<KmsField> fields;  // may be empty for a kind with role fields only
  std::vector<RoleField> roles = {};
  EmbeddedKeys embedded = EmbeddedKeys::kNone;
  std::string_view embedded_path = {};  // e.g. spec.pipelineDefinition
  // Where SageMaker refuses a field of this kind (refused_fields.h), filled
  // when the catalog is built.
  std::vector<const RefusedField*> refused = {};
};

// How a resource of `kind` is replaced when one of its create-only keys must
// change, as its users would do it: a job is run again, an endpoint config
// is swapped under its Endpoint, the rest are recreated. A phrase that
// follows "to change this key, ".
std::string_view ReplacementFix(const CatalogKind& kind);

// Every catalogued kind, in a stable order (by group, then kind).
std::span<const CatalogKind> Catalog();

// The entry for (group, kind), or nullptr for kinds keyward does not handle.
// The version is deliberately ignored: with matchPolicy Equivalent the
// apiserver may send any served version of the same kind.
const CatalogKind* FindCatalogKind(std::string_view group, std::string_view kind);

// Where an ACK resource records the region ACK made it in (the runtime's
// getRegion reads it before any annotation): set once the resource exists.
inline constexpr std::string_view kAckStoredRegionPath = "status.ackResourceMetadata.region";

// True for the two SageMaker API groups (ACK's and the legacy operator's).
bool IsSageMakerGroup(std::string_view group);

// The catalog kind of `group` whose name is nearest to `kind` (a misspelt
// kind: Trainingjob -> TrainingJob), or null when none is near.
const CatalogKind* NearestCatalogKind(std::string_view group, std::string_view kind);

inline constexpr std::string_view kAckGroup = "sagemaker.services.k8s.aws";
inline constexpr std::string_view kLegacyGroup = "sagemaker.aws.amazon.com";

}  // namespace keyward
