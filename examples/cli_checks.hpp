// Command-line checks shared by the examples, for what CLI11 2.1 lets through on its own, and
// the checks of their outputs: files named by flags, and stdout itself.
#pragma once

#include <backflow/dot.hpp>    // check_render_target
#include <backflow/files.hpp>  // check_writable

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace examples {

/// What is wrong with `text` as a whole number in plain decimal digits, or "" when nothing is.
inline std::string decimal_problem(const std::string& text) {
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                   [](unsigned char letter) { return std::isdigit(letter) != 0; });
  if (!digits) return "'" + text + "' is not a whole number written in decimal digits";
  if (text.size() > 1 && text[0] == '0') return "'" + text + "' starts with 0 (it would be read as octal)";
  std::uint64_t value = 0;
  if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc()) {
    return "'" + text + "' is too large";  // CLI11 would wrap it
  }
  return "";
}

/// Integer flags in plain decimal digits only. CLI11 2.1 reads integers with C's base
/// detection ("010" is 8, "0x10" is 16) and wraps "-1" into an unsigned flag's largest value.
inline const CLI::Validator decimal_digits([](std::string& text) { return decimal_problem(text); }, "DIGITS");

/// A path that names something. An empty one (from an unset variable: --data "$DIR") must
/// not quietly mean the default, or no output at all.
inline const CLI::Validator non_empty_path(
    [](std::string& text) {
      return text.empty() ? std::string("an empty path names nothing (an unset variable?)") : "";
    },
    "PATH");

/// A count of at least 1, in plain decimal digits (CLI::PositiveNumber prints its range as
/// 0.000000 to a 309-digit number).
inline const CLI::Validator positive_count(
    [](std::string& text) -> std::string {
      std::string problem = decimal_problem(text);
      if (problem.empty() && text == "0") problem = "needs at least 1, not 0";
      return problem;
    },
    "COUNT");

/// A finite number above 0, in decimal notation ("0.5", "1e-3"). CLI::PositiveNumber lets
/// "nan" and "inf" through, and strtod alone also reads "0x10" as 16 and skips leading spaces.
inline const CLI::Validator positive_finite(
    [](std::string& text) -> std::string {
      const bool decimal_characters = !text.empty() && text.find_first_not_of("0123456789.eE+-") == std::string::npos;
      char* end = nullptr;
      const double value = decimal_characters ? std::strtod(text.c_str(), &end) : 0.0;
      if (!decimal_characters || end == text.c_str() || *end != '\0') {
        return "'" + text + "' is not a number in decimal notation (e.g. 0.5 or 1e-3)";
      }
      if (!std::isfinite(value)) return "'" + text + "' is too large";
      if (value <= 0.0) return "'" + text + "' is not a positive number";
      return "";
    },
    "POSITIVE");

/// A number of at most `limit`, checked after positive_finite (CLI::Range prints its bounds
/// as 1000.000000).
inline CLI::Validator at_most(double limit) {
  return CLI::Validator(
      [limit](std::string& text) -> std::string {
        return std::strtod(text.c_str(), nullptr) > limit ? fmt::format("'{}' is more than {:g}", text, limit) : "";
      },
      fmt::format("<= {:g}", limit));
}

/// Parses the command line. Returns nothing when the program should go on, else the status it
/// should exit with: 0 after --help, `error_status` after a bad flag (its message printed). In
/// place of CLI11_PARSE, which exits with CLI11's own codes (105, 109, ...) rather than the
/// status each program documents.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, int error_status) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : error_status;
  }
  return std::nullopt;
}

/// Prints an error message and a newline on stderr. Never throws (fmt::print would, when
/// stderr cannot be written: `2>/dev/full`), so a failure while reporting an error still
/// ends with the program's error status rather than an abort.
inline void print_error(const char* message) { std::fprintf(stderr, "%s\n", message); }

