// The Keras-like progress display of fit().
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace backflow::detail {

/// Prints "12/59 ━━━━━━━━━━━━━━━━━━━━ 1s 25ms/step - accuracy: 0.9034 - loss: 0.3397".
/// On a terminal the line is redrawn in place with an ETA; elsewhere (a log file, a pipe)
/// only the epoch's final line is printed, whole.
class Progress {
 public:
  Progress(std::FILE* out, std::size_t steps);
  /// Ends a live line that finish() never completed (training stopped by an exception), so
  /// the error message that follows starts on a line of its own.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void update(std::size_t step, double loss, double accuracy);
  /// The epoch's last line; `extra` adds e.g. " - val_accuracy: 0.9565 - val_loss: 0.1503".
  void finish(double loss, double accuracy, const std::string& extra);

 private:
  std::string line(std::size_t step, double loss, double accuracy, bool done) const;
  std::FILE* out_;
  std::size_t steps_;
  bool terminal_;
  bool line_open_ = false;  ///< a live line is on the terminal, without its newline
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace backflow::detail
