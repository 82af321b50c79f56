// The DOT text: what the worked example's picture says, before and after backward(), in
// frames, with modules collapsed, and read back by Boost.Graph's own DOT parser.
#include "worked_example.hpp"

#include <backflow/dot.hpp>
#include <backflow/nn.hpp>
#include <backflow/scope.hpp>

#include <boost/graph/graphviz.hpp>
#include <doctest/doctest.h>

#include <cmath>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

using backflow::DotMode;
using backflow::DotOptions;
using backflow::GraphView;
using backflow::Value;

namespace {

std::size_t count(const std::string& text, const std::string& piece) {
  std::size_t found = 0;
  for (auto at = text.find(piece); at != std::string::npos; at = text.find(piece, at + 1)) ++found;
  return found;
}

DotOptions without_legend() {
  DotOptions options;
  options.legend = false;
  return options;
}

struct ParsedNode {
  std::string id;
  std::string label;
};
using ParsedGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, ParsedNode>;

ParsedGraph parse_with_boost(const std::string& dot) {
  ParsedGraph parsed;
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("node_id", boost::get(&ParsedNode::id, parsed));
  properties.property("label", boost::get(&ParsedNode::label, parsed));
  std::istringstream in(dot);
  REQUIRE(boost::read_graphviz(in, parsed, properties));
  return parsed;
}

}  // namespace

TEST_CASE("the worked example before backward(): values only, one record and op circle per node") {
  WorkedExample worked;
  const std::string dot = backflow::to_dot(worked.error, without_legend());
  CHECK(count(dot, "shape=record") == WorkedExample::nodes);
  CHECK(count(dot, "shape=ellipse") == WorkedExample::computed);
  CHECK(count(dot, " -> ") == WorkedExample::edges + WorkedExample::computed);
  CHECK(dot.find("grad") == std::string::npos);
  CHECK(dot.find("label=\"{ x1 | data 1.0000 }\"") != std::string::npos);
  CHECK(dot.find("data 0.7311") != std::string::npos);  // sigmoid(1.0), hidden 1
  CHECK(dot.find("data 0.7858") != std::string::npos);  // sigmoid(1.3), hidden 2
  CHECK(dot.find("data 0.6900") != std::string::npos);  // sigmoid(0.8), hidden 3
  CHECK(dot.find("label=\"{ E | data 0.5997 }\"") != std::string::npos);
  CHECK(dot.find("cluster") != std::string::npos);
  CHECK(dot.find("label=\"layer 1 / neuron 3\"") != std::string::npos);
  CHECK(dot.find("rankdir=LR") != std::string::npos);
}

TEST_CASE("the worked example after backward(): grads, step numbers and gradients on edges") {
  WorkedExample worked;
  worked.error.backward();
  const std::string dot = backflow::to_dot(worked.error, without_legend());
  CHECK(dot.find("label=\"{ #0 E | data 0.5997 | grad 1.0000 }\"") != std::string::npos);
  // dE/dy = -2 (t - y) = 2y = 1.5488, and the output weights get 2y * y(1-y) * h_i.
  CHECK(dot.find("grad 1.5488") != std::string::npos);
  CHECK(dot.find("w1 | data 0.3000 | grad 0.1978 }") != std::string::npos);
  CHECK(dot.find("w2 | data 0.5000 | grad 0.2126 }") != std::string::npos);
  CHECK(dot.find("w3 | data 0.9000 | grad 0.1867 }") != std::string::npos);
  CHECK(count(dot, "dir=back") == WorkedExample::edges + WorkedExample::computed);
  CHECK(dot.find("label=\"1.5488\"") != std::string::npos);   // the gradient y receives, on its edge
  CHECK(dot.find("label=\"-1.5488\"") != std::string::npos);  // and the one the target t receives
}

TEST_CASE("forward mode can be asked for after backward(), flow mode before it") {
  WorkedExample worked;
  DotOptions options = without_legend();
  options.mode = DotMode::flow;
  CHECK(backflow::to_dot(worked.error, options).find("grad 0.0000") != std::string::npos);
  worked.error.backward();
  options.mode = DotMode::forward;
  CHECK(backflow::to_dot(worked.error, options).find("grad") == std::string::npos);
}

