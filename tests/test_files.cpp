// files.hpp: the checks programs make before long work, and output directories.
#include "scratch_directory.hpp"

#include <backflow/files.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using fixtures::ScratchDirectory;

namespace {

std::size_t entries(const fs::path& directory) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(directory), {}));
}

}  // namespace

TEST_CASE("check_writable accepts a new file and a file to replace, and leaves nothing behind") {
  const ScratchDirectory scratch;
  CHECK_NOTHROW(backflow::check_writable(scratch / "model.bfm"));
  std::ofstream(scratch / "old.bfm") << "an old model\n";
  CHECK_NOTHROW(backflow::check_writable(scratch / "old.bfm"));
  CHECK(entries(scratch.path()) == 1);  // only old.bfm: the probe file is gone
}

TEST_CASE("check_writable says why a path cannot be written") {
  const ScratchDirectory scratch;
  std::ofstream(scratch / "a-file") << "not a directory\n";
  fs::create_directories(scratch / "taken.bfm");
  CHECK_THROWS_WITH_AS(backflow::check_writable(scratch / "missing" / "m.bfm"),
                       doctest::Contains("does not exist (no such directory)"), std::runtime_error);
  CHECK_THROWS_WITH_AS(backflow::check_writable(scratch / "a-file" / "m.bfm"),
                       doctest::Contains("a-file' is not a directory"), std::runtime_error);
  const std::string taken = "cannot write '" + (scratch / "taken.bfm").string() + "': it is a directory";
  CHECK_THROWS_WITH_AS(backflow::check_writable(scratch / "taken.bfm"), doctest::Contains(taken.c_str()),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(backflow::check_writable(scratch.path() / ""),
                       doctest::Contains("that names a directory, not a file"), std::runtime_error);
  // A directory that refuses new files, even to root: the kernel's /proc.
  if (fs::is_directory("/proc/self")) {
    CHECK_THROWS_WITH_AS(backflow::check_writable("/proc/self/m.bfm"),
                         doctest::Contains("cannot write '/proc/self/m.bfm'"), std::runtime_error);
  }
  CHECK(entries(scratch.path()) == 2);  // a-file and taken.bfm
}

TEST_CASE("create_output_directory makes parents, accepts an existing directory, and names what fails") {
  const ScratchDirectory scratch;
  CHECK_NOTHROW(backflow::create_output_directory(scratch / "frames" / "xor"));
  CHECK(fs::is_directory(scratch / "frames" / "xor"));
  CHECK_NOTHROW(backflow::create_output_directory(scratch / "frames" / "xor"));
  std::ofstream(scratch / "a-file") << "not a directory\n";
  const std::string names_it = "cannot make the directory '" + (scratch / "a-file" / "frames").string() + "'";
  CHECK_THROWS_WITH_AS(backflow::create_output_directory(scratch / "a-file" / "frames"),
                       doctest::Contains(names_it.c_str()), std::runtime_error);
}

TEST_CASE("temporary files left by a killed run with this process id are stepped over, and kept") {
  // A container restarts its program as PID 1 every time, so an earlier run's leftovers can
  // carry exactly the names this process is about to use.
  const ScratchDirectory scratch;
  constexpr int leftovers = 200;
  for (int n = 0; n < leftovers; ++n) {
    std::ofstream(scratch / (".out.txt.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(n))) << "old\n";
  }
  CHECK_NOTHROW(backflow::check_writable(scratch / "out.txt"));
  CHECK_NOTHROW(backflow::write_file_atomically(scratch / "out.txt", "new\n"));
  std::ifstream written(scratch / "out.txt");
  std::string line;
  std::getline(written, line);
  CHECK(line == "new");
  CHECK(entries(scratch.path()) == leftovers + 1);  // theirs untouched, ours renamed into place
}

TEST_CASE("a file name near the 255-byte limit can be written: its temporary name is shortened") {
  const ScratchDirectory scratch;
  const std::string long_name = std::string(250, 'x') + ".dot";  // 254 bytes: allowed
  CHECK_NOTHROW(backflow::check_writable(scratch / long_name));
  CHECK_NOTHROW(backflow::write_file_atomically(scratch / long_name, "digraph {}\n"));
  CHECK(fs::exists(scratch / long_name));
  CHECK(entries(scratch.path()) == 1);
}

TEST_CASE("a write through a symbolic link replaces the file it points to and keeps the link") {
  const ScratchDirectory scratch;
  fs::create_directories(scratch / "real");
  std::ofstream(scratch / "real" / "model.bfm") << "old\n";
  fs::create_symlink(fs::path("real") / "model.bfm", scratch / "link.bfm");
  CHECK_NOTHROW(backflow::check_writable(scratch / "link.bfm"));
  backflow::write_file_atomically(scratch / "link.bfm", "new\n");
  CHECK(fs::is_symlink(fs::symlink_status(scratch / "link.bfm")));
  std::ifstream written(scratch / "real" / "model.bfm");
  std::string line;
  std::getline(written, line);
  CHECK(line == "new");
  CHECK(entries(scratch / "real") == 1);
}

TEST_CASE("a replaced file keeps its permissions") {
  const ScratchDirectory scratch;
  std::ofstream(scratch / "private.bfm") << "old\n";
  fs::permissions(scratch / "private.bfm", fs::perms::owner_read | fs::perms::owner_write);
  backflow::write_file_atomically(scratch / "private.bfm", "new\n");
  CHECK(fs::status(scratch / "private.bfm").permissions() == (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("files that a rename would destroy or that the user protected are refused, and kept") {
  const ScratchDirectory scratch;
  // A device: renaming over /dev/null as root would turn it into a regular file.
  CHECK_THROWS_WITH_AS(backflow::check_writable("/dev/null"), doctest::Contains("'/dev/null': it is a device"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(backflow::write_file_atomically("/dev/null", "x"), doctest::Contains("it is a device"),
                       std::runtime_error);
  CHECK(fs::is_character_file("/dev/null"));
  REQUIRE(::mkfifo((scratch / "pipe").c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(backflow::write_file_atomically(scratch / "pipe", "x"), doctest::Contains("it is a FIFO"),
                       std::runtime_error);
  CHECK(fs::is_fifo(scratch / "pipe"));
  // A name longer than the file system allows is refused before any work, not after it.
  CHECK_THROWS_WITH_AS(backflow::check_writable(scratch / (std::string(256, 'x') + ".bfm")),
                       doctest::Contains("bytes long, and this file system allows 255"), std::runtime_error);
  // Root may write anything, so only another user sees a read-only file refused.
  if (::geteuid() != 0) {
    std::ofstream(scratch / "kept.bfm") << "keep me\n";
    fs::permissions(scratch / "kept.bfm", fs::perms::owner_read);
    CHECK_THROWS_WITH_AS(backflow::write_file_atomically(scratch / "kept.bfm", "x"), doctest::Contains("read-only"),
                         std::runtime_error);
  }
  CHECK(entries(scratch.path()) == (::geteuid() != 0 ? 2 : 1));  // no temporary left behind
}

TEST_CASE("a directory that takes no new file is named as the reason") {
  if (!fs::is_directory("/proc/self")) return;
  CHECK_THROWS_WITH_AS(backflow::check_writable("/proc/backflow-probe.bfm"),
                       doctest::Contains("cannot create a new file in '/proc'"), std::runtime_error);
}

TEST_CASE("another user's symbolic link in a sticky directory is not followed (the /tmp attack)") {
  // Only root can give a link to another user; CI runs as root.
  if (::geteuid() != 0) return;
  const ScratchDirectory scratch;
  fs::create_directories(scratch / "shared");
  fs::permissions(scratch / "shared", fs::perms::all | fs::perms::sticky_bit);  // like /tmp: 1777
  std::ofstream(scratch / "victim.rc") << "precious\n";
  fs::create_symlink(scratch / "victim.rc", scratch / "shared" / "model.bfm");
  constexpr uid_t nobody = 65534;
  REQUIRE(::lchown((scratch / "shared" / "model.bfm").c_str(), nobody, nobody) == 0);
  CHECK_THROWS_WITH_AS(backflow::write_file_atomically(scratch / "shared" / "model.bfm", "model bytes"),
                       doctest::Contains("is another user's symbolic link in a directory with the sticky bit"),
                       std::runtime_error);
  std::ifstream kept(scratch / "victim.rc");
  std::string line;
  std::getline(kept, line);
  CHECK(line == "precious");
  // The link's owner may follow it, as Linux's protected_symlinks allows.
  REQUIRE(::lchown((scratch / "shared" / "model.bfm").c_str(), 0, 0) == 0);
  CHECK_NOTHROW(backflow::write_file_atomically(scratch / "shared" / "model.bfm", "model bytes"));
}
