#include "server/net/push_mailbox.h"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <utility>

#include "server/net/connection.h"

namespace stashd::server {
namespace asio = boost::asio;

asio::execution_context::id PushMailbox::id;

PushMailbox::PushMailbox(asio::execution_context& context)
    : asio::execution_context::service(context) {}

PushMailbox& PushMailbox::Of(const asio::any_io_executor& executor) {
  return asio::use_service<PushMailbox>(
      asio::query(executor, asio::execution::context_as<asio::execution_context&>));
}

void PushMailbox::Post(const asio::any_io_executor& executor, std::weak_ptr<Connection> to,
                       Push push) {
  {
    std::lock_guard lock(mu_);
    queued_.push_back({std::move(to), std::move(push)});
    if (posted_) return;
    posted_ = true;
  }
  asio::post(executor, [this] { Drain(); });
}

void PushMailbox::Drain() {
  {
    std::lock_guard lock(mu_);
    draining_.swap(queued_);
    posted_ = false;
  }
  // Every item first, then one flush per connection: a subscriber that got
  // several messages in the batch sends them with one write.
  for (Item& item : draining_) {
    if (auto conn = item.to.lock()) {
      if (conn->DeliverPush(item.push)) to_flush_.push_back(std::move(conn));
    }
  }
  draining_.clear();
  for (const auto& conn : to_flush_) conn->FlushPushes();
  to_flush_.clear();
}

}  // namespace stashd::server
