// The text inside each box of a picture: micrograd's `label | data | grad` records for
// nodes, and short summaries for collapsed modules and merged groups.
#pragma once

#include "backward_progress.hpp"
#include "picture.hpp"

#include <optional>
#include <string>

namespace backflow::detail {

/// What the labels should show.
struct LabelMode {
  bool gradients = false;                      ///< flow mode: grads and backward step numbers
  const BackwardProgress* progress = nullptr;  ///< frames: only the gradients known so far
  bool horizontal_fields = true;               ///< wrap fields in { } (needed for rankdir=LR)
};

/// The label of a box, escaped for a DOT double-quoted string.
std::string box_label(const GraphView& graph, const Box& box, const LabelMode& mode);

}  // namespace backflow::detail
