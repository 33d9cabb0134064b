// The walkers that turn catalog paths into concrete fields and patch paths.
#include "policy/base/field_path.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace keyward {
namespace {

using nlohmann::json;

TEST(FieldPathTest, EscapesPointerTokensPerRfc6901) {
  EXPECT_EQ(EscapePointerToken("kmsKeyID"), "kmsKeyID");
  EXPECT_EQ(EscapePointerToken("a/b"), "a~1b");
  EXPECT_EQ(EscapePointerToken("a~b"), "a~0b");
  EXPECT_EQ(EscapePointerToken("~/"), "~0~1");
  EXPECT_EQ(EscapePointerToken(""), "");
}

TEST(FieldPathTest, EmptyValues) {
  json empty = "";
  json null = nullptr;
  json key = "arn";
  EXPECT_TRUE(IsEmptyValue(nullptr));
  EXPECT_TRUE(IsEmptyValue(&empty));
  EXPECT_TRUE(IsEmptyValue(&null));
  EXPECT_FALSE(IsEmptyValue(&key));
}

TEST(FieldPathTest, InstancesInEveryArrayElementWhoseParentExists) {
  json object = json::parse(R"({"spec": {"productionVariants": [
      {"coreDumpConfig": {"kmsKeyID": "k0"}},
      {"variantName": "no-parent"},
      "not an object",
      {"coreDumpConfig": {}}]}})");
  std::vector<FieldInstance> found = FindFieldInstances(object, "spec.productionVariants[].coreDumpConfig.kmsKeyID");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].path, "spec.productionVariants[0].coreDumpConfig.kmsKeyID");
  EXPECT_EQ(found[0].pointer, "/spec/productionVariants/0/coreDumpConfig/kmsKeyID");
  EXPECT_EQ(found[0].indices, std::vector<size_t>{0});
  ASSERT_NE(found[0].value, nullptr);
  EXPECT_EQ(*found[0].value, "k0");
  EXPECT_EQ(found[1].path, "spec.productionVariants[3].coreDumpConfig.kmsKeyID");
  EXPECT_EQ(found[1].value, nullptr);

  const json* same = FindSameField(object, "spec.productionVariants[].coreDumpConfig.kmsKeyID", {0});
  ASSERT_NE(same, nullptr);
  EXPECT_EQ(*same, "k0");
  EXPECT_EQ(FindSameField(object, "spec.productionVariants[].coreDumpConfig.kmsKeyID", {3}), nullptr);
  EXPECT_EQ(FindSameField(object, "spec.productionVariants[].coreDumpConfig.kmsKeyID", {9}), nullptr);
}

TEST(FieldPathTest, NestedArraysInDocumentOrderWithEveryIndexSpelled) {
  json object = json::parse(R"({"spec": {"a": [
      {"b": [{"k": 1}, {"k": 2}, 7]},
      "not an object",
      {"b": []},
      {"b": [{"x": 0}, {"k": 3}], "k": 9}]}})");
  std::vector<FieldInstance> found = FindFieldInstances(object, "spec.a[].b[].k");
  ASSERT_EQ(found.size(), 4u);
  const std::vector<std::vector<size_t>> indices = {{0, 0}, {0, 1}, {3, 0}, {3, 1}};
  for (size_t i = 0; i < found.size(); ++i) {
    const std::string a = std::to_string(indices[i][0]);
    const std::string b = std::to_string(indices[i][1]);
    EXPECT_EQ(found[i].indices, indices[i]) << i;
    EXPECT_EQ(found[i].path, "spec.a[" + a + "].b[" + b + "].k") << i;
    EXPECT_EQ(found[i].pointer, "/spec/a/" + a + "/b/" + b + "/k") << i;
  }
  EXPECT_EQ(*found[1].value, 2);
  EXPECT_EQ(found[2].value, nullptr);
  EXPECT_EQ(*found[3].value, 3);
  // Every array pinned: that element. Only the first pinned: the first
  // element of the second array decides, even where it lacks the field.
  EXPECT_EQ(*FindSameField(object, "spec.a[].b[].k", {3, 1}), 3);
  EXPECT_EQ(*FindSameField(object, "spec.a[].b[].k", {0}), 1);
  EXPECT_EQ(FindSameField(object, "spec.a[].b[].k", {3}), nullptr);
  EXPECT_EQ(FindSameField(object, "spec.a[].b[].k", {2, 0}), nullptr);
  // A field under an array that is itself an array: no index of its own.
  json tags = json::parse(R"({"spec": {"tags": [1, 2]}})");
  std::vector<FieldInstance> whole = FindFieldInstances(tags, "spec.tags[]");
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].path, "spec.tags");
  EXPECT_EQ(whole[0].pointer, "/spec/tags");
  EXPECT_TRUE(whole[0].indices.empty());
  // Pointer tokens are escaped, paths are not.
  json odd = json::parse(R"({"a/b": [{"c~d": "v"}]})");
  std::vector<FieldInstance> escaped = FindFieldInstances(odd, "a/b[].c~d");
  ASSERT_EQ(escaped.size(), 1u);
  EXPECT_EQ(escaped[0].path, "a/b[0].c~d");
  EXPECT_EQ(escaped[0].pointer, "/a~1b/0/c~0d");
}

TEST(FieldPathTest, BoundStringsFollowTheSameElement) {
  json object = json::parse(R"({"spec": {"trainingJobDefinitions": [
      {"resourceConfig": {"instanceType": "ml.m5.xlarge"}},
      {"resourceConfig": {"instanceGroups": [{"instanceType": "ml.g5.xlarge"}, {"instanceType": "ml.c5.xlarge"}]}}]}})");
  const char* key = "spec.trainingJobDefinitions[].resourceConfig.volumeKMSKeyID";
  auto first = FindBoundStrings(object, "spec.trainingJobDefinitions[].resourceConfig.instanceType", key, {0});
  EXPECT_EQ(first, (std::vector<std::string_view>{"ml.m5.xlarge"}));
  auto second = FindBoundStrings(object, "spec.trainingJobDefinitions[].resourceConfig.instanceGroups[].instanceType",
                                 key, {1});
  EXPECT_EQ(second, (std::vector<std::string_view>{"ml.g5.xlarge", "ml.c5.xlarge"}));
  EXPECT_TRUE(FindBoundStrings(object, "spec.trainingJobDefinitions[].resourceConfig.instanceType", key, {1}).empty());
  // Unshared arrays are not bound: every variant counts for spec.kmsKeyID.
  json config = json::parse(R"({"spec": {"productionVariants": [{"instanceType": "a"}, {"instanceType": "b"}]}})");
  EXPECT_EQ(FindBoundStrings(config, "spec.productionVariants[].instanceType", "spec.kmsKeyID", {}),
            (std::vector<std::string_view>{"a", "b"}));
}

TEST(FieldPathTest, PlainPaths) {
  json object = json::parse(R"({"metadata": {"annotations": {"services.k8s.aws/region": "us-west-2"}}, "spec": 1})");
  ASSERT_NE(FindPlain(object, "spec"), nullptr);
  EXPECT_EQ(FindPlain(object, "spec.region"), nullptr);
  EXPECT_EQ(FindPlain(object, "metadata.name"), nullptr);
}

}  // namespace
}  // namespace keyward
