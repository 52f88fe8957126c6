// `vivalink serve`: the poll loop, plus the push model when [push] configures it (PROTOCOL §6).
//
// Threads: the main thread owns the Ingestor (the one database connection) and does all the
// ingestion work: poll passes, hints from the HTTP endpoint (handed over through a bounded
// HintQueue) and Storage Queue messages (received, processed, deleted after the commit). The
// HTTP server's threads only parse, authenticate and queue hints, and read the metrics text the
// main thread last published.

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <thread>

#include "azure/open_store.h"
#include "core/log.h"
#include "core/strings.h"
#include "drop/keys.h"
#include "ingest/commands.h"
#include "ingest/ingestor.h"
#include "ingest/metrics.h"
#include "push/entra.h"
#include "push/hint_queue.h"
#include "push/queue_consumer.h"
#include "push/server.h"
#include "push/tenant_keys.h"

namespace vivalink::ingest {
namespace {

using core::Result;
using core::Status;
using Clock = std::chrono::steady_clock;

std::atomic<bool>* g_signal_stop = nullptr;
extern "C" void OnStopSignal(int /*signo*/) {
  if (g_signal_stop != nullptr) g_signal_stop->store(true);
}

// Installs SIGTERM/SIGINT handlers for its lifetime.
class StopSignals {
 public:
  explicit StopSignals(std::atomic<bool>* flag) {
    g_signal_stop = flag;
    struct sigaction sa {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGTERM, &sa, &old_term_);
    ::sigaction(SIGINT, &sa, &old_int_);
  }
  ~StopSignals() {
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGINT, &old_int_, nullptr);
    g_signal_stop = nullptr;
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_term_ {};
  struct sigaction old_int_ {};
};

class Service {
 public:
  Service(const Config& config, std::atomic<bool>& stop, std::unique_ptr<Ingestor> ingestor)
      : config_(config), stop_(stop), ingestor_(std::move(ingestor)), hints_(1024) {}

  Status Start() {
    PublishMetrics();
    if (!config_.push.listen.empty()) {
      ASSIGN_OR_RETURN(auto address, ParseListenAddress(config_.push.listen));
      push::ServerOptions so;
      so.host = address.first;
      so.port = address.second;
      so.webhook_secret =
          std::string(config_.push.webhook_secret.begin(), config_.push.webhook_secret.end());
      so.events_key = std::string(config_.push.events_key.begin(), config_.push.events_key.end());
      so.events_enabled = config_.push.events;
      so.container = config_.push.container.empty() ? azure::ContainerNameFromUrl(config_.store_url)
                                                    : config_.push.container;
      so.max_body_bytes = static_cast<size_t>(config_.push.max_body_bytes);
      so.read_timeout = std::chrono::seconds(config_.push.request_timeout_seconds);
      so.write_timeout = std::chrono::seconds(config_.push.request_timeout_seconds);
      so.on_hint = [this](const push::DropHint& h) { return hints_.Offer(h); };
      so.metrics = [this] {
        std::lock_guard<std::mutex> lock(mu_);
        return metrics_text_;
      };
      so.healthy = [this] { return healthy_.load(); };
      RETURN_IF_ERROR(ConfigureAuthentication(so));
      ASSIGN_OR_RETURN(server_, push::NotificationServer::Start(std::move(so)));
      VL_LOG_INFO("vivalink serve: listening on {}; /healthz and /metrics on {}", server_->url(),
                  server_->admin_url());
    }
    if (!config_.push.queue_url.empty()) {
      ASSIGN_OR_RETURN(std::shared_ptr<azure::QueueClient> queue,
                       azure::OpenQueueClient(config_.push.queue_url));
      ASSIGN_OR_RETURN(std::string poison_url, push::PoisonQueueUrl(config_.push.queue_url));
      push::QueueConsumerOptions qo;
      qo.visibility_timeout = std::chrono::seconds(config_.push.queue_visibility_seconds);
      qo.max_dequeue_count = config_.push.max_dequeue_count;
      ASSIGN_OR_RETURN(qo.poison, azure::OpenQueueClient(poison_url));
      ASSIGN_OR_RETURN(consumer_, push::QueueConsumer::Make(std::move(queue), std::move(qo)));
      VL_LOG_INFO("vivalink serve: consuming queue {}",
                  config_.push.queue_url.substr(0, config_.push.queue_url.find('?')));
    }
    return core::OkStatus();
  }

