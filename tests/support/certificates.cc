#include "tests/support/certificates.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "tests/support/files.h"

namespace keyward::testing {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

constexpr char kServingNames[] = "IP:127.0.0.1,IP:::1,DNS:localhost";

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL failed to ") + what);
}

EVP_PKEY* NewKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  Check(key != nullptr, "generate a P-256 key");
  return key;
}

void AddExtension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  Check(extension != nullptr, "make an extension");
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `subject_key`, valid from a minute ago for a day; the
// caller sets the issuer, adds extensions and signs.
X509* NewCertificate(long serial, const std::string& common_name, EVP_PKEY* subject_key) {
  X509* certificate = X509_new();
  Check(certificate != nullptr, "allocate a certificate");
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), serial);
  X509_gmtime_adj(X509_getm_notBefore(certificate), -60);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 24L * 3600);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_pubkey(certificate, subject_key);
  return certificate;
}

std::string CertificatePem(X509* certificate) {
  Bio bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(bio.get(), certificate) == 1, "write a certificate");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string KeyPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "write a key");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// A serving certificate for `key`, signed by `issuer_key` (the issuer's
// certificate, or null for a self-signed one).
TestCertificate Serving(long serial, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key) {
  Key key(NewKey());
  Certificate certificate(NewCertificate(serial, common_name, key.get()));
  X509* signer = issuer != nullptr ? issuer : certificate.get();
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(signer));
  AddExtension(certificate.get(), signer, NID_subject_alt_name, kServingNames);
  AddExtension(certificate.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
  // clientAuth too: the same certificates authenticate clients to test servers.
  AddExtension(certificate.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
  Check(X509_sign(certificate.get(), issuer_key != nullptr ? issuer_key : key.get(), EVP_sha256()) > 0,
        "sign a certificate");
  return {CertificatePem(certificate.get()), KeyPem(key.get()), common_name, serial};
}

}  // namespace

TestCertificateAuthority::TestCertificateAuthority() : key_(NewKey()) {
  certificate_ = NewCertificate(1, "keyward test CA", key_);
  X509_set_issuer_name(certificate_, X509_get_subject_name(certificate_));
  AddExtension(certificate_, certificate_, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(certificate_, certificate_, NID_key_usage, "critical,keyCertSign,cRLSign");
  Check(X509_sign(certificate_, key_, EVP_sha256()) > 0, "sign the CA certificate");
}

TestCertificateAuthority::~TestCertificateAuthority() {
  X509_free(certificate_);
  EVP_PKEY_free(key_);
}

void TestCertificateAuthority::WriteCertificate(const std::string& path) const {
  WriteFile(path, CertificatePem(certificate_));
}

TestCertificate TestCertificateAuthority::Issue(const std::string& common_name) {
  return Serving(next_serial_++, common_name, certificate_, key_);
}

long TestCertificateAuthority::Issue(const std::string& certificate_path, const std::string& key_path,
                                     const std::string& common_name) {
  const TestCertificate issued = Issue(common_name);
  WriteFile(key_path, issued.key_pem);
  WriteFile(certificate_path, issued.certificate_pem);
  return issued.serial;
}

TestCertificate MakeSelfSignedCertificate(const std::string& common_name) {
  static std::atomic<long> serial{1};
  return Serving(serial++, common_name, nullptr, nullptr);
}

long SerialOfCertificateFile(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return -1;
  X509* certificate = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (certificate == nullptr) return -1;
  const long serial = ASN1_INTEGER_get(X509_get0_serialNumber(certificate));
  X509_free(certificate);
  return serial;
}

std::string PemBody(const std::string& pem) {
  std::istringstream lines(pem);
  std::string body;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("-----")) body += line;
  }
  return body;
}

}  // namespace keyward::testing
