// libFuzzer target: parse_idx on arbitrary bytes must either return an array whose size
// matches its dimensions or throw DataError; AddressSanitizer catches any read out of bounds.
#include <backflow/data.hpp>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <numeric>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const backflow::IdxArray array = backflow::parse_idx({data, size}, "fuzz input");
    const std::uint64_t product =
        std::accumulate(array.dims.begin(), array.dims.end(), std::uint64_t{1}, std::multiplies<>());
    if (array.dims.empty() || product != array.bytes.size()) std::abort();
  } catch (const backflow::DataError&) {
    // A clear refusal is the expected outcome for most inputs.
  }
  return 0;
}
