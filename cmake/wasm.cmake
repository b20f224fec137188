# WebAssembly (Emscripten) build settings. Included from the top-level CMakeLists.txt only when
# EMSCRIPTEN is set (the `wasm` preset), before the dependencies are looked up; everything here
# is either a cache default for the dependency lookups or scoped to edgerun's own targets.
# The traps this works around are listed in ../shared/docs/toolchain.md (Emscripten 3.1.6, Debian).

option(EDGERUN_WASM_THREADS "wasm: build with pthreads (needs SharedArrayBuffer / cross-origin isolation)" OFF)
set(EDGERUN_WASM_POOL_SIZE 4 CACHE STRING "wasm: -sPTHREAD_POOL_SIZE (workers created at start-up)")

# No -march=native for wasm; SIMD comes from -msimd128 below.
set(EDGERUN_NATIVE_ARCH OFF CACHE BOOL "" FORCE)

# Emscripten's em++ needs acorn from Debian's node modules when it optimises at link time (-O1+).
set(EDGERUN_WASM_NODE_PATH /usr/share/nodejs)
set(ENV{NODE_PATH} ${EDGERUN_WASM_NODE_PATH})

# Dependencies. The toolchain re-roots find_* into the Emscripten sysroot, and /usr/include must not
# be added wholesale (its libc headers are the host's): expose only the header-only libraries'
# folders through symlinks in a build-dir include folder.
set(EDGERUN_WASM_INCLUDE ${CMAKE_BINARY_DIR}/wasm-include)
file(MAKE_DIRECTORY ${EDGERUN_WASM_INCLUDE})
foreach(lib hwy protozero)
  if(NOT EXISTS /usr/include/${lib})
    message(FATAL_ERROR "wasm build: /usr/include/${lib} not found (apt-get install libhwy-dev libprotozero-dev)")
  endif()
  file(CREATE_LINK /usr/include/${lib} ${EDGERUN_WASM_INCLUDE}/${lib} SYMBOLIC)
endforeach()
set(PROTOZERO_INCLUDE_DIR ${EDGERUN_WASM_INCLUDE} CACHE PATH "" FORCE)
set(HWY_INCLUDE_DIR ${EDGERUN_WASM_INCLUDE} CACHE PATH "" FORCE)
# Highway is used header-only with static dispatch (HWY_WASM target under -msimd128): the host's
# libhwy.so is x86 code and must not be linked. HWY_LIBRARY names an empty interface target instead.
add_library(edgerun_wasm_hwy INTERFACE)
set(HWY_LIBRARY edgerun_wasm_hwy CACHE STRING "" FORCE)
# Eigen is header-only; its CMake package is found only when pointed at directly.
if(NOT Eigen3_DIR)
  set(Eigen3_DIR /usr/share/eigen3/cmake CACHE PATH "" FORCE)
endif()

set(EDGERUN_WASM_REFERENCE_OPT -Os CACHE STRING "wasm: optimisation flag for the reference backend (size)")

# Flags shared by every edgerun target (edgerun_flags is linked privately into each of them).
# Eigen has no wasm SIMD path: with -msimd128 it is autovectorised only; Highway code is explicit.
set(EDGERUN_WASM_COMPILE_OPTIONS -msimd128)
if(EDGERUN_WASM_THREADS)
  list(APPEND EDGERUN_WASM_COMPILE_OPTIONS -pthread)
endif()

