// Where MNIST comes from: --data, else BACKFLOW_DATA, else data/mnist; Fashion-MNIST from
// Debian's dataset-fashion-mnist when asked for, or when the digits are not there.
#include <backflow/data.hpp>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

#include <unistd.h>

namespace backflow {

namespace {

// The four files, as the original download names them and as Kaggle's copies do; either may
// end in .gz.
struct FileName {
  std::string_view original;
  std::string_view kaggle;
};
constexpr std::array<FileName, 4> file_names = {{
    {"train-images-idx3-ubyte", "train-images.idx3-ubyte"},
    {"train-labels-idx1-ubyte", "train-labels.idx1-ubyte"},
    {"t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"},
    {"t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"},
}};
constexpr std::string_view names_looked_for =
    "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte "
    "(each may end in .gz, or be named like train-images.idx3-ubyte)";

using FoundFiles = std::array<std::optional<std::filesystem::path>, 4>;

/// The first of the accepted spellings of `name` that is a file in `directory`. A file that
/// cannot even be looked at (no permission) is an error, not a file that is missing.
std::optional<std::filesystem::path> find_file(const std::filesystem::path& directory, const FileName& name) {
  for (const std::string_view base : {name.original, name.kaggle}) {
    for (const std::string_view extension : {"", ".gz"}) {
      std::filesystem::path file = directory / base;
      file += extension;
      std::error_code error;
      const std::filesystem::file_status status = std::filesystem::status(file, error);
      if (std::filesystem::is_regular_file(status)) return file;
      if (error && error != std::errc::no_such_file_or_directory && error != std::errc::not_a_directory) {
        throw DataError(fmt::format("backflow: cannot look for {}: {}", file.string(), error.message()));
      }
    }
  }
  return std::nullopt;
}

FoundFiles find_files(const std::filesystem::path& directory) {
  FoundFiles found;
  for (std::size_t i = 0; i < file_names.size(); ++i) found[i] = find_file(directory, file_names[i]);
  return found;
}

std::size_t count_found(const FoundFiles& found) {
  std::size_t count = 0;
  for (const auto& file : found) count += file.has_value() ? 1 : 0;
  return count;
}

/// Some files but not all is a broken download, never a reason to look elsewhere.
void check_not_partial(const std::filesystem::path& directory, const FoundFiles& found) {
  const std::size_t count = count_found(found);
  if (count == 0 || count == found.size()) return;
  std::string missing;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (!found[i]) missing += fmt::format("{}{}", missing.empty() ? "" : ", ", file_names[i].original);
  }
  throw DataError(
      fmt::format("backflow: {}: has {} of the 4 dataset files but not {} (nor .gz); download the "
                  "missing ones",
                  directory.string(), count, missing));
}

bool has_all_files(const std::filesystem::path& directory) {
  const FoundFiles found = find_files(directory);
  check_not_partial(directory, found);
  return count_found(found) == found.size();
}

// A directory the user named (`origin`: the flag or variable) must be one, and one whose
// files can be reached.
void check_is_directory(const std::filesystem::path& directory, std::string_view origin) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(directory, error);
  std::string problem;
  if (std::filesystem::is_directory(status)) {
    // Search permission is all it takes: the files are looked up by name, not listed.
    if (::access(directory.c_str(), X_OK) == 0) return;
    problem = fmt::format("cannot be read: {}", std::strerror(errno));
  } else if (status.type() == std::filesystem::file_type::not_found) {
    problem = "does not exist (no such directory)";
  } else if (error) {
    problem = fmt::format("cannot be reached: {}", error.message());  // e.g. a parent without permission
  } else {
    problem = "is not a directory";
  }
  throw DataError(fmt::format("backflow: {} (from {}) {}", directory.string(), origin, problem));
}

std::string display_name(Dataset dataset) { return dataset == Dataset::fashion ? "Fashion-MNIST" : "MNIST"; }
std::string described(Dataset dataset) {
  return dataset == Dataset::fashion ? "Fashion-MNIST (clothing)" : "the MNIST digits";
}

