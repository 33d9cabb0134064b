// The catalog against its source of truth: the CRDs of the AWS controller for
// SageMaker and of the legacy operator, copied into tests/fixtures/crds/.
#include "policy/catalog/catalog.h"
#include "policy/catalog/guardrails.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "tests/policy/test_support.h"

namespace keyward {
namespace {

struct CrdInfo {
  std::string file;
  std::string group;
  std::string kind;
  std::string plural;
  std::set<std::string> versions;
  std::map<std::string, std::string> spec_fields;  // catalog-style path -> schema type
};

void WalkSchema(const YAML::Node& schema, const std::string& path, std::map<std::string, std::string>* out) {
  if (!schema.IsMap()) return;
  if (schema["type"]) (*out)[path] = schema["type"].as<std::string>();
  if (const YAML::Node properties = schema["properties"]; properties && properties.IsMap()) {
    for (const auto& property : properties) {
      WalkSchema(property.second, path + "." + property.first.as<std::string>(), out);
    }
  }
  if (const YAML::Node items = schema["items"]) WalkSchema(items, path + "[]", out);
  // Map-valued fields: keep walking so that nothing below them hides.
  if (const YAML::Node additional = schema["additionalProperties"]; additional && additional.IsMap()) {
    WalkSchema(additional, path + ".*", out);
  }
}

void AddSchema(const YAML::Node& open_api, CrdInfo* crd) {
  ASSERT_TRUE(open_api && open_api.IsMap()) << crd->file;
  const YAML::Node spec = open_api["properties"]["spec"];
  ASSERT_TRUE(spec) << crd->file << " has no spec schema";
  WalkSchema(spec, "spec", &crd->spec_fields);
}

// Every CRD in tests/fixtures/crds, read once.
const std::vector<CrdInfo>& AllCrds() {
  static const std::vector<CrdInfo> crds = [] {
    std::vector<CrdInfo> out;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::FixturePath("crds"))) {
      if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      for (const YAML::Node& doc : YAML::LoadAllFromFile(file.string())) {
        if (!doc.IsMap() || doc["kind"].as<std::string>("") != "CustomResourceDefinition") continue;
        CrdInfo crd;
        crd.file = file.filename().string();
        const YAML::Node spec = doc["spec"];
        crd.group = spec["group"].as<std::string>();
        crd.kind = spec["names"]["kind"].as<std::string>();
        crd.plural = spec["names"]["plural"].as<std::string>();
        if (spec["version"]) crd.versions.insert(spec["version"].as<std::string>());
        if (spec["validation"]) AddSchema(spec["validation"]["openAPIV3Schema"], &crd);
        for (const YAML::Node& version : spec["versions"]) {
          crd.versions.insert(version["name"].as<std::string>());
          if (version["schema"]) AddSchema(version["schema"]["openAPIV3Schema"], &crd);
        }
        out.push_back(std::move(crd));
      }
    }
    return out;
  }();
  return crds;
}

const CrdInfo* FindCrd(std::string_view group, std::string_view kind) {
  for (const CrdInfo& crd : AllCrds()) {
    if (crd.group == group && crd.kind == kind) return &crd;
  }
  return nullptr;
}

bool MentionsKms(const std::string& path) {
  std::string last = path.substr(path.find_last_of('.') + 1);
  std::transform(last.begin(), last.end(), last.begin(), [](unsigned char c) { return std::tolower(c); });
  return last.find("kms") != std::string::npos;
}

const KmsField* FindField(const CatalogKind& kind, std::string_view path) {
  for (const KmsField& field : kind.fields) {
    if (field.path == path) return &field;
  }
  return nullptr;
}

TEST(CatalogTest, FixturesHoldEveryCrd) {
  // 26 ACK SageMaker CRDs + 2 common ACK CRDs + 8 legacy operator CRDs.
  EXPECT_EQ(AllCrds().size(), 36u);
  for (const CrdInfo& crd : AllCrds()) EXPECT_FALSE(crd.spec_fields.empty()) << crd.file;
}

TEST(CatalogTest, EveryKmsFieldInTheCrdsIsCatalogued) {
  int kms_fields = 0;
  for (const CrdInfo& crd : AllCrds()) {
    for (const auto& [path, type] : crd.spec_fields) {
      if (!MentionsKms(path)) continue;
      ++kms_fields;
      const CatalogKind* kind = FindCatalogKind(crd.group, crd.kind);
      ASSERT_NE(kind, nullptr) << crd.kind << " (" << crd.group << ") has " << path << " but is not catalogued";
      EXPECT_NE(FindField(*kind, path), nullptr) << crd.group << "/" << crd.kind << ": " << path << " not catalogued";
    }
  }
  EXPECT_EQ(kms_fields, 47);
}

