// Where the data comes from: --data, else BACKFLOW_DATA, else data/mnist; Fashion-MNIST when
// asked for or when the digits are missing; an error listing the places tried otherwise.
#include "../skip_unless_required.hpp"
#include "idx_fixtures.hpp"

#include <backflow/data.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include <unistd.h>

using backflow::DataError;
using backflow::Dataset;
using backflow::DataSource;
using backflow::resolve_data_source;
using doctest::Contains;
using fixtures::EnvironmentVariable;
using fixtures::ScratchDirectory;

namespace {

/// A source that looks only inside `root`: its default and Fashion directories are there.
DataSource source_in(const ScratchDirectory& root) {
  DataSource source;
  source.default_directory = root / "default";
  source.fashion_directory = root / "fashion";
  return source;
}

}  // namespace

TEST_CASE("the defaults are data/mnist and Debian's Fashion-MNIST") {
  const DataSource source;
  CHECK(source.default_directory == "data/mnist");
  CHECK(source.fashion_directory == "/usr/share/datasets/fashion-mnist");
  CHECK(source.dataset == Dataset::digits);
}

TEST_CASE("the flag beats BACKFLOW_DATA, which beats the default") {
  ScratchDirectory root;
  for (const char* name : {"flag", "environment", "default"}) fixtures::write_tiny_dataset(root / name);
  DataSource source = source_in(root);
  source.directory = root / "flag";
  EnvironmentVariable environment("BACKFLOW_DATA", (root / "environment").string());
  CHECK(resolve_data_source(source).directory == root / "flag");
  source.directory.reset();
  CHECK(resolve_data_source(source).directory == root / "environment");
  EnvironmentVariable unset("BACKFLOW_DATA", std::nullopt);
  const backflow::ResolvedSource resolved = resolve_data_source(source);
  CHECK(resolved.directory == root / "default");
  CHECK(resolved.dataset == Dataset::digits);
  CHECK(resolved.note.empty());
}

TEST_CASE("a directory named by --data or BACKFLOW_DATA without the files is an error, not a fallback") {
  ScratchDirectory root;
  fixtures::write_tiny_dataset(root / "fashion");
  std::filesystem::create_directories(root / "empty");
  DataSource source = source_in(root);
  source.directory = root / "empty";
  CHECK_THROWS_WITH_AS(resolve_data_source(source),
                       Contains(("MNIST digits not found in " + (root / "empty").string() +
                                 " (from --data); looked for train-images-idx3-ubyte")
                                    .c_str()),
                       DataError);
  source.directory.reset();
  EnvironmentVariable environment("BACKFLOW_DATA", (root / "missing").string());
  const std::string missing = (root / "missing").string() + " (from BACKFLOW_DATA) does not exist (no such directory)";
  CHECK_THROWS_WITH_AS(resolve_data_source(source), Contains(missing.c_str()), DataError);
  // A file where the directory should be, for either dataset.
  std::ofstream(root / "a-file") << "not a directory\n";
  source.directory = root / "a-file";
  const std::string not_directory = (root / "a-file").string() + " (from --data) is not a directory";
  CHECK_THROWS_WITH_AS(resolve_data_source(source), Contains(not_directory.c_str()), DataError);
  source.dataset = Dataset::fashion;
  CHECK_THROWS_WITH_AS(resolve_data_source(source), Contains(not_directory.c_str()), DataError);
}

TEST_CASE("a directory the user may not enter says so, rather than that the files are missing") {
  // Root enters any directory: only another user can see this (CI runs it as nobody too).
  if (::geteuid() == 0) return;
  ScratchDirectory root;
  fixtures::write_tiny_dataset(root / "locked");
  std::filesystem::permissions(root / "locked", std::filesystem::perms::none);
  DataSource source = source_in(root);
  source.directory = root / "locked";
  const std::string locked = (root / "locked").string() + " (from --data) cannot be read: Permission denied";
  CHECK_THROWS_WITH_AS(resolve_data_source(source), Contains(locked.c_str()), DataError);
  source.directory = root / "locked" / "inner";  // reached through it
  CHECK_THROWS_WITH_AS(resolve_data_source(source), Contains("cannot be reached: Permission denied"), DataError);
  std::filesystem::permissions(root / "locked", std::filesystem::perms::owner_all);  // so it can be removed
}

