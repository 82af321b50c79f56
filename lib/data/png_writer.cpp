// Grayscale PNG files through libpng's simplified API (png_image), which reports errors in
// its result instead of through setjmp/longjmp.
#include <backflow/data.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <system_error>

#ifdef BACKFLOW_HAVE_PNG
#include <png.h>
#endif

namespace backflow {

void write_png(const GrayImage& image, const std::filesystem::path& file) {
  if (image.width == 0 || image.height == 0 || image.pixels.size() != image.width * image.height ||
      image.width > std::numeric_limits<std::int32_t>::max() ||
      image.height > std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument(fmt::format("backflow: write_png: {}x{} image with {} pixels", image.width,
                                            image.height, image.pixels.size()));
  }
#ifndef BACKFLOW_HAVE_PNG
  throw DataError(fmt::format("backflow: {}: cannot write PNG: backflow was built without libpng (install "
                              "libpng-dev and configure again)",
                              file.string()));
#else
  // Write beside the target, then rename: readers see the old file or the whole new one.
  std::filesystem::path partial = file;
  partial += ".partial";
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = PNG_FORMAT_GRAY;
  const auto row_stride = static_cast<png_int_32>(image.width);
  const bool written = png_image_write_to_file(&png, partial.c_str(), 0, image.pixels.data(), row_stride, nullptr) != 0;
  const std::string reason = png.message;
  png_image_free(&png);
  std::error_code error;
  if (written) std::filesystem::rename(partial, file, error);
  if (!written || error) {
    const std::string why = written ? error.message() : reason;
    std::filesystem::remove(partial, error);
    throw DataError(fmt::format("backflow: {}: cannot write PNG: {}", file.string(), why));
  }
#endif
}

}  // namespace backflow
