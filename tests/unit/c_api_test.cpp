// The C API (edgerun.h): create from file and bytes, metadata, run, errors, release.
#include <gtest/gtest.h>

#include <filesystem>

#include "edgerun/edgerun.h"
#include "support/model_builder.h"

namespace edgerun::test {
namespace {

// y = x * 2 + b, z = Relu(x); x: float32[N, 3] with symbolic N.
std::string c_model_bytes() {
  ModelBuilder b;
  b.opset(13).input("x", DataType::kFloat32, {"N", 3});
  b.initializer("two", float_tensor({}, {2})).initializer("b", float_tensor({3}, {1, 2, 3}));
  b.node("Mul", {"x", "two"}, {"x2"}).node("Add", {"x2", "b"}, {"y"}).node("Relu", {"x"}, {"z"});
  b.output("y", DataType::kFloat32, {"N", 3}).output("z", DataType::kFloat32, {"N", 3});
  return b.build();
}

struct StatusGuard {
  edgerun_status* s = nullptr;
  ~StatusGuard() { edgerun_status_release(s); }
};

TEST(CApi, VersionAndNullSafety) {
  EXPECT_EQ(edgerun_abi_version(), EDGERUN_ABI_VERSION);
  EXPECT_NE(edgerun_version(), nullptr);
  EXPECT_EQ(edgerun_status_code(nullptr), EDGERUN_OK);
  EXPECT_STREQ(edgerun_status_message(nullptr), "");
  // Releasing NULL is a no-op.
  edgerun_status_release(nullptr);
  edgerun_session_release(nullptr);
  edgerun_tensor_release(nullptr);
  edgerun_options_release(nullptr);
  EXPECT_EQ(edgerun_session_input_count(nullptr), 0u);
  EXPECT_EQ(edgerun_session_input_name(nullptr, 0), nullptr);
  EXPECT_EQ(edgerun_tensor_data(nullptr), nullptr);
}

TEST(CApi, CreateFromBytesMetadataRun) {
  const std::string bytes = c_model_bytes();
  edgerun_options* opt = edgerun_options_create();
  ASSERT_NE(opt, nullptr);
  edgerun_options_set_threads(opt, 2);
  StatusGuard g0{edgerun_options_set_backend(opt, "reference")};
  ASSERT_EQ(g0.s, nullptr);
  edgerun_session* s = nullptr;
  StatusGuard g1{edgerun_session_create_from_bytes(bytes.data(), bytes.size(), opt, &s)};
  ASSERT_EQ(g1.s, nullptr) << edgerun_status_message(g1.s);
  ASSERT_NE(s, nullptr);

  ASSERT_EQ(edgerun_session_input_count(s), 1u);
  ASSERT_EQ(edgerun_session_output_count(s), 2u);
  EXPECT_STREQ(edgerun_session_input_name(s, 0), "x");
  EXPECT_EQ(edgerun_session_input_name(s, 1), nullptr);
  EXPECT_STREQ(edgerun_session_output_name(s, 0), "y");
  EXPECT_STREQ(edgerun_session_output_name(s, 1), "z");
  EXPECT_EQ(edgerun_session_input_dtype(s, 0), EDGERUN_FLOAT32);
  EXPECT_EQ(edgerun_session_output_dtype(s, 1), EDGERUN_FLOAT32);
  EXPECT_EQ(edgerun_session_input_dtype(s, 5), EDGERUN_UNDEFINED);
  int64_t dims[4] = {7, 7, 7, 7};
  EXPECT_EQ(edgerun_session_input_shape(s, 0, dims, 4), 2);
  EXPECT_EQ(dims[0], -1);
  EXPECT_EQ(dims[1], 3);
  EXPECT_EQ(dims[2], 7) << "wrote past the rank";
  // Capacity smaller than the rank: returns the rank, writes only `capacity` dims.
  int64_t one[1] = {42};
  EXPECT_EQ(edgerun_session_input_shape(s, 0, one, 1), 2);
  EXPECT_EQ(one[0], -1);
  EXPECT_EQ(edgerun_session_input_shape(s, 9, dims, 4), -1);

  const float xdata[6] = {-1, 0.5f, 2, 3, -4, 0};
  const int64_t shape[2] = {2, 3};
  edgerun_tensor* x = nullptr;
  StatusGuard g2{edgerun_tensor_create(EDGERUN_FLOAT32, shape, 2, xdata, sizeof xdata, &x)};
  ASSERT_EQ(g2.s, nullptr) << edgerun_status_message(g2.s);
  EXPECT_EQ(edgerun_tensor_dtype(x), EDGERUN_FLOAT32);
  EXPECT_EQ(edgerun_tensor_rank(x), 2u);
  EXPECT_EQ(edgerun_tensor_nbytes(x), sizeof xdata);
  EXPECT_NE(edgerun_tensor_data(x), static_cast<const void*>(xdata)) << "tensor_create must copy";

  const char* names[1] = {"x"};
  const edgerun_tensor* ins[1] = {x};
  edgerun_tensor* outs[2] = {nullptr, nullptr};
  StatusGuard g3{edgerun_session_run(s, names, ins, 1, outs, 2)};
  ASSERT_EQ(g3.s, nullptr) << edgerun_status_message(g3.s);
  ASSERT_NE(outs[0], nullptr);
  ASSERT_NE(outs[1], nullptr);
  EXPECT_EQ(edgerun_tensor_rank(outs[0]), 2u);
  EXPECT_EQ(edgerun_tensor_shape(outs[0])[0], 2);
  EXPECT_EQ(edgerun_tensor_shape(outs[0])[1], 3);
  const float* y = static_cast<const float*>(edgerun_tensor_data(outs[0]));
  const float* z = static_cast<const float*>(edgerun_tensor_data(outs[1]));
  const float want_y[6] = {-1, 3, 7, 7, -6, 3};
  const float want_z[6] = {0, 0.5f, 2, 3, 0, 0};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(y[i], want_y[i]) << i;
    EXPECT_EQ(z[i], want_z[i]) << i;
  }
  // Outputs stay valid after the input and the session are released.
  edgerun_tensor_release(x);
  edgerun_session_release(s);
  EXPECT_EQ(static_cast<const float*>(edgerun_tensor_data(outs[0]))[2], 7.0f);
  edgerun_tensor_release(outs[0]);
  edgerun_tensor_release(outs[1]);
  edgerun_options_release(opt);
}

TEST(CApi, CreateFromFileWithSha256) {
  const std::string dir = make_temp_dir("edgerun_capi_");
  const std::string path = dir + "/m.onnx";
  ASSERT_TRUE(write_file(path, c_model_bytes()));
  auto digest = model_sha256(path);
  ASSERT_TRUE(digest.ok());
  edgerun_options* opt = edgerun_options_create();
  edgerun_options_set_sha256(opt, digest->c_str());
  edgerun_session* s = nullptr;
  StatusGuard g1{edgerun_session_create(path.c_str(), opt, &s)};
  ASSERT_EQ(g1.s, nullptr) << edgerun_status_message(g1.s);
  ASSERT_NE(s, nullptr);
  edgerun_session_release(s);
  // NULL options = defaults.
  StatusGuard g2{edgerun_session_create(path.c_str(), nullptr, &s)};
  ASSERT_EQ(g2.s, nullptr) << edgerun_status_message(g2.s);
  edgerun_session_release(s);
  edgerun_options_set_sha256(opt, std::string(64, '0').c_str());
  s = reinterpret_cast<edgerun_session*>(0x1);
  StatusGuard g3{edgerun_session_create(path.c_str(), opt, &s)};
  ASSERT_NE(g3.s, nullptr);
  EXPECT_EQ(edgerun_status_code(g3.s), EDGERUN_INTEGRITY);
  EXPECT_EQ(s, nullptr) << "out pointer must be cleared on failure";
  edgerun_options_release(opt);
  std::filesystem::remove_all(dir);
}

TEST(CApi, CreateErrors) {
  edgerun_session* s = nullptr;
  {
    StatusGuard g{edgerun_session_create("/nonexistent/x.onnx", nullptr, &s)};
    ASSERT_NE(g.s, nullptr);
    EXPECT_NE(std::string(edgerun_status_message(g.s)).find("/nonexistent/x.onnx"), std::string::npos);
    EXPECT_EQ(s, nullptr);
  }
  {
    const char junk[] = "not a model";
    StatusGuard g{edgerun_session_create_from_bytes(junk, sizeof junk, nullptr, &s)};
    ASSERT_NE(g.s, nullptr);
    EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_MODEL);
  }
  {
    StatusGuard g{edgerun_session_create(nullptr, nullptr, &s)};
    ASSERT_NE(g.s, nullptr);
    EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_ARGUMENT);
  }
  {
    StatusGuard g{edgerun_session_create_from_bytes(nullptr, 10, nullptr, &s)};
    ASSERT_NE(g.s, nullptr);
    EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_ARGUMENT);
  }
  edgerun_options* opt = edgerun_options_create();
  {
    StatusGuard g{edgerun_options_set_backend(opt, "gpu-of-the-future")};
    ASSERT_NE(g.s, nullptr);
    EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_ARGUMENT);
    EXPECT_NE(std::string(edgerun_status_message(g.s)).find("vulkan"), std::string::npos) << edgerun_status_message(g.s);
  }
  for (const char* b : {"auto", "vulkan", "cpu", "reference"}) {
    StatusGuard g{edgerun_options_set_backend(opt, b)};
    EXPECT_EQ(g.s, nullptr) << b;
  }
  edgerun_options_release(opt);
}

