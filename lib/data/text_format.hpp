// Numbers in error messages, written the way people read them: 47,040,016 and 0x00000803.
#pragma once

#include <cstdint>
#include <string>

namespace backflow::detail {

/// `value` with a comma between groups of three digits.
inline std::string with_thousands(std::uint64_t value) {
  std::string digits = std::to_string(value);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

/// `value` in `digits` upper-case hexadecimal digits, e.g. hexadecimal(2051, 8) is "00000803".
inline std::string hexadecimal(std::uint32_t value, std::size_t digits) {
  std::string text(digits, '0');
  for (std::size_t i = digits; i-- > 0; value >>= 4U) text[i] = "0123456789ABCDEF"[value & 0xFU];
  return text;
}

}  // namespace backflow::detail