# Called after all targets exist (end of the top-level CMakeLists.txt).
function(edgerun_wasm_finalize)
  target_compile_options(edgerun_flags INTERFACE ${EDGERUN_WASM_COMPILE_OPTIONS})
  # Exceptions: Emscripten's default compiles `throw` but aborts instead of catching. Only three
  # translation units catch: the ONNX reader (protozero::exception, std::bad_alloc), the regex
  # string ops (std::regex_error) and the CLI's .npy reader (std::stoll). They get -fexceptions
  # (JS-based exception catching); every other file, including all kernels, stays without it.
  set_source_files_properties(${PROJECT_SOURCE_DIR}/runtime/src/onnx/proto_reader.cpp
    DIRECTORY ${PROJECT_SOURCE_DIR}/runtime PROPERTIES COMPILE_OPTIONS -fexceptions)
  set_source_files_properties(${PROJECT_SOURCE_DIR}/backends/reference/text.cpp
    DIRECTORY ${PROJECT_SOURCE_DIR}/backends PROPERTIES COMPILE_OPTIONS -fexceptions)
  set_source_files_properties(${PROJECT_SOURCE_DIR}/native/cli/tensor_io.cpp
    DIRECTORY ${PROJECT_SOURCE_DIR}/native PROPERTIES COMPILE_OPTIONS -fexceptions)

  # Size: the reference backend (every op, every dtype; the fallback behind the cpu kernels) is
  # 40 % of the code at -O3 (templates over every dtype, inlined). With -Os each .wasm is ~0.85 MB
  # smaller (library 3.10 -> 2.25 MB, CLI -> 2.52 MB); the reference kernels get slower (mnist-8 on
  # --backend reference: 0.53 -> 0.84 ms), the cpu kernels, which run nearly all the work, do not.
  target_compile_options(edgerun_reference PRIVATE ${EDGERUN_WASM_REFERENCE_OPT})
  # clang (em++) does not know GCC's -Wmaybe-uninitialized, used on edgerun_cpu and in a pragma.
  target_compile_options(edgerun_cpu PRIVATE -Wno-unknown-warning-option)
  # MappedFile::mapped_ is used only on the mmap path, which Emscripten does not take.
  set_source_files_properties(${PROJECT_SOURCE_DIR}/runtime/src/base/mapped_file.cpp
    DIRECTORY ${PROJECT_SOURCE_DIR}/runtime PROPERTIES COMPILE_OPTIONS -Wno-unused-private-field)
  # validate's --jobs/--timeout apply only to forked cases; wasm has no fork (cases run in-process).
  set_source_files_properties(${PROJECT_SOURCE_DIR}/native/cli/validate.cpp
    DIRECTORY ${PROJECT_SOURCE_DIR}/native PROPERTIES COMPILE_OPTIONS -Wno-unused-variable)

  # The CLI as a node program with direct access to the host file system.
  set(link
    -msimd128
    -fexceptions                 # links the exception-catching runtime (DISABLE_EXCEPTION_CATCHING=0)
    -sNODERAWFS=1
    -sALLOW_MEMORY_GROWTH=1
    -sMAXIMUM_MEMORY=4GB
    -sEXIT_RUNTIME=1             # main's return value becomes node's exit code
    -sENVIRONMENT=node
    -sTOTAL_STACK=8MB)
  if(EDGERUN_WASM_THREADS)
    # -Wno-pthreads-mem-growth: growth with threads slows only JS access to the heap, not wasm code.
    list(APPEND link -pthread -sPTHREAD_POOL_SIZE=${EDGERUN_WASM_POOL_SIZE} -Wno-pthreads-mem-growth)
  endif()
  foreach(exe edgerun edgerun_c_example)
    if(TARGET ${exe})
      target_link_options(${exe} PRIVATE ${link})
      # em++ needs NODE_PATH at link time, also when ninja is run by hand.
      set_property(TARGET ${exe} PROPERTY RULE_LAUNCH_LINK "env NODE_PATH=${EDGERUN_WASM_NODE_PATH}")
    endif()
  endforeach()

  # The JS/TS API's library module (web/js/edgerun.mjs loads it): the C API of edgerun.h exported
  # to JS, as an ES6 module factory createEdgerunModule(). Environment web/worker only: the JS side
  # passes the .wasm bytes itself under node (wasmBinary), so none of Emscripten's node-only code
  # (require, __dirname) runs in an ES module. Both presets build it: `wasm` as edgerun_web (single-
  # threaded), `wasm-threads` as edgerun_web_threads (+ edgerun_web_threads.worker.js, the pthread
  # worker script, a classic worker that import()s the .mjs next to it).
  if(EDGERUN_WASM_THREADS)
    set(web_name edgerun_web_threads)
  else()
    set(web_name edgerun_web)
  endif()
  add_executable(edgerun_web ${PROJECT_SOURCE_DIR}/web/src/bindings.cpp)
  target_link_libraries(edgerun_web PRIVATE edgerun_runtime edgerun_flags)
  set(web_exports _malloc _free _edgerun_version _edgerun_abi_version
    _edgerun_status_code _edgerun_status_message _edgerun_status_release
    _edgerun_web_session_create _edgerun_web_heap_in_use _edgerun_web_threads _edgerun_session_release
    _edgerun_session_input_count _edgerun_session_output_count
    _edgerun_session_input_name _edgerun_session_output_name
    _edgerun_session_input_dtype _edgerun_session_output_dtype
    _edgerun_session_input_shape _edgerun_session_output_shape _edgerun_session_run
    _edgerun_session_node_count _edgerun_session_node_info
    _edgerun_tensor_create _edgerun_tensor_release _edgerun_tensor_dtype _edgerun_tensor_rank
    _edgerun_tensor_shape _edgerun_tensor_data _edgerun_tensor_nbytes)
  list(JOIN web_exports "," web_exports)
  set(web_link
    -msimd128
    -fexceptions                 # the ONNX reader catches (see above)
    -sMODULARIZE=1
    -sEXPORT_ES6=1
    -sEXPORT_NAME=createEdgerunModule
    -sENVIRONMENT=web,worker
    -sFILESYSTEM=0               # models come as bytes
    -sALLOW_MEMORY_GROWTH=1
    -sMAXIMUM_MEMORY=4GB
    -sTOTAL_STACK=8MB
    "-sEXPORTED_FUNCTIONS=[${web_exports}]"
    "-sEXPORTED_RUNTIME_METHODS=[UTF8ToString,stringToUTF8,lengthBytesUTF8]")
  set(web_files ${web_name}.mjs ${web_name}.wasm)
  if(EDGERUN_WASM_THREADS)
    # The pthread pool is started when the module is instantiated (threads beyond it would start only
    # once the creating thread yields to its event loop: a join before that deadlocks). Its size is
    # read at run time from Module.edgerunPoolSize, which web/src/pool_size.js defaults to
    # EDGERUN_WASM_POOL_SIZE and web/js/edgerun.mjs sets from the thread count it wants.
    # PTHREAD_POOL_SIZE_STRICT=2: a thread beyond the pool is an error (never a silent hang).
    configure_file(${PROJECT_SOURCE_DIR}/web/src/pool_size.js.in ${CMAKE_BINARY_DIR}/web/pool_size.js @ONLY)
    list(APPEND web_link -pthread -sPTHREAD_POOL_SIZE=Module.edgerunPoolSize -sPTHREAD_POOL_SIZE_STRICT=2
      --pre-js ${CMAKE_BINARY_DIR}/web/pool_size.js -Wno-pthreads-mem-growth)
    list(APPEND web_files ${web_name}.worker.js)
    set_property(TARGET edgerun_web APPEND PROPERTY LINK_DEPENDS ${CMAKE_BINARY_DIR}/web/pool_size.js)
  endif()
  target_link_options(edgerun_web PRIVATE ${web_link})
  set_target_properties(edgerun_web PROPERTIES OUTPUT_NAME ${web_name} SUFFIX ".mjs"
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/web
    RULE_LAUNCH_LINK "env NODE_PATH=${EDGERUN_WASM_NODE_PATH}")
  # The npm package (web/) expects the modules next to it in web/dist/ (ignored by git).
  list(TRANSFORM web_files PREPEND ${CMAKE_BINARY_DIR}/web/)
  add_custom_command(TARGET edgerun_web POST_BUILD VERBATIM
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_SOURCE_DIR}/web/dist
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${web_files} ${PROJECT_SOURCE_DIR}/web/dist/)

  # Report the size of each .wasm (raw and gzip -9) at the end of every build.
  set(size_files $<TARGET_FILE_DIR:edgerun>/edgerun.wasm ${CMAKE_BINARY_DIR}/web/${web_name}.wasm)
  add_custom_target(edgerun_wasm_size ALL VERBATIM
    COMMAND sh -c "for f in \"$@\"; do printf 'edgerun wasm size: %s: %s bytes raw, %s bytes gzip -9\\n' \"$f\" \"$(wc -c < \"$f\")\" \"$(gzip -9 -c \"$f\" | wc -c)\"; done"
            size ${size_files})
  add_dependencies(edgerun_wasm_size edgerun edgerun_web)
endfunction()
