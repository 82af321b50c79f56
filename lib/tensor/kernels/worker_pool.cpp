// The worker threads behind parallel_for: started once, parked between calls.
//
// A training step of the MNIST model splits about ten loops over the threads. Starting a
// thread for each costs about 20 microseconds; waking a parked one costs a few. Each worker
// waits on its own generation counter (C++20 atomic wait, a futex on Linux); a call
// publishes its job, bumps the counters of the workers it needs, runs piece 0 itself and
// waits until those workers have reported back. Workers it does not need stay parked and
// never look at the job.
#include "parallel.hpp"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>

namespace backflow::detail {
namespace {

// Checks `condition` for up to 50 microseconds before the caller parks: the loops of one
// training step follow each other within microseconds, and a wake-up through the kernel
// takes longer than that on a virtual machine. The spinning thread holds a core that
// would otherwise sit idle between those loops.
template <class Condition>
void spin_while(Condition condition) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
  while (condition()) {
    for (int i = 0; i < 64; ++i) {
      if (!condition()) return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    if (std::chrono::steady_clock::now() > until) return;
  }
}

class WorkerPool {
 public:
  bool run(std::size_t pieces, PieceJob job) {
    // Taken without blocking: a second caller, or a call from inside a piece (even on this
    // very thread), finds it held and runs without the workers.
    bool expected = false;
    if (!busy_.compare_exchange_strong(expected, true, std::memory_order_acquire)) return false;
    struct Release {
      std::atomic<bool>& busy;
      ~Release() { busy.store(false, std::memory_order_release); }
    } release{busy_};

    while (workers_.size() + 1 < pieces) start_worker();
    job_ = job;
    const std::size_t helpers = pieces - 1;
    unfinished_.store(helpers, std::memory_order_relaxed);
    for (std::size_t w = 0; w < helpers; ++w) {
      workers_[w]->generation.fetch_add(1, std::memory_order_release);
      workers_[w]->generation.notify_one();
    }
    std::exception_ptr first_error;
    try {
      job.run(job.context, 0);
    } catch (...) {
      first_error = std::current_exception();
    }
    wait_for_workers();  // also when piece 0 threw: the job lives on the caller's stack
    for (std::size_t w = 0; w < helpers && !first_error; ++w) first_error = workers_[w]->error;
    for (std::size_t w = 0; w < helpers; ++w) workers_[w]->error = nullptr;
    if (first_error) std::rethrow_exception(first_error);
    return true;
  }

 private:
  struct Worker {
    std::atomic<std::uint64_t> generation{0};  ///< bumped once per job this worker takes part in
    std::exception_ptr error;                  ///< what its piece threw, read after it reports back
  };

  void wait_for_workers() {
    spin_while([this] { return unfinished_.load(std::memory_order_acquire) != 0; });
    for (std::size_t left = unfinished_.load(std::memory_order_acquire); left != 0;
         left = unfinished_.load(std::memory_order_acquire)) {
      unfinished_.wait(left, std::memory_order_acquire);
    }
  }

  // Worker w runs piece w + 1 of every job that wakes it. The worker joins the list only
  // once its thread runs: if the thread cannot be started, the exception leaves no entry
  // behind that a later job would wait on forever.
  void start_worker() {
    auto owned = std::make_unique<Worker>();
    Worker* worker = owned.get();
    const std::size_t piece_index = workers_.size() + 1;
    workers_.reserve(workers_.size() + 1);  // so that the push_back below cannot throw
    std::thread([this, worker, piece_index] {
      std::uint64_t seen = 0;
      for (;;) {
        spin_while([worker, seen] { return worker->generation.load(std::memory_order_acquire) == seen; });
        worker->generation.wait(seen, std::memory_order_acquire);
        seen = worker->generation.load(std::memory_order_acquire);
        try {
          job_.run(job_.context, piece_index);
        } catch (...) {
          worker->error = std::current_exception();
        }
        if (unfinished_.fetch_sub(1, std::memory_order_acq_rel) == 1) unfinished_.notify_one();
      }
    }).detach();
    workers_.push_back(std::move(owned));
  }

  std::atomic<bool> busy_{false};  ///< held by the call using the workers
  std::atomic<std::size_t> unfinished_{0};
  // Written by the calling thread before it bumps a worker's generation, read by that worker after.
  PieceJob job_{};
  std::vector<std::unique_ptr<Worker>> workers_;  ///< only touched while busy_ is held
};

// Never destroyed: a parallel_for during static destruction still finds its workers, which
// stay parked until the process ends. A forked child has none of the parent's threads, so
// it starts with a fresh pool (the old one is abandoned, not freed: it may look busy).
WorkerPool* pool = nullptr;
std::once_flag pool_once;

WorkerPool& the_pool() {
  std::call_once(pool_once, [] {
    pool = new WorkerPool;
    pthread_atfork(nullptr, nullptr, [] { pool = new WorkerPool; });
  });
  return *pool;
}

}  // namespace

bool run_on_workers(std::size_t pieces, PieceJob job) { return the_pool().run(pieces, job); }

}  // namespace backflow::detail