// A field named like an IAM role: roleARN, executionRole, validationRole,
// domainExecutionRoleARN, clusterRoleARN, roleArn, executionRoleArn, ...
bool NamedLikeARole(const std::string& path) {
  std::string last = path.substr(path.find_last_of('.') + 1);
  std::transform(last.begin(), last.end(), last.begin(), [](unsigned char c) { return std::tolower(c); });
  return last.ends_with("role") || last.ends_with("rolearn");
}

const RoleField* FindRole(const CatalogKind& kind, std::string_view path) {
  for (const RoleField& role : kind.roles) {
    if (role.path == path) return &role;
  }
  return nullptr;
}

TEST(CatalogTest, EveryRoleFieldInTheCrdsIsCatalogued) {
  int role_fields = 0;
  for (const CrdInfo& crd : AllCrds()) {
    for (const auto& [path, type] : crd.spec_fields) {
      if (!NamedLikeARole(path)) continue;
      ++role_fields;
      const CatalogKind* kind = FindCatalogKind(crd.group, crd.kind);
      ASSERT_NE(kind, nullptr) << crd.kind << " (" << crd.group << ") has " << path << " but is not catalogued";
      EXPECT_NE(FindRole(*kind, path), nullptr) << crd.group << "/" << crd.kind << ": " << path << " not catalogued";
      EXPECT_EQ(type, "string") << crd.kind << ": " << path;
    }
  }
  EXPECT_EQ(role_fields, 27);
}

TEST(CatalogTest, EveryCataloguedRoleExistsInItsCrd) {
  int roles = 0;
  for (const CatalogKind& kind : Catalog()) {
    const CrdInfo* crd = FindCrd(kind.group, kind.kind);
    ASSERT_NE(crd, nullptr) << kind.kind;
    EXPECT_FALSE(kind.fields.empty() && kind.roles.empty() && kind.embedded == EmbeddedKeys::kNone &&
                 GuardrailsFor(kind.group, kind.kind).empty())
        << kind.kind << " has neither keys, roles nor guardrails";
    if (kind.embedded != EmbeddedKeys::kNone) {
      EXPECT_TRUE(crd->spec_fields.count(std::string(kind.embedded_path))) << kind.kind << ": " << kind.embedded_path;
    }
    for (const RoleField& role : kind.roles) {
      ++roles;
      EXPECT_TRUE(crd->spec_fields.count(std::string(role.path))) << kind.kind << ": " << role.path;
      EXPECT_FALSE(role.split_path.empty());
    }
  }
  EXPECT_EQ(roles, 27);
}

// An anchor is an object in the CRD that strictly contains the key's parent,
// with no array in between (the missing objects are added in one operation),
// and its switch is a boolean member of it.
TEST(CatalogTest, AnchorsAreObjectsAboveTheKeysParent) {
  std::set<std::pair<std::string_view, std::string_view>> anchored;
  for (const CatalogKind& kind : Catalog()) {
    const CrdInfo* crd = FindCrd(kind.group, kind.kind);
    ASSERT_NE(crd, nullptr);
    for (const KmsField& field : kind.fields) {
      if (field.anchor.empty()) {
        EXPECT_EQ(field.anchor_depth, 0u);
        EXPECT_TRUE(field.anchor_switch.empty());
        continue;
      }
      anchored.emplace(kind.kind, field.path);
      std::string_view parent = field.path.substr(0, field.path.find_last_of('.'));
      EXPECT_TRUE(parent.starts_with(std::string(field.anchor) + ".")) << field.path;
      EXPECT_EQ(parent.substr(field.anchor.size()).find("[]"), std::string_view::npos) << field.path;
      EXPECT_EQ(crd->spec_fields.at(std::string(field.anchor)), "object") << field.anchor;
      EXPECT_EQ(field.anchor_depth, SplitFieldPath(field.anchor).size());
      if (!field.anchor_switch.empty()) {
        EXPECT_EQ(crd->spec_fields.at(std::string(field.anchor) + "." + std::string(field.anchor_switch)), "boolean");
      }
    }
  }
  EXPECT_EQ(anchored, (std::set<std::pair<std::string_view, std::string_view>>{
                          {"FeatureGroup", "spec.onlineStoreConfig.securityConfig.kmsKeyID"},
                          {"LabelingJob", "spec.labelingJobAlgorithmsConfig.labelingJobResourceConfig.volumeKMSKeyID"}}));
}

