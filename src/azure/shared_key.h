// Shared Key request signing (Authorization: SharedKey account:signature) for the Blob and Queue
// services, string-to-sign exactly as in AZURE_NOTES (service version 2009-09-19 and later).
// Thread-safe; pure functions.
#pragma once

#include <string>
#include <string_view>

#include "azure/credentials.h"
#include "http/transport.h"

namespace vivalink::azure {

// The canonicalized resource: "/" account + the URL's path exactly as sent (still
// percent-encoded) + for each query parameter, sorted by lower-cased name,
// "\nname:value1,value2" with decoded values. For an Azurite URL
// http://127.0.0.1:10000/devstoreaccount1/c/b this gives "/devstoreaccount1/devstoreaccount1/c/b".
std::string CanonicalizedResource(std::string_view account, std::string_view url);

// The string-to-sign of a request: verb, the eleven standard headers (Content-Length empty when
// 0; taken from the header or, when absent, the buffered body size), the x-ms-* headers
// (lower-cased, sorted, "name:value\n", values trimmed) and the canonicalized resource.
std::string SharedKeyStringToSign(std::string_view account, const http::Request& request);

// Sets the Authorization header of request (which must already carry x-ms-date and
// x-ms-version) to "SharedKey account:base64(HMAC-SHA256(key, string-to-sign))".
void SignSharedKey(const SharedKeyCredential& key, http::Request& request);

}  // namespace vivalink::azure
