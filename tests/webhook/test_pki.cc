#include "tests/webhook/test_pki.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace keyward::testing {
namespace {

EVP_PKEY* NewKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) throw std::runtime_error("EC key generation failed");
  return key;
}

void AddExtension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) throw std::runtime_error("bad certificate extension");
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

X509* NewCertificate(long serial, const std::string& common_name, EVP_PKEY* subject_key) {
  X509* certificate = X509_new();
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

void WritePem(const std::string& path, X509* certificate, EVP_PKEY* key) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) throw std::runtime_error("cannot write " + path);
  const bool ok = certificate != nullptr ? PEM_write_X509(file, certificate) == 1
                                         : PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(file);
  if (!ok) throw std::runtime_error("cannot write PEM to " + path);
}

}  // namespace

TestCertificateAuthority::TestCertificateAuthority() : key_(NewKey()) {
  certificate_ = NewCertificate(1, "keyward test CA", key_);
  X509_set_issuer_name(certificate_, X509_get_subject_name(certificate_));
  AddExtension(certificate_, certificate_, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(certificate_, certificate_, NID_key_usage, "critical,keyCertSign,cRLSign");
  X509_sign(certificate_, key_, EVP_sha256());
}

TestCertificateAuthority::~TestCertificateAuthority() {
  X509_free(certificate_);
  EVP_PKEY_free(key_);
}

void TestCertificateAuthority::WriteCertificate(const std::string& path) const { WritePem(path, certificate_, nullptr); }

long TestCertificateAuthority::Issue(const std::string& certificate_path, const std::string& key_path,
                                     const std::string& common_name) {
  const long serial = next_serial_++;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(NewKey(), &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(NewCertificate(serial, common_name, key.get()), &X509_free);
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(certificate_));
  AddExtension(certificate.get(), certificate_, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  AddExtension(certificate.get(), certificate_, NID_ext_key_usage, "serverAuth");
  X509_sign(certificate.get(), key_, EVP_sha256());
  WritePem(key_path, nullptr, key.get());
  WritePem(certificate_path, certificate.get(), nullptr);
  return serial;
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

}  // namespace keyward::testing