TEST_CASE("top-to-bottom, a title, and a legend of the roles") {
  WorkedExample worked;
  DotOptions options;
  options.rankdir = backflow::RankDir::top_to_bottom;
  options.title = "the \"worked\" example";
  const std::string dot = backflow::to_dot(worked.error, options);
  CHECK(dot.find("rankdir=TB") != std::string::npos);
  CHECK(dot.find("label=\"the \\\"worked\\\" example\"") != std::string::npos);
  for (const char* role : {"input", "parameter", "constant", "intermediate", "output"}) {
    CHECK(dot.find(std::string("legend_") + role) != std::string::npos);
  }
}

TEST_CASE("step mode: the node being processed, and only the gradients known by then") {
  WorkedExample worked;
  worked.error.backward();
  const GraphView graph = backflow::make_graph_view(worked.error);
  const std::vector<int> steps = backflow::backward_steps(graph);
  CHECK(steps.size() == WorkedExample::computed);
  CHECK(steps.front() == 0);
  DotOptions options = without_legend();
  options.step = 0;
  const std::string first = backflow::to_dot(graph, options);
  CHECK(first.find("backward step 0: 'E' (pow 2)") != std::string::npos);
  CHECK(first.find("#0 E | data 0.5997 | grad 1.0000 }\", color=\"#d62728\", penwidth=3") != std::string::npos);
  CHECK(count(first, "grad ?") == WorkedExample::nodes - 2);  // only E and t - y know theirs
  options.step = steps.back();
  const std::string last = backflow::to_dot(graph, options);
  CHECK(count(last, "grad ?") == 0);
  options.step = 1000;
  CHECK_THROWS_WITH_AS(backflow::to_dot(graph, options), doctest::Contains("no node has that backward step"),
                       std::invalid_argument);
  // A view built or edited by hand, whose root is no vertex of it.
  GraphView broken = graph;
  broken[boost::graph_bundle].root = boost::num_vertices(broken) + 10;
  options.step = 0;
  CHECK_THROWS_WITH_AS(backflow::to_dot(broken, options), doctest::Contains("is not one of its"),
                       std::invalid_argument);
}

TEST_CASE("an infinite gradient leaves the others their widths and colours") {
  const Value a(0.0, "a");
  const Value b(3.0, "b");
  const Value loss = a.log() + b * b;  // dloss/da = 1/0 = inf; dloss/db = 6
  loss.backward();
  REQUIRE(std::isinf(a.grad()));
  const std::string dot = backflow::to_dot(loss, without_legend());
  // b's two edges into b * b carry 3, the largest finite gradient: full width, full red.
  CHECK(count(dot, "color=\"0.000 1.000 0.850\", penwidth=6.00, label=\"3.0000\"") == 2);
  // The gradients of 1 get sqrt(1/3) of the scale (width 1 + 5 * 0.577), not the grey of no scale.
  CHECK(count(dot, "color=\"0.000 0.683 0.850\", penwidth=3.89, label=\"1.0000\"") == 2);
  // The infinite one is drawn apart from the scale: grey, thin, labelled inf.
  CHECK(count(dot, "color=\"#9e9e9e\", penwidth=1.00, label=\"inf\"") == 1);
}