// What AWS documents about the key spellings each field takes.
TEST(CatalogTest, AcceptedKeyFormsFollowTheApiReference) {
  for (const CatalogKind& kind : Catalog()) {
    for (const KmsField& field : kind.fields) {
      std::string_view last = field.path.substr(field.path.find_last_of('.') + 1);
      bool training_or_labeling_volume =
          (kind.kind == "TrainingJob" || kind.kind == "HyperParameterTuningJob" ||
           kind.kind == "HyperparameterTuningJob" || kind.kind == "LabelingJob") &&
          (last == "volumeKMSKeyID" || last == "volumeKmsKeyId");
      bool arn_only = kind.kind == "FeatureGroup" || kind.kind == "NotebookInstance";
      KeyForms expected = training_or_labeling_volume ? kKeyIdOrArn : arn_only ? kKeyArnOnly : kAnyKeyForm;
      EXPECT_EQ(field.accepted_forms, expected) << kind.kind << ": " << field.path;
    }
  }
  EXPECT_EQ(KeyFormsText(kKeyIdOrArn), "a key ID or key ARN");
  EXPECT_EQ(KeyFormsText(kKeyArnOnly), "a key ARN");
}

// The guardrail table against the CRDs: every row's field exists with the
// type its check needs, every anchor is an object above it, and every kind
// with rows is catalogued (so the chart's webhook rules send it).
TEST(CatalogTest, EveryGuardrailRowIsAFieldOfItsCrd) {
  int rows = 0;
  for (const auto& [group, kind] : KindsWithGuardrails()) {
    const CrdInfo* crd = FindCrd(group, kind);
    ASSERT_NE(crd, nullptr) << kind;
    EXPECT_NE(FindCatalogKind(group, kind), nullptr) << kind << " has guardrails but is not catalogued";
    for (const GuardrailField& row : GuardrailsFor(group, kind)) {
      ++rows;
      auto found = crd->spec_fields.find(std::string(row.path));
      ASSERT_NE(found, crd->spec_fields.end()) << kind << ": " << row.path;
      const std::string& type = found->second;
      switch (row.check) {
        case GuardCheck::kMustEqual:
        case GuardCheck::kMustNotEqual:
          EXPECT_EQ(type, row.expected.is_boolean() ? "boolean" : "string") << kind << ": " << row.path;
          break;
        case GuardCheck::kMustExist:
          EXPECT_TRUE(type == "object" || type == "array" || type == "string") << kind << ": " << row.path;
          break;
        case GuardCheck::kSubnets:
        case GuardCheck::kSecurityGroups:
          EXPECT_TRUE(type == "array" || type == "string") << kind << ": " << row.path;
          break;
        case GuardCheck::kApprovedImage:
        case GuardCheck::kMustNotMatch:
          EXPECT_EQ(type, "string") << kind << ": " << row.path;
          break;
      }
      if (!row.anchor.empty()) {
        EXPECT_TRUE(row.path.starts_with(std::string(row.anchor) + ".")) << row.path;
        if (row.anchor != "spec") {
          EXPECT_EQ(crd->spec_fields.at(std::string(row.anchor)), "object") << row.anchor;
        }
      }
      EXPECT_TRUE(!row.injectable || row.check == GuardCheck::kMustEqual) << row.path;
    }
  }
  EXPECT_GE(rows, 100);
  EXPECT_TRUE(GuardrailInjects(Guardrail::kNetworkIsolation));
  EXPECT_TRUE(GuardrailInjects(Guardrail::kNotebookExposure));
  EXPECT_FALSE(GuardrailInjects(Guardrail::kVpc));
  EXPECT_FALSE(GuardrailInjects(Guardrail::kImages));
}

