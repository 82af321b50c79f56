#include "progress.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace backflow::detail {
namespace {

std::string duration_text(double seconds) {
  const long whole = static_cast<long>(seconds + 0.5);
  if (whole < 60) return fmt::format("{}s", whole);
  return fmt::format("{}:{:02}", whole / 60, whole % 60);
}

}  // namespace

Progress::Progress(std::FILE* out, std::size_t steps)
    : out_(out),
      steps_(steps),
      terminal_(out != nullptr && isatty(fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

std::string Progress::line(std::size_t step, double loss, double accuracy, bool done) const {
  constexpr std::size_t width = 20;
  const std::size_t filled = steps_ == 0 ? width : width * step / steps_;
  std::string bar;
  for (std::size_t i = 0; i < width; ++i) bar += i < filled ? "━" : "─";
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double per_step = step == 0 ? 0.0 : elapsed / static_cast<double>(step);
  const std::string time = done ? duration_text(elapsed)
                                : fmt::format("ETA {}", duration_text(per_step * static_cast<double>(steps_ - step)));
  // Keras' unit: ms/step, or us/step below a millisecond (where ms would read "0ms/step").
  const std::string pace = per_step >= 1e-3 || per_step == 0.0 ? fmt::format("{:.0f}ms/step", per_step * 1e3)
                                                               : fmt::format("{:.0f}us/step", per_step * 1e6);
  return fmt::format("{}/{} {} {} {} - accuracy: {:.4f} - loss: {:.4f}", step, steps_, bar, time, pace, accuracy, loss);
}

Progress::~Progress() {
  if (!line_open_) return;
  std::fputc('\n', out_);  // not fmt::print: a destructor must not throw
  std::fflush(out_);
}

void Progress::update(std::size_t step, double loss, double accuracy) {
  if (!terminal_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && step != steps_) return;  // do not flood the terminal
  last_draw_ = now;
  fmt::print(out_, "\r{}\x1b[K", line(step, loss, accuracy, false));
  line_open_ = true;
  std::fflush(out_);
}

void Progress::finish(double loss, double accuracy, const std::string& extra) {
  if (out_ == nullptr) return;
  // On a terminal this overwrites the live line, which may be longer ("ETA 1:05" against "5s"):
  // \x1b[K clears what is left of it. A log file gets the line alone.
  if (terminal_) {
    fmt::print(out_, "\r{}{}\x1b[K\n", line(steps_, loss, accuracy, true), extra);
  } else {
    fmt::print(out_, "{}{}\n", line(steps_, loss, accuracy, true), extra);
  }
  line_open_ = false;  // only now: if printing threw, the destructor still ends the line
  std::fflush(out_);
}

}  // namespace backflow::detail
