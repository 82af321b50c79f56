// Grayscale PNG files through libpng's simplified API (png_image), which reports errors in
// its result instead of through setjmp/longjmp.
#include "../io/atomic_file.hpp"

#include <backflow/data.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#ifdef BACKFLOW_HAVE_PNG
#include <png.h>
#endif

namespace backflow {

bool png_available() {
#ifdef BACKFLOW_HAVE_PNG
  return true;
#else
  return false;
#endif
}

void write_png(const GrayImage& image, const std::filesystem::path& file) {
  if (image.width == 0 || image.height == 0 || image.pixels.size() != image.width * image.height ||
      image.width > std::numeric_limits<std::int32_t>::max() ||
      image.height > std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument(
        fmt::format("backflow: write_png: {}x{} image with {} pixels", image.width, image.height, image.pixels.size()));
  }
#ifndef BACKFLOW_HAVE_PNG
  throw DataError(
      fmt::format("backflow: {}: cannot write PNG: backflow was built without libpng (install "
                  "libpng-dev and configure again)",
                  file.string()));
#else
  // Encoded in memory, then written through a unique temporary file renamed into place:
  // readers see the old file or the whole new one, and a failure leaves nothing behind.
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = PNG_FORMAT_GRAY;
  const auto row_stride = static_cast<png_int_32>(image.width);
  png_alloc_size_t size = 0;
  bool encoded = png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.data(), row_stride, nullptr) != 0;
  std::vector<char> encoding(encoded ? size : 0);
  if (encoded) {
    encoded = png_image_write_to_memory(&png, encoding.data(), &size, 0, image.pixels.data(), row_stride, nullptr) != 0;
  }
  const std::string reason = png.message;
  png_image_free(&png);
  if (!encoded) throw DataError(fmt::format("backflow: {}: cannot write PNG: {}", file.string(), reason));
  try {
    write_file_atomically(file, std::string_view(encoding.data(), size));
  } catch (const std::runtime_error& error) {
    throw DataError(error.what());  // data.hpp promises DataError for every file problem
  }
#endif
}

}  // namespace backflow
