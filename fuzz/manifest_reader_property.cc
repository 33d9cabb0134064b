// What `keyward check -f` reads: multi-document YAML or JSON manifests.
// Properties: nothing throws or crashes (deep nesting and alias bombs
// included); every document read is a JSON value that serialises; every
// error carries a position.
#include <string>

#include "fuzz/fuzz_check.h"
#include "fuzz/properties.h"
#include "webhook/cli/manifest_reader.h"

void keyward::fuzz::CheckManifestReader(const uint8_t* data, size_t size) {
  using keyward::fuzz::Require;
  const keyward::ManifestReadResult result =
      keyward::ParseManifests(std::string(keyward::fuzz::AsText(data, size)), "fuzz.yaml");
  for (const keyward::Manifest& m : result.manifests) {
    (void)m.object.dump();  // strict: the reader admits only UTF-8 text
    Require(!m.source.empty(), "every manifest says where it came from");
  }
  for (const keyward::Status& e : result.errors) {
    Require(!e.ok() && !e.what().empty(), "every error says something");
    Require(!e.where().empty(), "every error says where");
  }
}
