// Fuzzes the Entra ID token check of the push listener (push/entra.h): the input is split at its
// first NUL byte into a bearer token and the JWKS document the (scripted) authority serves. Any
// bytes give an identity or a Status, never a crash, a hang or an exception: the token's header
// and claims are parsed before any signature check, so they are attacker-controlled.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "http/fake_transport.h"
#include "push/entra.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vivalink;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view token = input.substr(0, nul);
  const std::string jwks(nul == std::string_view::npos ? std::string_view()
                                                       : input.substr(nul + 1));

  http::FakeTransport transport;
  transport.SetHandler([&jwks](const http::Request& r) -> core::Result<http::Response> {
    http::Response answer;
    answer.status = 200;
    if (r.url.find("openid-configuration") != std::string::npos) {
      answer.body =
          R"({"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0","jwks_uri":"https://login.microsoftonline.com/common/discovery/v2.0/keys"})";
    } else {
      answer.body = jwks;
    }
    return answer;
  });
  push::ValidatorOptions options;
  options.audiences = {"api://vivalink-partner"};
  options.transport = &transport;
  auto validator = push::EntraTokenValidator::Create(options);
  if (!validator.ok()) std::abort();
  auto identity = (*validator)->Validate(token);
  if (identity.ok() && identity->tenant_id.empty()) std::abort();
  return 0;
}
