// The audit's core: objects judged as stored, the KPI arithmetic, ISO weeks,
// and a baseline's new, fixed and open findings on two crafted reports.
#include "policy/report/audit.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "policy/report/evidence.h"
#include "tests/policy/manifests.h"
#include "tests/policy/samples.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

using namespace keyward::testing;
using nlohmann::json;

TEST(AuditTimeTest, IsoWeeksFollowIso8601) {
  EXPECT_EQ(IsoWeek("2026-11-29T12:00:00Z"), "2026-W48");  // a Sunday
  EXPECT_EQ(IsoWeek("2026-11-30T00:00:00Z"), "2026-W49");  // the Monday after
  EXPECT_EQ(IsoWeek("2021-01-03T10:00:00Z"), "2020-W53");  // early January in the previous ISO year
  EXPECT_EQ(IsoWeek("2024-12-30T10:00:00Z"), "2025-W01");  // late December in the next one
  EXPECT_EQ(IsoWeek("2026-11-30T01:00:00+02:00"), "2026-W48");  // the offset moves it back to Sunday UTC
  EXPECT_EQ(IsoWeek("yesterday"), "");
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("1970-01-01T01:00:00.5+01:00"), 0);
  EXPECT_FALSE(ParseRfc3339("1970-01-01 00:00:00"));
  EXPECT_FALSE(ParseRfc3339("1970-13-01T00:00:00Z"));
}

class AuditTest : public ::testing::Test {
 protected:
  AuditedObject Audit(const json& object) {
    std::optional<AuditedObject> audited = AuditObject(*policy_, object, nullptr);
    EXPECT_TRUE(audited.has_value());
    return audited.value_or(AuditedObject{});
  }
  json InNamespace(json object, const std::string& ns) {
    object["metadata"]["namespace"] = ns;
    return object;
  }
  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(TestPolicyYaml());
};

TEST_F(AuditTest, ObjectsAreJudgedAsStoredWithoutMutation) {
  json job = InNamespace(LoadSample("xgboost_trainingjob.yaml"), "team-a");
  AuditedObject raw = Audit(job);
  EXPECT_EQ(raw.status, AuditStatus::kNonCompliant);
  EXPECT_EQ(raw.tenant, "team-a");
  EXPECT_EQ(raw.key_fields, 2u);
  EXPECT_FALSE(raw.keys_compliant);
  ASSERT_EQ(raw.findings.size(), 2u);
  EXPECT_EQ(raw.findings[0].violation.code, kMissingKey);
  // A create-only key: the fix is how a job is replaced (run again), with the tenant's key.
  EXPECT_NE(raw.findings[0].fix.find("TrainingJob team-a/xgboost-training"), std::string::npos) << raw.findings[0].fix;
  EXPECT_NE(raw.findings[0].fix.find("run the training again as a new TrainingJob"), std::string::npos)
      << raw.findings[0].fix;
  EXPECT_NE(raw.findings[0].fix.find(kTeamAOutput), std::string::npos) << raw.findings[0].fix;

  job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAOutput;
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamAVolume;
  AuditedObject fixed = Audit(job);
  EXPECT_EQ(fixed.status, AuditStatus::kCompliant);
  EXPECT_TRUE(fixed.keys_compliant);

  EXPECT_EQ(Audit(InNamespace(job, "kube-system")).status, AuditStatus::kExempt);
  EXPECT_EQ(Audit(InNamespace(job, "nobody")).status, AuditStatus::kUnclaimed);
  EXPECT_FALSE(AuditObject(*policy_, LoadSample("endpoint_base.yaml"), nullptr).has_value());  // outside the catalog
  // A kind with roles only has no key field: outside the CMK share.
  EXPECT_EQ(Audit(InNamespace(LoadSample("xgboost_model.yaml"), "team-a")).key_fields, 0u);
}

