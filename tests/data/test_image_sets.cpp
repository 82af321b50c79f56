// From an image file and a label file to an ImageSet: scaling, labels, and the mistakes of
// pairing the wrong two files.
#include "idx_fixtures.hpp"

#include <backflow/data.hpp>

#include <doctest/doctest.h>

using backflow::DataError;
using backflow::load_images;
using doctest::Contains;
using fixtures::Bytes;

TEST_CASE("pixels are scaled to [0, 1] and labels kept as they are") {
  fixtures::ScratchDirectory directory;
  fixtures::write_file(directory / "images", fixtures::idx({2, 1, 2}, {0, 255, 51, 102}));
  fixtures::write_file(directory / "labels", fixtures::gzip(fixtures::labels({7, 3})));
  const backflow::ImageSet set = load_images(directory / "images", directory / "labels");
  CHECK(set.count == 2);
  CHECK(set.rows == 1);
  CHECK(set.cols == 2);
  REQUIRE(set.pixels.size() == 4);
  CHECK(set.pixels[0] == 0.0F);
  CHECK(set.pixels[1] == 1.0F);
  CHECK(set.pixels[2] == doctest::Approx(0.2));
  CHECK(set.image(1)[1] == doctest::Approx(0.4));
  CHECK(set.labels == Bytes{7, 3});
  CHECK_THROWS_WITH_AS(set.image(2), "backflow: ImageSet::image: index 2 of 2 images", std::out_of_range);
  backflow::ImageSet short_of_pixels = set;
  short_of_pixels.pixels.resize(3);  // a hand-made set whose count promises more than it holds
  CHECK_THROWS_AS(short_of_pixels.image(1), std::out_of_range);
  CHECK(short_of_pixels.image(0).size() == 2);
}

TEST_CASE("a label of 10 or more is refused, with its position") {
  fixtures::ScratchDirectory directory;
  fixtures::write_file(directory / "images", fixtures::images(3, 2, 2));
  fixtures::write_file(directory / "labels", fixtures::labels({1, 12, 3}));
  CHECK_THROWS_WITH_AS(load_images(directory / "images", directory / "labels"),
                       Contains("labels: label 12 at position 1 is not a class 0 to 9"), DataError);
}

TEST_CASE("image and label counts must agree") {
  fixtures::ScratchDirectory directory;
  fixtures::write_file(directory / "images", fixtures::images(3, 2, 2));
  fixtures::write_file(directory / "labels", fixtures::labels({1, 2}));
  const std::string expected = "has 3 images but " + (directory / "labels").string() + " has 2 labels";
  CHECK_THROWS_WITH_AS(load_images(directory / "images", directory / "labels"), Contains(expected.c_str()), DataError);
}

TEST_CASE("swapped image and label files are named as swapped") {
  fixtures::ScratchDirectory directory;
  fixtures::write_file(directory / "images", fixtures::images(2, 2, 2));
  fixtures::write_file(directory / "labels", fixtures::labels({1, 2}));
  CHECK_THROWS_WITH_AS(load_images(directory / "labels", directory / "images"),
                       Contains("this is a label file (IDX magic 2049), not an image file (2051); were the two "
                                "files swapped?"),
                       DataError);
  fixtures::write_file(directory / "matrix", fixtures::idx({2, 2}, {1, 2, 3, 4}));
  CHECK_THROWS_WITH_AS(load_images(directory / "matrix", directory / "labels"),
                       Contains("has 2 dimensions; MNIST images have 3"), DataError);
}

TEST_CASE("an image file without pixels is refused") {
  fixtures::ScratchDirectory directory;
  fixtures::write_file(directory / "images", fixtures::images(0, 28, 28));
  fixtures::write_file(directory / "labels", fixtures::labels({}));
  CHECK_THROWS_WITH_AS(load_images(directory / "images", directory / "labels"), Contains("holds no pixels"), DataError);
}

TEST_CASE("one_hot: one row per label, a 1 at the label") {
  const Bytes labels{2, 0};
  CHECK(backflow::one_hot(labels, 3) == std::vector<float>{0, 0, 1, 1, 0, 0});
  CHECK(backflow::one_hot(labels).size() == 20);
  CHECK_THROWS_AS(backflow::one_hot(labels, 2), std::invalid_argument);
}
