// Builds against backflow as a subproject and checks a gradient, a tensor step and a DOT dump.
#include <backflow/backflow.hpp>  // the umbrella header: every public header must compile

#include <cstdio>

int main() {
  backflow::Value x = 3.0;
  backflow::Value y = x * x + 2.0 * x;  // dy/dx = 2x + 2 = 8
  y.backward();
  backflow::Tensor w({2}, {1.0F, -2.0F}, true);
  backflow::Tensor loss = backflow::sum(w * w);  // d/dw = 2w
  loss.backward();
  const std::string dot = backflow::to_dot(y);
  const bool ok = x.grad() == 8.0 && w.grad()[1] == -4.0F && dot.find("digraph") != std::string::npos;
  std::printf("backflow subproject client: dy/dx = %g, dloss/dw = [%g, %g], DOT %zu bytes: %s\n", x.grad(),
              static_cast<double>(w.grad()[0]), static_cast<double>(w.grad()[1]), dot.size(), ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
