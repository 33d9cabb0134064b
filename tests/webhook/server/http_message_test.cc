// The head of a request, parsed once: where the request ends, what it asks
// for, and what is wrong with it.
#include "webhook/server/http_message.h"


#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace keyward {
namespace {

constexpr size_t kHead = 128;
constexpr size_t kBody = 100;

HeadScan Parse(std::string_view received, RequestHead* head, size_t scanned = 0) {
  return ParseRequestHead(received, scanned, kHead, kBody, head);
}

TEST(RequestHeadTest, WaitsForTheWholeHeadThenSaysHowLongTheBodyIs) {
  const std::string head = "POST /mutate HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
  const std::string received = head + "abcde" + "POST /next";
  RequestHead parsed;
  EXPECT_EQ(Parse(head.substr(0, head.size() - 1), &parsed), HeadScan::kIncomplete);
  ASSERT_EQ(Parse(received, &parsed), HeadScan::kComplete);
  EXPECT_EQ(parsed.length, head.size());
  EXPECT_EQ(parsed.body_length, 5u);  // the pipelined next request stays
  EXPECT_EQ(parsed.problem, HttpProblem::kNone);
  const HttpRequest request = ViewRequest(parsed, received);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/mutate");
  EXPECT_EQ(request.body, "abcde");
}

TEST(RequestHeadTest, AnEndSplitAcrossReadsIsFoundFromWhereTheSearchStopped) {
  const std::string head = "POST /mutate HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
  RequestHead parsed;
  for (size_t cut = 1; cut < head.size(); ++cut) {
    ASSERT_EQ(Parse(head.substr(0, cut), &parsed), HeadScan::kIncomplete) << cut;
    ASSERT_EQ(Parse(head, &parsed, cut), HeadScan::kComplete) << cut;
    EXPECT_EQ(parsed.length, head.size()) << cut;
  }
}

TEST(RequestHeadTest, TheApiserversRequestIsReadAsItIsSent) {
  const std::string received =
      "POST /mutate?timeout=10s HTTP/1.1\r\nHost: keyward.svc:443\r\nUser-Agent: kube-apiserver-admission\r\n"
      "Content-Length: 2\r\nAccept: application/json, */*\r\nContent-Type: application/json\r\n"
      "Content-Type: text/plain\r\nAccept-Encoding: gzip\r\n\r\n{}";
  RequestHead head;
  ASSERT_EQ(ParseRequestHead(received, 0, 64 * 1024, kBody, &head), HeadScan::kComplete);
  const HttpRequest request = ViewRequest(head, received);
  EXPECT_EQ(request.path, "/mutate");  // the query routes nothing
  EXPECT_EQ(request.content_type, "application/json");  // the first
  EXPECT_EQ(request.body, "{}");
  EXPECT_FALSE(head.close);
  EXPECT_FALSE(head.expect_continue);
}

TEST(RequestHeadTest, HeaderNamesAreCaseInsensitiveAndBareLineFeedsEndAHead) {
  const std::string received = "POST / HTTP/1.1\ncontent-length:  3 \nconnection: close\n\nabc";
  RequestHead head;
  ASSERT_EQ(Parse(received, &head), HeadScan::kComplete);
  EXPECT_EQ(head.length, received.size() - 3);
  EXPECT_EQ(head.body_length, 3u);
  EXPECT_TRUE(head.close);
}

TEST(RequestHeadTest, NoContentLengthMeansNoBody) {
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  RequestHead parsed;
  ASSERT_EQ(Parse(head + "GET", &parsed), HeadScan::kComplete);
  EXPECT_EQ(parsed.length, head.size());
  EXPECT_EQ(parsed.body_length, 0u);
}

TEST(RequestHeadTest, BodiesRefusedUnreadAreNotRead) {
  for (const auto& [header, problem] : std::vector<std::pair<std::string, HttpProblem>>{
           {"Transfer-Encoding: chunked", HttpProblem::kChunked},
           {"Content-Length: 101", HttpProblem::kTooLarge},
           {"Content-Length: -1", HttpProblem::kTooLarge},
           {"Content-Length: 99999999999999999999999", HttpProblem::kTooLarge}}) {
    const std::string head = "POST /mutate HTTP/1.1\r\nExpect: 100-continue\r\n" + header + "\r\n\r\n";
    RequestHead parsed;
    ASSERT_EQ(Parse(head + "xyz", &parsed), HeadScan::kComplete) << header;
    EXPECT_EQ(parsed.length, head.size()) << header;
    EXPECT_EQ(parsed.body_length, 0u) << header;
    EXPECT_EQ(parsed.problem, problem) << header;
    EXPECT_FALSE(parsed.expect_continue) << "no body is wanted: " << header;
  }
}

TEST(RequestHeadTest, TheFirstContentLengthCountsAsCppHttplibReadsIt) {
  RequestHead head;
  ASSERT_EQ(Parse("POST / HTTP/1.1\r\nContent-Length: 2x\r\nContent-Length: 9\r\n\r\nab", &head), HeadScan::kComplete);
  EXPECT_EQ(head.body_length, 2u);
}

TEST(RequestHeadTest, AnInterimAnswerIsAskedForWithExpect) {
  RequestHead head;
  ASSERT_EQ(Parse("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\n", &head), HeadScan::kComplete);
  EXPECT_TRUE(head.expect_continue);
}

TEST(RequestHeadTest, AHeadWithoutEndBeyondTheLimitIsTooLarge) {
  RequestHead head;
  EXPECT_EQ(Parse(std::string(kHead - 1, 'a'), &head), HeadScan::kIncomplete);
  EXPECT_EQ(Parse(std::string(kHead, 'a') + "\r\n\r\n", &head), HeadScan::kTooLarge);
}

TEST(RequestHeadTest, Http10ClosesUnlessItAsksToKeepAlive) {
  RequestHead head;
  ASSERT_EQ(Parse("POST / HTTP/1.0\r\n\r\n", &head), HeadScan::kComplete);
  EXPECT_TRUE(head.close);
  ASSERT_EQ(Parse("POST / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &head), HeadScan::kComplete);
  EXPECT_FALSE(head.close);
}

TEST(RequestHeadTest, PercentEscapesInThePathAreDecoded) {
  const std::string received = "POST /mut%61te?x=%62 HTTP/1.1\r\n\r\n";
  RequestHead head;
  ASSERT_EQ(Parse(received, &head), HeadScan::kComplete);
  EXPECT_EQ(ViewRequest(head, received).path, "/mutate");
}

TEST(RequestHeadTest, WhatIsNotAnHttpRequestIsMalformed) {
  for (const std::string& head : std::vector<std::string>{
           "NOT HTTP AT ALL\r\n\r\n",
           "FOO /mutate HTTP/1.1\r\n\r\n",
           "POST /mutate HTTP/2.0\r\n\r\n",
           "POST /mutate\r\n\r\n",
           "POST  /mutate HTTP/1.1\r\n\r\n",
           "POST /mutate HTTP/1.1 extra\r\n\r\n",
           "POST /mu\x01tate HTTP/1.1\r\n\r\n",
           "POST /mutate HTTP/1.1\r\nX-Folded\r\n\r\n",
           "POST /mutate HTTP/1.1\r\nBad Name: x\r\n\r\n",
           "POST /mutate HTTP/1.1\r\n folded: x\r\n\r\n",
           "POST /mutate HTTP/1.1\r\n: no name\r\n\r\n",
       }) {
    RequestHead parsed;
    ASSERT_EQ(Parse(head, &parsed), HeadScan::kComplete) << head;
    EXPECT_EQ(parsed.problem, HttpProblem::kMalformed) << head;
    EXPECT_EQ(parsed.body_length, 0u) << head;
  }
}

TEST(HttpAnswerTest, HeadersInNameOrderAndTheKeepAliveBoundsOrAClose) {
  const HttpAnswer answer{405, "{}", "application/json", "POST", false};
  std::string written;
  AppendHttpAnswer(answer, AnswerFraming{false, false, std::chrono::seconds(90), 1000}, &written);
  EXPECT_EQ(written,
            "HTTP/1.1 405 Method Not Allowed\r\nAllow: POST\r\nContent-Length: 2\r\n"
            "Content-Type: application/json\r\nKeep-Alive: timeout=90, max=1000\r\n\r\n{}");
  written.clear();
  AppendHttpAnswer(HttpAnswer{200, "{}", "application/json", "", false},
                   AnswerFraming{true, true, std::chrono::seconds(0), 0}, &written);
  EXPECT_EQ(written, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n"
                     "Content-Type: application/json\r\n\r\n")
      << "a HEAD request gets the headers alone";
}

}  // namespace
}  // namespace keyward