TEST(CatalogTest, EveryCataloguedFieldExistsInItsCrd) {
  for (const CatalogKind& kind : Catalog()) {
    const CrdInfo* crd = FindCrd(kind.group, kind.kind);
    ASSERT_NE(crd, nullptr) << kind.group << "/" << kind.kind << " has no CRD";
    EXPECT_EQ(kind.resource, crd->plural) << kind.kind;
    EXPECT_TRUE(crd->versions.count(std::string(kind.version))) << kind.kind << " version " << kind.version;
    for (const KmsField& field : kind.fields) {
      auto found = crd->spec_fields.find(std::string(field.path));
      ASSERT_NE(found, crd->spec_fields.end()) << kind.kind << ": " << field.path << " is not in the CRD";
      EXPECT_EQ(found->second, "string") << kind.kind << ": " << field.path;
      for (std::string_view type_path : field.instance_type_paths) {
        auto type = crd->spec_fields.find(std::string(type_path));
        ASSERT_NE(type, crd->spec_fields.end()) << kind.kind << ": instance type path " << type_path;
        EXPECT_EQ(type->second, "string") << type_path;
      }
    }
    if (!kind.region_path.empty()) {
      auto region = crd->spec_fields.find(std::string(kind.region_path));
      ASSERT_NE(region, crd->spec_fields.end()) << kind.kind << ": " << kind.region_path;
      EXPECT_EQ(region->second, "string");
    }
  }
}

// Each refused field, and each field its condition reads, is a field of the
// kind's CRD; every output key whose parent holds an S3 URI has its S3
// Express row.
TEST(CatalogTest, EveryRefusedFieldAndWhatItReadsIsAFieldOfItsCrd) {
  size_t rows = 0;
  for (const RefusedField& row : RefusedFields()) {
    if (row.when == Refusal::kLocalStorage) continue;  // the catalog's instance type paths
    ++rows;
    const CrdInfo* crd = FindCrd(row.group, row.kind);
    ASSERT_NE(crd, nullptr) << row.group << "/" << row.kind;
    EXPECT_TRUE(crd->spec_fields.count(std::string(row.path))) << row.kind << ": " << row.path;
    ASSERT_FALSE(row.reads.empty()) << row.kind << ": " << row.path;
    for (std::string_view read : row.reads) {
      EXPECT_TRUE(crd->spec_fields.count(std::string(read))) << row.kind << ": " << read;
    }
    const CatalogKind* kind = FindCatalogKind(row.group, row.kind);
    ASSERT_NE(kind, nullptr) << row.kind;
    EXPECT_NE(std::find(kind->refused.begin(), kind->refused.end(), &row), kind->refused.end()) << row.kind;
  }
  EXPECT_GT(rows, 25u);
  for (const CatalogKind& kind : Catalog()) {
    const CrdInfo* crd = FindCrd(kind.group, kind.kind);
    for (const KmsField& field : kind.fields) {
      if (field.purpose != KeyPurpose::kOutput) continue;
      const std::string parent(field.path.substr(0, field.path.rfind('.')));
      bool has_uri = false;
      for (const auto& [path, type] : crd->spec_fields) {
        const std::string name = path.substr(path.rfind('.') + 1);
        const bool direct = path.starts_with(parent + ".") && path.find('.', parent.size() + 1) == std::string::npos;
        if (direct && type == "string" && (name.starts_with("s3") || name.starts_with("destinationS3")) &&
            name != "s3KMSKeyID") {
          has_uri = true;
        }
      }
      if (!has_uri) continue;
      bool listed = std::any_of(kind.refused.begin(), kind.refused.end(), [&](const RefusedField* row) {
        return row->when == Refusal::kS3ExpressOutput && row->path == field.path;
      });
      EXPECT_TRUE(listed) << kind.kind << ": " << field.path << " writes to an S3 URI but has no S3 Express row";
    }
  }
}

TEST(CatalogTest, CountsOfKindsAndPaths) {
  std::map<std::string_view, std::pair<int, int>> by_group;  // kinds, paths
  for (const CatalogKind& kind : Catalog()) {
    by_group[kind.group].first += 1;
    by_group[kind.group].second += static_cast<int>(kind.fields.size());
    std::set<std::string_view> unique;
    for (const KmsField& field : kind.fields) {
      EXPECT_TRUE(unique.insert(field.path).second) << kind.kind << " lists " << field.path << " twice";
    }
  }
  EXPECT_EQ(by_group.size(), 2u);
  // Model, Pipeline and Project (ACK) and Model (legacy) have role fields
  // only; PipelineExecution has its parameters.
  // Space and InferenceComponent have guardrails only.
  EXPECT_EQ(by_group[kAckGroup], std::make_pair(22, 37));
  EXPECT_EQ(by_group[kLegacyGroup], std::make_pair(7, 10));
}

