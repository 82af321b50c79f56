// libFuzzer target: the model file reader on arbitrary bytes must either return a model
// whose layers chain (each reads what the one before it gives) or throw std::runtime_error;
// AddressSanitizer catches any read out of bounds.
#include "../lib/train/model_file.hpp"

#include <cstdint>
#include <cstdlib>
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const backflow::Sequential model =
        backflow::detail::parse_model({reinterpret_cast<const char*>(data), size}, "fuzz input");
    std::size_t fan_in = model.inputs();
    for (const backflow::Dense& layer : model.layers()) {
      if (layer.weights().shape() != backflow::Shape{fan_in, layer.units()}) std::abort();
      fan_in = layer.units();
    }
  } catch (const std::runtime_error&) {
    // A clear refusal is the expected outcome for most inputs.
  }
  return 0;
}
