// backflow/data.hpp: MNIST and Fashion-MNIST from IDX files (raw or .gz), and a PNG of a few
// samples. Every problem with a file is a DataError whose message says what is wrong, in which
// file, and what to do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace backflow {

/// A data file that is missing, damaged or not what it should be.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --- IDX files ------------------------------------------------------------------------------

/// An IDX array of bytes: its sizes, outermost first, and its values in row-major order.
struct IdxArray {
  std::vector<std::uint32_t> dims;  ///< e.g. {60000, 28, 28} for MNIST's training images
  std::vector<std::uint8_t> bytes;  ///< product(dims) values
};

/// The largest array read_idx() and parse_idx() accept (1 GiB), so a damaged header cannot
/// make them allocate absurd amounts of memory.
inline constexpr std::uint64_t max_idx_bytes = std::uint64_t{1} << 30U;

/// Parses an IDX file held in memory, gzip-compressed or not; `name` is used in error messages.
/// Never reads outside `bytes`; throws DataError on anything that is not a valid uint8 IDX array.
IdxArray parse_idx(std::span<const std::uint8_t> bytes, std::string_view name);

/// Reads an IDX file, gzip-compressed or not (recognised by its first bytes, 1f 8b, not by the
/// name). Throws DataError naming the file and the problem.
IdxArray read_idx(const std::filesystem::path& file);

// --- Image sets -----------------------------------------------------------------------------

/// Images with one label each, as MNIST stores them.
struct ImageSet {
  std::size_t count = 0;             ///< number of images
  std::size_t rows = 0;              ///< height of each image
  std::size_t cols = 0;              ///< width of each image
  std::vector<float> pixels;         ///< count * rows * cols values in [0, 1], image after image
  std::vector<std::uint8_t> labels;  ///< count labels, each below 10

  /// The pixels of image `index`, row after row. Throws std::out_of_range when `index` is
  /// not below `count` or the pixels do not reach that far.
  std::span<const float> image(std::size_t index) const {
    const std::size_t size = rows * cols;
    if (index >= count || (size != 0 && index >= pixels.size() / size)) {
      throw std::out_of_range("backflow: ImageSet::image: index " + std::to_string(index) + " of " +
                              std::to_string(count) + " images");
    }
    return std::span<const float>(pixels).subspan(index * size, size);
  }
};

/// Reads an image file (IDX magic 2051) and its label file (2049), scales pixels to [0, 1] and
/// checks that the counts agree and that every label is below 10.
ImageSet load_images(const std::filesystem::path& images, const std::filesystem::path& labels);

/// Labels as one-hot rows: labels.size() rows of `classes` floats, 1 at the label, 0 elsewhere.
std::vector<float> one_hot(std::span<const std::uint8_t> labels, std::size_t classes = 10);

// --- Where the data comes from --------------------------------------------------------------

/// Which of the two 28x28 ten-class datasets to use.
enum class Dataset { digits, fashion };

/// Where to look for the data: the `--data DIR` and `--dataset` flags, and the places used when
/// they are not given.
struct DataSource {
  /// `--data DIR`; when empty, the environment variable BACKFLOW_DATA, else default_directory.
  std::optional<std::filesystem::path> directory;
  /// `--dataset digits|fashion`.
  Dataset dataset = Dataset::digits;
  /// The digits' directory when neither --data nor BACKFLOW_DATA is given.
  std::filesystem::path default_directory = "data/mnist";
  /// Fashion-MNIST when --data is not given: Debian's package dataset-fashion-mnist.
  std::filesystem::path fashion_directory = "/usr/share/datasets/fashion-mnist";
  /// Use Fashion-MNIST when the digits are not in default_directory (never when the directory
  /// was named by --data or BACKFLOW_DATA: a wrong name there is an error).
  bool fall_back_to_fashion = true;
};

/// The directory that holds the four files, and why it was chosen.
struct ResolvedSource {
  std::filesystem::path directory;    ///< where the four files are
  Dataset dataset = Dataset::digits;  ///< which dataset they hold
  /// Empty, or a plain sentence for the user, e.g. that the digits were not found and
  /// Fashion-MNIST is used instead.
  std::string note;
};

/// Finds the directory with train/t10k images and labels (as `train-images-idx3-ubyte`,
/// `train-images.idx3-ubyte`, either with `.gz`), looking where `source` says. Throws DataError
/// listing the places tried when there is none.
ResolvedSource resolve_data_source(const DataSource& source);

/// The published dataset these sets are, recognised by a CRC-32 of each set's labels (which
/// tell the two apart; the pixels are not checked): the MNIST digits, Fashion-MNIST, or
/// nothing for other data in the same format, such as a subset or files you made.
std::optional<Dataset> recognise_dataset(const ImageSet& train, const ImageSet& test);

/// A training and a test set.
struct MnistData {
  ImageSet train;                     ///< 60000 images for MNIST and Fashion-MNIST
  ImageSet test;                      ///< 10000 images
  Dataset dataset = Dataset::digits;  ///< the one recognised in the files, else the one asked for
  std::string name;                   ///< "MNIST" or "Fashion-MNIST", after `dataset`
  std::filesystem::path directory;    ///< where the files were read
  std::string note;                   ///< sentences to show to the user: a fallback, a mix-up
};

/// Resolves `source` and loads both sets. When the files are recognisably the other dataset
/// (Fashion-MNIST under `--data` without `--dataset fashion`, say), they are named for what
/// they are and the note says so. Throws DataError.
MnistData load_mnist(const DataSource& source);

// --- Pictures of samples --------------------------------------------------------------------

/// An 8-bit grayscale picture, 0 black to 255 white.
struct GrayImage {
  std::size_t width = 0;             ///< in pixels
  std::size_t height = 0;            ///< in pixels
  std::vector<std::uint8_t> pixels;  ///< height rows of width values
};

/// A 2x2 grid of images first..first+3 of `set`, each enlarged `scale` times with its label
/// drawn in small digits below it (cells past the end of the set stay empty). Throws
/// std::invalid_argument when `first` is past the end or scale is not 1 to 16.
GrayImage render_sample_grid(const ImageSet& set, std::size_t first, std::size_t scale = 4);

/// Writes a PNG, through a temporary file renamed into place, so a failure never leaves a
/// half-written file. Throws std::invalid_argument for an empty image or one whose pixel count
/// is not width x height, and DataError when the file cannot be written or backflow was built
/// without libpng.
void write_png(const GrayImage& image, const std::filesystem::path& file);
/// True when backflow was built with libpng, so write_png() can work.
bool png_available();

/// The introduction's "plot 4 images as gray scale": render_sample_grid() written as a PNG.
void write_sample_grid(const ImageSet& set, std::size_t first, const std::filesystem::path& png, std::size_t scale = 4);

}  // namespace backflow
