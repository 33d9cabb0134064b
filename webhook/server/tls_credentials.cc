#include "webhook/server/tls_credentials.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <chrono>
#include <ctime>

#include "webhook/observe/log.h"
#include "webhook/admission/text_file.h"

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

CredentialsLoadResult LoadCredentials(const std::string& certificate_path, const std::string& key_path) {
  CredentialsLoadResult result;
  std::string certificate_pem;
  std::string key_pem;
  if (!ReadTextFile(certificate_path, kMaxPemFileBytes, &certificate_pem, &result.error) ||
      !ReadTextFile(key_path, kMaxPemFileBytes, &key_pem, &result.error)) {
    return result;
  }
  ERR_clear_error();
  auto credentials = std::make_shared<Credentials>();
  BioPtr certificates = MemoryBio(certificate_pem);
  credentials->certificate = PEM_read_bio_X509(certificates.get(), nullptr, NoPassphrase, nullptr);
  if (credentials->certificate == nullptr) {
    result.error = certificate_path + ": not a PEM certificate (" + OpenSslError() + ")";
    return result;
  }
  credentials->chain = sk_X509_new_null();
  while (X509* intermediate = PEM_read_bio_X509(certificates.get(), nullptr, NoPassphrase, nullptr)) {
    sk_X509_push(credentials->chain, intermediate);
  }
  ERR_clear_error();  // the loop ends on "no start line"

  BioPtr key = MemoryBio(key_pem);
  credentials->key = PEM_read_bio_PrivateKey(key.get(), nullptr, NoPassphrase, nullptr);
  if (credentials->key == nullptr) {
    result.error = key_path + ": not an unencrypted PEM private key (" + OpenSslError() + ")";
    return result;
  }
  if (X509_check_private_key(credentials->certificate, credentials->key) != 1) {
    ERR_clear_error();
    result.error = key_path + ": the private key does not match the certificate in " + certificate_path;
    return result;
  }
  credentials->not_after_unix_seconds = AsUnixSeconds(X509_get0_notAfter(credentials->certificate));
  credentials->subject = SubjectOf(credentials->certificate);
  result.credentials = std::move(credentials);
  return result;
}

CredentialStore::CredentialStore(std::string certificate_path, std::string key_path, ServerMetrics* metrics)
    : certificate_path_(std::move(certificate_path)), key_path_(std::move(key_path)), metrics_(metrics) {}

CredentialStore::Loaded CredentialStore::Load() const {
  CredentialsLoadResult loaded = LoadCredentials(certificate_path_, key_path_);
  return {std::move(loaded.credentials), std::move(loaded.error)};
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

void CredentialStore::OnReloadFailed(const std::string& error) {
  metrics_->CountCertificateReload(false);
  LogLine("certificate reload failed; the previous certificate keeps serving").Add("error", error).Error();
}

}  // namespace keyward
