// Splitting a long loop over the configured number of threads (see set_num_threads).
#pragma once

#include <backflow/tensor.hpp>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace backflow::detail {

/// A job for the workers: run(context, p) runs piece p. (A plain function pointer and
/// context rather than std::function: nothing to allocate per call.)
struct PieceJob {
  void (*run)(const void* context, std::size_t piece);
  const void* context;
};

/// Runs pieces 0 .. pieces - 1 of `job` at the same time, piece 0 on the calling thread and
/// the others on backflow's parked worker threads (worker_pool.cpp), and rethrows the first
/// exception a piece threw once all are done. Returns false, having run nothing, when the
/// workers are busy with another call (a second thread calling in, or a call from inside a
/// piece); the caller then starts threads of its own.
bool run_on_workers(std::size_t pieces, PieceJob job);

/// Calls body(begin, end) on contiguous pieces of [0, n), in parallel when n is large
/// enough to be worth it (each piece at least `min_piece` long). Pieces are non-empty,
/// except that n == 0 makes one call body(0, 0).
template <class Body>
void parallel_for(std::size_t n, std::size_t min_piece, Body body) {
  const auto threads = static_cast<std::size_t>(std::max(1, num_threads()));
  const std::size_t pieces = std::min(threads, std::max<std::size_t>(1, n / std::max<std::size_t>(1, min_piece)));
  if (pieces <= 1) {
    body(std::size_t{0}, n);
    return;
  }
  // Even shares, so that no piece starts past the end (pieces <= n here).
  auto run_piece = [&body, pieces, n](std::size_t p) { body(p * n / pieces, (p + 1) * n / pieces); };
  const PieceJob job{[](const void* context, std::size_t p) { (*static_cast<const decltype(run_piece)*>(context))(p); },
                     &run_piece};
  if (run_on_workers(pieces, job)) return;
  std::vector<std::exception_ptr> errors(pieces);
  {
    std::vector<std::jthread> helpers;
    for (std::size_t p = 1; p < pieces; ++p) {
      helpers.emplace_back([&run_piece, &errors, p] {
        try {
          run_piece(p);
        } catch (...) {
          errors[p] = std::current_exception();
        }
      });
    }
    run_piece(0);  // this thread takes the first piece (if it throws, the helpers are joined first)
  }
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

/// The fewest rows of `columns` floats worth giving a thread of their own: waking a parked
/// worker and waiting for it costs a few microseconds, so a piece should hold at least 64K
/// elements.
inline std::size_t rows_per_thread(std::size_t columns) {
  constexpr std::size_t elements_per_piece = 64 * 1024;
  return std::max<std::size_t>(1, elements_per_piece / std::max<std::size_t>(1, columns));
}

}  // namespace backflow::detail
