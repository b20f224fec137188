// The C API: thin wrappers over Session/Tensor; nothing throws across it.
#include "edgerun/edgerun.h"

#include <cstring>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "edgerun/session.h"

struct edgerun_status {
  edgerun::Status status;
};
struct edgerun_options {
  edgerun::SessionOptions opt;
};
struct edgerun_session {
  edgerun::Session session;
};
struct edgerun_tensor {
  edgerun::Tensor tensor;
};

namespace {
edgerun_status* wrap(edgerun::Status s) {
  if (s.ok()) return nullptr;
  return new (std::nothrow) edgerun_status{std::move(s)};
}
edgerun_status* error(edgerun::StatusCode code, const std::string& msg) { return wrap(edgerun::Status(code, msg)); }
const edgerun::TensorInfo* info_at(const std::vector<edgerun::TensorInfo>& v, size_t i) { return i < v.size() ? &v[i] : nullptr; }
int64_t shape_of(const edgerun::TensorInfo* t, int64_t* dims, size_t capacity) {
  if (!t || !t->rank_known) return -1;
  for (size_t i = 0; i < t->shape.size() && i < capacity && dims; ++i) dims[i] = t->shape[i];
  return static_cast<int64_t>(t->shape.size());
}
}  // namespace

extern "C" {

int edgerun_abi_version(void) { return EDGERUN_ABI_VERSION; }
const char* edgerun_version(void) { return "0.1.0"; }

edgerun_code edgerun_status_code(const edgerun_status* s) {
  return s ? static_cast<edgerun_code>(s->status.code()) : EDGERUN_OK;
}
const char* edgerun_status_message(const edgerun_status* s) { return s ? s->status.message().c_str() : ""; }
void edgerun_status_release(edgerun_status* s) { delete s; }

edgerun_options* edgerun_options_create(void) { return new (std::nothrow) edgerun_options{}; }
edgerun_status* edgerun_options_set_backend(edgerun_options* o, const char* backend) {
  if (!o || !backend) return error(edgerun::StatusCode::kInvalidArgument, "null options or backend");
  const std::string b = backend;
  if (b != "auto" && b != "vulkan" && b != "cpu" && b != "reference")
    return error(edgerun::StatusCode::kInvalidArgument, "unknown backend '" + b + "' (auto, vulkan, cpu, reference)");
  o->opt.backend = b;
  return nullptr;
}
void edgerun_options_set_threads(edgerun_options* o, int threads) { if (o) o->opt.threads = threads; }
void edgerun_options_set_sha256(edgerun_options* o, const char* hex) { if (o) o->opt.expected_sha256 = hex ? hex : ""; }
void edgerun_options_release(edgerun_options* o) { delete o; }

edgerun_status* edgerun_session_create(const char* path, const edgerun_options* o, edgerun_session** out) {
  if (!path || !out) return error(edgerun::StatusCode::kInvalidArgument, "null path or output pointer");
  *out = nullptr;
  auto s = edgerun::Session::create(path, o ? o->opt : edgerun::SessionOptions{});
  if (!s.ok()) return wrap(s.status());
  *out = new (std::nothrow) edgerun_session{std::move(s).value()};
  return *out ? nullptr : error(edgerun::StatusCode::kResourceExhausted, "out of memory");
}

edgerun_status* edgerun_session_create_from_bytes(const void* data, size_t size, const edgerun_options* o, edgerun_session** out) {
  if ((!data && size) || !out) return error(edgerun::StatusCode::kInvalidArgument, "null data or output pointer");
  *out = nullptr;
  auto s = edgerun::Session::create_from_bytes(data, size, o ? o->opt : edgerun::SessionOptions{});
  if (!s.ok()) return wrap(s.status());
  *out = new (std::nothrow) edgerun_session{std::move(s).value()};
  return *out ? nullptr : error(edgerun::StatusCode::kResourceExhausted, "out of memory");
}
void edgerun_session_release(edgerun_session* s) { delete s; }

size_t edgerun_session_input_count(const edgerun_session* s) { return s ? s->session.inputs().size() : 0; }
size_t edgerun_session_output_count(const edgerun_session* s) { return s ? s->session.outputs().size() : 0; }
const char* edgerun_session_input_name(const edgerun_session* s, size_t i) {
  auto* t = s ? info_at(s->session.inputs(), i) : nullptr;
  return t ? t->name.c_str() : nullptr;
}
const char* edgerun_session_output_name(const edgerun_session* s, size_t i) {
  auto* t = s ? info_at(s->session.outputs(), i) : nullptr;
  return t ? t->name.c_str() : nullptr;
}
edgerun_dtype edgerun_session_input_dtype(const edgerun_session* s, size_t i) {
  auto* t = s ? info_at(s->session.inputs(), i) : nullptr;
  return t ? static_cast<edgerun_dtype>(t->dtype) : EDGERUN_UNDEFINED;
}
edgerun_dtype edgerun_session_output_dtype(const edgerun_session* s, size_t i) {
  auto* t = s ? info_at(s->session.outputs(), i) : nullptr;
  return t ? static_cast<edgerun_dtype>(t->dtype) : EDGERUN_UNDEFINED;
}
int64_t edgerun_session_input_shape(const edgerun_session* s, size_t i, int64_t* dims, size_t cap) {
  return shape_of(s ? info_at(s->session.inputs(), i) : nullptr, dims, cap);
}
int64_t edgerun_session_output_shape(const edgerun_session* s, size_t i, int64_t* dims, size_t cap) {
  return shape_of(s ? info_at(s->session.outputs(), i) : nullptr, dims, cap);
}

size_t edgerun_session_node_count(const edgerun_session* s) { return s ? s->session.report().nodes.size() : 0; }
edgerun_status* edgerun_session_node_info(const edgerun_session* s, size_t i, const char** name, const char** op_type,
                                          const char** domain, const char** backend, const char** reason) {
  const char** outs[] = {name, op_type, domain, backend, reason};
  for (const char** o : outs)
    if (o) *o = nullptr;
  if (!s) return error(edgerun::StatusCode::kInvalidArgument, "null session");
  const auto& nodes = s->session.report().nodes;
  if (i >= nodes.size())
    return error(edgerun::StatusCode::kOutOfRange,
                 "node index " + std::to_string(i) + " out of range (the session has " + std::to_string(nodes.size()) + " nodes)");
  const edgerun::NodePlacement& n = nodes[i];
  if (name) *name = n.name.c_str();
  if (op_type) *op_type = n.op_type.c_str();
  if (domain) *domain = n.domain.c_str();
  if (backend) *backend = n.backend.c_str();
  if (reason) *reason = n.reason.c_str();
  return nullptr;
}

edgerun_status* edgerun_session_run(const edgerun_session* s, const char* const* names, const edgerun_tensor* const* inputs,
                                    size_t n_in, edgerun_tensor** outputs, size_t n_out) {
  if (!s) return error(edgerun::StatusCode::kInvalidArgument, "null session");
  if (n_in && (!names || !inputs)) return error(edgerun::StatusCode::kInvalidArgument, "null input arrays");
  if (n_out != s->session.outputs().size() || (n_out && !outputs))
    return error(edgerun::StatusCode::kInvalidArgument,
                 "outputs array must have room for exactly " + std::to_string(s->session.outputs().size()) + " tensors");
  std::map<std::string, edgerun::Tensor> in;
  for (size_t i = 0; i < n_in; ++i) {
    if (!names[i] || !inputs[i]) return error(edgerun::StatusCode::kInvalidArgument, "null input name or tensor at " + std::to_string(i));
    in[names[i]] = inputs[i]->tensor;
  }
  auto r = s->session.run(in);
  if (!r.ok()) return wrap(r.status());
  for (size_t i = 0; i < n_out; ++i) {
    outputs[i] = new (std::nothrow) edgerun_tensor{r->at(s->session.outputs()[i].name)};
    if (!outputs[i]) {  // release what was handed out so far: all or nothing
      for (size_t j = 0; j < i; ++j) { delete outputs[j]; outputs[j] = nullptr; }
      return error(edgerun::StatusCode::kResourceExhausted, "out of memory");
    }
  }
  return nullptr;
}

edgerun_status* edgerun_tensor_create(edgerun_dtype dtype, const int64_t* shape, size_t rank, const void* data, size_t nbytes,
                                      edgerun_tensor** out) {
  if (!out || (rank && !shape)) return error(edgerun::StatusCode::kInvalidArgument, "null shape or output pointer");
  *out = nullptr;
  const auto dt = static_cast<edgerun::DataType>(dtype);
  if (edgerun::dtype_size(dt) == 0 || dt == edgerun::DataType::kString)
    return error(edgerun::StatusCode::kInvalidArgument, "unsupported dtype " + std::to_string(dtype));
  // Check the byte count against the shape before allocating anything.
  auto numel = edgerun::checked_numel(edgerun::Shape(shape, shape + rank));
  if (!numel.ok()) return wrap(numel.status());
  const uint64_t esize = edgerun::dtype_size(dt);
  const edgerun::Shape dims(shape, shape + rank);
  if (static_cast<uint64_t>(*numel) > UINT64_MAX / esize)
    return error(edgerun::StatusCode::kResourceExhausted, "tensor " + edgerun::shape_to_string(dims) + " is too large");
  if (static_cast<uint64_t>(*numel) * esize != nbytes)
    return error(edgerun::StatusCode::kInvalidArgument,
                 "tensor data has " + std::to_string(nbytes) + " bytes, " + edgerun::dtype_name(dt) +
                     edgerun::shape_to_string(dims) + " needs " + std::to_string(static_cast<uint64_t>(*numel) * esize));
  auto t = edgerun::Tensor::allocate(dt, edgerun::Shape(shape, shape + rank));
  if (!t.ok()) return wrap(t.status());
  if (nbytes && !data) return error(edgerun::StatusCode::kInvalidArgument, "null data");
  if (nbytes) std::memcpy(t->data(), data, nbytes);
  *out = new (std::nothrow) edgerun_tensor{std::move(t).value()};
  return *out ? nullptr : error(edgerun::StatusCode::kResourceExhausted, "out of memory");
}
void edgerun_tensor_release(edgerun_tensor* t) { delete t; }
edgerun_dtype edgerun_tensor_dtype(const edgerun_tensor* t) { return t ? static_cast<edgerun_dtype>(t->tensor.dtype()) : EDGERUN_UNDEFINED; }
size_t edgerun_tensor_rank(const edgerun_tensor* t) { return t ? t->tensor.shape().size() : 0; }
const int64_t* edgerun_tensor_shape(const edgerun_tensor* t) { return t ? t->tensor.shape().data() : nullptr; }
const void* edgerun_tensor_data(const edgerun_tensor* t) { return t ? t->tensor.data() : nullptr; }
size_t edgerun_tensor_nbytes(const edgerun_tensor* t) { return t ? t->tensor.nbytes() : 0; }

}  // extern "C"