TEST(CApi, TensorCreateErrors) {
  const int64_t shape[2] = {2, 3};
  const float data[6] = {};
  edgerun_tensor* t = reinterpret_cast<edgerun_tensor*>(0x1);
  {
    StatusGuard g{edgerun_tensor_create(EDGERUN_FLOAT32, shape, 2, data, 20, &t)};  // needs 24
    ASSERT_NE(g.s, nullptr);
    EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_ARGUMENT);
    EXPECT_NE(std::string(edgerun_status_message(g.s)).find("24"), std::string::npos) << edgerun_status_message(g.s);
    EXPECT_EQ(t, nullptr);
  }
  {
    StatusGuard g{edgerun_tensor_create(static_cast<edgerun_dtype>(77), shape, 2, data, 24, &t)};
    ASSERT_NE(g.s, nullptr);
    EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_ARGUMENT);
  }
  {
    StatusGuard g{edgerun_tensor_create(static_cast<edgerun_dtype>(8), shape, 2, data, 24, &t)};  // string
    ASSERT_NE(g.s, nullptr);
  }
  {
    const int64_t neg[2] = {2, -3};
    StatusGuard g{edgerun_tensor_create(EDGERUN_FLOAT32, neg, 2, data, 24, &t)};
    ASSERT_NE(g.s, nullptr);
  }
  {
    StatusGuard g{edgerun_tensor_create(EDGERUN_FLOAT32, shape, 2, nullptr, 24, &t)};
    ASSERT_NE(g.s, nullptr);
    EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_ARGUMENT);
  }
  {
    StatusGuard g{edgerun_tensor_create(EDGERUN_FLOAT32, nullptr, 2, data, 24, &t)};
    ASSERT_NE(g.s, nullptr);
  }
  {
    // Scalars and empty tensors are fine.
    const float one = 5;
    StatusGuard g{edgerun_tensor_create(EDGERUN_FLOAT32, nullptr, 0, &one, 4, &t)};
    ASSERT_EQ(g.s, nullptr) << edgerun_status_message(g.s);
    EXPECT_EQ(edgerun_tensor_rank(t), 0u);
    edgerun_tensor_release(t);
    const int64_t empty[1] = {0};
    StatusGuard g2{edgerun_tensor_create(EDGERUN_INT64, empty, 1, nullptr, 0, &t)};
    ASSERT_EQ(g2.s, nullptr) << edgerun_status_message(g2.s);
    edgerun_tensor_release(t);
  }
}

