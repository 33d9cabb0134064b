// Certificates made inside the tests with the OpenSSL API: a throwaway CA
// and serving certificates for 127.0.0.1 / localhost signed by it.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

namespace keyward::testing {

class TestCertificateAuthority {
 public:
  TestCertificateAuthority();
  ~TestCertificateAuthority();
  TestCertificateAuthority(const TestCertificateAuthority&) = delete;
  TestCertificateAuthority& operator=(const TestCertificateAuthority&) = delete;

  void WriteCertificate(const std::string& path) const;

  // Issues a serving certificate for 127.0.0.1 and localhost with a fresh
  // EC P-256 key, writes both as PEM, and returns the certificate's serial.
  long Issue(const std::string& certificate_path, const std::string& key_path, const std::string& common_name);

 private:
  EVP_PKEY* key_ = nullptr;
  X509* certificate_ = nullptr;
  long next_serial_ = 2;
};

// The serial number of a PEM certificate file's first certificate.
long SerialOfCertificateFile(const std::string& path);

}  // namespace keyward::testing
