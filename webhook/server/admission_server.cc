#include "webhook/server/admission_server.h"

#include <httplib.h>

#include "webhook/admission/admission_codec.h"
#include "webhook/observe/log.h"
#include "webhook/server/tls_context.h"
#include "webhook/server/tls_server.h"

namespace keyward {

// Answers are never compressed. The kube-apiserver (Go's net/http) always
// sends Accept-Encoding: gzip, and cpp-httplib gzips an "application/json"
// answer when it does; an answer is about 700 bytes (at most some KiB of
// warnings, more only for a pipeline definition's replace), so compressing
// costs more CPU and latency than the bytes it saves on a cluster network.
// cpp-httplib compresses only the exact media types it lists, so a charset
// parameter (which the apiserver reads as application/json) turns it off.
constexpr char kAnswerContentType[] = "application/json; charset=utf-8";
namespace {

void ReplyError(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  res.set_content(EncodeHttpError(status, message), "application/json");
}

}  // namespace

AdmissionServer::AdmissionServer(AdmissionServerOptions options, const CredentialStore* credentials,
                                 const AdmissionHandler* handler, const std::atomic<bool>* draining)
    : options_(std::move(options)), credentials_(credentials), handler_(handler), draining_(draining) {}

AdmissionServer::~AdmissionServer() = default;

Status AdmissionServer::Bind() {
  ConnectionLimits limits = options_.connections;
  limits.max_body_bytes = kMaxReviewBytes;
  server_ = std::make_unique<TlsServer>(
      [this](SSL_CTX& context) { return ConfigureServerTls(&context, credentials_); }, draining_, limits);
  if (!server_->is_valid()) return Status::Error("cannot set up TLS: OpenSSL refused the protocol or cipher settings");
  Route();
  // cpp-httplib reads the length limit itself too (a 413 for a body it was
  // about to read), and states the keep-alive bounds in its answers.
  server_->set_payload_max_length(kMaxReviewBytes);
  server_->set_keep_alive_timeout(
      static_cast<time_t>(std::chrono::duration_cast<std::chrono::seconds>(limits.keep_alive_timeout).count()));
  server_->set_keep_alive_max_count(limits.keep_alive_max_requests);
  Result<int> port = BindServer(*server_, options_.address);
  if (!port.ok()) return port.status();
  port_ = port.value();
  return Status::Ok();
}

void AdmissionServer::Route() {
  // Runs before the body is read: refuse what must not be read at all. The
  // unread body would be taken for the next request, so these close the
  // connection.
  server_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("Transfer-Encoding")) {
      res.set_header("Connection", "close");
      ReplyError(res, 411, "chunked bodies are not accepted: send the AdmissionReview with a Content-Length");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.get_header_value<uint64_t>("Content-Length") > kMaxReviewBytes) {
      res.set_header("Connection", "close");
      ReplyError(res, 413, "the body is larger than " + std::to_string(kMaxReviewBytes) + " bytes");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto not_post = [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Allow", "POST");
    ReplyError(res, 405, req.method + " " + req.path + " is not supported: send the AdmissionReview with POST");
  };
  for (const char* path : {"/mutate", "/validate"}) {
    server_->Get(path, not_post).Put(path, not_post).Patch(path, not_post).Delete(path, not_post);
    server_->Options(path, not_post);
  }
  auto serve = [this](Webhook webhook) {
    return [this, webhook](const httplib::Request& req, httplib::Response& res) {
      HttpReply reply = handler_->Handle(webhook, req.get_header_value("Content-Type"), req.body);
      res.status = reply.status;
      res.set_content(std::move(reply.body), kAnswerContentType);
    };
  };
  server_->Post("/mutate", serve(Webhook::kMutate));
  server_->Post("/validate", serve(Webhook::kValidate));
  // The same two routes for the apiserver's plain requests, without
  // cpp-httplib's general parsing (see TlsServer::SetPlainPost).
  server_->SetPlainPost(
      [this](std::string_view path, std::string_view content_type,
             std::string_view body) -> std::optional<PlainAnswer> {
        if (path != "/mutate" && path != "/validate") return std::nullopt;
        HttpReply reply = handler_->Handle(path == "/mutate" ? Webhook::kMutate : Webhook::kValidate, content_type, body);
        return PlainAnswer{reply.status, std::move(reply.body)};
      },
      kAnswerContentType);
  // Fills errors cpp-httplib produces itself (400 on an unreadable request,
  // 413 on an oversized body it was about to read).
  server_->set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        ReplyError(res, res.status,
                   res.status == 404   ? "no such endpoint: the admission server answers POST /mutate and POST /validate"
                   : res.status == 413 ? "the body is larger than the limit"
                                       : "malformed HTTP request");
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    ReplyError(res, 500, "internal error");
  });
}

bool AdmissionServer::Serve() { return server_->Serve(); }

void AdmissionServer::Stop() {
  if (server_) server_->StopServing();
}

}  // namespace keyward