// A shape claiming gigabytes with a few bytes of data is rejected from the byte count, without
// allocating what the shape claims.
TEST(CApi, TensorCreateHugeShapeSmallDataDoesNotAllocate) {
  const int64_t huge[1] = {int64_t{1} << 30};  // 4 GiB of float32
  const float data[1] = {1};
  edgerun_tensor* t = nullptr;
  edgerun_status* st = nullptr;
  if (!with_address_space_headroom(uint64_t{256} << 20, [&] { st = edgerun_tensor_create(EDGERUN_FLOAT32, huge, 1, data, 4, &t); }))
    GTEST_SKIP() << "cannot cap RLIMIT_AS";
  StatusGuard g{st};
  ASSERT_NE(g.s, nullptr);
  EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_ARGUMENT) << edgerun_status_message(g.s);
}

// Node placement: y = Sin(Relu(x)) with backend "cpu" (cpu, falling back to reference): Relu has a cpu
// kernel, Sin only a reference one (the reason names the cpu backend's refusal); with backend
// "reference" both are there, no reason. ("auto" would prefer a real GPU where there is one.)
TEST(CApi, NodePlacement) {
  ModelBuilder b;
  b.opset(13).input("x", DataType::kFloat32, {2, 3});
  b.node("Relu", {"x"}, {"r"}, {}, "relu_node").node("Sin", {"r"}, {"y"}, {}, "sin_node");
  b.output("y", DataType::kFloat32, {2, 3});
  const std::string bytes = b.build();
  for (const std::string backend : {"cpu", "reference"}) {
    SCOPED_TRACE(backend);
    edgerun_options* opt = edgerun_options_create();
    StatusGuard g0{edgerun_options_set_backend(opt, backend.c_str())};
    ASSERT_EQ(g0.s, nullptr);
    edgerun_session* s = nullptr;
    StatusGuard g1{edgerun_session_create_from_bytes(bytes.data(), bytes.size(), opt, &s)};
    edgerun_options_release(opt);
    ASSERT_EQ(g1.s, nullptr) << edgerun_status_message(g1.s);
    ASSERT_EQ(edgerun_session_node_count(s), 2u);
    const char *name = nullptr, *op = nullptr, *domain = nullptr, *be = nullptr, *reason = nullptr;
    StatusGuard g2{edgerun_session_node_info(s, 0, &name, &op, &domain, &be, &reason)};
    ASSERT_EQ(g2.s, nullptr) << edgerun_status_message(g2.s);
    EXPECT_STREQ(name, "relu_node");
    EXPECT_STREQ(op, "Relu");
    EXPECT_STREQ(domain, "");
    EXPECT_STREQ(be, backend == "cpu" ? "cpu" : "reference");
    EXPECT_STREQ(reason, "");
    StatusGuard g3{edgerun_session_node_info(s, 1, &name, &op, &domain, &be, &reason)};
    ASSERT_EQ(g3.s, nullptr) << edgerun_status_message(g3.s);
    EXPECT_STREQ(name, "sin_node");
    EXPECT_STREQ(op, "Sin");
    EXPECT_STREQ(be, "reference");
    if (backend == "cpu") {
      EXPECT_NE(std::string(reason).find("cpu"), std::string::npos) << reason;
      EXPECT_NE(std::string(reason).find("Sin"), std::string::npos) << reason;
    } else {
      EXPECT_STREQ(reason, "");
    }
    // Null output pointers are allowed; a bad index is OUT_OF_RANGE and clears the outputs.
    StatusGuard g4{edgerun_session_node_info(s, 1, nullptr, &op, nullptr, nullptr, nullptr)};
    ASSERT_EQ(g4.s, nullptr);
    EXPECT_STREQ(op, "Sin");
    StatusGuard g5{edgerun_session_node_info(s, 2, &name, &op, &domain, &be, &reason)};
    ASSERT_NE(g5.s, nullptr);
    EXPECT_EQ(edgerun_status_code(g5.s), EDGERUN_OUT_OF_RANGE);
    EXPECT_NE(std::string(edgerun_status_message(g5.s)).find("2 nodes"), std::string::npos) << edgerun_status_message(g5.s);
    EXPECT_EQ(name, nullptr);
    EXPECT_EQ(op, nullptr);
    EXPECT_EQ(reason, nullptr);
    edgerun_session_release(s);
  }
  EXPECT_EQ(edgerun_session_node_count(nullptr), 0u);
  StatusGuard g{edgerun_session_node_info(nullptr, 0, nullptr, nullptr, nullptr, nullptr, nullptr)};
  ASSERT_NE(g.s, nullptr);
  EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_ARGUMENT);
}

