// Writes the fuzzers' seed corpora (fuzz/seed_corpora.h) for libFuzzer:
//   fuzz_seed_corpus SOURCE_DIR OUT_DIR
// creates OUT_DIR/<fuzzer name>/<content hash> for every seed, and
// OUT_DIR/<fuzzer name>.dict, a libFuzzer dictionary of the tokens the
// target's input format is made of.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <string>

#include "fuzz/seed_corpora.h"

namespace {

namespace fs = std::filesystem;

// One token per line, quoted and escaped as libFuzzer's -dict expects.
void WriteDictionary(const fs::path& path, const std::set<std::string>& tokens) {
  std::ofstream out(path);
  for (const std::string& token : tokens) {
    out << '"';
    for (unsigned char c : token) {
      if (c == '"' || c == '\\') {
        out << '\\' << c;
      } else if (c < 0x20 || c > 0x7e) {
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02X", c);
        out << hex;
      } else {
        out << c;
      }
    }
    out << "\"\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_seed_corpus SOURCE_DIR OUT_DIR\n";
    return 2;
  }
  const fs::path out = argv[2];
  const keyward::fuzz::SeedCorpora corpora = keyward::fuzz::MakeSeedCorpora(argv[1]);
  bool every_target_has_seeds = true;
  for (const auto& [target, inputs] : corpora.inputs) {
    fs::create_directories(out / target);
    for (const std::string& bytes : inputs) {
      char name[17];
      std::snprintf(name, sizeof name, "%016zx", std::hash<std::string>{}(bytes));
      std::ofstream(out / target / name, std::ios::binary) << bytes;
    }
    std::cout << target << ": " << inputs.size() << " seeds\n";
    every_target_has_seeds = every_target_has_seeds && !inputs.empty();
  }
  for (const auto& [target, tokens] : corpora.dictionaries) WriteDictionary(out / (target + ".dict"), tokens);
  return every_target_has_seeds ? 0 : 1;
}
