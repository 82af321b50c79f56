// A test that cannot run here (a dataset or a library this machine lacks) says so, and
// passes: meson hides a passing test's messages, so where everything must be present (CI
// sets BACKFLOW_TESTS_REQUIRE_ALL=1 after installing it) the same call fails instead.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

namespace fixtures {

/// Call, then return from the test: "skipped: why" here, a failure under CI.
inline void skip_unless_required(const std::string& why) {
  const char* required = std::getenv("BACKFLOW_TESTS_REQUIRE_ALL");
  if (required != nullptr && std::string(required) == "1") {
    FAIL_CHECK("cannot run, and BACKFLOW_TESTS_REQUIRE_ALL=1: " << why);
  } else {
    MESSAGE("skipped: " << why);
  }
}

}  // namespace fixtures
