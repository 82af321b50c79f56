// Command-line checks shared by the examples, for what CLI11 2.1 lets through on its own.
#pragma once

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <system_error>

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

/// A count of at least 1, in plain decimal digits (CLI::PositiveNumber prints its range as
/// 0.000000 to a 309-digit number).
inline const CLI::Validator positive_count(
    [](std::string& text) -> std::string {
      std::string problem = decimal_problem(text);
      if (problem.empty() && text == "0") problem = "needs at least 1, not 0";
      return problem;
    },
    "COUNT");

/// A finite number above 0 (CLI::PositiveNumber lets "nan" and "inf" through).
inline const CLI::Validator positive_finite(
    [](std::string& text) -> std::string {
      char* end = nullptr;
      const double value = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !std::isfinite(value) || value <= 0.0) {
        return "'" + text + "' is not a positive number";
      }
      return "";
    },
    "POSITIVE");

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

}  // namespace examples
