#include "store/lazy_free.h"

#include <utility>

namespace stashd::store {

LazyFreer::LazyFreer() : thread_([this] { Loop(); }) {}

LazyFreer::~LazyFreer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LazyFreer::Free(std::function<void()> job, uint64_t objects) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(Job{std::move(job), objects});
    pending_ += objects;
  }
  cv_.notify_one();
}

uint64_t LazyFreer::Pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

uint64_t LazyFreer::Freed() const {
  std::lock_guard lock(mu_);
  return freed_;
}

void LazyFreer::ResetFreed() {
  std::lock_guard lock(mu_);
  freed_ = 0;
}

void LazyFreer::WaitIdle() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return jobs_.empty() && !running_job_; });
}

void LazyFreer::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and everything is freed
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    running_job_ = true;
    lock.unlock();
    job.run();
    job.run = nullptr;  // what the job captured is freed here too
    lock.lock();
    running_job_ = false;
    pending_ -= job.objects;
    freed_ += job.objects;
    if (jobs_.empty()) idle_cv_.notify_all();
  }
}

}  // namespace stashd::store
