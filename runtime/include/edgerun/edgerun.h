/* edgerun.h — the C API (stable ABI: opaque handles, no C++ types cross it).
 *
 *   edgerun_options* opt = edgerun_options_create();
 *   edgerun_options_set_threads(opt, 1);
 *   edgerun_session* s = NULL;
 *   edgerun_status* st = edgerun_session_create("model.onnx", opt, &s);
 *   if (st) { fprintf(stderr, "%s\n", edgerun_status_message(st)); edgerun_status_release(st); }
 *   ...
 *   int64_t shape[4] = {1, 1, 8, 8};
 *   edgerun_tensor* x = NULL;
 *   edgerun_tensor_create(EDGERUN_FLOAT32, shape, 4, pixels, sizeof(pixels), &x);   (copies the data)
 *   const char* names[1] = {edgerun_session_input_name(s, 0)};
 *   edgerun_tensor* y[1] = {NULL};
 *   st = edgerun_session_run(s, names, (const edgerun_tensor* const*)&x, 1, y, 1);
 *   const float* logits = (const float*)edgerun_tensor_data(y[0]);
 *   edgerun_tensor_release(y[0]); edgerun_tensor_release(x);
 *   edgerun_session_release(s); edgerun_options_release(opt);
 *
 * Every call that can fail returns an edgerun_status* (NULL on success) that the caller releases.
 * Sessions may be run from several threads at once.
 */
#ifndef EDGERUN_H_
#define EDGERUN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EDGERUN_ABI_VERSION 1

/* Element types: the same numbers as ONNX TensorProto.DataType. */
typedef enum {
  EDGERUN_UNDEFINED = 0, EDGERUN_FLOAT32 = 1, EDGERUN_UINT8 = 2, EDGERUN_INT8 = 3, EDGERUN_UINT16 = 4,
  EDGERUN_INT16 = 5, EDGERUN_INT32 = 6, EDGERUN_INT64 = 7, EDGERUN_BOOL = 9, EDGERUN_FLOAT16 = 10,
  EDGERUN_FLOAT64 = 11, EDGERUN_UINT32 = 12, EDGERUN_UINT64 = 13, EDGERUN_BFLOAT16 = 16
} edgerun_dtype;

typedef enum {
  EDGERUN_OK = 0, EDGERUN_INVALID_ARGUMENT, EDGERUN_INVALID_MODEL, EDGERUN_UNSUPPORTED, EDGERUN_NOT_FOUND,
  EDGERUN_OUT_OF_RANGE, EDGERUN_RESOURCE_EXHAUSTED, EDGERUN_INTEGRITY, EDGERUN_INTERNAL, EDGERUN_IO,
  EDGERUN_UNAVAILABLE
} edgerun_code;

typedef struct edgerun_status edgerun_status;
typedef struct edgerun_options edgerun_options;
typedef struct edgerun_session edgerun_session;
typedef struct edgerun_tensor edgerun_tensor;

int edgerun_abi_version(void);
const char* edgerun_version(void);

edgerun_code edgerun_status_code(const edgerun_status* status);
const char* edgerun_status_message(const edgerun_status* status);
void edgerun_status_release(edgerun_status* status);

edgerun_options* edgerun_options_create(void);
/* "auto", "vulkan", "cpu" or "reference" ("vulkan" fails at session creation where there is no
 * Vulkan backend or device, e.g. in builds without EDGERUN_VULKAN and in WebAssembly). */
edgerun_status* edgerun_options_set_backend(edgerun_options* options, const char* backend);
void edgerun_options_set_threads(edgerun_options* options, int threads);
/* 64 hex digits; the model (and its external data) must hash to this before it is parsed. */
void edgerun_options_set_sha256(edgerun_options* options, const char* sha256_hex);
void edgerun_options_release(edgerun_options* options);

edgerun_status* edgerun_session_create(const char* path, const edgerun_options* options, edgerun_session** out);
edgerun_status* edgerun_session_create_from_bytes(const void* data, size_t size, const edgerun_options* options,
                                                  edgerun_session** out);
void edgerun_session_release(edgerun_session* session);

size_t edgerun_session_input_count(const edgerun_session* session);
size_t edgerun_session_output_count(const edgerun_session* session);
/* Names stay valid for the session's lifetime. NULL if index is out of range. */
const char* edgerun_session_input_name(const edgerun_session* session, size_t index);
const char* edgerun_session_output_name(const edgerun_session* session, size_t index);
edgerun_dtype edgerun_session_input_dtype(const edgerun_session* session, size_t index);
edgerun_dtype edgerun_session_output_dtype(const edgerun_session* session, size_t index);
/* Writes up to `capacity` dims (-1 = unknown) and returns the rank (-1 if unknown or bad index). */
int64_t edgerun_session_input_shape(const edgerun_session* session, size_t index, int64_t* dims, size_t capacity);
int64_t edgerun_session_output_shape(const edgerun_session* session, size_t index, int64_t* dims, size_t capacity);

/* Node placement (the graph after optimisation, in execution order): which backend runs each node
 * and why. Strings stay valid for the session's lifetime; any of the output pointers may be NULL.
 * `domain` is "" for the default ONNX domain; `reason` says why the node is on that backend (for
 * example why it fell back to the reference backend), "" when there is nothing to say.
 * Returns EDGERUN_OUT_OF_RANGE (and sets the outputs to NULL) when index >= node_count. */
size_t edgerun_session_node_count(const edgerun_session* session);
edgerun_status* edgerun_session_node_info(const edgerun_session* session, size_t index, const char** name,
                                          const char** op_type, const char** domain, const char** backend,
                                          const char** reason);

/* Runs with `num_inputs` named inputs; fills outputs[0..num_outputs) in graph-output order
 * (num_outputs must equal edgerun_session_output_count). The caller releases each output. */
edgerun_status* edgerun_session_run(const edgerun_session* session, const char* const* input_names,
                                    const edgerun_tensor* const* inputs, size_t num_inputs, edgerun_tensor** outputs,
                                    size_t num_outputs);

/* Creates a tensor holding a copy of `data` (nbytes must equal the element count times the element size). */
edgerun_status* edgerun_tensor_create(edgerun_dtype dtype, const int64_t* shape, size_t rank, const void* data, size_t nbytes,
                                      edgerun_tensor** out);
void edgerun_tensor_release(edgerun_tensor* tensor);
edgerun_dtype edgerun_tensor_dtype(const edgerun_tensor* tensor);
size_t edgerun_tensor_rank(const edgerun_tensor* tensor);
const int64_t* edgerun_tensor_shape(const edgerun_tensor* tensor);
const void* edgerun_tensor_data(const edgerun_tensor* tensor);
size_t edgerun_tensor_nbytes(const edgerun_tensor* tensor);

#ifdef __cplusplus
}
#endif

#endif /* EDGERUN_H_ */
