// Graph passes, one per file. Each rewrites the graph in place and keeps it valid
// (topological order, producers rebuilt). The list the session runs is explicit in session.cpp.
#pragma once

#include "backend/backend.h"
#include "ir/graph.h"

namespace edgerun {

// Fills dtype/shape of every value it can (symbolic dims allowed); recurses into subgraphs.
// Errors only when a node's inputs are fully known and its shape rule rejects them.
Status infer_shapes(Graph& g);
// DequantizeLinear -> Conv/MatMul -> QuantizeLinear into QLinearConv/QLinearMatMul (QDQ models).
Status fuse_qdq(Graph& g);
// Evaluates nodes whose inputs are all constant (and Shape/Size of known shapes) with `evaluator`.
Status fold_constants(Graph& g, const Backend& evaluator);
// Removes Identity, and Dropout in inference mode with an unused mask, rewiring consumers to the
// input; graph output names and names captured by subgraphs are kept. Recurses into subgraphs.
Status eliminate_identities(Graph& g);
// Removes nodes whose outputs reach no graph output.
Status eliminate_dead_nodes(Graph& g);
// Conv (constant W, B) followed by BatchNormalization (constant params) -> one Conv.
Status fuse_conv_batchnorm(Graph& g);
// Conv/ConvTranspose/Gemm/MatMul followed by a simple activation -> node.fused_activation.
Status fuse_activations(Graph& g);

// Removes nodes marked dead (op_type empty) and rebuilds producers.
void compact_graph(Graph& g);

}  // namespace edgerun
