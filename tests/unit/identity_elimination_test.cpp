// eliminate_identities (runtime/src/passes/identity_elimination.cpp): Identity and inference-mode Dropout
// are removed when that is safe, kept otherwise; results at optimization level 1 equal level 0, and
// graph output names never change.
#include <gtest/gtest.h>

#include <cstring>
#include <optional>

#include "onnx/importer.h"
#include "passes/passes.h"
#include "support/model_builder.h"
#include "support/op_test.h"

namespace edgerun::test {
namespace {

Tensor bool_scalar(bool v) { return tensor_of<uint8_t>(DataType::kBool, {}, {static_cast<uint8_t>(v)}); }

Result<Session> session_at(const ModelBuilder& b, int level) {
  SessionOptions opt;
  opt.optimization_level = level;
  opt.threads = 1;
  return make_session(b, opt);
}

// -1 when there is no session (its creation failed, which the caller's checks report).
int count_op(const std::optional<Session>& s, const std::string& op) {
  if (!s) return -1;
  int c = 0;
  for (const auto& n : s->report().nodes) c += n.op_type == op;
  return c;
}

// Runs `b` at levels 0 and 1 with `inputs`; every output in `names` must be bit-identical (these
// passes do no arithmetic). Returns the level-1 outputs.
std::map<std::string, Tensor> run_both_equal(const ModelBuilder& b, const std::map<std::string, Tensor>& inputs,
                                             const std::vector<std::string>& names,
                                             std::optional<Session>* level1 = nullptr) {
  auto s0 = session_at(b, 0);
  auto s1 = session_at(b, 1);
  EXPECT_TRUE(s0.ok()) << s0.status().to_string();
  EXPECT_TRUE(s1.ok()) << s1.status().to_string();
  if (!s0.ok() || !s1.ok()) return {};
  auto o0 = s0->run(inputs);
  auto o1 = s1->run(inputs);
  EXPECT_TRUE(o0.ok()) << o0.status().to_string();
  EXPECT_TRUE(o1.ok()) << o1.status().to_string();
  if (!o0.ok() || !o1.ok()) return {};
  for (const std::string& n : names) {
    EXPECT_EQ(o0->count(n), 1u) << n;
    EXPECT_EQ(o1->count(n), 1u) << n;
    if (!o0->count(n) || !o1->count(n)) continue;
    const Tensor& a = o0->at(n);
    const Tensor& c = o1->at(n);
    EXPECT_EQ(a.dtype(), c.dtype()) << n;
    EXPECT_EQ(a.shape(), c.shape()) << n;
    if (a.dtype() == c.dtype() && a.shape() == c.shape()) {
      EXPECT_EQ(0, std::memcmp(a.data(), c.data(), a.nbytes())) << "output " << n << " differs between levels";
    }
  }
  std::map<std::string, Tensor> out(o1->begin(), o1->end());
  if (level1) level1->emplace(std::move(*s1));
  return out;
}

std::vector<float> relu_of(const Tensor& t, float add = 0) {
  std::vector<float> v;
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(std::max(0.0f, t.data_as<float>()[i]) + add);
  return v;
}

// Imports and shape-infers a model and runs the pass on the graph directly (for subgraph checks).
std::shared_ptr<Graph> import_and_eliminate(const ModelBuilder& b) {
  const std::string bytes = b.build();
  onnx::LoadContext ctx;
  ctx.data = reinterpret_cast<const uint8_t*>(bytes.data());
  ctx.size = bytes.size();
  auto model = onnx::parse_model(ctx);
  EXPECT_TRUE(model.ok()) << model.status().to_string();
  if (!model.ok()) return nullptr;
  auto g = onnx::import_model(*model);
  EXPECT_TRUE(g.ok()) << g.status().to_string();
  if (!g.ok()) return nullptr;
  EXPECT_TRUE(infer_shapes(**g).ok());
  const Status st = eliminate_identities(**g);
  EXPECT_TRUE(st.ok()) << st.to_string();
  return *g;
}

int count_op(const Graph& g, const std::string& op) {
  int c = 0;
  for (const Node& n : g.nodes) c += n.op_type == op;
  return c;
}

TEST(IdentityElimination, IdentityAndDropoutChainIsRemoved) {
  ModelBuilder b;
  b.opset(13).input("x", DataType::kFloat32, {2, 5});
  b.initializer("w", float_tensor({5}, {1, 2, 3, 4, 5}));
  b.initializer("ratio", float_tensor({}, {0.3f}));
  b.node("Relu", {"x"}, {"r"}, {}, "relu");
  b.node("Identity", {"r"}, {"i1"}, {}, "id1");
  b.node("Dropout", {"i1", "ratio"}, {"d"}, {}, "drop");
  b.node("Identity", {"d"}, {"i2"}, {}, "id2");
  b.node("Add", {"i2", "w"}, {"y"}, {}, "add");
  b.output("y", DataType::kFloat32, {2, 5});
  Tensor x = random_tensor(DataType::kFloat32, {2, 5}, 1, -2, 2);
  std::optional<Session> s1;
  auto out = run_both_equal(b, {{"x", x}}, {"y"}, &s1);
  ASSERT_TRUE(out.count("y"));
  EXPECT_EQ(count_op(s1, "Identity"), 0);
  EXPECT_EQ(count_op(s1, "Dropout"), 0);
  ASSERT_TRUE(s1);
  EXPECT_EQ(s1->report().nodes.size(), 2u);
  std::vector<float> want;
  for (int64_t i = 0; i < x.numel(); ++i) want.push_back(std::max(0.0f, x.data_as<float>()[i]) + static_cast<float>(i % 5 + 1));
  EXPECT_EQ(floats_of(out.at("y")), want);
  // Level 0 keeps them (the pass really is what removes them).
  std::optional<Session> s0;
  auto made = session_at(b, 0);
  ASSERT_TRUE(made.ok());
  s0.emplace(std::move(*made));
  EXPECT_EQ(count_op(s0, "Identity"), 2);
  EXPECT_EQ(count_op(s0, "Dropout"), 1);
}

TEST(IdentityElimination, IdentityOfGraphInputIsRemovedWhenNotAnOutput) {
  ModelBuilder b;
  b.opset(14).input("x", DataType::kFloat32, {3});
  b.node("Identity", {"x"}, {"i"}, {}, "id");
  b.node("Neg", {"i"}, {"y"}, {}, "neg");
  b.node("Abs", {"i"}, {"z"}, {}, "abs");
  b.output("y", DataType::kFloat32, {3}).output("z", DataType::kFloat32, {3});
  std::optional<Session> s1;
  auto out = run_both_equal(b, {{"x", float_tensor({3}, {-1, 2, -3})}}, {"y", "z"}, &s1);
  EXPECT_EQ(count_op(s1, "Identity"), 0);
  ASSERT_TRUE(out.count("y") && out.count("z"));
  EXPECT_EQ(floats_of(out.at("y")), (std::vector<float>{1, -2, 3}));
  EXPECT_EQ(floats_of(out.at("z")), (std::vector<float>{1, 2, 3}));
}

TEST(IdentityElimination, DropoutWithUsedMaskIsKept) {
  ModelBuilder b;
  b.opset(13).input("x", DataType::kFloat32, {4});
  b.node("Dropout", {"x"}, {"d", "mask"}, {}, "drop");
  b.node("Relu", {"d"}, {"y"}, {}, "relu");
  b.node("Cast", {"mask"}, {"m"}, {attr_int("to", 1)}, "cast");
  b.output("y", DataType::kFloat32, {4}).output("m", DataType::kFloat32, {4});
  std::optional<Session> s1;
  Tensor x = float_tensor({4}, {-1, 2, -3, 4});
  auto out = run_both_equal(b, {{"x", x}}, {"y", "m"}, &s1);
  EXPECT_EQ(count_op(s1, "Dropout"), 1);
  ASSERT_TRUE(out.count("m"));
  EXPECT_EQ(floats_of(out.at("m")), (std::vector<float>{1, 1, 1, 1}));
  EXPECT_EQ(floats_of(out.at("y")), relu_of(x));
}

TEST(IdentityElimination, DropoutMaskAsGraphOutputIsKept) {
  ModelBuilder b;
  b.opset(12).input("x", DataType::kFloat32, {3});
  b.node("Dropout", {"x"}, {"d", "mask"}, {}, "drop");
  b.node("Relu", {"d"}, {"y"}, {}, "relu");
  b.output("y", DataType::kFloat32, {3}).output("mask", DataType::kBool, {3});
  std::optional<Session> s1;
  auto out = run_both_equal(b, {{"x", float_tensor({3}, {-1, 0, 1})}}, {"y", "mask"}, &s1);
  EXPECT_EQ(count_op(s1, "Dropout"), 1);
}

TEST(IdentityElimination, DropoutWithUnusedMaskIsRemoved) {
  ModelBuilder b;
  b.opset(13).input("x", DataType::kFloat32, {3});
  b.node("Dropout", {"x"}, {"d", "mask"}, {}, "drop");
  b.node("Relu", {"d"}, {"y"}, {}, "relu");
  b.output("y", DataType::kFloat32, {3});
  std::optional<Session> s1;
  Tensor x = float_tensor({3}, {-1, 0, 1});
  auto out = run_both_equal(b, {{"x", x}}, {"y"}, &s1);
  EXPECT_EQ(count_op(s1, "Dropout"), 0);
  ASSERT_TRUE(out.count("y"));
  EXPECT_EQ(floats_of(out.at("y")), relu_of(x));
}

TEST(IdentityElimination, TrainingModeTrueOrUnknownIsKept) {
  // training_mode constant true (ratio 0: still the identity, so it runs): kept.
  {
    ModelBuilder b;
    b.opset(13).input("x", DataType::kFloat32, {3});
    b.initializer("ratio", float_tensor({}, {0.0f})).initializer("train", bool_scalar(true));
    b.node("Dropout", {"x", "ratio", "train"}, {"d"}, {}, "drop");
    b.node("Relu", {"d"}, {"y"}, {}, "relu");
    b.output("y", DataType::kFloat32, {3});
    std::optional<Session> s1;
    Tensor x = float_tensor({3}, {-1, 5, 1});
    auto out = run_both_equal(b, {{"x", x}}, {"y"}, &s1);
    EXPECT_EQ(count_op(s1, "Dropout"), 1) << "training_mode=true Dropout was removed";
    ASSERT_TRUE(out.count("y"));
    EXPECT_EQ(floats_of(out.at("y")), relu_of(x));
  }
  // training_mode a graph input (not known at load): kept.
  {
    ModelBuilder b;
    b.opset(13).input("x", DataType::kFloat32, {3}).input("train", DataType::kBool, {});
    b.initializer("ratio", float_tensor({}, {0.0f}));
    b.node("Dropout", {"x", "ratio", "train"}, {"d"}, {}, "drop");
    b.node("Relu", {"d"}, {"y"}, {}, "relu");
    b.output("y", DataType::kFloat32, {3});
    std::optional<Session> s1;
    Tensor x = float_tensor({3}, {-1, 5, 1});
    auto out = run_both_equal(b, {{"x", x}, {"train", bool_scalar(false)}}, {"y"}, &s1);
    EXPECT_EQ(count_op(s1, "Dropout"), 1) << "Dropout with a runtime training_mode was removed";
  }
  // training_mode constant false, any ratio (also a runtime one): removed.
  {
    ModelBuilder b;
    b.opset(13).input("x", DataType::kFloat32, {3}).input("ratio", DataType::kFloat32, {});
    b.initializer("train", bool_scalar(false));
    b.node("Dropout", {"x", "ratio", "train"}, {"d"}, {}, "drop");
    b.node("Relu", {"d"}, {"y"}, {}, "relu");
    b.output("y", DataType::kFloat32, {3});
    std::optional<Session> s1;
    Tensor x = float_tensor({3}, {-1, 5, 1});
    auto out = run_both_equal(b, {{"x", x}, {"ratio", float_tensor({}, {0.9f})}}, {"y"}, &s1);
    EXPECT_EQ(count_op(s1, "Dropout"), 0);
    ASSERT_TRUE(out.count("y"));
    EXPECT_EQ(floats_of(out.at("y")), relu_of(x));
  }
}

TEST(IdentityElimination, DropoutOfEveryOpsetIsRemoved) {
  struct Case { int opset; std::vector<AttrValue> attrs; };
  const std::vector<Case> cases = {
      {6, {attr_int("is_test", 1), attr_float("ratio", 0.4f)}},
      {6, {attr_float("ratio", 0.4f)}},  // is_test=0: the reference backend still runs it as the identity
      {7, {attr_float("ratio", 0.2f)}},
      {10, {}},
      {12, {}},
      {22, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("opset " + std::to_string(c.opset));
    ModelBuilder b;
    b.opset(c.opset).input("x", DataType::kFloat32, {2, 3});
    b.node("Dropout", {"x"}, {"d"}, c.attrs, "drop");
    b.node("Relu", {"d"}, {"y"}, {}, "relu");
    b.output("y", DataType::kFloat32, {2, 3});
    std::optional<Session> s1;
    Tensor x = random_tensor(DataType::kFloat32, {2, 3}, 3, -2, 2);
    auto out = run_both_equal(b, {{"x", x}}, {"y"}, &s1);
    EXPECT_EQ(count_op(s1, "Dropout"), 0);
    ASSERT_TRUE(out.count("y"));
    EXPECT_EQ(floats_of(out.at("y")), relu_of(x));
  }
}

TEST(IdentityElimination, GraphOutputNameIsKeptByRenamingTheProducer) {
  ModelBuilder b;
  b.opset(13).input("x", DataType::kFloat32, {4});
  b.node("Relu", {"x"}, {"r"}, {}, "relu");
  b.node("Identity", {"r"}, {"a"}, {}, "id1");
  b.node("Neg", {"r"}, {"n"}, {}, "neg");  // another reader of r
  b.node("Dropout", {"a"}, {"y"}, {}, "drop");
  b.output("y", DataType::kFloat32, {4}).output("n", DataType::kFloat32, {4});
  std::optional<Session> s1;
  Tensor x = float_tensor({4}, {-1, 2, -3, 4});
  auto out = run_both_equal(b, {{"x", x}}, {"y", "n"}, &s1);
  EXPECT_EQ(count_op(s1, "Identity"), 0);
  EXPECT_EQ(count_op(s1, "Dropout"), 0);
  ASSERT_TRUE(s1);
  ASSERT_EQ(s1->outputs().size(), 2u);
  EXPECT_EQ(s1->outputs()[0].name, "y");
  EXPECT_EQ(s1->outputs()[1].name, "n");
  ASSERT_TRUE(out.count("y") && out.count("n"));
  EXPECT_EQ(floats_of(out.at("y")), relu_of(x));
  EXPECT_EQ(floats_of(out.at("n")), (std::vector<float>{0, -2, 0, -4}));
}

TEST(IdentityElimination, IdentityBetweenTwoGraphOutputsIsKept) {
  ModelBuilder b;
  b.opset(13).input("x", DataType::kFloat32, {3});
  b.node("Relu", {"x"}, {"r"}, {}, "relu");
  b.node("Identity", {"r"}, {"a"}, {}, "id1");  // r -> a rename is fine (r is no output)
  b.node("Identity", {"a"}, {"b"}, {}, "id2");  // a is an output itself: must stay
  b.output("a", DataType::kFloat32, {3}).output("b", DataType::kFloat32, {3});
  std::optional<Session> s1;
  Tensor x = float_tensor({3}, {-1, 2, 3});
  auto out = run_both_equal(b, {{"x", x}}, {"a", "b"}, &s1);
  EXPECT_EQ(count_op(s1, "Identity"), 1);
  ASSERT_TRUE(out.count("a") && out.count("b"));
  EXPECT_EQ(floats_of(out.at("a")), relu_of(x));
  EXPECT_EQ(floats_of(out.at("b")), relu_of(x));
}

TEST(IdentityElimination, GraphInputToGraphOutputIdentityIsKept) {
  ModelBuilder b;
  b.opset(13).input("x", DataType::kFloat32, {3});
  b.node("Identity", {"x"}, {"y"}, {}, "id");
  b.node("Dropout", {"x"}, {"z"}, {}, "drop");
  b.output("y", DataType::kFloat32, {3}).output("z", DataType::kFloat32, {3});
  std::optional<Session> s1;
  auto out = run_both_equal(b, {{"x", float_tensor({3}, {1, 2, 3})}}, {"y", "z"}, &s1);
  EXPECT_EQ(count_op(s1, "Identity"), 1);
  EXPECT_EQ(count_op(s1, "Dropout"), 1);
  ASSERT_TRUE(out.count("y") && out.count("z"));
  EXPECT_EQ(floats_of(out.at("y")), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(floats_of(out.at("z")), (std::vector<float>{1, 2, 3}));
}

TEST(IdentityElimination, ConstantToGraphOutputStillCorrect) {
  ModelBuilder b;
  b.opset(13).input("x", DataType::kFloat32, {2});
  b.initializer("c", float_tensor({2}, {7, 8}));
  b.node("Identity", {"c"}, {"k"}, {}, "id");
  b.node("Identity", {"x"}, {"xi"}, {}, "idx");
  b.node("Add", {"xi", "k"}, {"y"}, {}, "add");
  b.output("k", DataType::kFloat32, {2}).output("y", DataType::kFloat32, {2});
  auto out = run_both_equal(b, {{"x", float_tensor({2}, {1, 2})}}, {"k", "y"});
  ASSERT_TRUE(out.count("k") && out.count("y"));
  EXPECT_EQ(floats_of(out.at("k")), (std::vector<float>{7, 8}));
  EXPECT_EQ(floats_of(out.at("y")), (std::vector<float>{8, 10}));
}

// If branches read outer values by name: a captured Identity output must survive, and renaming a
// captured value to a graph output's name must not happen.
ModelBuilder if_model_capturing(const std::string& captured, bool identity_feeds_output) {
  GraphBuilder then_g("then"), else_g("else");
  then_g.node("Identity", {captured}, {"t1"}).node("Neg", {"t1"}, {"t_out"}).output("t_out", DataType::kFloat32, {3});
  else_g.node("Abs", {captured}, {"e_out"}).output("e_out", DataType::kFloat32, {3});
  ModelBuilder b;
  b.opset(13).input("cond", DataType::kBool, {}).input("x", DataType::kFloat32, {3});
  b.node("Relu", {"x"}, {"r"}, {}, "relu");
  b.node("Identity", {"r"}, {identity_feeds_output ? "y" : "ri"}, {}, "outer_id");
  if (!identity_feeds_output) b.node("Exp", {"ri"}, {"y"}, {}, "exp");
  b.node("If", {"cond"}, {"z"}, {attr_graph("then_branch", then_g), attr_graph("else_branch", else_g)}, "branch");
  b.output("y", DataType::kFloat32, {3}).output("z", DataType::kFloat32, {3});
  return b;
}

TEST(IdentityElimination, SubgraphCaptureOfIdentityOutputKeepsIt) {
  ModelBuilder b = if_model_capturing("ri", false);
  for (bool c : {true, false}) {
    SCOPED_TRACE(c ? "then" : "else");
    std::optional<Session> s1;
    Tensor x = float_tensor({3}, {-1, 2, -3});
    auto out = run_both_equal(b, {{"cond", bool_scalar(c)}, {"x", x}}, {"y", "z"}, &s1);
    EXPECT_EQ(count_op(s1, "Identity"), 1) << "the outer Identity read by name in the branches was removed";
    ASSERT_TRUE(out.count("z"));
    const std::vector<float> want = c ? std::vector<float>{-0.0f, -2, -0.0f} : std::vector<float>{0, 2, 0};
    EXPECT_EQ(floats_of(out.at("z")), want);
  }
  // Inside the then-branch, Identity(ri) -> t1 -> Neg is removable.
  auto g = import_and_eliminate(b);
  ASSERT_TRUE(g);
  EXPECT_EQ(count_op(*g, "Identity"), 1);
  const Graph* then_g = nullptr;
  for (const Node& n : g->nodes)
    if (n.op_type == "If") then_g = n.attrs.get_graph("then_branch");
  ASSERT_TRUE(then_g);
  EXPECT_EQ(count_op(*then_g, "Identity"), 0) << "Identity inside the branch was not removed";
  EXPECT_EQ(count_op(*then_g, "Neg"), 1);
}

TEST(IdentityElimination, CapturedValueIsNotRenamedToAnOutputName) {
  // r is read by the branches; Identity(r) -> y (graph output) cannot rename r to y.
  ModelBuilder b = if_model_capturing("r", true);
  for (bool c : {true, false}) {
    SCOPED_TRACE(c ? "then" : "else");
    std::optional<Session> s1;
    Tensor x = float_tensor({3}, {-1, 2, -3});
    auto out = run_both_equal(b, {{"cond", bool_scalar(c)}, {"x", x}}, {"y", "z"}, &s1);
    EXPECT_EQ(count_op(s1, "Identity"), 1);
    ASSERT_TRUE(out.count("y") && out.count("z"));
    EXPECT_EQ(floats_of(out.at("y")), relu_of(x));
  }
}

TEST(IdentityElimination, LoopBodyConditionPassThroughIsKept) {
  GraphBuilder body("body");
  body.input("i", DataType::kInt64, {}).input("cond_in", DataType::kBool, {}).input("v_in", DataType::kFloat32, {2});
  body.node("Identity", {"cond_in"}, {"cond_out"});
  body.node("Identity", {"v_in"}, {"v_id"});
  body.node("Add", {"v_id", "w"}, {"v_out"});
  body.output("cond_out", DataType::kBool, {}).output("v_out", DataType::kFloat32, {2});
  ModelBuilder b;
  b.opset(13).input("v0", DataType::kFloat32, {2});
  b.initializer("w", float_tensor({2}, {1.5f, -2}));
  b.initializer("trip", int64_tensor({}, {3}));
  b.initializer("keep_going", bool_scalar(true));
  b.node("Loop", {"trip", "keep_going", "v0"}, {"v_final"}, {attr_graph("body", body)}, "loop");
  b.output("v_final", DataType::kFloat32, {2});
  auto out = run_both_equal(b, {{"v0", float_tensor({2}, {0, 10})}}, {"v_final"});
  ASSERT_TRUE(out.count("v_final"));
  EXPECT_EQ(floats_of(out.at("v_final")), (std::vector<float>{4.5f, 4}));
  auto g = import_and_eliminate(b);
  ASSERT_TRUE(g);
  const Graph* body_g = g->nodes.at(0).attrs.get_graph("body");
  ASSERT_TRUE(body_g);
  EXPECT_EQ(count_op(*body_g, "Identity"), 1) << "cond_in -> cond_out (body input to body output) must stay";
  ASSERT_EQ(body_g->outputs.size(), 2u);
  EXPECT_EQ(body_g->value(body_g->outputs[0]).name, "cond_out");
  EXPECT_EQ(body_g->value(body_g->outputs[1]).name, "v_out");
}

}  // namespace
}  // namespace edgerun::test
