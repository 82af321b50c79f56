#include "box_labels.hpp"

#include "dot_style.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

namespace backflow::detail {
namespace {

std::string record(const std::vector<std::string>& fields, bool horizontal) {
  std::string inside;
  for (const std::string& field : fields) inside += (inside.empty() ? "" : " | ") + field;
  return horizontal ? "{ " + inside + " }" : inside;
}

std::string grad_field(const GraphView& graph, GraphVertex vertex, const LabelMode& mode) {
  const GraphNode& node = graph[vertex];
  if (mode.progress == nullptr || node.grad_text == "not needed") return "grad " + node.grad_text;
  const BackwardProgress& progress = *mode.progress;
  if (!progress.has_any(vertex)) return "grad ?";
  if (progress.complete(vertex)) return "grad " + node.grad_text;  // what backward() left
  // Part of the gradient has arrived: its running sum, where the edges' shares add up.
  if (!graph[boost::graph_bundle].edge_grads_add_up) return "grad: partly arrived";
  return "grad " + format_number(progress.known_grad(vertex)) + " so far";
}

std::string node_label(const GraphView& graph, GraphVertex vertex, const LabelMode& mode) {
  const GraphNode& node = graph[vertex];
  const bool gradients = mode.gradients || mode.progress != nullptr;
  std::string title = node.label;
  if (gradients && node.backward_step >= 0) title = fmt::format("#{} {}", node.backward_step, node.label);
  std::vector<std::string> fields{record_field(title), record_field("data " + node.value_text)};
  if (gradients) fields.push_back(record_field(grad_field(graph, vertex, mode)));
  return record(fields, mode.horizontal_fields);
}

// "relu 100, + 300, * 300": the most common ops first, at most four.
std::string op_summary(const GraphView& graph, const Box& box) {
  std::map<std::string, std::size_t> count_of;
  for (GraphVertex vertex : box.members) ++count_of[graph[vertex].op];
  std::vector<std::pair<std::string, std::size_t>> ops(count_of.begin(), count_of.end());
  std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string text;
  for (std::size_t i = 0; i < std::min<std::size_t>(ops.size(), 4); ++i) {
    text += fmt::format("{}{} {}", i == 0 ? "" : ", ", ops[i].first, ops[i].second);
  }
  return ops.size() > 4 ? text + ", ..." : text;
}

// "-0.5000 to 2.0000", and how many are NaN: min and max pass over NaN without a trace, and a
// NaN is what a learner looks for in a summary.
std::string range(const std::vector<double>& numbers) {
  std::optional<double> low;
  std::optional<double> high;
  std::size_t nans = 0;
  for (const double number : numbers) {
    if (std::isnan(number)) {
      ++nans;
      continue;
    }
    low = std::min(low.value_or(number), number);
    high = std::max(high.value_or(number), number);
  }
  if (!low) return "NaN";  // every one
  const std::string text = *low == *high ? format_number(*low) : format_number(*low) + " to " + format_number(*high);
  return nans == 0 ? text : fmt::format("{} ({} NaN)", text, nans);
}

// In step mode a merged box shows only the gradients complete by this step.
bool grad_known(const LabelMode& mode, GraphVertex vertex) {
  return mode.progress == nullptr || mode.progress->complete(vertex);
}

// Summary boxes are plain boxes with lines, not records: dot loses edges between records
// that end up on one rank, which merged boxes (whose arrows can form cycles) run into.
std::string lines(const std::vector<std::string>& texts) {
  std::string joined;
  for (const std::string& text : texts) joined += (joined.empty() ? "" : "\\n") + quoted(text);
  return joined;
}

std::string module_label(const GraphView& graph, const Box& box, const LabelMode& mode) {
  std::size_t parameters = 0;
  std::size_t known = 0;
  double largest_parameter_grad = 0.0;
  for (GraphVertex vertex : box.members) {
    if (graph[vertex].role != NodeRole::parameter) continue;
    ++parameters;
    if (!grad_known(mode, vertex)) continue;
    ++known;
    // A NaN gradient makes the largest size NaN (and keeps it so): std::max would hide it.
    const double size = std::fabs(graph[vertex].grad);
    if (std::isnan(size) || size > largest_parameter_grad) largest_parameter_grad = size;
  }
  std::vector<std::string> texts{box.title, fmt::format("{} nodes: {}", box.members.size(), op_summary(graph, box))};
  if (parameters > 0) {
    std::string text = fmt::format("{} parameters", parameters);
    if (mode.progress != nullptr && known < parameters) {
      text += fmt::format(", {} with their grad", known);
      if (known > 0) text += ", largest size so far " + format_number(largest_parameter_grad);
    } else if (mode.gradients || mode.progress != nullptr) {
      text += ", largest grad size " + format_number(largest_parameter_grad);
    }
    texts.push_back(text);
  }
  return lines(texts);
}

std::string part_label(const GraphView& graph, const Box& box) { return lines({box.title, op_summary(graph, box)}); }

std::string group_label(const GraphView& graph, const Box& box, const LabelMode& mode) {
  std::vector<double> values;
  std::vector<double> grads;  // the ones known (all of them outside step mode)
  for (GraphVertex vertex : box.members) {
    values.push_back(graph[vertex].value);
    if (grad_known(mode, vertex)) grads.push_back(graph[vertex].grad);
  }
  std::vector<std::string> texts{box.title, "data " + range(values)};
  if (grads.empty() && mode.progress != nullptr) {
    texts.emplace_back("grad ?");
  } else if (grads.size() < box.members.size()) {
    texts.push_back(fmt::format("grad {} ({} of {} known)", range(grads), grads.size(), box.members.size()));
  } else if (mode.gradients || mode.progress != nullptr) {
    texts.push_back("grad " + range(grads));
  }
  return lines(texts);
}

}  // namespace

std::string box_label(const GraphView& graph, const Box& box, const LabelMode& mode) {
  switch (box.kind) {
    case BoxKind::node: return node_label(graph, box.members.front(), mode);
    case BoxKind::module: return module_label(graph, box, mode);
    case BoxKind::group: return group_label(graph, box, mode);
    case BoxKind::part: return part_label(graph, box);
  }
  return "";
}

}  // namespace backflow::detail
