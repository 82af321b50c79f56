// The worker threads behind parallel_for: started once, parked between calls.
//
// A training step of the MNIST model splits about ten loops over the threads. Starting a
// thread for each costs about 20 microseconds; waking a parked one costs a few. Workers wait
// on a generation counter (C++20 atomic wait, a futex on Linux); a call publishes its job,
// bumps the counter, runs piece 0 itself and waits for the others to finish.
#include "parallel.hpp"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdint>
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
  bool run(std::size_t pieces, const std::function<void(std::size_t)>& piece) {
    std::unique_lock busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    while (workers_started_ + 1 < pieces) start_worker(workers_started_ + 1);
    job_ = &piece;
    pieces_ = pieces;
    // Every worker reports back after every job, even one without a piece for it: so none
    // can still be reading job_ and pieces_ when the next call rewrites them.
    unfinished_.store(workers_started_, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    try {
      piece(0);
    } catch (...) {
      wait_for_workers();  // the job lives on this thread's stack
      throw;
    }
    wait_for_workers();
    return true;
  }

 private:
  void wait_for_workers() {
    spin_while([this] { return unfinished_.load(std::memory_order_acquire) != 0; });
    for (std::size_t left = unfinished_.load(std::memory_order_acquire); left != 0;
         left = unfinished_.load(std::memory_order_acquire)) {
      unfinished_.wait(left, std::memory_order_acquire);
    }
  }

  // Worker `index` (1, 2, ...) runs piece `index` of every job that has that many pieces.
  void start_worker(std::size_t index) {
    std::uint64_t seen = generation_.load(std::memory_order_acquire);
    std::thread([this, index, seen]() mutable {
      for (;;) {
        spin_while([this, seen] { return generation_.load(std::memory_order_acquire) == seen; });
        generation_.wait(seen, std::memory_order_acquire);
        seen = generation_.load(std::memory_order_acquire);
        if (index < pieces_) (*job_)(index);
        if (unfinished_.fetch_sub(1, std::memory_order_acq_rel) == 1) unfinished_.notify_one();
      }
    }).detach();
    ++workers_started_;
  }

  std::mutex busy_;  ///< held by the call using the workers
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> unfinished_{0};
  // Written by the calling thread before generation_ is bumped, read by workers after.
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t pieces_ = 0;
  std::size_t workers_started_ = 0;
};

// Never destroyed: a parallel_for during static destruction still finds its workers, which
// stay parked until the process ends. A forked child has none of the parent's threads, so
// it starts with a fresh pool (the old one is abandoned, not freed: its lock may be held).
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

bool run_on_workers(std::size_t pieces, const std::function<void(std::size_t)>& piece) {
  return the_pool().run(pieces, piece);
}

}  // namespace backflow::detail