TEST_F(AuditTest, SharesCountObjectsWithKeyFieldsInClaimedNamespaces) {
  json good = InNamespace(LoadSample("xgboost_trainingjob.yaml"), "team-a");
  good["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAOutput;
  good["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamAVolume;
  good["metadata"]["creationTimestamp"] = "2026-11-23T08:00:00Z";
  json bad = InNamespace(LoadSample("xgboost_transformjob.yaml"), "team-b");
  bad["metadata"]["creationTimestamp"] = "2026-11-24T08:00:00Z";
  json model = InNamespace(LoadSample("xgboost_model.yaml"), "team-a");
  std::vector<AuditedObject> objects = {Audit(good), Audit(bad), Audit(model), Audit(InNamespace(good, "nobody")),
                                        Audit(InNamespace(good, "kube-system"))};
  AuditSummary s = SummarizeAudit(objects, "2026-11-29T12:00:00Z", nullptr);
  EXPECT_EQ(s.objects, 5u);
  EXPECT_EQ(s.compliant, 2u);  // good, model
  EXPECT_EQ(s.noncompliant, 1u);
  EXPECT_EQ(s.unclaimed, 1u);
  EXPECT_EQ(s.exempt, 1u);
  EXPECT_EQ(s.keys.total, 2u);  // the model has no key field; unclaimed and exempt are apart
  EXPECT_EQ(s.keys.compliant, 1u);
  EXPECT_EQ(s.keys_by_tenant["team-a"].compliant, 1u);
  EXPECT_EQ(s.keys_by_tenant["team-b"].total, 1u);
  EXPECT_EQ(s.keys_by_kind["TransformJob"].compliant, 0u);
  EXPECT_EQ(s.noncompliant_by_week, (std::map<std::string, size_t>{{"2026-W48", 1}}));
  EXPECT_FALSE(s.has_baseline);
  EXPECT_EQ(s.open.size(), 2u);
  for (const TrackedFinding& f : s.open) EXPECT_EQ(f.first_seen, "2026-11-29T12:00:00Z");
}

// The namespace's labels and annotations, when known, decide as they do for
// the webhooks (tests/fixtures/policies/team-a-b-context.yaml: team-l claims
// namespaces labelled for it; team-a has keys for eu-west-1 too).
TEST_F(AuditTest, TheNamespacesContextDecidesTenantRegionAndFix) {
  policy_ = MustLoadPolicy(ReadFile(FixturePath("policies/team-a-b-context.yaml")));
  const std::string key_l = "arn:aws:kms:us-east-1:111122223333:key/11111111-0000-4000-8000-000000000001";
  const std::string key_eu = "arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-3333-4000-8000-000000000001";
  auto audit = [&](const json& object, const NamespaceInfo* info) {
    std::optional<AuditedObject> audited = AuditObject(*policy_, object, info);
    EXPECT_TRUE(audited.has_value());
    return audited.value_or(AuditedObject{});
  };
  json job = InNamespace(LoadSample("xgboost_trainingjob.yaml"), "ml-1");
  job["spec"]["outputDataConfig"]["kmsKeyID"] = key_l;
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = key_l;
  const NamespaceInfo labelled{"ml-1", {{"platform.example.com/tenant", "l"}}, {}};
  AuditedObject claimed = audit(job, &labelled);
  EXPECT_EQ(claimed.tenant, "team-l");
  EXPECT_EQ(claimed.status, AuditStatus::kCompliant);
  EXPECT_EQ(claimed.key_fields, 2u);
  EXPECT_EQ(audit(job, nullptr).status, AuditStatus::kUnclaimed);

  // Claimed by name and by label: AmbiguousTenant, and no tenant's share.
  const NamespaceInfo twice{"team-a", {{"platform.example.com/tenant", "l"}}, {}};
  AuditedObject ambiguous = audit(InNamespace(job, "team-a"), &twice);
  EXPECT_EQ(ambiguous.status, AuditStatus::kNonCompliant);
  EXPECT_EQ(ambiguous.tenant, "");
  EXPECT_EQ(ambiguous.key_fields, 0u);
  ASSERT_EQ(ambiguous.findings.size(), 1u);
  EXPECT_EQ(ambiguous.findings[0].violation.code, kAmbiguousTenant);

  // The namespace's region: the fix of a create-only key names the key of
  // that region, or says the tenant has none there.
  json keyless = InNamespace(LoadSample("xgboost_trainingjob.yaml"), "team-a");
  const NamespaceInfo eu{"team-a", {}, {{std::string(kNamespaceRegionAnnotation), "eu-west-1"}}};
  AuditedObject there = audit(keyless, &eu);
  ASSERT_FALSE(there.findings.empty());
  EXPECT_NE(there.findings[0].fix.find(key_eu), std::string::npos) << there.findings[0].fix;
  const NamespaceInfo elsewhere{"team-a", {}, {{std::string(kNamespaceRegionAnnotation), "ap-south-1"}}};
  AuditedObject nowhere = audit(keyless, &elsewhere);
  ASSERT_FALSE(nowhere.findings.empty());
  EXPECT_NE(nowhere.findings[0].fix.find("a key of tenant team-a for the resource's region"), std::string::npos)
      << nowhere.findings[0].fix;
  EXPECT_NE(nowhere.findings[0].violation.message.find("keys.regions.ap-south-1"), std::string::npos)
      << nowhere.findings[0].violation.message;
}

// SageMaker refuses a key on local NVMe instances: the empty spec.kmsKeyID
// is compliant, in every KPI, and noted with why and which checks disagree.
TEST_F(AuditTest, LocalNvmeEndpointConfigIsCompliantWithANote) {
  json config = InNamespace(EndpointConfig(json::array({ProductionVariant("gpu", "ml.g4dn.xlarge")})), "team-a");
  AuditedObject audited = Audit(config);
  EXPECT_EQ(audited.status, AuditStatus::kCompliant);
  EXPECT_TRUE(audited.keys_compliant);
  EXPECT_TRUE(audited.findings.empty());
  ASSERT_EQ(audited.notes.size(), 1u);
  EXPECT_EQ(audited.notes[0].path, "spec.kmsKeyID");
  EXPECT_NE(audited.notes[0].reason.find("local storage is hardware-encrypted; no customer key is possible"),
            std::string::npos);
  EXPECT_NE(audited.notes[0].reason.find("ml.g4dn.xlarge"), std::string::npos) << audited.notes[0].reason;
  EXPECT_EQ(audited.notes[0].flagged_by,
            (std::vector<std::string>{"AWS Config sagemaker-endpoint-configuration-kms-key-configured",
                                      "Checkov CKV_AWS_98"}));
  AuditSummary s = SummarizeAudit({audited}, "2026-11-29T12:00:00Z", nullptr);
  EXPECT_EQ(s.compliant, 1u);
  EXPECT_EQ(s.compliant_without_key, 1u);
  EXPECT_EQ(s.keys.compliant, s.keys.total);

  config["spec"]["productionVariants"][0]["instanceType"] = "ml.m5.xlarge";  // EBS: the key is required again
  EXPECT_TRUE(Audit(config).notes.empty());
  EXPECT_EQ(Audit(config).status, AuditStatus::kNonCompliant);
}

// Every control of the code table is listed once, zero counts included; a
// control counts each finding mapped to it and each object with one.
TEST_F(AuditTest, EveryMappedControlIsTallied) {
  size_t mapped = 0;
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const ViolationCode& row : ViolationCodes()) {
    for (const ControlRef& ref : EvidenceFor(row.code)) mapped += seen.insert({ref.framework, ref.control}).second;
  }
  json bad = InNamespace(LoadSample("xgboost_transformjob.yaml"), "team-b");  // two MissingKey findings
  AuditSummary s = SummarizeAudit({Audit(bad)}, "2026-11-29T12:00:00Z", nullptr);
  ASSERT_EQ(s.controls.size(), mapped);
  std::map<std::string, const ControlTally*> by_name;
  for (const ControlTally& c : s.controls) by_name[c.framework + " " + c.control] = &c;
  EXPECT_EQ(by_name.size(), mapped);
  ASSERT_TRUE(by_name.count("SOC 2 CC6.1"));
  EXPECT_EQ(by_name["SOC 2 CC6.1"]->findings, 2u);
  EXPECT_EQ(by_name["SOC 2 CC6.1"]->objects, 1u);
  EXPECT_EQ(by_name["PCI DSS v4.0.1 3.5.1"]->relation, "contributes to");
  ASSERT_TRUE(by_name.count("SOC 2 CC6.3"));
  EXPECT_EQ(by_name["SOC 2 CC6.3"]->findings, 0u);  // no role finding: listed all the same
  EXPECT_EQ(by_name["SOC 2 CC6.3"]->objects, 0u);
  EXPECT_EQ(SummarizeAudit({}, "2026-11-29T12:00:00Z", nullptr).controls.size(), mapped);
}

// Two crafted reports: last week's had findings A and B; now B is still
// open and C is new, so A was fixed.
TEST_F(AuditTest, BaselineArithmetic) {
  json bad = InNamespace(LoadSample("xgboost_transformjob.yaml"), "team-b");
  AuditedObject audited = Audit(bad);
  ASSERT_EQ(audited.findings.size(), 2u);  // B and C
  const std::string b = FindingId(audited, audited.findings[0].violation);
  const std::string c = FindingId(audited, audited.findings[1].violation);
  EXPECT_EQ(b, "sagemaker.services.k8s.aws/TransformJob/team-b/xgboost-transform/spec.transformOutput.kmsKeyID/MissingKey");
  const json baseline = {{"kind", "AuditReport"},
                         {"findings",
                          {{{"id", "sagemaker.services.k8s.aws/TrainingJob/team-a/old/spec.roleARN/ForeignRole"},
                            {"firstSeen", "2026-11-20T12:00:00Z"},
                            {"code", "ForeignRole"}},
                           {{"id", b}, {"firstSeen", "2026-11-22T12:00:00Z"}}}}};
  AuditSummary s = SummarizeAudit({audited}, "2026-11-29T12:00:00Z", &baseline);
  ASSERT_TRUE(s.has_baseline);
  ASSERT_EQ(s.open.size(), 2u);
  EXPECT_EQ(s.open[0].id, b);
  EXPECT_EQ(s.open[0].first_seen, "2026-11-22T12:00:00Z");  // carried from the baseline
  EXPECT_EQ(s.open[0].age_seconds, 7 * 86400);
  EXPECT_EQ(s.open[1].first_seen, "2026-11-29T12:00:00Z");
  ASSERT_EQ(s.new_findings.size(), 1u);
  EXPECT_EQ(s.new_findings[0].id, c);
  ASSERT_EQ(s.fixed.size(), 1u);
  EXPECT_EQ(s.fixed[0].code, "ForeignRole");
  EXPECT_EQ(s.fixed[0].fixed_at, "2026-11-29T12:00:00Z");
  EXPECT_EQ(s.fixed[0].age_seconds, 9 * 86400);  // time to remediate

  // The next report, with this one as its baseline, keeps B's first sighting.
  const json next_baseline = {{"kind", "AuditReport"},
                              {"findings", {{{"id", b}, {"firstSeen", s.open[0].first_seen}},
                                            {{"id", c}, {"firstSeen", s.open[1].first_seen}}}}};
  AuditSummary next = SummarizeAudit({audited}, "2026-12-06T12:00:00Z", &next_baseline);
  EXPECT_EQ(next.open[0].first_seen, "2026-11-22T12:00:00Z");
  EXPECT_EQ(next.open[0].age_seconds, 14 * 86400);
  EXPECT_TRUE(next.new_findings.empty());
  EXPECT_TRUE(next.fixed.empty());
}

}  // namespace
}  // namespace keyward
