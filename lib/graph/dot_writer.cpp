// to_dot(): the picture (picture.hpp) written as Graphviz DOT. Value records and op circles
// in micrograd's style, modules as clusters, edges styled by the gradient they carry.
#include "backward_progress.hpp"
#include "box_labels.hpp"
#include "dot_style.hpp"
#include "picture.hpp"

#include <backflow/dot.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <unordered_map>

namespace backflow {
namespace {

using detail::Arrow;
using detail::Box;
using detail::BoxKind;
using detail::EdgeState;

// Aggregated arrows carry a label only while there are few of them: hundreds of labels
// between collapsed modules hide the picture.
constexpr std::size_t most_labelled_summary_arrows = 60;

// 65814 -> "65,814": big counts are read at a glance.
std::string with_thousands(std::size_t count) {
  const std::string digits = std::to_string(count);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

/// Clusters nest like scopes: "layer 1" holds "layer 1 / neuron 3".
struct ClusterTree {
  std::vector<std::string> names{""};  // 0 is the top level, outside every cluster
  std::vector<std::vector<std::size_t>> children{{}};
  std::vector<std::vector<std::size_t>> boxes{{}};

  explicit ClusterTree(const detail::Picture& picture) {
    std::unordered_map<std::string, std::size_t> index_of{{"", 0}};
    for (std::size_t box = 0; box < picture.boxes.size(); ++box) {
      std::size_t parent = 0;
      for (const std::string& scope : detail::enclosing_scopes(picture.boxes[box].cluster)) {
        auto [slot, fresh] = index_of.try_emplace(scope, names.size());
        if (fresh) {
          names.push_back(scope);
          children.emplace_back();
          boxes.emplace_back();
          children[parent].push_back(slot->second);
        }
        parent = slot->second;
      }
      boxes[parent].push_back(box);
    }
  }
};

class DotWriter {
 public:
  DotWriter(const GraphView& graph, const DotOptions& options)
      : graph_(graph),
        options_(options),
        picture_(detail::make_picture(graph, options.collapse_modules, options.clusters, options.max_nodes)) {
    flow_ = options.mode == DotMode::flow ||
            (options.mode == DotMode::automatic && graph[boost::graph_bundle].has_gradients);
    if (options.step >= 0) progress_ = std::make_unique<detail::BackwardProgress>(graph, options.step);
    labels_ = {flow_, progress_.get(), options.rankdir == RankDir::left_to_right};
    largest_ = largest_gradient();
  }

  std::string write() {
    out_ += "digraph backflow {\n";
    out_ += fmt::format("  graph [rankdir={}, fontname=\"Helvetica\", labelloc=t, nodesep=0.25, ranksep=0.4",
                        options_.rankdir == RankDir::left_to_right ? "LR" : "TB");
    if (const std::string caption = caption_text(); !caption.empty())
      out_ += fmt::format(", label=\"{}\"", detail::quoted(caption));
    out_ += "];\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n";
    write_clusters();
    for (std::size_t box = 0; box < picture_.boxes.size(); ++box) write_op_edge(box);
    for (const Arrow& arrow : picture_.arrows) write_arrow(arrow);
    if (options_.legend) write_legend();
    out_ += "}\n";
    return std::move(out_);
  }

 private:
  bool showing_gradients() const { return flow_ || progress_ != nullptr; }

  const Box& box(std::size_t index) const { return picture_.boxes[index]; }
  GraphVertex only_member(std::size_t index) const { return box(index).members.front(); }
  bool has_op_circle(std::size_t index) const {
    return box(index).kind == BoxKind::node && detail::has_op_circle(graph_, only_member(index));
  }
  std::string box_id(std::size_t index) const {
    return box(index).kind == BoxKind::node ? fmt::format("v{}", only_member(index)) : fmt::format("b{}", index);
  }
  // Arrows into a computed node end at its op circle, as in micrograd's pictures.
  std::string head_id(std::size_t index) const {
    return has_op_circle(index) ? fmt::format("op{}", only_member(index)) : box_id(index);
  }

  // The largest finite gradient: one infinite one (log at 0) must not flatten the scale
  // of all the others (gradient_style draws a non-finite one grey, apart from the scale).
  double largest_gradient() const {
    double largest = 0.0;
    auto consider = [&](double grad) {
      if (std::isfinite(grad)) largest = std::max(largest, std::fabs(grad));
    };
    for (const Arrow& arrow : picture_.arrows) consider(arrow.grad);
    for (std::size_t index = 0; index < picture_.boxes.size(); ++index) {
      if (has_op_circle(index)) consider(graph_[only_member(index)].grad);
    }
    return largest;
  }

  std::string caption_text() const {
    std::string caption = options_.title;
    auto add_line = [&](const std::string& line) { caption += (caption.empty() ? "" : "\n") + line; };
    if (picture_.summarised || options_.collapse_modules) {
      add_line(fmt::format("{} nodes drawn as {} boxes{}", with_thousands(boost::num_vertices(graph_)),
                           picture_.boxes.size(),
                           picture_.summarised ? " (similar nodes merged to stay within max_nodes)" : ""));
    }
    if (progress_) {
      const GraphNode& node = graph_[progress_->current()];
      const std::string name =
          node.label.empty() ? "the " + node.op + " node" : "'" + node.label + "' (" + node.op + ")";
      add_line(fmt::format("backward step {}: {} has its full grad {} and sends each input local derivative × {}",
                           progress_->step(), name, node.grad_text, node.grad_text));
    }
    return caption;
  }

  void write_clusters() {
    const ClusterTree tree(picture_);
    std::vector<std::pair<std::size_t, bool>> stack{{0, false}};  // (cluster, closing)
    std::vector<int> depth(tree.names.size(), 0);
    while (!stack.empty()) {
      const auto [cluster, closing] = stack.back();
      stack.pop_back();
      if (closing) {
        if (cluster != 0) out_ += "  }\n";
        continue;
      }
      if (cluster != 0) {
        out_ += fmt::format(
            "  subgraph \"cluster_{}\" {{\n    label=\"{}\"; style=\"rounded,filled\"; "
            "fillcolor=\"{}\"; color=\"#9e9e9e\"; fontsize=10;\n",
            cluster, detail::quoted(tree.names[cluster]), depth[cluster] % 2 == 1 ? "#f4f6fb" : "#ffffff");
      }
      for (std::size_t index : tree.boxes[cluster]) write_box(index);
      stack.emplace_back(cluster, true);
      for (auto child = tree.children[cluster].rbegin(); child != tree.children[cluster].rend(); ++child) {
        depth[*child] = depth[cluster] + 1;
        stack.emplace_back(*child, false);
      }
    }
  }

  // The box that holds the node backward() is processing: the node's own box, or the
  // module or group it was merged into.
  bool is_current(std::size_t index) const {
    return progress_ != nullptr && picture_.box_of[progress_->current()] == index;
  }

  void write_box(std::size_t index) {
    const std::string label = box_label(graph_, box(index), labels_);
    const std::string highlight =
        is_current(index) ? fmt::format(", color=\"{}\", penwidth=3", detail::highlight_colour) : "";
    switch (box(index).kind) {
      case BoxKind::node: {
        const GraphNode& node = graph_[only_member(index)];
        out_ += fmt::format("    {} [shape=record, style=filled, fillcolor=\"{}\", label=\"{}\"{}];\n", box_id(index),
                            detail::fill_colour(node.role), label, highlight);
        if (has_op_circle(index)) {
          out_ += fmt::format(
              "    {} [shape=ellipse, style=filled, fillcolor=\"{}\", fontsize=10, margin=\"0.03,0.01\", "
              "width=0.3, height=0.3, label=\"{}\"{}];\n",
              head_id(index), detail::op_fill, detail::quoted(node.op), highlight);
        }
        break;
      }
      case BoxKind::module:
        out_ += fmt::format("    {} [shape=box, style=\"rounded,filled\", fillcolor=\"{}\", label=\"{}\"{}];\n",
                            box_id(index), detail::module_fill, label, highlight);
        break;
      case BoxKind::group:
      case BoxKind::part:
        out_ += fmt::format("    {} [shape=box, style=\"rounded,filled,dashed\", fillcolor=\"{}\", label=\"{}\"{}];\n",
                            box_id(index), detail::group_fill, label, highlight);
        break;
    }
  }

  std::string gradient_attributes(double grad, const std::string& label) const {
    const detail::ArrowStyle style = detail::gradient_style(grad, largest_);
    std::string attributes = fmt::format("dir=back, color=\"{}\", penwidth={:.2f}", style.colour, style.penwidth);
    if (style.dashed) attributes += ", style=dashed";
    if (!label.empty())
      attributes += fmt::format(", label=\"{}\", fontcolor=\"{}\"", detail::quoted(label), style.colour);
    return attributes;
  }

  std::string pending_attributes() const { return fmt::format("dir=back, color=\"{}\"", detail::pending_colour); }

  std::string sending_attributes(const std::string& label) const {
    return fmt::format("dir=back, color=\"{0}\", penwidth=3.5, label=\"{1}\", fontcolor=\"{0}\", fontsize=11",
                       detail::highlight_colour, detail::quoted(label));
  }

  // The edge from a node's op circle to its value record carries the node's own gradient.
  void write_op_edge(std::size_t index) {
    if (!has_op_circle(index)) return;
    const GraphVertex vertex = only_member(index);
    std::string attributes = "color=\"#616161\"";
    if (progress_) {
      const int step = graph_[vertex].backward_step;
      attributes = step > progress_->step() ? pending_attributes() : gradient_attributes(graph_[vertex].grad, "");
      if (step == progress_->step())
        attributes += fmt::format(", color=\"{}\", penwidth=3.5", detail::highlight_colour);
    } else if (flow_) {
      attributes = gradient_attributes(graph_[vertex].grad, "");
    }
    out_ += fmt::format("  {} -> {} [{}];\n", head_id(index), box_id(index), attributes);
  }

  void write_arrow(const Arrow& arrow) {
    std::string attributes = "color=\"#616161\"";
    if (arrow.edge) {
      const GraphEdge& edge = graph_[*arrow.edge];
      if (progress_) {
        switch (progress_->state(graph_, *arrow.edge)) {
          case EdgeState::sent: attributes = gradient_attributes(edge.grad, edge.grad_text); break;
          case EdgeState::sending: attributes = sending_attributes(edge.grad_text); break;
          case EdgeState::pending: attributes = pending_attributes(); break;
        }
      } else if (flow_) {
        attributes = gradient_attributes(edge.grad, edge.grad_text);
      }
    } else {
      const bool labelled = summary_arrows() <= most_labelled_summary_arrows;
      if (progress_) {
        attributes = summary_arrow_so_far(arrow, labelled);
      } else if (showing_gradients()) {
        attributes = gradient_attributes(arrow.grad, labelled ? "sum " + format_number(arrow.grad) : "");
      } else if (labelled && arrow.count > 1) {
        attributes += fmt::format(", label=\"×{}\"", arrow.count);
      }
    }
    out_ += fmt::format("  {} -> {} [{}];\n", box_id(arrow.from), head_id(arrow.to), attributes);
  }

  // In step mode a summary arrow shows what its edges have sent by this step: grey while
  // none has, highlighted while one of them is sending, its full sum once all have.
  std::string summary_arrow_so_far(const Arrow& arrow, bool labelled) const {
    double sent = 0.0;
    std::size_t arrived = 0;
    bool sending = false;
    for (const GraphEdgeHandle edge : arrow.edges) {
      const EdgeState state = progress_->state(graph_, edge);
      if (state == EdgeState::pending) continue;
      sent += graph_[edge].grad;
      ++arrived;
      sending = sending || state == EdgeState::sending;
    }
    if (arrived == 0) return pending_attributes();
    // A tensor edge carries the norm of its input's whole gradient: norms do not add up.
    const std::string label = !graph_[boost::graph_bundle].edge_grads_add_up
                                  ? fmt::format("{} of {} sent", arrived, arrow.edges.size())
                                  : (arrived == arrow.edges.size() ? "sum " : "so far ") + format_number(sent);
    return sending ? sending_attributes(label) : gradient_attributes(sent, labelled ? label : "");
  }

  std::size_t summary_arrows() const {
    if (summary_arrow_count_ < 0) {
      summary_arrow_count_ = std::count_if(picture_.arrows.begin(), picture_.arrows.end(),
                                           [](const Arrow& arrow) { return !arrow.edge.has_value(); });
    }
    return static_cast<std::size_t>(summary_arrow_count_);
  }

  void write_legend() {
    out_ += "  subgraph \"cluster_legend\" {\n    label=\"legend\"; style=rounded; color=\"#bdbdbd\"; fontsize=10;\n";
    for (NodeRole role :
         {NodeRole::input, NodeRole::parameter, NodeRole::constant, NodeRole::intermediate, NodeRole::output}) {
      out_ += fmt::format("    legend_{0} [shape=box, style=filled, fillcolor=\"{1}\", fontsize=9, label=\"{0}\"];\n",
                          role_name(role), detail::fill_colour(role));
    }
    std::string note = "values only: run backward() to see gradients";
    if (progress_) {
      note =
          "red: the node being processed and the gradients it sends now\n"
          "grey arrows: gradients not sent yet; grad ?: nothing arrived yet";
    } else if (flow_) {
      note =
          "arrows point the way gradients travel\n"
          "edge label: gradient sent back = local derivative × consumer's grad\n"
          "red positive, blue negative, width grows with size, dashed: zero\n"
          "#n: the order in which backward() visits the nodes";
    }
    out_ += fmt::format("    legend_note [shape=plaintext, fontsize=9, label=\"{}\"];\n  }}\n", detail::quoted(note));
  }

  const GraphView& graph_;
  const DotOptions& options_;
  detail::Picture picture_;
  bool flow_ = false;
  std::unique_ptr<detail::BackwardProgress> progress_;
  detail::LabelMode labels_;
  double largest_ = 0.0;
  mutable std::ptrdiff_t summary_arrow_count_ = -1;
  std::string out_;
};

}  // namespace

std::string to_dot(const GraphView& graph, const DotOptions& options) { return DotWriter(graph, options).write(); }

std::string to_dot(const Value& root, const DotOptions& options) { return to_dot(make_graph_view(root), options); }

}  // namespace backflow
