// render(): files by extension, in-process through Graphviz; errors that say what went wrong.
#include "worked_example.hpp"

#include <backflow/dot.hpp>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace fs = std::filesystem;
using backflow::DotOptions;

namespace {

/// A fresh directory for one test, removed afterwards.
struct ScratchDirectory {
  fs::path path = fs::temp_directory_path() / ("backflow-render-test-" + std::to_string(::getpid()));
  ScratchDirectory() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDirectory() { fs::remove_all(path); }
  std::size_t files() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), fs::directory_iterator()));
  }
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

WorkedExample after_backward() {
  WorkedExample worked;
  worked.error.backward();
  return worked;
}

}  // namespace

TEST_CASE(".dot files are written without Graphviz, whole") {
  ScratchDirectory scratch;
  const WorkedExample worked = after_backward();
  backflow::render(worked.error, scratch.path / "example.dot");
  CHECK(read_file(scratch.path / "example.dot") == backflow::to_dot(worked.error));
  CHECK(scratch.files() == 1);  // no temporary left behind
  // The extension's case does not matter.
  backflow::render(worked.error, scratch.path / "EXAMPLE.DOT");
  CHECK(read_file(scratch.path / "EXAMPLE.DOT") == backflow::to_dot(worked.error));
}

TEST_CASE("bad requests give clear errors and leave nothing behind") {
  ScratchDirectory scratch;
  const WorkedExample worked = after_backward();
  CHECK_THROWS_WITH_AS(backflow::render(worked.error, scratch.path / "example.bmp"),
                       doctest::Contains("extension '.bmp'; use .dot, .svg, .png or .pdf"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(backflow::render(worked.error, scratch.path / "no-such-dir" / "example.svg"),
                       doctest::Contains("does not exist"), std::runtime_error);
  CHECK_THROWS_WITH_AS(backflow::render(worked.error, scratch.path / "no-such-dir" / "example.dot"),
                       doctest::Contains("does not exist"), std::runtime_error);
  DotOptions options;
  options.max_nodes = 0;
  CHECK_THROWS_WITH_AS(backflow::render(worked.error, scratch.path / "example.svg", options),
                       doctest::Contains("max_nodes must be at least 1"), std::invalid_argument);
  CHECK(scratch.files() == 0);
  // The same checks, without drawing: what a program runs on its arguments first.
  CHECK_THROWS_WITH_AS(backflow::check_render_target(scratch.path / "example.bmp"),
                       doctest::Contains("extension '.bmp'; use .dot, .svg, .png or .pdf"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(backflow::check_render_target(scratch.path / "no-such-dir" / "example.dot"),
                       doctest::Contains("does not exist"), std::runtime_error);
  CHECK_NOTHROW(backflow::check_render_target(scratch.path / "example.dot"));
  if (backflow::graphviz_available()) {
    CHECK_NOTHROW(backflow::check_render_target(scratch.path / "example.svg"));
  } else {
    CHECK_THROWS_WITH_AS(backflow::check_render_target(scratch.path / "example.svg"),
                         doctest::Contains("built without Graphviz"), std::runtime_error);
  }
  CHECK(scratch.files() == 0);
}

// A directory holding one animation of the worked example, as .dot frames.
struct FramesWrittenOnce {
  ScratchDirectory scratch;
  WorkedExample worked = after_backward();
  fs::path frames = scratch.path / "frames";
  FramesWrittenOnce() {
    REQUIRE(backflow::write_backward_frames(worked.error, frames, {}, "dot").size() == WorkedExample::computed);
  }
};

TEST_CASE("frames: a failed run leaves the old animation; a shorter one removes the old tail, and only frames") {
  const FramesWrittenOnce once;
  const WorkedExample& worked = once.worked;
  const fs::path& frames = once.frames;
  std::ofstream(frames / "frame_050.dot") << "from a longer animation\n";
  std::ofstream(frames / "frame_000.svg") << "another format: not ours to remove\n";
  std::ofstream(frames / "frame_cover.dot") << "the user's own: not a frame name\n";
  std::ofstream(frames / "frame_050_notes.dot") << "the user's own: not a frame name\n";
  DotOptions impossible;
  impossible.max_nodes = 0;  // refused by to_dot
  CHECK_THROWS_AS(backflow::write_backward_frames(worked.error, frames, impossible, "dot"), std::invalid_argument);
  CHECK(fs::exists(frames / "frame_000.dot"));
  CHECK(fs::exists(frames / "frame_050.dot"));
  backflow::write_backward_frames(worked.error, frames, {}, "dot");
  CHECK_FALSE(fs::exists(frames / "frame_050.dot"));
  CHECK(fs::exists(frames / "frame_000.svg"));
  CHECK(fs::exists(frames / "frame_cover.dot"));
  CHECK(fs::exists(frames / "frame_050_notes.dot"));
  CHECK(static_cast<std::size_t>(std::distance(fs::directory_iterator(frames), {})) == WorkedExample::computed + 3);
}

TEST_CASE("frames: a run that fails midway replaces none of the old frames") {
  const FramesWrittenOnce once;
  const WorkedExample& worked = once.worked;
  const fs::path& frames = once.frames;
  std::ofstream(frames / "frame_000.dot") << "the old first frame\n";
  // The sixth frame cannot be written: its hidden name is taken by a directory.
  fs::create_directory(frames / ".new_frame_005.dot");
  CHECK_THROWS(backflow::write_backward_frames(worked.error, frames, {}, "dot"));
  CHECK(read_file(frames / "frame_000.dot") == "the old first frame\n");
  CHECK(fs::is_directory(frames / ".new_frame_005.dot"));  // not ours: left alone
  fs::remove(frames / ".new_frame_005.dot");
  // Only the old frames are left: the five drawn before the failure were removed.
  CHECK(static_cast<std::size_t>(std::distance(fs::directory_iterator(frames), {})) == WorkedExample::computed);
  // The extension in either case, as render() takes it.
  const auto upper = backflow::write_backward_frames(worked.error, frames, {}, "DOT");
  REQUIRE(upper.size() == WorkedExample::computed);
  CHECK(upper.front().filename() == "frame_000.DOT");
}

TEST_CASE("render_to_memory refuses Graphviz's window formats up front: they crash or exit without a display") {
  const WorkedExample worked = after_backward();
  for (const char* format : {"x11", "xlib", "gtk", "x11:cairo", "vrml"}) {
    CAPTURE(format);
    CHECK_THROWS_WITH_AS(backflow::render_to_memory(backflow::make_graph_view(worked.error), format),
                         doctest::Contains("is not a format of bytes"), std::invalid_argument);
  }
}

#ifdef BACKFLOW_TEST_WITH_GRAPHVIZ

TEST_CASE("SVG: well-formed XML that names every node") {
  ScratchDirectory scratch;
  REQUIRE(backflow::graphviz_available());
  const WorkedExample worked = after_backward();
  backflow::render(worked.error, scratch.path / "example.svg");
  const std::string svg = read_file(scratch.path / "example.svg");
  std::istringstream in(svg);
  boost::property_tree::ptree tree;
  CHECK_NOTHROW(boost::property_tree::read_xml(in, tree));
  CHECK(tree.get_child_optional("svg").has_value());
  for (const char* text : {"x1", "x2", "w1", "w3", "E", "data 0.7311", "grad 1.0000", "layer 1 / neuron 3"}) {
    CHECK_MESSAGE(svg.find(text) != std::string::npos, text);
  }
  CHECK(scratch.files() == 1);
}

TEST_CASE("the same graph gives the same SVG: clusters in the order the DOT text declares them") {
  // cgraph orders subgraphs by ID, and its default IDs are heap addresses: with address-space
  // randomisation the clusters came out in a different order from run to run.
  const WorkedExample worked = after_backward();
  const backflow::GraphView graph = backflow::make_graph_view(worked.error);
  const auto names_in = [](const std::string& text, const std::regex& pattern) {
    std::vector<std::string> names;
    for (auto match = std::sregex_iterator(text.begin(), text.end(), pattern); match != std::sregex_iterator();
         ++match) {
      names.push_back((*match)[1]);
    }
    return names;
  };
  const std::vector<std::string> declared =
      names_in(backflow::to_dot(graph), std::regex(R"re(subgraph "(cluster_[^"]*)")re"));
  const std::string svg = backflow::render_to_memory(graph, "svg");
  const std::vector<std::string> drawn = names_in(svg, std::regex("<title>(cluster_[^<]*)</title>"));
  REQUIRE(declared.size() >= 4);  // three neurons and the legend
  CHECK(drawn == declared);
  CHECK(backflow::render_to_memory(graph, "svg") == svg);
}

TEST_CASE("Graphviz's own DOT writers name the nodes plainly, not as HTML labels") {
  // Graphviz's writers look for an HTML mark stored just before each name it interned; names
  // kept anywhere else read a random bit there and came out as <op0>, run to run.
  const WorkedExample worked = after_backward();
  const backflow::GraphView graph = backflow::make_graph_view(worked.error);
  for (const char* format : {"canon", "xdot", "plain"}) {
    CAPTURE(format);
    const std::string text = backflow::render_to_memory(graph, format);
    CHECK(text.find("<op") == std::string::npos);
    CHECK(text.find("<v") == std::string::npos);
    CHECK(text.find("<backflow>") == std::string::npos);
  }
  CHECK(backflow::render_to_memory(graph, "canon").find("digraph backflow {") == 0);
  CHECK(backflow::render_to_memory(graph, "plain").find("node v0 ") != std::string::npos);
}

TEST_CASE("PNG and PDF start with their signatures; rendering again reuses the one Graphviz") {
  ScratchDirectory scratch;
  const WorkedExample worked = after_backward();
  for (int round = 0; round < 3; ++round) {
    backflow::render(worked.error, scratch.path / "example.png");
    CHECK(read_file(scratch.path / "example.png").starts_with("\x89PNG\r\n\x1a\n"));
  }
  backflow::render(worked.error, scratch.path / "example.pdf");
  CHECK(read_file(scratch.path / "example.pdf").starts_with("%PDF"));
  CHECK(backflow::render_to_memory(backflow::make_graph_view(worked.error), "svg").find("<svg") != std::string::npos);
}

TEST_CASE("Graphviz draws a label with DOT and record syntax in it as the user wrote it") {
  backflow::Value a(1.0, "say \"hi\" \\ {a|b} <p>\nnext");
  const backflow::Value b = a * 2.0;
  const std::string svg = backflow::render_to_memory(backflow::make_graph_view(b), "svg");
  // One field, two lines: nothing split into extra fields or ports, nothing lost.
  CHECK(svg.find(R"(>say &quot;hi&quot; \ {a|b} &lt;p&gt;</text>)") != std::string::npos);
  CHECK(svg.find(">next</text>") != std::string::npos);
}

TEST_CASE("pictures are whole: SVG to its closing tag, PNG to its IEND chunk, PDF to %%EOF") {
  ScratchDirectory scratch;
  const WorkedExample worked = after_backward();
  backflow::render(worked.error, scratch.path / "example.svg");
  backflow::render(worked.error, scratch.path / "example.png");
  backflow::render(worked.error, scratch.path / "example.pdf");
  CHECK(read_file(scratch.path / "example.svg").ends_with("</svg>\n"));
  const std::string png = read_file(scratch.path / "example.png");
  CHECK(png.starts_with("\x89PNG\r\n\x1a\n"));
  // The last chunk: length 0, type IEND, its CRC. PNG bytes hold zeros from the first chunk
  // on, so a copy that stopped at the first zero would end long before this.
  const std::string png_end("\0\0\0\0IEND\xae\x42\x60\x82", 12);
  CHECK(png.ends_with(png_end));
  CHECK(backflow::render_to_memory(backflow::make_graph_view(worked.error), "png").ends_with(png_end));
  const std::string pdf = read_file(scratch.path / "example.pdf");
  CHECK(pdf.find("%%EOF", pdf.size() - 16) != std::string::npos);
  CHECK(scratch.files() == 3);
}

TEST_CASE("a picture that cannot be written throws, naming it, and leaves no temporary behind") {
  ScratchDirectory scratch;
  const WorkedExample worked = after_backward();
  std::ofstream(scratch.path / "a-file") << "not a directory\n";
  fs::create_directories(scratch.path / "taken.svg");  // a directory where the picture should go
  for (const char* name : {"example.svg", "example.png"}) {
    CHECK_THROWS_WITH_AS(backflow::render(worked.error, scratch.path / "a-file" / name),
                         doctest::Contains("a-file' is not a directory"), std::runtime_error);
    CHECK_THROWS_WITH_AS(backflow::render(worked.error, scratch.path / "missing" / name),
                         doctest::Contains("does not exist"), std::runtime_error);
  }
  // Graphviz renders this one; the rename onto the directory then fails.
  const std::string names_it = "cannot write '" + (scratch.path / "taken.svg").string() + "'";
  CHECK_THROWS_WITH_AS(backflow::render(worked.error, scratch.path / "taken.svg"), doctest::Contains(names_it.c_str()),
                       std::runtime_error);
  CHECK(fs::is_empty(scratch.path / "taken.svg"));
  CHECK(scratch.files() == 2);  // a-file and taken.svg: no .tmp- files
}

TEST_CASE("a full disk: the write fails with an exception, not exit(1), and leaves nothing") {
  ScratchDirectory scratch;
  const WorkedExample worked = after_backward();
  // A file size limit makes write() fail with EFBIG after 4 KiB, as a full disk would make it
  // fail with ENOSPC. Graphviz writing the file itself calls exit(1) on that.
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  const auto saved_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string error;
  try {
    backflow::render(worked.error, scratch.path / "example.png");
  } catch (const std::runtime_error& failure) {
    error = failure.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, saved_handler);
  CHECK(error == "backflow: cannot write '" + (scratch.path / "example.png").string() + "': File too large");
  CHECK(scratch.files() == 0);
}

TEST_CASE("labels with control characters, cut UTF-8 or entities still give SVG with the text as typed") {
  const backflow::Value a(1.0, "&lt;b&gt;");
  const backflow::Value b(2.0, "bell\x01 cut \xe2\x82");
  DotOptions options;
  options.title = "title\x02";
  const std::string svg = backflow::render_to_memory(backflow::make_graph_view(a * b), "svg", options);
  CHECK(svg.find(">&amp;lt;b&amp;gt;</text>") != std::string::npos);
  CHECK(svg.find(">bell\xEF\xBF\xBD cut \xEF\xBF\xBD\xEF\xBF\xBD</text>") != std::string::npos);
  CHECK(svg.find(">title\xEF\xBF\xBD</text>") != std::string::npos);
  CHECK(svg.find('\x01') == std::string::npos);
  CHECK(svg.find('\x02') == std::string::npos);
}

TEST_CASE("Graphviz's own error text comes back as an exception") {
  ScratchDirectory scratch;
  const WorkedExample worked = after_backward();
  CHECK_THROWS_WITH_AS(backflow::render_to_memory(backflow::make_graph_view(worked.error), "no-such-format"),
                       doctest::Contains("renderer for no-such-format is unavailable"), std::runtime_error);
  fs::create_directories(scratch.path / "locked");
  fs::permissions(scratch.path / "locked", fs::perms::owner_read | fs::perms::owner_exec);
  if (::geteuid() != 0) {  // root writes anywhere
    CHECK_THROWS_WITH_AS(backflow::render(worked.error, scratch.path / "locked" / "example.svg"),
                         doctest::Contains("example.svg': Permission denied"), std::runtime_error);
  }
  fs::permissions(scratch.path / "locked", fs::perms::owner_all);
  CHECK(fs::is_empty(scratch.path / "locked"));
  // And the one Graphviz still works afterwards.
  backflow::render(worked.error, scratch.path / "example.svg");
  CHECK(fs::exists(scratch.path / "example.svg"));
}

TEST_CASE("renders from several threads take turns") {
  ScratchDirectory scratch;
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&scratch, i] {
      const WorkedExample worked = after_backward();  // graphs belong to one thread
      backflow::render(worked.error, scratch.path / ("example" + std::to_string(i) + ".svg"));
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(scratch.files() == 3);
}

TEST_CASE("frames: one picture per backward step, in order") {
  ScratchDirectory scratch;
  const WorkedExample worked = after_backward();
  const std::vector<fs::path> frames = backflow::write_backward_frames(worked.error, scratch.path / "frames");
  REQUIRE(frames.size() == WorkedExample::computed);
  CHECK(frames.front().filename() == "frame_000.svg");
  CHECK(frames.back().filename() == "frame_019.svg");
  CHECK(read_file(frames.front()).find("backward step 0") != std::string::npos);
  WorkedExample before;
  CHECK_THROWS_WITH_AS(backflow::write_backward_frames(before.error, scratch.path / "frames"),
                       doctest::Contains("call backward() first"), std::invalid_argument);
}

TEST_CASE("micrograd's demo step renders collapsed, naming its neurons") {
  ScratchDirectory scratch;
  const auto data = backflow::make_moons(100, 0.1, 1);
  backflow::nn::MLP model(2, {16, 16, 1});
  std::vector<backflow::Value> scores;
  for (const auto& p : data.points) scores.push_back(model({p[0], p[1]})[0]);
  const backflow::Value loss =
      backflow::hinge_loss(scores, data.labels) + backflow::l2_penalty(model.parameters(), 1e-4);
  loss.backward();
  DotOptions options;
  options.collapse_modules = true;
  const auto start = std::chrono::steady_clock::now();
  backflow::render(loss, scratch.path / "moons.svg", options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Reported, not asserted: time is for benchmarks (bench_moons_step), not for tests on
  // shared machines. A few seconds in a release build.
  MESSAGE("moons step, collapsed, view + DOT + layout + SVG: " << seconds << " s");
  CHECK(read_file(scratch.path / "moons.svg").find("layer 2 / neuron 16") != std::string::npos);
}

#else

TEST_CASE("without Graphviz, pictures other than .dot say so") {
  const WorkedExample worked = after_backward();
  CHECK_FALSE(backflow::graphviz_available());
  CHECK_THROWS_WITH_AS(backflow::render(worked.error, fs::temp_directory_path() / "example.svg"),
                       doctest::Contains("built without Graphviz"), std::runtime_error);
}

#endif