TEST_CASE("without the digits, Fashion-MNIST is used, with a plain note") {
  ScratchDirectory root;
  fixtures::write_tiny_dataset(root / "fashion");
  EnvironmentVariable unset("BACKFLOW_DATA", std::nullopt);
  const backflow::ResolvedSource resolved = resolve_data_source(source_in(root));
  CHECK(resolved.directory == root / "fashion");
  CHECK(resolved.dataset == Dataset::fashion);
  CHECK(resolved.note.find("MNIST digits not found in " + (root / "default").string() + "; using Fashion-MNIST") == 0);
}

TEST_CASE("nothing anywhere: the error lists every place tried") {
  ScratchDirectory root;
  EnvironmentVariable unset("BACKFLOW_DATA", std::nullopt);
  try {
    resolve_data_source(source_in(root));
    FAIL("no error");
  } catch (const DataError& error) {
    const std::string message = error.what();
    CHECK(message.find("backflow: no MNIST data found. Looked in:") == 0);
    CHECK(message.find((root / "default").string() + " (the default: no --data, BACKFLOW_DATA not set)") !=
          std::string::npos);
    CHECK(message.find((root / "fashion").string() + " (Fashion-MNIST") != std::string::npos);
  }
  DataSource no_fallback = source_in(root);
  no_fallback.fall_back_to_fashion = false;
  try {
    resolve_data_source(no_fallback);
    FAIL("no error");
  } catch (const DataError& error) {
    CHECK(std::string(error.what()).find("Fashion-MNIST, from") == std::string::npos);
  }
}

TEST_CASE("--dataset fashion reads Debian's directory, or --data") {
  ScratchDirectory root;
  fixtures::write_tiny_dataset(root / "fashion", true);
  fixtures::write_tiny_dataset(root / "elsewhere");
  DataSource source = source_in(root);
  source.dataset = Dataset::fashion;
  CHECK(resolve_data_source(source).directory == root / "fashion");
  source.directory = root / "elsewhere";
  CHECK(resolve_data_source(source).directory == root / "elsewhere");
  std::filesystem::create_directories(root / "empty");
  source.directory = root / "empty";
  CHECK_THROWS_WITH_AS(resolve_data_source(source), Contains("Fashion-MNIST not found; looked in"), DataError);
  source.directory = root / "nowhere";
  CHECK_THROWS_WITH_AS(resolve_data_source(source), Contains("(from --data) does not exist"), DataError);
}

TEST_CASE("some files but not all is a broken download") {
  ScratchDirectory root;
  fixtures::write_tiny_dataset(root / "default");
  std::filesystem::remove(root / "default" / "t10k-labels-idx1-ubyte");
  EnvironmentVariable unset("BACKFLOW_DATA", std::nullopt);
  CHECK_THROWS_WITH_AS(resolve_data_source(source_in(root)),
                       Contains("has 3 of the 4 dataset files but not t10k-labels-idx1-ubyte"), DataError);
}

TEST_CASE("load_mnist reads both sets, in either naming style, raw or gzipped") {
  for (const bool compressed : {false, true}) {
    for (const bool kaggle_names : {false, true}) {
      CAPTURE(compressed);
      CAPTURE(kaggle_names);
      ScratchDirectory root;
      fixtures::write_tiny_dataset(root / "default", compressed, kaggle_names);
      EnvironmentVariable unset("BACKFLOW_DATA", std::nullopt);
      const backflow::MnistData data = backflow::load_mnist(source_in(root));
      CHECK(data.name == "MNIST");
      CHECK(data.directory == root / "default");
      CHECK(data.train.count == 3);
      CHECK(data.test.count == 2);
      CHECK(data.train.rows == 4);
      CHECK(data.test.labels == fixtures::Bytes{3, 4});
    }
  }
}

TEST_CASE("training and test images of different sizes are refused, naming both files") {
  ScratchDirectory root;
  fixtures::write_tiny_dataset(root / "default");
  fixtures::write_file(root / "default" / "t10k-images-idx3-ubyte", fixtures::images(2, 5, 4));
  EnvironmentVariable unset("BACKFLOW_DATA", std::nullopt);
  const std::string expected = "train-images-idx3-ubyte holds 4x4 images but " +
                               (root / "default" / "t10k-images-idx3-ubyte").string() + " holds 5x4";
  CHECK_THROWS_WITH_AS(backflow::load_mnist(source_in(root)), Contains(expected.c_str()), DataError);
}

