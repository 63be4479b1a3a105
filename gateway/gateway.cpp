#include "gateway/gateway.h"

#include "gateway/db/migrator.h"
#include "gateway/logging.h"

#include <thread>

namespace omnigate::gateway {

Gateway::Gateway(Config config) : config_(std::move(config)) {}

Gateway::~Gateway() {
  // Order matters: writers finish before the pool, the pool before the cluster.
  front_.reset();
  if (realtime_) realtime_->stop();
  if (bus_) bus_->stop();
  if (delivery_feed_) delivery_feed_->stop();
  stop_queue();
  conversation_feed_.reset();  // it holds the hub, which is destroyed before it
  if (dispatcher_) dispatcher_->stop();
  if (imap_poller_) imap_poller_->stop();
  imap_poller_.reset();
  if (puller_) puller_->stop();
  puller_.reset();
  if (group_commit_) group_commit_->stop();
  group_commit_.reset();
  pool_.reset();
  database_.reset();
}

int Gateway::start() {
  database_ = std::make_unique<Database>(config_);
  {
    db::PgConnection c(database_->conninfo());
    int applied = db::apply_migrations(c);
    spdlog::info("event=db.migrated applied={} version={}", applied, db::migration_status(c).applied);
  }
  pool_ = std::make_unique<db::ConnectionPool>(database_->conninfo(), static_cast<size_t>(config_.db_pool_size));
  messages_ = std::make_unique<store::MessageStore>(*pool_);
  channels_ = std::make_unique<store::ChannelStore>(*pool_);
  agents_ = std::make_unique<store::AgentStore>(*pool_);
  conversations_ = std::make_unique<store::ConversationStore>(*pool_);
  contacts_ = std::make_unique<store::ContactStore>(*pool_);
  metrics_ = std::make_unique<Metrics>();
  channel_cache_ = std::make_unique<ChannelCache>(*channels_, std::chrono::seconds(2));
  adapters_ = std::make_unique<adapters::Registry>(adapters::builtin_registry());

  Histogram& batch_latency = metrics_->histogram("omnigate_ingest_commit_duration_seconds",
                                                 "Time to persist and commit one group-commit batch");
  Histogram& batch_size = metrics_->histogram("omnigate_ingest_batch_messages", "Messages per group-commit batch", "",
                                              {1, 2, 4, 8, 16, 32, 64, 128, 256, 512});
  bus_ = std::make_unique<realtime::PgEventBus>(database_->conninfo(), *messages_, *pool_,
                                                config_.cluster_events_enabled());
  hub_ = std::make_unique<realtime::Hub>();
  realtime::Hub* hub = hub_.get();
  bus_->subscribe([hub](const realtime::MessageEvent& e) { hub->on_event(e); });
  bus_->on_missed([hub] { hub->catch_up_all(); });
  realtime::EventBus* bus = bus_.get();
  group_commit_ = std::make_unique<store::GroupCommit>(
      *messages_,
      store::GroupCommit::Options{static_cast<size_t>(config_.ingest_writers),
                                  static_cast<size_t>(config_.ingest_max_batch)},
      [&batch_latency, &batch_size](size_t n, std::chrono::microseconds took) {
        batch_latency.observe(static_cast<double>(took.count()) / 1e6);
        batch_size.observe(static_cast<double>(n));
      },
      [bus](const std::vector<store::StoredMessage>& stored) {
        std::vector<realtime::MessageEvent> events;
        for (const auto& s : stored)
          if (!s.duplicate) events.push_back({s.message});
        bus->publish(events);
      });
  db::ConnectionPool* pool = pool_.get();
  metrics_->gauge("omnigate_db_pool_size", "Most connections the pool opens", [pool] { return double(pool->stats().size); });
  metrics_->gauge("omnigate_db_pool_open", "Database connections open", [pool] { return double(pool->stats().open); });
  metrics_->gauge("omnigate_db_pool_in_use", "Database connections in use", [pool] { return double(pool->stats().in_use); });
  metrics_->gauge("omnigate_db_pool_waiting", "Callers waiting for a connection", [pool] { return double(pool->stats().waiting); });

  outbox_ = std::make_unique<store::OutboxStore>(*pool_);
  Dispatcher::Options dopt;
  dopt.workers = config_.outbox_workers;
  dopt.backoff_base = std::chrono::milliseconds(config_.outbox_backoff_base_ms);
  dopt.max_attempts = config_.outbox_max_attempts;
  Metrics* metrics = metrics_.get();
  dispatcher_ = std::make_unique<Dispatcher>(
      *outbox_, *channel_cache_, *adapters_, dopt, [metrics](const adapters::Outbound&, const adapters::Delivery& d) {
        const char* outcome = d.outcome == adapters::Delivery::Outcome::sent    ? "sent"
                              : d.outcome == adapters::Delivery::Outcome::retry ? "retry"
                                                                                : "failed";
        metrics->counter("omnigate_deliveries_total", "Outbound delivery attempts by outcome",
                         std::string("outcome=\"") + outcome + "\"")
            .inc();
      });
  store::OutboxStore* outbox = outbox_.get();
  metrics_->gauge("omnigate_outbox_pending", "Outbound messages not yet delivered",
                  [outbox] { return static_cast<double>(outbox->pending_count()); });

  puller_ = std::make_unique<Puller>(*pool_, *group_commit_, *adapters_);
  // Email: threading and attachment bytes before the group commit, for the
  // relay path and the IMAP poller alike.
  email_threads_ = std::make_unique<store::EmailThreadStore>(*pool_);
  blobs_ = std::make_unique<store::BlobStore>(*pool_);
  email_inbound_ = std::make_unique<EmailInbound>(*email_threads_, *blobs_, *metrics_);
  preparers_ = std::make_unique<InboundPreparers>();
  preparers_->add(schema::ChannelType::email, *email_inbound_);
  imap_poller_ = std::make_unique<ImapPoller>(*pool_, *channels_, *group_commit_, *email_inbound_, *metrics_);
  lifecycle_ = std::make_unique<store::LifecycleStore>(*pool_);
  assignments_ = std::make_unique<store::AssignmentStore>(*pool_);
  Counter& assigned = metrics_->counter("omnigate_assignments_total", "Routing decisions by outcome", "outcome=\"assigned\"");
  Counter& offered = metrics_->counter("omnigate_assignments_total", "Routing decisions by outcome", "outcome=\"offered\"");
  Counter& lost = metrics_->counter("omnigate_assignments_total", "Routing decisions by outcome", "outcome=\"lost\"");
  assigner_ = std::make_unique<Assigner>(*assignments_, Assigner::Options{},
                                         [&assigned, &offered, &lost](const Assigner::PassResult& r) {
                                           assigned.inc(static_cast<std::uint64_t>(r.assigned));
                                           offered.inc(static_cast<std::uint64_t>(r.offered));
                                           lost.inc(static_cast<std::uint64_t>(r.lost));
                                         });
  queue_monitor_ = std::make_unique<QueueMonitor>(*assignments_, *hub_, QueueMonitor::Options{});
  QueueMonitor* monitor = queue_monitor_.get();
  metrics_->gauge("omnigate_queue_length", "Conversations waiting for an agent (all nodes)",
                  [monitor] { return static_cast<double>(monitor->length()); });
  Assigner* assigner = assigner_.get();
  QueueMonitor* queue_monitor = queue_monitor_.get();
  conversation_feed_ = std::make_unique<realtime::ConversationFeed>(
      database_->conninfo(), *conversations_, *agents_, *hub_,
      realtime::ConversationFeed::Hooks{[assigner] { assigner->poke(); }, [queue_monitor] { queue_monitor->poke(); }});
  // Delivery state changes of every node, as agents' message.updated events.
  delivery_feed_ = std::make_unique<realtime::DeliveryFeed>(database_->conninfo(), *hub_);
  services_ = std::make_unique<Services>(Services{config_, *pool_, *messages_, *channels_, *agents_, *conversations_,
                                                  *group_commit_, *channel_cache_, *adapters_, *metrics_,
                                                  *dispatcher_, *hub_, *puller_, *contacts_, *preparers_, *blobs_,
                                                  *imap_poller_, *lifecycle_, *assignments_, *queue_monitor_,
                                                  *outbox_});
  front_ = std::make_unique<http::Front>(*services_);
  int port = front_->bind();
  realtime::ServerOptions ro;
  HostPort rt = config_.realtime_address();
  ro.listen = rt.host + ":" + std::to_string(rt.port);
  if (rt.host.find(':') != std::string::npos) ro.listen = "[" + rt.host + "]:" + std::to_string(rt.port);
  ro.io_threads = config_.realtime_threads;
  ro.max_message_bytes = static_cast<size_t>(config_.realtime_max_message_bytes);
  ro.idle_timeout_s = config_.realtime_idle_timeout_s;
  ro.send_queue_limit = static_cast<size_t>(config_.realtime_send_queue);
  ro.presence_grace_ms = config_.presence_grace_ms;
  realtime_ = std::make_unique<realtime::Server>(ro, *services_, *hub_);
  realtime_port_ = realtime_->bind();
  // With port 0 the system picked one: the config now names it, so
  // GET /v1/config tells browsers where the hub really is.
  if (rt.port == 0)
    config_.realtime_listen = ro.listen.substr(0, ro.listen.rfind(':') + 1) + std::to_string(realtime_port_);
  realtime_->start();
  bus_->start();
  conversation_feed_->start();
  delivery_feed_->start();
  assigner_->start();
  queue_monitor_->start();
  spdlog::info("event=gateway.realtime_listening address={} port={}", q(ro.listen), realtime_port_);
  if (config_.outbox_workers > 0) dispatcher_->start();
  imap_poller_->start();
  spdlog::info("event=gateway.listening http={} port={}", q(config_.listen), port);
  return port;
}

void Gateway::run() {
  serving_ = true;
  if (!stop_requested_) front_->run();
  serving_ = false;
  spdlog::info("event=gateway.draining");
  realtime_->stop();
  bus_->stop();
  delivery_feed_->stop();
  stop_queue();
  dispatcher_->stop();
  imap_poller_->stop();
  puller_->stop();
  group_commit_->stop();
  auto st = group_commit_->stats();
  spdlog::info("event=gateway.stopped batches={} messages={}", st.batches, st.messages);
}

void Gateway::stop_queue() {
  if (conversation_feed_) conversation_feed_->stop();
  if (assigner_) assigner_->stop();
  if (queue_monitor_) queue_monitor_->stop();
}

void Gateway::stop() {
  stop_requested_ = true;
  if (!front_) return;
  // A stop that lands just before the server loop starts listening would be
  // lost, so repeat it until run() has left the loop.
  do {
    front_->stop();
    if (serving_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (serving_);
}

}  // namespace omnigate::gateway
