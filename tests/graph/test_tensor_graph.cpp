// Tensor graphs through the same view, statistics and DOT writer as scalar ones.
#include <backflow/dot.hpp>
#include <backflow/graph.hpp>
#include <backflow/layers.hpp>
#include <backflow/scope.hpp>

#include <doctest/doctest.h>

#include <cmath>

using namespace backflow;

TEST_CASE("a tensor MLP step: vertices, edges, roles, order and gradient norms") {
  const Sequential model(3, {{4, LayerActivation::relu}, {2, LayerActivation::softmax}}, 5);
  Tensor x({2, 3}, {0.5F, -1.0F, 2.0F, 1.0F, 0.0F, -0.5F});
  Tensor y({2, 2}, {1, 0, 0, 1});
  x.set_label("x");
  const Tensor loss = softmax_cross_entropy(model.logits(x), y);

  const GraphView before = make_graph_view(loss);
  CHECK_FALSE(before[boost::graph_bundle].has_gradients);
  loss.backward();
  const GraphView graph = make_graph_view(loss);
  // x, W1, b1, dense, W2, b2, dense, y, loss
  CHECK(boost::num_vertices(graph) == 9);
  CHECK(boost::num_edges(graph) == 8);
  const GraphStats stats = graph_stats(graph);
  CHECK(stats.depth == 3);  // x -> dense -> dense -> loss
  CHECK(stats.op_histogram.at("dense relu") == 1);
  CHECK(stats.op_histogram.at("dense") == 1);
  CHECK(stats.op_histogram.at("softmax_cross_entropy") == 1);
  CHECK(graph[boost::graph_bundle].has_gradients);

  const GraphNode& root = graph[graph[boost::graph_bundle].root];
  CHECK(root.role == NodeRole::output);
  CHECK(root.backward_step == 0);
  CHECK(root.grad == 1.0);
  for (auto v : boost::make_iterator_range(boost::vertices(graph))) {
    const GraphNode& node = graph[v];
    if (node.label == "dense/kernel") {
      CHECK(node.role == NodeRole::parameter);
      double norm = 0.0;
      for (float g : model.layers()[0].weights().grad()) norm += static_cast<double>(g) * g;
      CHECK(node.grad == doctest::Approx(std::sqrt(norm)));
      CHECK(node.value_text.find("[3, 4] mean") == 0);
    }
    if (node.label == "x") {
      CHECK(node.role == NodeRole::input);
      CHECK(node.grad_text == "not needed");
    }
  }
  const std::string dot = to_dot(loss);
  CHECK(dot.find("dense/kernel") != std::string::npos);
  CHECK(dot.find("cluster") != std::string::npos);  // Dense layers are module scopes
}

TEST_CASE("a result made under NoGradGuard is drawn with its op, and no arrows into it") {
  Tensor x({1, 3}, {-1.0F, 0.5F, 2.0F}, true);
  Tensor activated;
  {
    const NoGradGuard no_graph;
    activated = relu(x);
  }
  const GraphView graph = make_graph_view(activated);
  REQUIRE(boost::num_vertices(graph) == 1);
  CHECK(graph[0].op == "relu");
  CHECK(boost::num_edges(graph) == 0);
  const std::string dot = to_dot(activated);
  CHECK(dot.find("label=\"relu\"") != std::string::npos);
  CHECK(dot.find("op0 -> v0") != std::string::npos);  // the op circle feeds its box
  CHECK(dot.find("-> op0") == std::string::npos);     // but nothing feeds the op
  CHECK(graph_stats(graph).op_histogram.at("relu") == 1);
}

TEST_CASE("step frames of a tensor graph show each node's own gradient, not a sum of norms") {
  // loss = w * w at w = 2: dloss/dw = 4, arriving along two edges that each show |g| 4
  // (a tensor edge carries the input's whole gradient norm; two of them do not add to 8).
  Tensor w({1}, {2.0F}, true);
  w.set_label("w");
  const Tensor loss = w * w;
  loss.backward();
  const GraphView graph = make_graph_view(loss);
  CHECK_FALSE(graph[boost::graph_bundle].edge_grads_add_up);
  DotOptions options;
  options.step = 0;
  options.legend = false;
  const std::string dot = to_dot(graph, options);
  CHECK(dot.find("grad 4.0000") != std::string::npos);
  CHECK(dot.find("grad 8.0000") == std::string::npos);
  // And a tensor that needs no gradient says so in a frame too, rather than "grad 0".
  const Tensor x({1}, {3.0F});
  const Tensor product = w * x;
  product.backward();
  options.step = 0;
  CHECK(to_dot(make_graph_view(product), options).find("grad not needed") != std::string::npos);
}

TEST_CASE("an empty tensor or one whose first gradient is 0 is judged by all its gradients") {
  const Tensor empty = Tensor::zeros({0}, true);
  CHECK_FALSE(make_graph_view(empty)[boost::graph_bundle].has_gradients);  // and reads no element
  Tensor x({2}, {1.0F, 2.0F}, true);
  const Tensor y = x * Tensor({2}, {0.0F, 1.0F});
  backflow::sum(y).backward();
  CHECK(make_graph_view(x)[boost::graph_bundle].has_gradients);  // grad [0, 1]
}

TEST_CASE("step mode over a tensor summary arrow counts the edges sent: gradient norms do not add up") {
  Tensor x({2}, {1.0F, 2.0F}, true);
  x.set_label("x");
  Tensor both = x;
  {
    ScopeGuard scope(scope_id("module"));
    both = x * x + x;  // x has three edges into the module: one arrow stands for them all
  }
  const Tensor loss = sum(both);
  loss.backward();
  const GraphView graph = make_graph_view(loss);
  DotOptions options;
  options.legend = false;
  options.collapse_modules = true;
  std::size_t part_way = 0;
  for (const int step : backward_steps(graph)) {
    options.step = step;
    const std::string dot = to_dot(graph, options);
    CHECK(dot.find("so far") == std::string::npos);
    part_way += dot.find("label=\"1 of 3 sent\"") != std::string::npos ? 1 : 0;
  }
  CHECK(part_way > 0);
}