TEST_CASE("real MNIST, when BACKFLOW_TEST_MNIST names its directory") {
  const char* directory = std::getenv("BACKFLOW_TEST_MNIST");
  if (directory == nullptr) {
    // Not required even in CI: the digits come from a directory beside the checkout, which a
    // CI machine may not have (CI sets BACKFLOW_TEST_MNIST when it does).
    MESSAGE("skipped: set BACKFLOW_TEST_MNIST to a directory with the four MNIST files");
    return;
  }
  DataSource source;
  source.directory = directory;
  const auto start = std::chrono::steady_clock::now();
  const backflow::MnistData data = backflow::load_mnist(source);
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  MESSAGE("loaded MNIST in " << seconds.count() << " s");
  CHECK(data.train.count == 60000);
  CHECK(data.test.count == 10000);
  CHECK(data.train.rows == 28);
  CHECK(data.train.cols == 28);
  CHECK(data.train.labels.size() == 60000);
  CHECK(*std::max_element(data.test.labels.begin(), data.test.labels.end()) == 9);
  CHECK(data.dataset == Dataset::digits);
  CHECK(data.note.empty());

  // Asked for Fashion-MNIST, given the digits: the run is named for the digits, and says why.
  source.dataset = Dataset::fashion;
  const backflow::MnistData mixed_up = backflow::load_mnist(source);
  CHECK(mixed_up.dataset == Dataset::digits);
  CHECK(mixed_up.name == "MNIST");
  CHECK(mixed_up.note == std::string(directory) +
                             " holds the MNIST digits, not Fashion-MNIST (clothing) (recognised by the labels); the "
                             "results are MNIST's.");

  // One label changed is no longer the published set.
  backflow::ImageSet edited = data.test;
  edited.labels[0] = static_cast<std::uint8_t>((edited.labels[0] + 1) % 10);
  CHECK(backflow::recognise_dataset(data.train, data.test) == Dataset::digits);
  CHECK_FALSE(backflow::recognise_dataset(data.train, edited).has_value());
  CHECK_FALSE(backflow::recognise_dataset(data.test, data.train).has_value());
}

TEST_CASE("Debian's Fashion-MNIST, when installed") {
  const DataSource defaults;
  if (!std::filesystem::exists(defaults.fashion_directory)) {
    fixtures::skip_unless_required("dataset-fashion-mnist is not installed");
    return;
  }
  DataSource source;
  source.dataset = Dataset::fashion;
  const backflow::MnistData data = backflow::load_mnist(source);
  CHECK(data.name == "Fashion-MNIST");
  CHECK(data.train.count == 60000);
  CHECK(data.test.count == 10000);
  CHECK(data.train.rows * data.train.cols == 784);
  CHECK(backflow::recognise_dataset(data.train, data.test) == Dataset::fashion);

  // Fashion-MNIST under --data without --dataset fashion is still clothing, and is called so.
  DataSource as_digits;
  as_digits.directory = defaults.fashion_directory;
  const backflow::MnistData clothing = backflow::load_mnist(as_digits);
  CHECK(clothing.dataset == Dataset::fashion);
  CHECK(clothing.name == "Fashion-MNIST");
  CHECK(clothing.note.find("holds Fashion-MNIST (clothing), not the MNIST digits (recognised by the labels)") !=
        std::string::npos);
}

TEST_CASE("data of MNIST's format that is neither published set is not recognised") {
  backflow::ImageSet train;
  backflow::ImageSet test;
  CHECK_FALSE(backflow::recognise_dataset(train, test).has_value());
  train.labels.assign(60000, 0);
  test.labels.assign(10000, 0);
  CHECK_FALSE(backflow::recognise_dataset(train, test).has_value());

  // A generated set keeps the name it was asked for, with no note.
  ScratchDirectory root;
  fixtures::write_tiny_dataset(root / "default");
  EnvironmentVariable unset("BACKFLOW_DATA", std::nullopt);
  DataSource fashion = source_in(root);
  fashion.directory = root / "default";
  fashion.dataset = Dataset::fashion;
  const backflow::MnistData data = backflow::load_mnist(fashion);
  CHECK(data.dataset == Dataset::fashion);
  CHECK(data.name == "Fashion-MNIST");
  CHECK(data.note.empty());
}
