// The fuzz targets' seed corpora and dictionaries, made from the project's
// own inputs (tests/fixtures, examples/, the fuzz policies), so they follow
// the fixtures and the catalog. Two users: fuzz_seed_corpus writes them for
// libFuzzer, and tests/hardening's regression test replays every seed
// through its target's property check in every CI run.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace keyward::fuzz {

struct SeedCorpora {
  // By fuzz target name (fuzz_admission_review, ...): each seed once.
  std::map<std::string, std::vector<std::string>> inputs;
  // By fuzz target name: the tokens its input format is made of.
  std::map<std::string, std::set<std::string>> dictionaries;
};

SeedCorpora MakeSeedCorpora(const std::filesystem::path& source_dir);

}  // namespace keyward::fuzz
