// Fused activations (node.fused_activation), shared by the kernels that apply them to their
// output (Conv, Gemm/MatMul, BatchNorm, elementwise). #include "activation.glsl" after declaring
//   layout(constant_id = ACT_ID) const int ACT = 0;          (an edgerun::vk::ActKind value)
//   layout(constant_id = ACT_ID + 1) const float ACT_A = 0;  (alpha / min)
//   layout(constant_id = ACT_ID + 2) const float ACT_B = 0;  (beta / max)
// The C++ side fills these from vk::activation_spec(node) (vulkan_common.h).
// 0 none, 1 Relu, 2 Clip(A,B), 3 LeakyRelu(A), 4 Sigmoid, 5 Tanh, 6 HardSigmoid(A,B), 7 HardSwish
float apply_act(float x) {
  if (ACT == 1) return x > 0.0 ? x : 0.0;
  if (ACT == 2) return min(max(x, ACT_A), ACT_B);
  if (ACT == 3) return x >= 0.0 ? x : x * ACT_A;
  if (ACT == 4) return 1.0 / (1.0 + exp(-x));
  if (ACT == 5) return tanh(x);
  if (ACT == 6) return clamp(ACT_A * x + ACT_B, 0.0, 1.0);
  if (ACT == 7) return x * clamp(x / 6.0 + 0.5, 0.0, 1.0);
  return x;
}
