// The tensor engine's table of backward rules: which function sends each op's gradient to
// its inputs. The rules themselves sit next to their forward code, one file per op family.
#include "tensor_node.hpp"

namespace backflow {
namespace detail {

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

}  // namespace detail

std::string_view op_name(TensorOp op) {
  switch (op) {
    case TensorOp::leaf: return "leaf";
    case TensorOp::add: return "+";
    case TensorOp::sub: return "-";
    case TensorOp::mul: return "*";
    case TensorOp::div: return "/";
    case TensorOp::neg: return "neg";
    case TensorOp::exp: return "exp";
    case TensorOp::log: return "log";
    case TensorOp::relu: return "relu";
    case TensorOp::sigmoid: return "sigmoid";
    case TensorOp::tanh: return "tanh";
    case TensorOp::matmul: return "matmul";
    case TensorOp::dense: return "dense";
    case TensorOp::sum: return "sum";
    case TensorOp::mean: return "mean";
    case TensorOp::sum_axis: return "sum(axis)";
    case TensorOp::mean_axis: return "mean(axis)";
    case TensorOp::reshape: return "reshape";
    case TensorOp::transpose: return "transpose";
    case TensorOp::softmax: return "softmax";
    case TensorOp::log_softmax: return "log_softmax";
    case TensorOp::softmax_cross_entropy: return "softmax_cross_entropy";
    case TensorOp::mse: return "mse";
  }
  return "?";
}

}  // namespace backflow