TEST(CApi, RunErrors) {
  const std::string bytes = c_model_bytes();
  edgerun_session* s = nullptr;
  StatusGuard g0{edgerun_session_create_from_bytes(bytes.data(), bytes.size(), nullptr, &s)};
  ASSERT_EQ(g0.s, nullptr) << edgerun_status_message(g0.s);
  const int64_t shape[2] = {1, 3};
  const int32_t idata[3] = {1, 2, 3};
  const float fdata[3] = {1, 2, 3};
  edgerun_tensor* xi = nullptr;
  edgerun_tensor* xf = nullptr;
  StatusGuard gi{edgerun_tensor_create(EDGERUN_INT32, shape, 2, idata, sizeof idata, &xi)};
  StatusGuard gf{edgerun_tensor_create(EDGERUN_FLOAT32, shape, 2, fdata, sizeof fdata, &xf)};
  ASSERT_EQ(gi.s, nullptr);
  ASSERT_EQ(gf.s, nullptr);
  edgerun_tensor* outs[2] = {nullptr, nullptr};
  {
    const char* names[1] = {"x"};
    const edgerun_tensor* ins[1] = {xi};
    StatusGuard g{edgerun_session_run(s, names, ins, 1, outs, 2)};
    ASSERT_NE(g.s, nullptr);
    EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_ARGUMENT);
    const std::string m = edgerun_status_message(g.s);
    EXPECT_NE(m.find("int32"), std::string::npos) << m;
    EXPECT_NE(m.find("float32"), std::string::npos) << m;
    EXPECT_EQ(outs[0], nullptr);
  }
  {
    const char* names[1] = {"nope"};
    const edgerun_tensor* ins[1] = {xf};
    StatusGuard g{edgerun_session_run(s, names, ins, 1, outs, 2)};
    ASSERT_NE(g.s, nullptr);
    EXPECT_NE(std::string(edgerun_status_message(g.s)).find("nope"), std::string::npos);
  }
  {
    const char* names[1] = {"x"};
    const edgerun_tensor* ins[1] = {xf};
    StatusGuard g{edgerun_session_run(s, names, ins, 1, outs, 1)};  // wrong output count
    ASSERT_NE(g.s, nullptr);
    EXPECT_EQ(edgerun_status_code(g.s), EDGERUN_INVALID_ARGUMENT);
  }
  {
    const char* names[1] = {nullptr};
    const edgerun_tensor* ins[1] = {xf};
    StatusGuard g{edgerun_session_run(s, names, ins, 1, outs, 2)};
    ASSERT_NE(g.s, nullptr);
  }
  {
    StatusGuard g{edgerun_session_run(nullptr, nullptr, nullptr, 0, outs, 2)};
    ASSERT_NE(g.s, nullptr);
  }
  {
    // Still usable after the errors.
    const char* names[1] = {"x"};
    const edgerun_tensor* ins[1] = {xf};
    StatusGuard g{edgerun_session_run(s, names, ins, 1, outs, 2)};
    ASSERT_EQ(g.s, nullptr) << edgerun_status_message(g.s);
    EXPECT_EQ(static_cast<const float*>(edgerun_tensor_data(outs[0]))[2], 9.0f);
    edgerun_tensor_release(outs[0]);
    edgerun_tensor_release(outs[1]);
  }
  edgerun_tensor_release(xi);
  edgerun_tensor_release(xf);
  edgerun_session_release(s);
}

}  // namespace
}  // namespace edgerun::test
