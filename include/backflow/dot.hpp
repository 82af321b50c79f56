// backflow/dot.hpp: pictures of a computation and of backpropagation through it.
//
// to_dot() writes Graphviz DOT text; render() writes .dot, .svg, .png or .pdf (the last three
// in-process through the Graphviz library); write_backward_frames() writes one picture per
// backward step. Everything works from a GraphView, so any engine that can build one gets
// the same pictures; the Value overloads build the view and call those.
#pragma once

#include <backflow/graph.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace backflow {

/// What the picture shows.
enum class DotMode {
  automatic,  ///< flow when the graph has gradients (after backward()), forward otherwise
  forward,    ///< values only
  flow,       ///< values, gradients, each edge labelled with the gradient it carries backward
};

/// The direction ranks are laid out in.
enum class RankDir { left_to_right, top_to_bottom };

/// How to draw a graph. The defaults give micrograd's look with colours and a legend.
struct DotOptions {
  DotMode mode = DotMode::automatic;         ///< values only, gradient flow, or decided by the graph
  RankDir rankdir = RankDir::left_to_right;  ///< the direction from inputs to output
  /// Draw the nodes made inside a module inside a box named after it ("layer 1 / neuron 3").
  bool clusters = true;
  /// Draw each module as one box instead of its nodes.
  bool collapse_modules = false;
  /// The most Graphviz nodes (value records and op circles) to draw. A larger graph is
  /// summarised: similar nodes merged into one box each, then modules collapsed. At least 1.
  /// Pictures laid out by Graphviz (.svg, .png, .pdf) use at most 1,500 whatever this says.
  std::size_t max_nodes = 1000;
  /// A small key of colours and symbols.
  bool legend = true;
  /// Step-by-step mode: draw the moment backward() processes the node with this
  /// backward_step (see backward_steps()), with only the gradients known by then. Negative:
  /// off.
  int step = -1;
  /// A caption above the picture, or "".
  std::string title;
};

/// DOT text for `graph`. Throws std::invalid_argument for max_nodes 0, a picture that
/// cannot be summarised down to max_nodes, a `step` on a graph without gradients or that no
/// node of the graph has, or (in step mode) a hand-built view whose root is none of its
/// vertices.
std::string to_dot(const GraphView& graph, const DotOptions& options = {});
/// DOT text for the graph behind `root` (builds the view, then calls the overload above).
std::string to_dot(const Value& root, const DotOptions& options = {});
/// The DOT text of a tensor graph (see make_graph_view(const Tensor&)).
std::string to_dot(const Tensor& root, const DotOptions& options = {});

/// Writes the picture to `file`; the extension picks the format: .dot, .svg, .png or .pdf.
/// The file appears whole or not at all (written aside, then renamed). Throws
/// std::invalid_argument for an unknown extension and std::runtime_error, with Graphviz's
/// own message, when Graphviz fails or the file cannot be written. Thread-safe.
void render(const GraphView& graph, const std::filesystem::path& file, const DotOptions& options = {});
/// Renders the graph behind `root`.
void render(const Value& root, const std::filesystem::path& file, const DotOptions& options = {});
/// Renders a tensor graph, like render(const GraphView&, ...).
void render(const Tensor& root, const std::filesystem::path& file, const DotOptions& options = {});

/// The picture as bytes in `format`, without touching files: "dot" (backflow's own text), or
/// any output format Graphviz names, in its spelling ("svg", "png", "pdf", also "jpg",
/// "json", ...). Throws std::runtime_error with Graphviz's message for a format it does not
/// know (it is case-sensitive: "SVG" is unknown), or when built without Graphviz, and
/// std::invalid_argument for Graphviz's window formats ("x11", "xlib", "gtk") and "vrml"
/// (which writes files of its own).
std::string render_to_memory(const GraphView& graph, std::string_view format, const DotOptions& options = {});

/// True when backflow was built with Graphviz, so render() can write .svg, .png and .pdf.
bool graphviz_available();

/// Throws what render() would throw for this file name before drawing anything: an unknown
/// extension, a picture format in a build without Graphviz, a file that cannot be written
/// (see check_writable()). For checking a program's arguments before slow work.
void check_render_target(const std::filesystem::path& file);

/// The backward steps that compute something (nodes with inputs), in the order backward()
/// takes them: the `step` values that write_backward_frames() draws.
std::vector<int> backward_steps(const GraphView& graph);

/// Writes one picture per backward step into `directory` (created if needed), named
/// frame_000.EXT, frame_001.EXT, ... (EXT: the extension, dot, svg, png or pdf in either case;
/// more digits past 1,000 frames, so the names sort in order). The frames are drawn under
/// hidden names and renamed into place only when all are drawn; then older frames of that
/// extension there (frame_ and digits only: an earlier, longer run's) are removed, and
/// nothing else. So an error while drawing leaves the old frames as they were (only a
/// rename that fails, which is rare, can leave some old and some new). Returns
/// the paths written. Throws std::invalid_argument for a graph without gradients (call
/// backward() first) or an unknown extension, and what render() throws.
std::vector<std::filesystem::path> write_backward_frames(const GraphView& graph, const std::filesystem::path& directory,
                                                         const DotOptions& options = {},
                                                         std::string_view extension = "svg");
/// Writes the frames for the graph behind `root`.
std::vector<std::filesystem::path> write_backward_frames(const Value& root, const std::filesystem::path& directory,
                                                         const DotOptions& options = {},
                                                         std::string_view extension = "svg");

}  // namespace backflow