ResolvedSource resolve_fashion(const DataSource& source) {
  const std::filesystem::path directory = source.directory.value_or(source.fashion_directory);
  if (source.directory) check_is_directory(directory, "--data");
  if (has_all_files(directory)) return {directory, Dataset::fashion, ""};
  const std::string hint =
      source.directory ? "(from --data)" : "(Debian's package dataset-fashion-mnist; apt-get install it)";
  throw DataError(fmt::format("backflow: Fashion-MNIST not found; looked in {} {} for {}", directory.string(), hint,
                              names_looked_for));
}

}  // namespace

ResolvedSource resolve_data_source(const DataSource& source) {
  if (source.dataset == Dataset::fashion) return resolve_fashion(source);

  const char* environment = std::getenv("BACKFLOW_DATA");
  const bool from_environment = !source.directory && environment != nullptr && *environment != '\0';
  const std::filesystem::path directory = source.directory   ? *source.directory
                                          : from_environment ? environment
                                                             : source.default_directory;
  if (source.directory || from_environment)
    check_is_directory(directory, source.directory ? "--data" : "BACKFLOW_DATA");
  if (has_all_files(directory)) return {directory, Dataset::digits, ""};

  // A directory the user named is the one they meant: say it is wrong rather than look elsewhere.
  if (source.directory || from_environment) {
    throw DataError(fmt::format("backflow: MNIST digits not found in {} (from {}); looked for {}", directory.string(),
                                source.directory ? "--data" : "BACKFLOW_DATA", names_looked_for));
  }
  const std::string where_digits =
      fmt::format("{} (the default: no --data, BACKFLOW_DATA not set)", directory.string());
  if (source.fall_back_to_fashion && has_all_files(source.fashion_directory)) {
    return {source.fashion_directory, Dataset::fashion,
            fmt::format("MNIST digits not found in {}; using Fashion-MNIST (clothing, 10 classes) from {} "
                        "instead. For the digits, put the four MNIST files in {} or give --data DIR.",
                        directory.string(), source.fashion_directory.string(), directory.string())};
  }
  std::string tried = fmt::format("\n  {}", where_digits);
  if (source.fall_back_to_fashion) {
    tried += fmt::format("\n  {} (Fashion-MNIST, from Debian's package dataset-fashion-mnist)",
                         source.fashion_directory.string());
  }
  throw DataError(
      fmt::format("backflow: no MNIST data found. Looked in:{}\nfor {}.\nPut the four MNIST files in "
                  "{}, give --data DIR, set BACKFLOW_DATA, or apt-get install dataset-fashion-mnist.",
                  tried, names_looked_for, directory.string()));
}

MnistData load_mnist(const DataSource& source) {
  ResolvedSource resolved = resolve_data_source(source);
  const FoundFiles files = find_files(resolved.directory);
  MnistData data;
  data.train = load_images(*files[0], *files[1]);
  data.test = load_images(*files[2], *files[3]);
  // A model reads one image size: a test set of another size could not be evaluated.
  if (data.train.rows != data.test.rows || data.train.cols != data.test.cols) {
    throw DataError(fmt::format(
        "backflow: {} holds {}x{} images but {} holds {}x{}; the training and test "
        "images must be the same size (are they from the same dataset?)",
        files[0]->string(), data.train.rows, data.train.cols, files[2]->string(), data.test.rows, data.test.cols));
  }
  data.dataset = resolved.dataset;
  data.note = std::move(resolved.note);
  // Fashion-MNIST under --data without --dataset fashion is still clothing: name what was read.
  if (const std::optional<Dataset> recognised = recognise_dataset(data.train, data.test);
      recognised && *recognised != data.dataset) {
    if (!data.note.empty()) data.note += "\n";
    data.note += fmt::format("{} holds {}, not {} (recognised by the labels); the results are {}'s.",
                             resolved.directory.string(), described(*recognised), described(data.dataset),
                             display_name(*recognised));
    data.dataset = *recognised;
  }
  data.name = display_name(data.dataset);
  data.directory = std::move(resolved.directory);
  return data;
}

}  // namespace backflow
