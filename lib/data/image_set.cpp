// From two IDX arrays to an ImageSet: check that they are an image file and its label file,
// then scale the pixels to [0, 1].
#include <backflow/data.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace backflow {

namespace {

constexpr std::size_t class_count = 10;

void check_dimensions(const IdxArray& array, const std::filesystem::path& file, bool images) {
  const std::size_t expected = images ? 3 : 1;
  if (array.dims.size() == expected) return;
  if (array.dims.size() == 4 - expected) {  // 1 <-> 3: the two files were swapped
    throw DataError(
        fmt::format("backflow: {}: this is {} file (IDX magic {}), not {} file ({}); were the two "
                    "files swapped?",
                    file.string(), images ? "a label" : "an image", images ? 2049 : 2051,
                    images ? "an image" : "a label", images ? 2051 : 2049));
  }
  throw DataError(fmt::format("backflow: {}: has {} dimensions; MNIST {} have {}", file.string(), array.dims.size(),
                              images ? "images" : "labels", expected));
}

/// byte -> byte / 255, computed once: the same float for every pixel of that value.
std::array<float, 256> unit_scale() {
  std::array<float, 256> table{};
  for (std::size_t byte = 0; byte < table.size(); ++byte) table[byte] = static_cast<float>(byte) / 255.0F;
  return table;
}

}  // namespace

ImageSet load_images(const std::filesystem::path& images, const std::filesystem::path& labels) {
  const IdxArray image_array = read_idx(images);
  check_dimensions(image_array, images, true);
  IdxArray label_array = read_idx(labels);
  check_dimensions(label_array, labels, false);

  ImageSet set;
  set.count = image_array.dims[0];
  set.rows = image_array.dims[1];
  set.cols = image_array.dims[2];
  if (set.count == 0 || set.rows == 0 || set.cols == 0) {
    throw DataError(fmt::format("backflow: {}: holds no pixels ({} images of {}x{})", images.string(), set.count,
                                set.rows, set.cols));
  }
  if (label_array.dims[0] != set.count) {
    throw DataError(
        fmt::format("backflow: {} has {} images but {} has {} labels; they belong to different "
                    "sets (train-* and t10k-*?)",
                    images.string(), set.count, labels.string(), label_array.dims[0]));
  }
  const auto bad_label = std::find_if(label_array.bytes.begin(), label_array.bytes.end(),
                                      [](std::uint8_t label) { return label >= class_count; });
  if (bad_label != label_array.bytes.end()) {
    throw DataError(
        fmt::format("backflow: {}: label {} at position {} is not a class 0 to 9; is this an "
                    "MNIST label file?",
                    labels.string(), *bad_label, bad_label - label_array.bytes.begin()));
  }

  static const std::array<float, 256> scale = unit_scale();
  set.pixels.resize(image_array.bytes.size());
  std::transform(image_array.bytes.begin(), image_array.bytes.end(), set.pixels.begin(),
                 [](std::uint8_t byte) { return scale[byte]; });
  set.labels = std::move(label_array.bytes);
  return set;
}

std::vector<float> one_hot(std::span<const std::uint8_t> labels, std::size_t classes) {
  std::vector<float> rows(labels.size() * classes, 0.0F);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= classes) {
      throw std::invalid_argument(
          fmt::format("backflow: one_hot: label {} at position {} but only {} classes", labels[i], i, classes));
    }
    rows[i * classes + labels[i]] = 1.0F;
  }
  return rows;
}

}  // namespace backflow