TEST(CatalogTest, OrderIsByGroupThenKind) {
  auto catalog = Catalog();
  for (size_t i = 1; i < catalog.size(); ++i) {
    EXPECT_LT(std::tie(catalog[i - 1].group, catalog[i - 1].kind), std::tie(catalog[i].group, catalog[i].kind));
  }
}

TEST(CatalogTest, FindCatalogKindMatchesGroupAndKindOnly) {
  const CatalogKind* ack = FindCatalogKind(kAckGroup, "TrainingJob");
  const CatalogKind* legacy = FindCatalogKind(kLegacyGroup, "TrainingJob");
  ASSERT_NE(ack, nullptr);
  ASSERT_NE(legacy, nullptr);
  EXPECT_NE(ack, legacy);
  EXPECT_EQ(ack->group, kAckGroup);
  EXPECT_EQ(legacy->group, kLegacyGroup);
  EXPECT_NE(FindField(*legacy, "spec.outputDataConfig.kmsKeyId"), nullptr);
  EXPECT_EQ(FindCatalogKind(kAckGroup, "Endpoint"), nullptr);  // no key or role fields
  EXPECT_EQ(FindCatalogKind(kAckGroup, "trainingjob"), nullptr);
  EXPECT_EQ(FindCatalogKind("example.com", "TrainingJob"), nullptr);
  EXPECT_EQ(FindCatalogKind(kLegacyGroup, "HyperParameterTuningJob"), nullptr);  // legacy spells it Hyperparameter
  EXPECT_NE(FindCatalogKind(kLegacyGroup, "HyperparameterTuningJob"), nullptr);
}

TEST(CatalogTest, RegionPathOnlyForLegacyKinds) {
  for (const CatalogKind& kind : Catalog()) {
    if (kind.group == kLegacyGroup) {
      EXPECT_EQ(kind.region_path, "spec.region") << kind.kind;
    } else {
      EXPECT_EQ(kind.region_path, "") << kind.kind;
    }
  }
}

TEST(CatalogTest, CreateOnlyExceptMonitoringScheduleAndSharingSettings) {
  const std::set<std::pair<std::string_view, std::string_view>> updatable = {
      {"MonitoringSchedule", "spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.kmsKeyID"},
      {"MonitoringSchedule",
       "spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig.volumeKMSKeyID"},
      {"Domain", "spec.defaultUserSettings.sharingSettings.s3KMSKeyID"},
      {"UserProfile", "spec.userSettings.sharingSettings.s3KMSKeyID"},
  };
  for (const CatalogKind& kind : Catalog()) {
    for (const KmsField& field : kind.fields) {
      bool expected_updatable = kind.group == kAckGroup && updatable.count({kind.kind, field.path});
      EXPECT_EQ(field.create_only, !expected_updatable) << kind.kind << ": " << field.path;
    }
  }
}

TEST(CatalogTest, OnlyHomeEfsKeyIsDeprecated) {
  int deprecated = 0;
  for (const CatalogKind& kind : Catalog()) {
    for (const KmsField& field : kind.fields) {
      bool expected = kind.kind == "Domain" && field.path == "spec.homeEFSFileSystemKMSKeyID";
      EXPECT_EQ(field.deprecated, expected) << kind.kind << ": " << field.path;
      deprecated += field.deprecated;
    }
  }
  EXPECT_EQ(deprecated, 1);
}

// volume: storage volume of instances, notebook, domain or online store.
// output: data SageMaker writes to S3.
TEST(CatalogTest, PurposeFollowsWhatTheKeyEncrypts) {
  const std::set<std::pair<std::string_view, std::string_view>> whole_resource_volume = {
      {"Domain", "spec.kmsKeyID"},
      {"Domain", "spec.homeEFSFileSystemKMSKeyID"},
      {"EndpointConfig", "spec.kmsKeyID"},
      {"EndpointConfig", "spec.kmsKeyId"},
      {"HostingDeployment", "spec.kmsKeyId"},
      {"NotebookInstance", "spec.kmsKeyID"},
      {"FeatureGroup", "spec.onlineStoreConfig.securityConfig.kmsKeyID"},
  };
  for (const CatalogKind& kind : Catalog()) {
    for (const KmsField& field : kind.fields) {
      std::string_view last = field.path.substr(field.path.find_last_of('.') + 1);
      bool volume = last.starts_with("volume") || whole_resource_volume.count({kind.kind, field.path});
      EXPECT_EQ(field.purpose, volume ? KeyPurpose::kVolume : KeyPurpose::kOutput) << kind.kind << ": " << field.path;
    }
  }
  EXPECT_EQ(KeyPurposeName(KeyPurpose::kVolume), "volume");
  EXPECT_EQ(KeyPurposeName(KeyPurpose::kOutput), "output");
}