  int port() const { return server_ ? server_->port() : 0; }

  void Run() {
    auto next_poll = Clock::now();
    auto next_queue = Clock::now();
    auto queue_backoff = std::chrono::milliseconds(250);
    while (!stop_.load()) {
      if (Clock::now() >= next_poll) {
        Poll();
        next_poll = Clock::now() + config_.poll_interval;
      }
      if (consumer_ && !stop_.load() && Clock::now() >= next_queue) {
        auto handled = consumer_->PollOnce([this](const push::DropHint& h) { return Handle(h); });
        if (!handled.ok()) {
          VL_LOG_WARN("queue {}: {}",
                      config_.push.queue_url.substr(0, config_.push.queue_url.find('?')),
                      handled.status().ToString());
          queue_backoff = std::chrono::milliseconds(5000);
        } else if (*handled > 0) {
          queue_backoff = std::chrono::milliseconds(0);
        } else {
          queue_backoff = std::min(std::chrono::milliseconds(5000),
                                   std::max(std::chrono::milliseconds(250), queue_backoff * 2));
        }
        next_queue = Clock::now() + queue_backoff;
      }
      // Wait for an HTTP hint until the next poll or queue read is due (in short slices, so a
      // stop request is seen quickly).
      auto due = next_poll;
      if (consumer_) due = std::min(due, next_queue);
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now());
      wait = std::clamp(wait, std::chrono::milliseconds(0), std::chrono::milliseconds(200));
      if (auto hint = hints_.WaitPop(wait)) Handle(*hint).IgnoreError();
    }
  }

  void Shutdown() {
    hints_.Close();
    if (server_) server_->Stop();
  }

 private:
  void Poll() {
    auto pass = ingestor_->Pass();
    if (!pass.ok()) {
      ++counters_.poll_errors;
      healthy_ = false;
      VL_LOG_ERROR("ingestion pass failed: {}; retrying in {} s", pass.status().ToString(),
                   config_.poll_interval.count());
    } else {
      ++counters_.polls;
      healthy_ = true;
      counters_.last_poll_unix = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
      if (pass->processed > 0) {
        VL_LOG_INFO("poll: {} done, {} failed, {} quarantined, {} failed upstream, {} rows",
                    pass->done, pass->failed, pass->quarantined, pass->failed_upstream, pass->rows);
      }
    }
    PublishMetrics();
  }

  // One hint, from either channel. The status tells the queue consumer whether to delete the
  // message: OK once the drop is settled (done, known, or nothing to do), an error while the
  // drop failed and will be retried (the message comes back after its visibility timeout).
  // Web activity authentication and the listener's limits from [push] (PROTOCOL §6).
  Status ConfigureAuthentication(push::ServerOptions& so) {
    const PushConfig& p = config_.push;
    if (p.tenant_keys) {
      ASSIGN_OR_RETURN(so.tenant_keys, push::LoadTenantKeys(config_.keystore_dir));
    }
    if (!p.entra_audiences.empty()) {
      push::ValidatorOptions vo;
      vo.authority = p.entra_authority.empty() ? config_.keys.authority : p.entra_authority;
      vo.audiences = p.entra_audiences;
      // Only onboarded customers (a key pair in the keystore) may notify.
      vo.tenant_allowed = [keystore = config_.keystore_dir](std::string_view tenant) {
        std::error_code ec;
        return std::filesystem::exists(drop::KeyStore(keystore).PublicKeyPath(tenant), ec);
      };
      ASSIGN_OR_RETURN(entra_, push::EntraTokenValidator::Create(std::move(vo)));
      so.entra = entra_.get();
    }
    so.events_unauthenticated = p.events_unauthenticated;
    if (p.admin_listen.empty()) {
      so.admin_port = -1;
    } else {
      ASSIGN_OR_RETURN(auto admin, ParseListenAddress(p.admin_listen));
      so.admin_host = admin.first;
      so.admin_port = admin.second;
    }
    so.request_deadline = std::chrono::seconds(p.request_deadline_seconds);
    so.max_connections_per_source = p.max_connections_per_source;
    so.hints_per_second_per_source = p.hints_per_second_per_source;
    so.hint_burst_per_source = p.hint_burst_per_source;
    return core::OkStatus();
  }

