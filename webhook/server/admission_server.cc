#include "webhook/server/admission_server.h"

#include <algorithm>
#include <thread>

#include "webhook/admission/admission_codec.h"
#include "webhook/server/tls_context.h"

namespace keyward {
namespace {

// Answers are JSON, and never compressed: an answer is about 700 bytes (at
// most some KiB of warnings, more only for a pipeline definition's
// replace), so compressing would cost more CPU and latency than the bytes
// it saves on a cluster network.
constexpr std::string_view kAnswerContentType = "application/json; charset=utf-8";

struct Route {
  std::string_view path;
  Webhook webhook;
};
constexpr Route kRoutes[] = {{"/mutate", Webhook::kMutate}, {"/validate", Webhook::kValidate}};

// Every request the routes do not answer, and its answer: a Kubernetes
// Status with this code and message.
enum class Refused { kMalformed, kChunked, kTooLarge, kNoRoute, kNotPost, kFailed };
struct Refusal {
  Refused why;
  int status;
  std::string_view allow;  // the Allow header
  bool names_request;      // the message starts with "METHOD /path"
  std::string_view message;
};
static_assert(kMaxReviewBytes == 8u << 20, "the 413 message states the limit");
constexpr Refusal kRefusals[] = {
    {Refused::kMalformed, 400, "", false, "malformed HTTP request"},
    {Refused::kChunked, 411, "", false,
     "chunked bodies are not accepted: send the AdmissionReview with a Content-Length"},
    {Refused::kTooLarge, 413, "", false,
     "the body is larger than 8388608 bytes (8 MiB), more than an AdmissionReview of two 3 MiB objects"},
    {Refused::kNoRoute, 404, "", false,
     "no such endpoint: the admission server answers POST /mutate and POST /validate"},
    {Refused::kNotPost, 405, "POST", true, " is not supported: send the AdmissionReview with POST"},
    {Refused::kFailed, 500, "", false, "internal error"},
};

Refused RefusedFor(HttpProblem problem) {
  switch (problem) {
    case HttpProblem::kChunked: return Refused::kChunked;
    case HttpProblem::kTooLarge: return Refused::kTooLarge;
    case HttpProblem::kMalformed:
    case HttpProblem::kNone: break;
  }
  return Refused::kMalformed;
}

HttpAnswer Refuse(Refused why, const HttpRequest& request) {
  const Refusal& row = *std::find_if(std::begin(kRefusals), std::end(kRefusals),
                                     [why](const Refusal& refusal) { return refusal.why == why; });
  std::string message;
  if (row.names_request) message.append(request.method).append(" ").append(request.path);
  message.append(row.message);
  return HttpAnswer{row.status, EncodeHttpError(row.status, message), kAnswerContentType, row.allow, false};
}

// One thread per core: a request is CPU work from its last byte to its
// answer, so more threads than cores only add switching.
size_t ThreadCount() { return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8); }

}  // namespace

AdmissionServer::AdmissionServer(AdmissionServerOptions options, const CredentialStore* credentials,
                                 const AdmissionHandler* handler, const std::atomic<bool>* draining)
    : options_(std::move(options)), credentials_(credentials), handler_(handler), draining_(draining) {}

AdmissionServer::~AdmissionServer() {
  Stop();
  if (loop_) loop_->Join();
}

Status AdmissionServer::Bind() {
  context_.reset(SSL_CTX_new(TLS_server_method()));
  if (context_ == nullptr || !ConfigureServerTls(context_.get(), credentials_)) {
    return Status::Error("cannot set up TLS: OpenSSL refused the protocol or cipher settings");
  }
  Result<ListeningSocket> listening = Listen(options_.address);
  if (!listening.ok()) return listening.status();
  port_ = listening.value().port;
  ConnectionLimits limits = options_.connections;
  limits.max_body_bytes = kMaxReviewBytes;
  loop_ = std::make_unique<ConnectionLoop>(
      context_.get(), [this](const HttpRequest& request) { return Respond(request); }, draining_, limits,
      ThreadCount());
  acceptor_ = std::make_unique<Acceptor>(listening.value().fd, [this](int sock, LoopClock::time_point accepted_at) {
    loop_->Adopt(sock, accepted_at);
  });
  return Status::Ok();
}

bool AdmissionServer::Serve() {
  const bool served = acceptor_ != nullptr && acceptor_->Run();
  if (loop_) {
    loop_->Stop();
    loop_->Join();
  }
  return served;
}

void AdmissionServer::Stop() {
  if (acceptor_) acceptor_->Stop();
  if (loop_) loop_->Stop();
}

HttpAnswer AdmissionServer::Respond(const HttpRequest& request) const {
  if (request.problem != HttpProblem::kNone) return Refuse(RefusedFor(request.problem), request);
  const Route* route = std::find_if(std::begin(kRoutes), std::end(kRoutes),
                                    [&request](const Route& r) { return r.path == request.path; });
  if (route == std::end(kRoutes)) return Refuse(Refused::kNoRoute, request);
  if (request.method != "POST") return Refuse(Refused::kNotPost, request);
  try {
    HttpReply reply = handler_->Handle(route->webhook, request.content_type, request.body);
    return HttpAnswer{reply.status, std::move(reply.body), kAnswerContentType, "", false};
  } catch (...) {  // the handler's own failures are answers; this is a bug's
    return Refuse(Refused::kFailed, request);
  }
}

}  // namespace keyward
