// Round trip through Graphviz's own parser: agmemread reads the DOT back with the same
// nodes, edges and labels. (Only built when Graphviz is.)
#include "worked_example.hpp"

#include <backflow/dot.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <graphviz/cgraph.h>

#include <memory>

namespace {

struct CloseGraph {
  void operator()(Agraph_t* graph) const { agclose(graph); }
};

}  // namespace

TEST_CASE("round trip: Graphviz's agmemread reads back every node, edge and label") {
  WorkedExample worked;
  worked.error.backward();
  const backflow::GraphView graph = backflow::make_graph_view(worked.error);
  backflow::DotOptions options;
  options.legend = false;
  const std::string dot = backflow::to_dot(graph, options);
  const std::unique_ptr<Agraph_t, CloseGraph> parsed(agmemread(dot.c_str()));
  REQUIRE(parsed != nullptr);
  CHECK(agnnodes(parsed.get()) == static_cast<int>(WorkedExample::nodes + WorkedExample::computed));
  CHECK(agnedges(parsed.get()) == static_cast<int>(WorkedExample::edges + WorkedExample::computed));
  for (auto [vertex, end] = boost::vertices(graph); vertex != end; ++vertex) {
    std::string id = fmt::format("v{}", *vertex);
    Agnode_t* node = agnode(parsed.get(), id.data(), 0);
    REQUIRE(node != nullptr);
    char name[] = "label";
    const std::string label = agget(node, name);
    CHECK(label.find("data " + graph[*vertex].value_text) != std::string::npos);
    CHECK(label.find(graph[*vertex].label) != std::string::npos);
    CHECK(agdegree(parsed.get(), node, 1, 0) == static_cast<int>(boost::in_degree(*vertex, graph) > 0 ? 1 : 0));
  }
}
