// The watch wire format, read as outside input: events, and lines cut from a stream with a bound.
#include "webhook/kube/watch_event.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace keyward {
namespace {

TEST(WatchEventTest, ReadsAnEventAndItsResourceVersion) {
  Result<WatchEvent> event = ParseWatchEvent(
      R"({"type":"MODIFIED","object":{"kind":"Namespace","metadata":{"name":"team-a","resourceVersion":"17"}}})");
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event.value().type, WatchEventType::kModified);
  EXPECT_EQ(event.value().resource_version, "17");
  EXPECT_EQ(event.value().object["metadata"]["name"], "team-a");
}

TEST(WatchEventTest, ABookmarkCarriesOnlyAResourceVersion) {
  Result<WatchEvent> event = ParseWatchEvent(R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"99"}}})");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event.value().type, WatchEventType::kBookmark);
  EXPECT_EQ(event.value().resource_version, "99");
}

TEST(WatchEventTest, AnErrorEventCarriesTheStatusCode) {
  Result<WatchEvent> event = ParseWatchEvent(
      R"j({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 5 (9)"}})j");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event.value().type, WatchEventType::kError);
  EXPECT_EQ(event.value().error_code, 410);
  EXPECT_EQ(event.value().error_message, "too old resource version: 5 (9)");
  // A code of another type is no code: not a 410.
  Result<WatchEvent> odd = ParseWatchEvent(R"({"type":"ERROR","object":{"code":"410"}})");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd.value().error_code, 0);
}

TEST(WatchEventTest, MalformedEventsAreErrorsThatSayWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {R"({"object":{}})", "no type"},
      {R"({"type":7,"object":{}})", "no type"},
      {R"({"type":"RENAMED","object":{}})", "unknown type RENAMED"},
      {R"({"type":"ADDED"})", "ADDED has no object"},
      {R"({"type":"DELETED","object":"team-a"})", "DELETED has no object"},
      {R"({"type":"ERROR","object":null})", "ERROR has no object"},
      {R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})", "no object.metadata.resourceVersion"},
      {R"({"type":"ADDED","object":{"metadata":{"resourceVersion":12}}})", "no object.metadata.resourceVersion"},
      {R"({"type":"ADDED","object":{"metadata":"x"}})", "no object.metadata.resourceVersion"},
      {std::string(1000, '[') + std::string(1000, ']'), "nesting deeper"},
  };
  for (const auto& [line, expected] : cases) {
    Result<WatchEvent> event = ParseWatchEvent(line);
    ASSERT_FALSE(event.ok()) << line;
    EXPECT_NE(event.status().what().find(expected), std::string::npos) << line << ": " << event.status().what();
  }
}

std::vector<std::string> Split(LineSplitter& splitter, const std::vector<std::string>& pieces, bool* ok) {
  std::vector<std::string> lines;
  *ok = true;
  for (const std::string& piece : pieces) {
    *ok = splitter.Feed(piece, [&](std::string_view line) {
      lines.emplace_back(line);
      return true;
    });
    if (!*ok) break;
  }
  return lines;
}

TEST(LineSplitterTest, JoinsLinesAcrossPiecesAndSkipsEmptyOnes) {
  LineSplitter splitter(100);
  bool ok = false;
  const std::vector<std::string> lines = Split(splitter, {"{\"a\"", ":1}\n\n{\"b\":2}\r\n{\"c", "\":3}\n{\"d"}, &ok);
  EXPECT_TRUE(ok);
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
  EXPECT_EQ(splitter.pending(), 3u);  // {"d: an event the stream has not finished
}

TEST(LineSplitterTest, ALineOverTheBoundIsRefusedWithoutHoldingIt) {
  LineSplitter splitter(10);
  bool ok = true;
  std::vector<std::string> lines = Split(splitter, {"0123456789\n", "01234", "567890"}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(splitter.too_long());
  EXPECT_EQ(lines, std::vector<std::string>{"0123456789"});
  EXPECT_EQ(splitter.pending(), 0u);
  EXPECT_FALSE(splitter.Feed("a\n", [](std::string_view) { return true; }));  // spent
  // In one piece too.
  LineSplitter one(10);
  lines = Split(one, {"0123456789abc\n"}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(lines.empty());
}

TEST(LineSplitterTest, StopsWhenTheReaderSaysSo) {
  LineSplitter splitter(100);
  int seen = 0;
  EXPECT_FALSE(splitter.Feed("a\nb\nc\n", [&](std::string_view) { return ++seen < 2; }));
  EXPECT_EQ(seen, 2);
  EXPECT_FALSE(splitter.too_long());
}

}  // namespace
}  // namespace keyward
