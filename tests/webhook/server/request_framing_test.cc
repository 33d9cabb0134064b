// Where the connection loop ends one request: the head, the body by its
// Content-Length, and the heads whose body is refused unread.
#include "webhook/server/request_framing.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace keyward {
namespace {

constexpr size_t kHead = 128;
constexpr size_t kBody = 100;

TEST(RequestFramingTest, WaitsForTheWholeHeadThenTheWholeBody) {
  const std::string head = "POST /mutate HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
  EXPECT_FALSE(FrameRequest(head.substr(0, head.size() - 1), kHead, kBody).complete);
  EXPECT_FALSE(FrameRequest(head + "abcd", kHead, kBody).complete);
  const RequestFrame whole = FrameRequest(head + "abcde" + "POST /next", kHead, kBody);
  EXPECT_TRUE(whole.complete);
  EXPECT_EQ(whole.length, head.size() + 5);  // the pipelined next request stays
  EXPECT_FALSE(whole.body_refused);
}

TEST(RequestFramingTest, HeaderNamesAreCaseInsensitiveAndBareLineFeedsEndAHead) {
  const RequestFrame frame = FrameRequest("POST / HTTP/1.1\ncontent-length:  3 \n\nabc", kHead, kBody);
  EXPECT_TRUE(frame.complete);
  EXPECT_EQ(frame.length, std::string("POST / HTTP/1.1\ncontent-length:  3 \n\n").size() + 3);
}

TEST(RequestFramingTest, NoContentLengthMeansNoBody) {
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const RequestFrame frame = FrameRequest(head + "GET", kHead, kBody);
  EXPECT_TRUE(frame.complete);
  EXPECT_EQ(frame.length, head.size());
}

TEST(RequestFramingTest, BodiesRefusedUnreadAreHandedOverWithTheHeadAlone) {
  for (const std::string header : {"Transfer-Encoding: chunked", "Content-Length: 101", "Content-Length: -1",
                                   "Content-Length: 99999999999999999999999"}) {
    const std::string head = "POST /mutate HTTP/1.1\r\n" + header + "\r\n\r\n";
    const RequestFrame frame = FrameRequest(head + "xyz", kHead, kBody);
    EXPECT_TRUE(frame.complete) << header;
    EXPECT_EQ(frame.length, head.size()) << header;
    EXPECT_TRUE(frame.body_refused) << header;
  }
}

TEST(RequestFramingTest, TheFirstContentLengthCountsAsCppHttplibReadsIt) {
  const std::string head = "POST / HTTP/1.1\r\nContent-Length: 2x\r\nContent-Length: 9\r\n\r\n";
  const RequestFrame frame = FrameRequest(head + "ab", kHead, kBody);
  EXPECT_TRUE(frame.complete);
  EXPECT_EQ(frame.length, head.size() + 2);
}

TEST(RequestFramingTest, AnInterimAnswerIsDueOnlyWhileTheBodyIsAwaited) {
  const std::string head = "POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\n";
  EXPECT_TRUE(FrameRequest(head, kHead, kBody).awaits_continue);
  EXPECT_FALSE(FrameRequest(head + "abcd", kHead, kBody).awaits_continue);
}

TEST(RequestFramingTest, AHeadWithoutEndBeyondTheLimitIsTooLarge) {
  EXPECT_FALSE(FrameRequest(std::string(kHead - 1, 'a'), kHead, kBody).head_too_large);
  const RequestFrame frame = FrameRequest(std::string(kHead, 'a') + "\r\n\r\n", kHead, kBody);
  EXPECT_TRUE(frame.head_too_large);
  EXPECT_FALSE(frame.complete);
}

TEST(PlainPostTest, TheApiserversShapeIsPlain) {
  const std::string request =
      "POST /mutate?timeout=10s HTTP/1.1\r\nHost: keyward.svc:443\r\nUser-Agent: kube-apiserver-admission\r\n"
      "Content-Length: 2\r\nAccept: application/json, */*\r\nContent-Type: application/json\r\n"
      "Content-Type: text/plain\r\nAccept-Encoding: gzip\r\n\r\n{}";
  PlainPost post;
  ASSERT_TRUE(ReadPlainPost(request, &post));
  EXPECT_EQ(post.path, "/mutate");
  EXPECT_EQ(post.content_type, "application/json");  // the first
  EXPECT_EQ(post.body, "{}");
  EXPECT_FALSE(post.close);
  ASSERT_TRUE(ReadPlainPost("POST /validate HTTP/1.1\r\nconnection: close\r\ncontent-length: 0\r\n\r\n", &post));
  EXPECT_TRUE(post.close);
  EXPECT_EQ(post.body, "");
}

TEST(PlainPostTest, AnyOtherShapeIsLeftToTheGeneralParser) {
  const std::string tail = "Content-Length: 2\r\n\r\n{}";
  for (const std::string& request : std::vector<std::string>{
           "GET /mutate HTTP/1.1\r\n" + tail,
           "POST /mutate HTTP/1.0\r\n" + tail,
           "POST /mut%61te HTTP/1.1\r\n" + tail,
           "POST mutate HTTP/1.1\r\n" + tail,
           "POST /mutate?a b HTTP/1.1\r\n" + tail,
           "POST /mutate HTTP/1.1\nContent-Length: 2\n\n{}",
           "POST /mutate HTTP/1.1\r\nX-Folded\r\n" + tail,
           "POST /mutate HTTP/1.1\r\nBad Name: x\r\n" + tail,
           "POST /mutate HTTP/1.1\r\nExpect: 100-continue\r\n" + tail,
           "POST /mutate HTTP/1.1\r\nTransfer-Encoding: chunked\r\n" + tail,
           "POST /mutate HTTP/1.1\r\nContent-Length: 2\r\n" + tail,
           "POST /mutate HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}",
           "POST /mutate HTTP/1.1\r\nContent-Length: 3\r\n\r\n{}",
           "POST /mutate HTTP/1.1\r\n\r\n{}",
       }) {
    PlainPost post;
    EXPECT_FALSE(ReadPlainPost(request, &post)) << request;
  }
  std::string many_headers = "POST /mutate HTTP/1.1\r\n";
  for (size_t i = 0; i <= kMaxPlainHeaders; ++i) many_headers += "X-H: v\r\n";
  PlainPost post;
  EXPECT_FALSE(ReadPlainPost(many_headers + tail, &post));
}

}  // namespace
}  // namespace keyward