TEST_CASE("round trip: boost::read_graphviz reads back every node, edge and label") {
  WorkedExample worked;
  worked.error.backward();
  const GraphView graph = backflow::make_graph_view(worked.error);
  const ParsedGraph parsed = parse_with_boost(backflow::to_dot(graph, without_legend()));
  CHECK(boost::num_vertices(parsed) == WorkedExample::nodes + WorkedExample::computed);
  CHECK(boost::num_edges(parsed) == WorkedExample::edges + WorkedExample::computed);
  std::set<std::string> records;
  for (auto [vertex, end] = boost::vertices(parsed); vertex != end; ++vertex) {
    if (parsed[*vertex].id.starts_with("v")) records.insert(parsed[*vertex].label);
  }
  CHECK(records.size() == WorkedExample::nodes);
  for (auto [vertex, end] = boost::vertices(graph); vertex != end; ++vertex) {
    const backflow::GraphNode& node = graph[*vertex];
    const std::string expected = "{ #" + std::to_string(node.backward_step) + " " + node.label + " | data " +
                                 node.value_text + " | grad " + node.grad_text + " }";
    CHECK(records.count(expected) == 1);
  }
  // With the legend: its nodes come on top, in their own cluster.
  CHECK(boost::num_vertices(parse_with_boost(backflow::to_dot(graph))) ==
        WorkedExample::nodes + WorkedExample::computed + 6);
}

TEST_CASE("labels with DOT and record syntax in them are escaped") {
  // Every character that means something in a DOT string or a record label.
  const std::string tricky = "say \"hi\" \\ {a|b} <p>\nnext";
  Value a(1.0, tricky);
  Value b = a * 2.0;
  b.set_label("back\\slash");
  DotOptions options = without_legend();
  options.title = tricky;
  const std::string dot = backflow::to_dot(b, options);
  // A record field: { } | < > " and \ each get a backslash, the newline becomes \n.
  const std::string a_record = R"({ say \"hi\" \\ \{a\|b\} \<p\>\nnext | data 1.0000 })";
  const std::string b_record = R"({ back\\slash | data 2.0000 })";
  CHECK(dot.find("label=\"" + a_record + "\"") != std::string::npos);
  CHECK(dot.find("label=\"" + b_record + "\"") != std::string::npos);
  // The caption is a plain label, not a record: only " and \ get a backslash.
  CHECK(dot.find(R"(, label="say \"hi\" \\ {a|b} <p>\nnext")") != std::string::npos);
  // Boost's parser turns \" back into " and leaves the other escapes for Graphviz's labels.
  const ParsedGraph parsed = parse_with_boost(dot);
  REQUIRE(boost::num_vertices(parsed) == 4);  // a, the constant 2, b and b's op circle
  std::set<std::string> labels;
  for (auto [vertex, end] = boost::vertices(parsed); vertex != end; ++vertex) labels.insert(parsed[*vertex].label);
  CHECK(labels.count(R"({ say "hi" \\ \{a\|b\} \<p\>\nnext | data 1.0000 })") == 1);
  CHECK(labels.count(b_record) == 1);
}

TEST_CASE("label text Graphviz would decode, drop or choke on is written so it shows as typed") {
  Value a(1.0, "&lt;b&gt; & co");    // entities: Graphviz would show "<b> & co"
  Value b(2.0, "bell\x01\ttab");     // a control character (not allowed in XML) and a tab
  Value c(3.0, "cut \xe2\x82");      // a UTF-8 sequence cut short
  Value d(4.0, "caf\xc3\xa9 \xe9");  // whole UTF-8 is kept; a Latin-1 byte is not UTF-8
  Value e(5.0, "non\xef\xbf\xbe");   // U+FFFE: UTF-8, but no XML character
  const std::string dot = backflow::to_dot(a * b + c * d + e, without_legend());
  const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD
  CHECK(dot.find("{ &amp;lt;b&amp;gt; &amp; co | data 1.0000 }") != std::string::npos);
  CHECK(dot.find("{ bell" + replacement + " tab | data 2.0000 }") != std::string::npos);
  CHECK(dot.find("{ cut " + replacement + replacement + " | data 3.0000 }") != std::string::npos);
  CHECK(dot.find("{ caf\xc3\xa9 " + replacement + " | data 4.0000 }") != std::string::npos);
  CHECK(dot.find("{ non" + replacement + " | data 5.0000 }") != std::string::npos);
  CHECK(dot.find('\x01') == std::string::npos);
}

TEST_CASE("summary boxes say NaN where a member holds one: min and max would hide it") {
  Value x(-1.0, "x");
  Value y = 0.0;
  {
    backflow::ScopeGuard scope(backflow::scope_id("layer"));
    Value w1(2.0, "w1");
    Value w2(0.5, "w2");
    Value w3(3.0, "w3");
    for (Value* w : {&w1, &w2, &w3}) w->mark_parameter();
    y = x * w1 + x.pow(w2) * w3;  // (-1)^0.5 is NaN, and so are the gradients of w2 and w3
  }
  y.backward();
  DotOptions collapsed = without_legend();
  collapsed.collapse_modules = true;
  CHECK(backflow::to_dot(y, collapsed).find("3 parameters, largest grad size NaN") != std::string::npos);
  // Merged groups of similar nodes: the parameters' grads are -1 (w1's), NaN and NaN.
  DotOptions small = without_legend();
  small.max_nodes = 9;
  const std::string dot = backflow::to_dot(y, small);
  CHECK(dot.find("grad -1.0000 (2 NaN)") != std::string::npos);
}

TEST_CASE("a step needs gradients, and a wrong step names the steps there are") {
  const Value y = Value(2.0) * Value(3.0);
  DotOptions options;
  options.step = 0;
  CHECK_THROWS_WITH_AS(backflow::to_dot(y, options), doctest::Contains("no gradients; call backward() first"),
                       std::invalid_argument);
  y.backward();
  options.step = 7;
  CHECK_THROWS_WITH_AS(backflow::to_dot(y, options), doctest::Contains("(the last is 2;"), std::invalid_argument);
}

TEST_CASE("modules collapse to one box each") {
  WorkedExample worked;
  worked.error.backward();
  DotOptions options = without_legend();
  options.collapse_modules = true;
  const std::string dot = backflow::to_dot(worked.error, options);
  // 4 neurons; x1, x2, t, t - y and E stay themselves (t - y and E with op circles).
  CHECK(count(dot, "nodes: ") == 4);
  CHECK(dot.find("layer 1 / neuron 3\\n6 nodes: ") != std::string::npos);
  CHECK(count(dot, "shape=record") == 5);
  CHECK(dot.find("32 nodes drawn as 9 boxes") != std::string::npos);
  options.clusters = false;
  CHECK(backflow::to_dot(worked.error, options).find("cluster") == std::string::npos);
}

// Every match of `pattern` in `text`, in order.
std::vector<std::string> matches(const std::string& text, const std::string& pattern) {
  const std::regex expression(pattern);
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), expression); it != std::sregex_iterator(); ++it) {
    found.push_back(it->str());
  }
  return found;
}

