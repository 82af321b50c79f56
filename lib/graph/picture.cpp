// Choosing what to draw: one box per node when the graph is small enough, otherwise merge
// similar nodes, then whole modules, until the picture fits in max_nodes Graphviz nodes
// (Graphviz's dot layout slows down sharply beyond about 1,500).
#include "picture.hpp"

#include <boost/pending/disjoint_sets.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace backflow::detail {
namespace {

/// From most to least detailed; make_picture() takes the first that fits.
enum class Detail { each_node, similar_merged, modules_collapsed, top_modules };

std::string parent_scope(const std::string& scope) {
  const auto cut = scope.rfind(" / ");
  return cut == std::string::npos ? std::string() : scope.substr(0, cut);
}

std::string top_scope(const std::string& scope) { return scope.substr(0, scope.find(" / ")); }

/// Which box a vertex falls into at a level of detail, as a key and a box template.
struct Placement {
  std::string key;
  Box box;
};

Placement node_placement(GraphVertex vertex, const std::string& cluster) {
  return {fmt::format("n\x1f{}", vertex), Box{BoxKind::node, {}, cluster, ""}};
}

Placement group_placement(const std::string& cluster, const std::string& kind) {
  return {"g\x1f" + cluster + "\x1f" + kind, Box{BoxKind::group, {}, cluster, kind}};
}

/// Nodes outside every module (losses, inputs) that are connected among themselves, found
/// with union-find over the edges between them: a loss reads as one box, not as hundreds.
class LooseParts {
 public:
  LooseParts(const GraphView& graph, const std::vector<bool>& loose)
      : parent_(loose.size()), rank_(loose.size()), size_(loose.size(), 0), sets_(rank_.data(), parent_.data()) {
    for (GraphVertex vertex = 0; vertex < loose.size(); ++vertex) sets_.make_set(vertex);
    for (auto [edge, end] = boost::edges(graph); edge != end; ++edge) {
      const GraphVertex a = boost::source(*edge, graph);
      const GraphVertex b = boost::target(*edge, graph);
      if (loose[a] && loose[b]) sets_.union_set(a, b);
    }
    for (GraphVertex vertex = 0; vertex < loose.size(); ++vertex) {
      if (loose[vertex]) ++size_[part_of(vertex)];
    }
  }
  GraphVertex part_of(GraphVertex vertex) { return sets_.find_set(vertex); }
  std::size_t size(GraphVertex vertex) { return size_[part_of(vertex)]; }

