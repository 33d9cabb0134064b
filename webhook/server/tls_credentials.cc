#include "webhook/server/tls_credentials.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <chrono>
#include <ctime>

#include "webhook/base/text_file.h"
#include "webhook/observe/log.h"

namespace keyward {
namespace {

constexpr size_t kMaxPemFileBytes = 1u << 20;

std::string OpenSslError() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "no PEM data found";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

// Never prompt for a passphrase: an encrypted key simply fails to load.
int NoPassphrase(char*, int, int, void*) { return 0; }

double AsUnixSeconds(const ASN1_TIME* time) {
  struct tm parts {};
  if (ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return static_cast<double>(timegm(&parts));
}

std::string SubjectOf(X509* certificate) {
  char buffer[256];
  X509_NAME_oneline(X509_get_subject_name(certificate), buffer, sizeof buffer);
  return buffer;
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), &BIO_free);
}

}  // namespace

Credentials::~Credentials() {
  X509_free(certificate);
  sk_X509_pop_free(chain, X509_free);
  EVP_PKEY_free(key);
}

Result<std::shared_ptr<const Credentials>> LoadCredentials(const std::string& certificate_path,
                                                           const std::string& key_path) {
  Result<std::string> certificate_pem = ReadTextFile(certificate_path, kMaxPemFileBytes);
  if (!certificate_pem.ok()) return certificate_pem.status();
  Result<std::string> key_pem = ReadTextFile(key_path, kMaxPemFileBytes);
  if (!key_pem.ok()) return key_pem.status();
  ERR_clear_error();
  auto credentials = std::make_shared<Credentials>();
  BioPtr certificates = MemoryBio(certificate_pem.value());
  credentials->certificate = PEM_read_bio_X509(certificates.get(), nullptr, NoPassphrase, nullptr);
  if (credentials->certificate == nullptr) {
    return Status::Error("not a PEM certificate (" + OpenSslError() + ")", certificate_path);
  }
  credentials->chain = sk_X509_new_null();
  while (X509* intermediate = PEM_read_bio_X509(certificates.get(), nullptr, NoPassphrase, nullptr)) {
    sk_X509_push(credentials->chain, intermediate);
  }
  ERR_clear_error();  // the loop ends on "no start line"

  BioPtr key = MemoryBio(key_pem.value());
  credentials->key = PEM_read_bio_PrivateKey(key.get(), nullptr, NoPassphrase, nullptr);
  if (credentials->key == nullptr) {
    return Status::Error("not an unencrypted PEM private key (" + OpenSslError() + ")", key_path);
  }
  if (X509_check_private_key(credentials->certificate, credentials->key) != 1) {
    ERR_clear_error();
    return Status::Error("the private key does not match the certificate in " + certificate_path, key_path);
  }
  credentials->not_after_unix_seconds = AsUnixSeconds(X509_get0_notAfter(credentials->certificate));
  credentials->subject = SubjectOf(credentials->certificate);
  return std::shared_ptr<const Credentials>(std::move(credentials));
}

CredentialStore::CredentialStore(std::string certificate_path, std::string key_path, ServerMetrics* metrics)
    : certificate_path_(std::move(certificate_path)), key_path_(std::move(key_path)), metrics_(metrics) {}

Result<std::shared_ptr<const Credentials>> CredentialStore::Load() const {
  return LoadCredentials(certificate_path_, key_path_);
}

void CredentialStore::OnLoaded(const Credentials& credentials, bool initial) {
  if (!initial) metrics_->CountCertificateReload(true);
  metrics_->SetCertificateExpiry(credentials.not_after_unix_seconds);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto line = LogLine("serving certificate loaded");
  line.Add("certificate", certificate_path_)
      .Add("subject", credentials.subject)
      .Add("not_after_unix", static_cast<int64_t>(credentials.not_after_unix_seconds));
  if (credentials.not_after_unix_seconds < now) {
    line.Add("expired", true).Warn();
  } else {
    line.Info();
  }
}

void CredentialStore::OnReloadFailed(const Status& error) {
  metrics_->CountCertificateReload(false);
  LogLine("certificate reload failed; the previous certificate keeps serving").Add("error", error.ToString()).Error();
}

}  // namespace keyward