/// "1 epoch", "2 epochs": a count and its noun, plural unless the count is 1.
inline std::string counted(std::size_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

/// A file or directory that a program writes, and the flag that names it ("" when not given).
struct OutputTarget {
  std::string flag;
  std::filesystem::path path;
  bool is_directory = false;  // a directory of frames from write_backward_frames()
};

/// Makes `directory` as write_backward_frames() would, and throws unless it takes new files:
/// only making it shows that it can be made (read-only mounts, /proc, a file on the way).
inline void prepare_frames_directory(const std::string& flag, const std::filesystem::path& directory) {
  std::error_code error;
  if (std::filesystem::exists(directory, error) && !std::filesystem::is_directory(directory, error)) {
    throw std::runtime_error(
        fmt::format("backflow: {} '{}': it exists and is not a directory", flag, directory.string()));
  }
  backflow::create_output_directory(directory);
  // A name that is no frame's: frames replace their predecessors by renaming, links and all,
  // while check_writable would judge where a link named like a frame points.
  backflow::check_writable(directory / ".backflow-probe");
}

/// Where `path` points, comparable with another output's: absolute, with ".." and links
/// resolved as far as the path exists.
inline std::filesystem::path resolved(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::path where = std::filesystem::weakly_canonical(std::filesystem::absolute(path), error);
  if (error) where = std::filesystem::absolute(path).lexically_normal();
  return where.has_filename() ? where : where.parent_path();  // "frames/" is "frames"
}

/// Whether `inner` is `outer` or lies inside it.
inline bool same_or_inside(const std::filesystem::path& inner, const std::filesystem::path& outer) {
  return std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end()).first == outer.end();
}

/// Throws when two given outputs are in the same place: one would overwrite the other, or a
/// file would stand where a directory of frames must be.
inline void check_separate_places(const std::vector<OutputTarget>& outputs) {
  std::vector<const OutputTarget*> given;
  for (const OutputTarget& output : outputs) {
    if (!output.path.empty()) given.push_back(&output);
  }
  for (std::size_t i = 0; i < given.size(); ++i) {
    for (std::size_t j = i + 1; j < given.size(); ++j) {
      const std::filesystem::path first = resolved(given[i]->path);
      const std::filesystem::path second = resolved(given[j]->path);
      if (same_or_inside(first, second) || same_or_inside(second, first)) {
        throw std::runtime_error(fmt::format("backflow: {} '{}' and {} '{}' would write to the same place",
                                             given[i]->flag, given[i]->path.string(), given[j]->flag,
                                             given[j]->path.string()));
      }
    }
  }
}

/// Throws unless every given output can be written, before any slow work: pictures with a
/// known extension in a writable directory, no two outputs in the same place, and frame
/// directories that exist or can be made (they are made here, last).
inline void check_outputs(const std::vector<OutputTarget>& outputs) {
  for (const OutputTarget& output : outputs) {
    if (!output.path.empty() && !output.is_directory) backflow::check_render_target(output.path);
  }
  check_separate_places(outputs);
  for (const OutputTarget& output : outputs) {
    if (!output.path.empty() && output.is_directory) prepare_frames_directory(output.flag, output.path);
  }
}

/// Runs `program` (an example's main) and returns its status, unless its output was lost:
/// then it says so on stderr and returns `error_status`. The output is the result, so losing
/// it (`> /dev/full`, a full disk) must not end with status 0: exit() would flush stdout
/// without telling anyone, and fmt::print throws std::system_error when a write fails.
inline int run_checking_stdout(int (*program)(int, char**), int argc, char** argv, int error_status) {
  int status = error_status;
  int reason = 0;
  try {
    status = program(argc, argv);
  } catch (const std::system_error& error) {
    if (std::ferror(stdout) == 0) throw;  // not the output's failure
    reason = error.code().value();
  }
  if (std::fflush(stdout) != 0 && reason == 0) reason = errno;
  if (std::ferror(stdout) == 0) return status;
  // After a failure that `program` caught itself, errno still holds the write's reason.
  if (reason == 0) reason = errno != 0 ? errno : EIO;
  std::fprintf(stderr, "backflow: could not write the output (stdout): %s\n", std::strerror(reason));
  return error_status;
}

}  // namespace examples
