// Fuzzes what the storage service (or anything pretending to be it) sends back and what an
// operator types (src/azure): connection strings, storage URLs, and as HTTP answers through a
// scripted transport the List Blobs XML, the queue's message lists and error bodies. Any bytes
// give a result or a Status, never a crash; a parsed URL's parts are consistent, and an error
// never quotes the account key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "azure/blob_client.h"
#include "azure/credentials.h"
#include "azure/queue_client.h"
#include "http/fake_transport.h"

namespace {

using namespace vivalink;

void Check(bool ok) {
  if (!ok) std::abort();
}

std::shared_ptr<http::FakeTransport> Answering(int status, std::string body) {
  auto t = std::make_shared<http::FakeTransport>();
  t->SetHandler([status, body](const http::Request&) -> core::Result<http::Response> {
    http::Response r;
    r.status = status;
    r.body = body;
    r.headers["x-ms-request-id"] = "fuzz";
    return r;
  });
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cs = azure::ParseConnectionString(text);
  if (cs.ok()) (void)cs->MakeCredential();

  auto url = azure::ParseStorageUrl(text);
  if (url.ok()) {
    Check(url->scheme == "http" || url->scheme == "https");
    Check(!url->host.empty());
    Check(url->ServiceRoot().find('?') == std::string::npos);
  }

  static const auto key = std::shared_ptr<const azure::SharedKeyCredential>(
      std::move(azure::SharedKeyCredential::Make(std::string(azure::kDevStoreAccount),
                                                 azure::kDevStoreKey))
          .value());
  const std::string body(text);
  for (int status : {200, 403}) {
    azure::BlobClientOptions bo;
    bo.transport = Answering(status, body);
    auto blobs = azure::AzureBlobClient::Make("http://127.0.0.1:10000/devstoreaccount1/c", key, bo);
    Check(blobs.ok());
    auto page = (*blobs)->ListBlobs({});
    // The key must not leak from the credential into an error; an answer that itself carries
    // the key's text may be quoted back (the service's own Message), so only check without it.
    if (!page.ok() && text.find(azure::kDevStoreKey) == std::string_view::npos) {
      Check(page.status().message().find(azure::kDevStoreKey) == std::string::npos);
    }
    azure::QueueClientOptions qo;
    qo.transport = Answering(status, body);
    auto queue = azure::QueueClient::Make("http://127.0.0.1:10001/devstoreaccount1/q", key, qo);
    Check(queue.ok());
    (void)(*queue)->Receive({});
    qo.encoding = azure::MessageEncoding::kNone;
    qo.transport = Answering(status, body);
    auto raw = azure::QueueClient::Make("http://127.0.0.1:10001/devstoreaccount1/q", key, qo);
    Check(raw.ok());
    (void)(*raw)->Peek(32);
  }
  return 0;
}