// A volume key next to instance types covers those instances: every
// instanceType in the same config object (or its instanceGroups) must be
// listed, and the local-storage rule must be set.
TEST(CatalogTest, VolumeFieldsKnowTheirInstanceTypes) {
  for (const CatalogKind& kind : Catalog()) {
    const CrdInfo* crd = FindCrd(kind.group, kind.kind);
    ASSERT_NE(crd, nullptr);
    for (const KmsField& field : kind.fields) {
      bool job_volume = field.path.ends_with("olumeKMSKeyID") || field.path.ends_with("olumeKmsKeyId");
      if (field.purpose != KeyPurpose::kVolume || !job_volume) continue;
      std::string parent(field.path.substr(0, field.path.find_last_of('.')));
      std::vector<std::string> siblings;
      for (const std::string& candidate : {parent + ".instanceType", parent + ".instanceGroups[].instanceType"}) {
        if (crd->spec_fields.count(candidate)) siblings.push_back(candidate);
      }
      std::set<std::string> listed(field.instance_type_paths.begin(), field.instance_type_paths.end());
      for (const std::string& sibling : siblings) {
        EXPECT_TRUE(listed.count(sibling)) << kind.kind << ": " << field.path << " misses " << sibling;
      }
      if (siblings.empty()) {
        EXPECT_EQ(field.local_storage, LocalStorageRule::kNotApplicable) << kind.kind << ": " << field.path;
      } else {
        EXPECT_EQ(field.local_storage, LocalStorageRule::kRejectKey) << kind.kind << ": " << field.path;
      }
    }
  }
}

// "If you specify a value for KmsKeyId when using any nitro-based instances
// with local storage, the call to CreateEndpointConfig fails" (the CRD's
// field description, from the API reference).
TEST(CatalogTest, EndpointVolumeKeysAreRefusedOnLocalNvmeOfEveryProductionVariant) {
  for (auto [group, kind_name] : {std::pair{kAckGroup, "EndpointConfig"}, std::pair{kLegacyGroup, "EndpointConfig"},
                                  std::pair{kLegacyGroup, "HostingDeployment"}}) {
    const CatalogKind* kind = FindCatalogKind(group, kind_name);
    ASSERT_NE(kind, nullptr);
    const KmsField* field = FindField(*kind, group == kAckGroup ? "spec.kmsKeyID" : "spec.kmsKeyId");
    ASSERT_NE(field, nullptr) << kind_name;
    EXPECT_EQ(field->local_storage, LocalStorageRule::kRejectKey) << group << "/" << kind_name;
    EXPECT_EQ(field->instance_type_paths, std::vector<std::string_view>{"spec.productionVariants[].instanceType"});
  }
}

TEST(CatalogTest, LocalStorageRuleImpliesVolumeWithInstanceTypes) {
  for (const CatalogKind& kind : Catalog()) {
    for (const KmsField& field : kind.fields) {
      if (field.local_storage == LocalStorageRule::kNotApplicable) {
        EXPECT_TRUE(field.instance_type_paths.empty()) << kind.kind << ": " << field.path;
      } else {
        EXPECT_EQ(field.purpose, KeyPurpose::kVolume) << kind.kind << ": " << field.path;
        EXPECT_FALSE(field.instance_type_paths.empty()) << kind.kind << ": " << field.path;
      }
    }
  }
}

TEST(CatalogTest, LegacyKindsUseKmsKeyIdCasing) {
  for (const CatalogKind& kind : Catalog()) {
    for (const KmsField& field : kind.fields) {
      if (kind.group == kLegacyGroup) {
        EXPECT_TRUE(field.path.ends_with("KeyId")) << field.path;
      } else {
        EXPECT_TRUE(field.path.ends_with("KeyID")) << field.path;
      }
    }
  }
}

}  // namespace
}  // namespace keyward
