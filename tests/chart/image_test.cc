// The container image's runtime packages are derived, not listed by hand:
// scripts/runtime-packages.sh must name an installed package for every
// shared library of the binary, and fail rather than leave one out.
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/chart/chart_support.h"

namespace keyward::testing {
namespace {

std::set<std::string> Lines(const std::string& text) {
  std::set<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.insert(line);
  }
  return lines;
}

TEST(ImageTest, RuntimePackagesProvideEverySharedLibraryOfTheBinary) {
  ProcessResult packages = RunProcess({SourcePath("scripts/runtime-packages.sh"), KEYWARD_BINARY});
  ASSERT_EQ(packages.exit_code, 0) << packages.error_output;
  std::set<std::string> names = Lines(packages.output);
  ASSERT_FALSE(names.empty());

  // Every file of those packages, to find each library the loader resolves.
  std::set<std::string> files;
  for (const std::string& name : names) {
    ProcessResult listing = RunProcess({"dpkg-query", "-L", name});
    ASSERT_EQ(listing.exit_code, 0) << name << " is not an installed package: " << listing.error_output;
    for (const std::string& file : Lines(listing.output)) files.insert(file);
  }
  ProcessResult libraries = RunProcess({"ldd", KEYWARD_BINARY});
  ASSERT_EQ(libraries.exit_code, 0) << libraries.error_output;
  for (const std::string& line : Lines(libraries.output)) {
    size_t arrow = line.find("=> /");
    if (arrow == std::string::npos) continue;
    std::string path = line.substr(arrow + 3, line.find(' ', arrow + 3) - arrow - 3);
    std::string without_usr = path.rfind("/usr/", 0) == 0 ? path.substr(4) : path;
    EXPECT_TRUE(files.count(path) || files.count(without_usr) || files.count("/usr" + path))
        << path << " comes from none of: " << packages.output;
  }
}

TEST(ImageTest, RuntimePackagesRejectsAFileThatIsNoBinary) {
  TempDir directory;
  WriteFile(directory.File("not-a-binary"), "text\n");
  ProcessResult packages = RunProcess({SourcePath("scripts/runtime-packages.sh"), directory.File("not-a-binary")});
  EXPECT_NE(packages.exit_code, 0);
  EXPECT_TRUE(packages.output.empty());
}

}  // namespace
}  // namespace keyward::testing
