// PushMailbox: the Pub/Sub messages, invalidations and MONITOR lines bound
// for the connections of one io_context, handed over in batches.
//
// PUBLISH to a channel with many subscribers used to post one handler per
// subscriber: an allocation, a lock of the io_context's queue and possibly a
// wake-up of its thread each. The mailbox queues (connection, message) pairs
// instead and posts one handler per batch, which delivers every queued item
// in the order it was queued — so one publisher's messages still arrive as
// published, and a client's messages and invalidations keep their order.
//
// One mailbox per io_context, made on first use (an Asio service).
//
// Thread safety: Post() may be called from any thread; deliveries run on the
// io_context's thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <memory>
#include <mutex>
#include <variant>
#include <vector>

#include "server/exec/monitor.h"
#include "server/exec/pubsub.h"
#include "server/exec/tracking.h"

namespace stashd::server {

class Connection;

class PushMailbox : public boost::asio::execution_context::service {
 public:
  using Push = std::variant<PubSubMessage, InvalidationMessage, MonitorLine>;

  static boost::asio::execution_context::id id;

  explicit PushMailbox(boost::asio::execution_context& context);

  // The mailbox of the io_context `executor` runs on.
  static PushMailbox& Of(const boost::asio::any_io_executor& executor);

  // Queues `push` for `to` (dropped if the connection is gone by then) and
  // makes sure a delivery handler is posted to `executor`.
  void Post(const boost::asio::any_io_executor& executor, std::weak_ptr<Connection> to, Push push);

 private:
  struct Item {
    std::weak_ptr<Connection> to;
    Push push;
  };

  void shutdown() override {}
  // On the io thread: delivers everything queued so far.
  void Drain();

  std::mutex mu_;
  std::vector<Item> queued_;                           // guarded by mu_
  bool posted_ = false;                                // guarded by mu_: a Drain() is on its way
  std::vector<Item> draining_;                         // the io thread's own
  std::vector<std::shared_ptr<Connection>> to_flush_;  // the io thread's own
};

}  // namespace stashd::server
