// Self-signed serving certificates made in the test, with OpenSSL: an EC
// P-256 key and a certificate for 127.0.0.1 and localhost, so every test
// run uses fresh key material and no file outside the test is needed.
#pragma once

#include <string>

namespace keyward::hardening {

struct TestCertificate {
  std::string certificate_pem;
  std::string key_pem;  // unencrypted PKCS#8
  std::string common_name;
};

// `common_name` tells certificates apart (e.g. "rotation-3").
TestCertificate MakeSelfSignedCertificate(const std::string& common_name);

// The base64 lines of a PEM block (the secret part of a key file), for
// checking that none of it shows up anywhere.
std::string PemBody(const std::string& pem);

}  // namespace keyward::hardening
