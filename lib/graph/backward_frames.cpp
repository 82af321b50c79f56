// Step-by-step pictures of backward(): one frame per node that passes gradient back.
#include <backflow/dot.hpp>
#include <backflow/files.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace backflow {

std::vector<int> backward_steps(const GraphView& graph) {
  std::vector<int> steps;
  for (auto [vertex, end] = boost::vertices(graph); vertex != end; ++vertex) {
    // Leaves are visited too, but they have nobody to pass gradient to.
    if (boost::in_degree(*vertex, graph) > 0 && graph[*vertex].backward_step >= 0) {
      steps.push_back(graph[*vertex].backward_step);
    }
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

namespace {

/// Whether `name` is one this function writes: "frame_", digits only, then `extension`.
/// Anything else in the directory (frame_cover.svg, notes) is the user's and stays.
bool is_frame_name(std::string_view name, std::string_view extension) {
  if (!name.starts_with("frame_") || !name.ends_with(extension)) return false;
  const std::string_view number = name.substr(6, name.size() - 6 - extension.size());
  return !number.empty() && std::ranges::all_of(number, [](char c) { return c >= '0' && c <= '9'; });
}

/// Removes the frame files of this extension that are not among `kept` (an earlier,
/// longer animation's tail).
void remove_old_frames(const std::filesystem::path& directory, const std::string& extension,
                       const std::vector<std::filesystem::path>& kept) {
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && is_frame_name(name, extension) &&
        std::ranges::none_of(kept, [&](const auto& path) { return path.filename() == entry.path().filename(); })) {
      std::filesystem::remove(entry.path());
    }
  }
}

}  // namespace

std::vector<std::filesystem::path> write_backward_frames(const GraphView& graph, const std::filesystem::path& directory,
                                                         const DotOptions& options, std::string_view extension) {
  if (!graph[boost::graph_bundle].has_gradients) {
    throw std::invalid_argument("backflow: write_backward_frames: the graph has no gradients; call backward() first");
  }
  std::string suffix = ".";  // (built in two steps: "." + string trips a false GCC 12 warning)
  suffix += extension;
  std::string lower = suffix;  // "SVG" is an SVG too, as in render()
  std::ranges::transform(lower, lower.begin(), [](unsigned char letter) { return std::tolower(letter); });
  if (lower != ".dot" && lower != ".svg" && lower != ".png" && lower != ".pdf") {
    throw std::invalid_argument(
        fmt::format("backflow: write_backward_frames: unknown format '{}'; use dot, svg, png or pdf", extension));
  }
  create_output_directory(directory);
  const std::vector<int> steps = backward_steps(graph);
  // Wide enough that the names sort in frame order (frame_0999 before frame_1000) in a
  // shell glob or an animation tool.
  const std::size_t digits = std::max<std::size_t>(3, fmt::formatted_size("{}", steps.empty() ? 0 : steps.size() - 1));
  // Every frame is drawn under a hidden name first and renamed only when all are drawn, so
  // an error while drawing (Graphviz, a full disk) leaves the old animation as it was.
  std::vector<std::filesystem::path> written;
  std::vector<std::filesystem::path> drawn;  // the hidden files made so far
  DotOptions frame = options;
  std::size_t renamed = 0;
  try {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      frame.step = steps[i];
      frame.title =
          fmt::format("{}{}frame {} of {}", options.title, options.title.empty() ? "" : ": ", i + 1, steps.size());
      const std::filesystem::path hidden = directory / fmt::format(".new_frame_{:0{}}{}", i, digits, suffix);
      render(graph, hidden, frame);
      drawn.push_back(hidden);
      written.push_back(directory / fmt::format("frame_{:0{}}{}", i, digits, suffix));
    }
    for (; renamed < drawn.size(); ++renamed) std::filesystem::rename(drawn[renamed], written[renamed]);
  } catch (...) {
    std::error_code ignored;
    for (std::size_t i = renamed; i < drawn.size(); ++i) std::filesystem::remove(drawn[i], ignored);
    throw;
  }
  remove_old_frames(directory, suffix, written);
  return written;
}

std::vector<std::filesystem::path> write_backward_frames(const Value& root, const std::filesystem::path& directory,
                                                         const DotOptions& options, std::string_view extension) {
  return write_backward_frames(make_graph_view(root), directory, options, extension);
}

}  // namespace backflow