 private:
  std::vector<GraphVertex> parent_;
  std::vector<std::size_t> rank_;
  std::vector<std::size_t> size_;
  boost::disjoint_sets<std::size_t*, GraphVertex*> sets_;
};

/// Outside every module, and to be merged into a part at this level of detail.
bool is_loose(const GraphNode& node, Detail detail) {
  const bool merging_parts = detail == Detail::similar_merged || detail == Detail::modules_collapsed;
  return merging_parts && node.role != NodeRole::output && node.scope.empty();
}

std::vector<Placement> place_all(const GraphView& graph, Detail detail, bool collapse, bool clusters) {
  const std::size_t vertices = boost::num_vertices(graph);
  std::vector<bool> loose(vertices);
  for (GraphVertex vertex = 0; vertex < vertices; ++vertex) loose[vertex] = is_loose(graph[vertex], detail);
  LooseParts parts(graph, loose);
  std::vector<Placement> placements;
  placements.reserve(vertices);
  for (GraphVertex vertex = 0; vertex < vertices; ++vertex) {
    const GraphNode& node = graph[vertex];
    const std::string cluster = clusters ? node.scope : std::string();
    const bool leaf = boost::in_degree(vertex, graph) == 0;
    if (!node.scope.empty() && (collapse || detail >= Detail::modules_collapsed)) {
      const std::string module = detail == Detail::top_modules ? top_scope(node.scope) : node.scope;
      placements.push_back({"m\x1f" + module, Box{BoxKind::module, {}, clusters ? parent_scope(module) : "", module}});
    } else if (detail == Detail::each_node || node.role == NodeRole::output) {
      placements.push_back(node_placement(vertex, cluster));
    } else if (detail == Detail::top_modules) {
      placements.push_back(group_placement("", std::string(role_name(node.role))));
    } else if (!loose[vertex]) {
      // Inside a module that is drawn open: merge its nodes by role (leaves) or op.
      placements.push_back(group_placement(cluster, leaf ? std::string(role_name(node.role)) : node.op));
    } else if (parts.size(vertex) > 1) {
      placements.push_back({fmt::format("p\x1f{}", parts.part_of(vertex)), Box{BoxKind::part, {}, "", ""}});
    } else if (leaf) {
      placements.push_back(group_placement("", std::string(role_name(node.role))));  // e.g. "200 × input"
    } else {
      placements.push_back(node_placement(vertex, cluster));
    }
  }
  return placements;
}

// "'data loss': 1,039 nodes outside modules", named after its labelled node nearest the output.
std::string part_title(const GraphView& graph, const Box& box) {
  const GraphNode* named = nullptr;
  for (GraphVertex vertex : box.members) {
    const GraphNode& node = graph[vertex];
    if (!node.label.empty() && (named == nullptr || node.backward_step < named->backward_step)) named = &node;
  }
  const std::string size = fmt::format("{} nodes outside modules", box.members.size());
  return named == nullptr ? size : fmt::format("'{}': {}", named->label, size);
}

void add_arrows(const GraphView& graph, Picture& picture) {
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> arrow_between;
  for (auto [edge, end] = boost::edges(graph); edge != end; ++edge) {
    const std::size_t from = picture.box_of[boost::source(*edge, graph)];
    const std::size_t to = picture.box_of[boost::target(*edge, graph)];
    if (from == to) continue;  // inside a merged box
    const double grad = graph[*edge].grad;
    if (picture.boxes[from].kind == BoxKind::node && picture.boxes[to].kind == BoxKind::node) {
      picture.arrows.push_back(Arrow{from, to, 1, grad, *edge, {}});  // a + a keeps both arrows
      continue;
    }
    auto [slot, fresh] = arrow_between.try_emplace({from, to}, picture.arrows.size());
    if (fresh) picture.arrows.push_back(Arrow{from, to, 0, 0.0, std::nullopt, {}});
    picture.arrows[slot->second].count += 1;
    picture.arrows[slot->second].grad += grad;
    picture.arrows[slot->second].edges.push_back(*edge);  // for step mode's "sent so far"
  }
}

Picture picture_at(const GraphView& graph, Detail detail, bool collapse, bool clusters) {
  const std::size_t vertices = boost::num_vertices(graph);
  std::vector<Placement> placements = place_all(graph, detail, collapse, clusters);
  std::unordered_map<std::string, std::size_t> members_of_key;
  for (const Placement& placement : placements) ++members_of_key[placement.key];
  Picture picture;
  picture.box_of.resize(vertices);
  std::unordered_map<std::string, std::size_t> box_of_key;
  for (GraphVertex vertex = 0; vertex < vertices; ++vertex) {
    Placement& placement = placements[vertex];
    if (placement.box.kind == BoxKind::group && members_of_key[placement.key] == 1) {
      placement.key = fmt::format("n\x1f{}", vertex);  // a group of one is just the node
      placement.box = node_placement(vertex, placement.box.cluster).box;
    }
    auto [slot, fresh] = box_of_key.try_emplace(placement.key, picture.boxes.size());
    if (fresh) {
      picture.boxes.push_back(std::move(placement.box));
      const bool circle = picture.boxes.back().kind == BoxKind::node && has_op_circle(graph, vertex);
      picture.graphviz_nodes += circle ? 2 : 1;
    }
    picture.boxes[slot->second].members.push_back(vertex);
    picture.box_of[vertex] = slot->second;
  }
  for (Box& box : picture.boxes) {
    if (box.kind == BoxKind::group) box.title = fmt::format("{} × {}", box.members.size(), box.title);
    if (box.kind == BoxKind::part) box.title = part_title(graph, box);
  }
  picture.summarised = detail != Detail::each_node;
  add_arrows(graph, picture);
  return picture;
}

}  // namespace

std::vector<std::string> enclosing_scopes(const std::string& scope) {
  std::vector<std::string> scopes;
  for (std::size_t cut = scope.find(" / "); cut != std::string::npos; cut = scope.find(" / ", cut + 3)) {
    scopes.push_back(scope.substr(0, cut));
  }
  if (!scope.empty()) scopes.push_back(scope);
  return scopes;
}

Picture make_picture(const GraphView& graph, bool collapse_modules, bool clusters, std::size_t max_nodes) {
  if (max_nodes == 0) throw std::invalid_argument("backflow: DotOptions::max_nodes must be at least 1 (it is 0)");
  // The levels do not always shrink in order (without clusters, collapsing can split a merged
  // group by scope; the top-module level keeps nodes outside modules apart by role where
  // merging joined them), so the error names the smallest picture any level gave.
  std::size_t smallest = SIZE_MAX;
  for (Detail detail : {Detail::each_node, Detail::similar_merged, Detail::modules_collapsed, Detail::top_modules}) {
    Picture picture = picture_at(graph, detail, collapse_modules, clusters);
    if (picture.graphviz_nodes <= max_nodes) return picture;
    smallest = std::min(smallest, picture.graphviz_nodes);
  }
  throw std::invalid_argument(
      fmt::format("backflow: the graph has {} nodes and its smallest summary still needs {} Graphviz nodes, "
                  "more than DotOptions::max_nodes = {}; raise max_nodes to at least {}",
                  boost::num_vertices(graph), smallest, max_nodes, smallest));
}

}  // namespace backflow::detail