TEST_CASE("step mode with modules collapsed: boxes and arrows show only the gradients known by then") {
  WorkedExample worked;
  worked.error.backward();
  const GraphView graph = backflow::make_graph_view(worked.error);
  const std::vector<int> steps = backflow::backward_steps(graph);
  DotOptions options = without_legend();
  options.collapse_modules = true;
  const std::string finished = backflow::to_dot(graph, options);
  const std::string largest = R"(largest grad size [-0-9.e]+)";
  REQUIRE(matches(finished, largest).size() == 4);  // one line per neuron

  // The first step: no gradient has reached a neuron yet, and no arrow into one has sent.
  options.step = steps.front();
  const std::string first = backflow::to_dot(graph, options);
  CHECK(count(first, " with their grad") == 4);
  CHECK(matches(first, largest).empty());
  CHECK(first.find("label=\"sum ") == std::string::npos);
  // The last step: every weight has its gradient, so the neurons read as in the finished
  // picture, and the neuron that holds the node being processed is drawn highlighted.
  options.step = steps.back();
  const std::string last = backflow::to_dot(graph, options);
  CHECK(matches(last, largest) == matches(finished, largest));
  CHECK(count(last, " with their grad") == 0);
  CHECK(matches(last, R"(b\d+ \[shape=box, style="rounded,filled", [^\n]*color="#d62728")").size() == 1);
}

TEST_CASE("step mode over summary arrows: grey before any edge sends, then 'so far', then the full sum") {
  backflow::nn::MLP model(2, {4, 4, 1});
  const Value loss = (model({Value(0.5, "x1"), Value(-1.0, "x2")})[0] - 1.0).pow(2.0);
  loss.backward();
  const GraphView graph = backflow::make_graph_view(loss);
  DotOptions options = without_legend();
  options.collapse_modules = true;
  options.max_nodes = 12;  // each layer one box: x1's arrow into layer 1 stands for 4 edges
  const std::string finished = backflow::to_dot(graph, options);
  const std::string sum = R"(label="sum [-0-9.e]+)";
  REQUIRE(!matches(finished, sum).empty());
  const std::vector<int> steps = backflow::backward_steps(graph);
  options.step = steps.front();
  CHECK(matches(backflow::to_dot(graph, options), sum).empty());
  std::size_t part_way = 0;
  for (const int step : steps) {
    options.step = step;
    part_way += matches(backflow::to_dot(graph, options), R"(label="so far [-0-9.e]+)").size();
  }
  CHECK(part_way > 0);
  options.step = steps.back();
  const std::string last = backflow::to_dot(graph, options);
  CHECK(matches(last, sum) == matches(finished, sum));
  CHECK(last.find("so far") == std::string::npos);
}

TEST_CASE("max_nodes: summaries beyond the limit, and clear errors") {
  WorkedExample worked;
  worked.error.backward();
  DotOptions options = without_legend();
  options.max_nodes = 0;
  CHECK_THROWS_WITH_AS(backflow::to_dot(worked.error, options),
                       "backflow: DotOptions::max_nodes must be at least 1 (it is 0)", std::invalid_argument);
  options.max_nodes = 30;  // 52 Graphviz nodes in full: similar nodes merge inside each neuron
  const std::string merged = backflow::to_dot(worked.error, options);
  CHECK(merged.find("similar nodes merged") != std::string::npos);
  CHECK(count(merged, "shape=ellipse") + count(merged, "shape=record") + count(merged, "shape=box") <= 30);
  options.max_nodes = 2;
  CHECK_THROWS_WITH_AS(backflow::to_dot(worked.error, options), doctest::Contains("raise max_nodes"),
                       std::invalid_argument);
  // The error names the smallest picture there is, and that one is drawn when allowed.
  const Value a(2.0, "a");
  const Value sum = a * Value(3.0, "b") + a;
  CHECK_THROWS_WITH_AS(backflow::to_dot(sum, options), doctest::Contains("raise max_nodes to at least 3"),
                       std::invalid_argument);
  options.max_nodes = 3;
  CHECK_NOTHROW(backflow::to_dot(sum, options));
}

TEST_CASE("micrograd's demo step (about 65,800 nodes) summarises to a small collapsed picture") {
  const auto data = backflow::make_moons(100, 0.1, 1);
  backflow::nn::MLP model(2, {16, 16, 1});
  std::vector<Value> scores;
  for (const auto& p : data.points) scores.push_back(model({p[0], p[1]})[0]);
  const Value loss = backflow::hinge_loss(scores, data.labels) + backflow::l2_penalty(model.parameters(), 1e-4);
  loss.backward();
  const GraphView graph = backflow::make_graph_view(loss);
  CHECK(boost::num_vertices(graph) > 60000);
  DotOptions options;
  options.collapse_modules = true;
  const std::string dot = backflow::to_dot(graph, options);
  CHECK(count(dot, "nodes: ") == 33);               // one box per neuron
  CHECK(count(dot, "nodes outside modules") == 2);  // the hinge loss and the L2 penalty
  CHECK(dot.find("200 × input") != std::string::npos);
  CHECK(dot.size() < 100000);
  options.collapse_modules = false;  // the default limit merges similar nodes inside each neuron
  const ParsedGraph parsed = parse_with_boost(backflow::to_dot(graph, options));
  CHECK(boost::num_vertices(parsed) <= options.max_nodes + 6);
}
