// Frees detached data on a background thread, as Redis's lazyfree (bio)
// thread does for FLUSHDB/FLUSHALL ASYNC: the keyspace unlinks a database's
// indexes in O(shards) under its locks and hands them here, so no client
// waits while millions of entries are freed.
//
// Thread safety: every method may be called from any thread. A job must own
// what it frees: it runs later, with no lock held.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace stashd::store {

class LazyFreer {
 public:
  LazyFreer();
  // Runs the jobs still queued, then stops the thread.
  ~LazyFreer();
  LazyFreer(const LazyFreer&) = delete;
  LazyFreer& operator=(const LazyFreer&) = delete;

  // Queues `job`, which frees `objects` entries (counted in Pending()).
  void Free(std::function<void()> job, uint64_t objects);

  // Entries queued and not yet freed (INFO's lazyfree_pending_objects).
  uint64_t Pending() const;
  // Entries freed by the thread since start or ResetFreed() (INFO's
  // lazyfreed_objects).
  uint64_t Freed() const;
  void ResetFreed();

  // Waits until every job queued so far has run (tests, shutdown).
  void WaitIdle();

 private:
  struct Job {
    std::function<void()> run;
    uint64_t objects;
  };
  void Loop();

  mutable std::mutex mu_;
  std::condition_variable cv_;       // a job was queued, or stop_
  std::condition_variable idle_cv_;  // the queue drained
  std::deque<Job> jobs_;
  uint64_t pending_ = 0;
  uint64_t freed_ = 0;
  bool running_job_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace stashd::store