  Status Handle(const push::DropHint& hint) {
    const std::string channel(push::HintSourceName(hint.source));
    auto r = ingestor_->Hint(hint.ref);
    if (!r.ok()) {
      ++counters_.hint_errors;
      VL_LOG_WARN("{}: {}", hint.ToString(), r.status().ToString());
      PublishMetrics();
      return r.status();
    }
    ++counters_.hints[{channel, std::string(HintOutcomeName(r->outcome))}];
    Status result = core::OkStatus();
    if (r->outcome == HintOutcome::kProcessed) {
      VL_LOG_INFO("{}: {}{}", hint.ToString(), DropStateName(r->drop.state),
                  r->drop.state == DropState::kDone ? fmt::format(", {} rows", r->drop.rows)
                                                    : std::string());
      if (r->drop.state == DropState::kFailed || r->drop.state == DropState::kPending ||
          r->drop.state == DropState::kProcessing) {
        result = r->drop.error.ok() ? core::UnavailableError("drop not finished; will retry")
                                    : r->drop.error;
      }
    } else {
      VL_LOG_INFO("{}: {}", hint.ToString(), HintOutcomeName(r->outcome));
    }
    PublishMetrics();
    return result;
  }

  void PublishMetrics() {
    auto status = ingestor_->Status();
    std::string text = status.ok() ? PrometheusText(*status, counters_)
                                   : PrometheusText(StatusReport{}, counters_);
    std::lock_guard<std::mutex> lock(mu_);
    metrics_text_ = std::move(text);
  }

  const Config& config_;
  std::atomic<bool>& stop_;
  std::unique_ptr<Ingestor> ingestor_;
  push::HintQueue hints_;
  std::unique_ptr<push::EntraTokenValidator> entra_;  // outlives server_ (declared before it)
  std::unique_ptr<push::NotificationServer> server_;
  std::unique_ptr<push::QueueConsumer> consumer_;
  ServeCounters counters_;  // main thread only
  std::atomic<bool> healthy_{true};
  std::mutex mu_;
  std::string metrics_text_;  // guarded by mu_
};

}  // namespace

Status Serve(const Config& config, const CommandOptions& options,
             const std::function<void(int port)>& on_listening) {
  std::atomic<bool> own_stop{false};
  CommandOptions o = options;
  if (o.stop == nullptr) o.stop = &own_stop;
  o.progress = 0;  // a service logs; it draws no progress line
  StopSignals signals(o.stop);
  ASSIGN_OR_RETURN(auto ingestor, Ingestor::Open(config, o, nullptr));
  Service service(config, *o.stop, std::move(ingestor));
  RETURN_IF_ERROR(service.Start());
  VL_LOG_INFO("vivalink serve: polling {} every {} s",
              config.store_url.substr(0, config.store_url.find('?')), config.poll_interval.count());
  if (on_listening) on_listening(service.port());
  service.Run();
  service.Shutdown();
  VL_LOG_INFO("vivalink serve: stopped");
  return core::OkStatus();
}

}  // namespace vivalink::ingest
