// edgerun_web: the wasm library module behind web/js/edgerun.mjs. The JS side calls the stable C
// API (runtime/include/edgerun/edgerun.h), exported as is by the link (cmake/wasm.cmake); this file
// adds only what the C API lacks for a JS host.
#include <malloc.h>

#include <cstddef>

#include "edgerun/edgerun.h"

extern "C" {

// Bytes currently allocated on the wasm heap (dlmalloc's in-use count): lets the JS tests check that
// repeated runs leak nothing. The heap's size (the memory buffer) only ever grows, so it says less.
size_t edgerun_web_heap_in_use(void) { return static_cast<size_t>(mallinfo().uordblks); }

// 1 in the threaded build (pthreads: edgerun_web_threads), 0 in the single-threaded one: lets the
// loader check that the module it loaded is the variant it meant to load.
int edgerun_web_threads(void) {
#ifdef __EMSCRIPTEN_PTHREADS__
  return 1;
#else
  return 0;
#endif
}

// Creates a session from model bytes in one call (options built and released here).
// `sha256_hex` and `backend` may be null or empty (no check / "auto"); threads <= 0 means the default.
edgerun_status* edgerun_web_session_create(const void* data, size_t size, const char* sha256_hex, const char* backend,
                                           int threads, edgerun_session** out) {
  edgerun_options* opt = edgerun_options_create();
  if (!opt) {  // out of memory: no session and no status object either; the JS side reports it
    if (out) *out = nullptr;
    return nullptr;
  }
  if (sha256_hex && *sha256_hex) edgerun_options_set_sha256(opt, sha256_hex);
  if (threads > 0) edgerun_options_set_threads(opt, threads);
  if (backend && *backend) {
    if (edgerun_status* st = edgerun_options_set_backend(opt, backend)) {
      edgerun_options_release(opt);
      return st;
    }
  }
  edgerun_status* st = edgerun_session_create_from_bytes(data, size, opt, out);
  edgerun_options_release(opt);
  return st;
}

}  // extern "C"
