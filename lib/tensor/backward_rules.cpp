// The tensor engine's table of backward rules: which function sends each op's gradient to
// its inputs. The rules themselves sit next to their forward code, one file per op family.
#include "tensor_node.hpp"

namespace backflow::detail {

void elementwise_backward(TensorNode* out);
void reduce_reshape_backward(TensorNode* out);
void matmul_backward(TensorNode* out);
void dense_backward(TensorNode* out);
void softmax_losses_backward(TensorNode* out);

void backward_rule(TensorNode* node) {
  switch (node->op) {
    case TensorOp::leaf: break;
    case TensorOp::add:
    case TensorOp::sub:
    case TensorOp::mul:
    case TensorOp::div:
    case TensorOp::neg:
    case TensorOp::exp:
    case TensorOp::log:
    case TensorOp::relu:
    case TensorOp::sigmoid:
    case TensorOp::tanh: elementwise_backward(node); break;
    case TensorOp::matmul: matmul_backward(node); break;
    case TensorOp::dense: dense_backward(node); break;
    case TensorOp::sum:
    case TensorOp::mean:
    case TensorOp::sum_axis:
    case TensorOp::mean_axis:
    case TensorOp::reshape:
    case TensorOp::transpose: reduce_reshape_backward(node); break;
    case TensorOp::softmax:
    case TensorOp::log_softmax:
    case TensorOp::softmax_cross_entropy:
    case TensorOp::mse: softmax_losses_backward(node); break;
  }
}

}  // namespace backflow::detail
