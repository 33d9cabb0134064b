// Certificates made inside the tests with the OpenSSL API, fresh key
// material every run: a throwaway CA issuing serving certificates, and
// self-signed ones (for rotation drills), all EC P-256 and valid for
// 127.0.0.1, ::1 and localhost.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

namespace keyward::testing {

struct TestCertificate {
  std::string certificate_pem;
  std::string key_pem;  // unencrypted PKCS#8
  std::string common_name;
  long serial = 0;
};

class TestCertificateAuthority {
 public:
  TestCertificateAuthority();
  ~TestCertificateAuthority();
  TestCertificateAuthority(const TestCertificateAuthority&) = delete;
  TestCertificateAuthority& operator=(const TestCertificateAuthority&) = delete;

  void WriteCertificate(const std::string& path) const;

  // A serving certificate with a fresh key, signed by this CA.
  TestCertificate Issue(const std::string& common_name);
  // The same, written as PEM files; returns the certificate's serial.
  long Issue(const std::string& certificate_path, const std::string& key_path, const std::string& common_name);

 private:
  EVP_PKEY* key_ = nullptr;
  X509* certificate_ = nullptr;
  long next_serial_ = 2;
};

// A self-signed serving certificate; `common_name` tells certificates apart
// (e.g. "rotation-3").
TestCertificate MakeSelfSignedCertificate(const std::string& common_name);

// The serial number of a PEM certificate file's first certificate, or -1.
long SerialOfCertificateFile(const std::string& path);

// The base64 lines of a PEM block (the secret part of a key file), for
// checking that none of it shows up anywhere.
std::string PemBody(const std::string& pem);

}  // namespace keyward::testing
