# ONNX backend test suite and real models as ctest tests, per backend, with expected lists:
# a case in the list that stops passing fails the suite.
set(EDGERUN_DEBIAN_ONNX_DATA "/usr/share/libonnx-testdata/data" CACHE PATH "Debian libonnx-testdata (ONNX 1.12)")
get_filename_component(EDGERUN_SHARED_DIR "${PROJECT_SOURCE_DIR}/../shared" ABSOLUTE)
set(EDGERUN_EXPECTED_DIR "${CMAKE_CURRENT_SOURCE_DIR}/onnx/expected")
set(EDGERUN_SUITE "${CMAKE_CURRENT_SOURCE_DIR}/onnx/run_suite.sh")

foreach(backend cpu reference)
  foreach(suite node simple pytorch-converted pytorch-operator)
    add_test(NAME onnx.debian.${suite}.${backend}
      COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_DEBIAN_ONNX_DATA}/${suite} ${backend}
              ${EDGERUN_EXPECTED_DIR}/debian-${suite}.${backend}.txt)
    add_test(NAME onnx.shared.${suite}.${backend}
      COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_SHARED_DIR}/onnx-tests/${suite} ${backend}
              ${EDGERUN_EXPECTED_DIR}/shared-${suite}.${backend}.txt)
  endforeach()
  add_test(NAME onnx.shared.light.${backend}
    COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_SHARED_DIR}/onnx-tests/light ${backend}
            ${EDGERUN_EXPECTED_DIR}/shared-light.${backend}.txt)
  add_test(NAME models.shared.${backend}
    COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_SHARED_DIR}/models ${backend}
            ${EDGERUN_EXPECTED_DIR}/shared-models.${backend}.txt --rtol 1e-3 --atol 1e-4)
  add_test(NAME models.local_functions.${backend}
    COMMAND $<TARGET_FILE:edgerun> validate ${CMAKE_CURRENT_SOURCE_DIR}/data/local_functions --backend ${backend})
  add_test(NAME models.digits.${backend}
    COMMAND $<TARGET_FILE:edgerun> validate ${PROJECT_SOURCE_DIR}/models/digits --backend ${backend} --atol 1e-4)
endforeach()

# Vulkan (lavapipe in CI): with per-node fallback every case the CPU backend passes must pass (the
# cpu expected lists); strict (--no-fallback: a case runs entirely on the GPU or is skipped with the
# reason) against its own lists. The real models are compared with the CPU backend in
# tests/vulkan/models_test.cpp.
if(EDGERUN_VULKAN)
  foreach(suite node simple pytorch-converted pytorch-operator)
    add_test(NAME onnx.debian.${suite}.vulkan
      COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_DEBIAN_ONNX_DATA}/${suite} vulkan
              ${EDGERUN_EXPECTED_DIR}/debian-${suite}.cpu.txt)
    add_test(NAME onnx.shared.${suite}.vulkan
      COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_SHARED_DIR}/onnx-tests/${suite} vulkan
              ${EDGERUN_EXPECTED_DIR}/shared-${suite}.cpu.txt)
    add_test(NAME onnx.debian.${suite}.vulkan-strict
      COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_DEBIAN_ONNX_DATA}/${suite} vulkan
              ${EDGERUN_EXPECTED_DIR}/debian-${suite}.vulkan-strict.txt --no-fallback)
    add_test(NAME onnx.shared.${suite}.vulkan-strict
      COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_SHARED_DIR}/onnx-tests/${suite} vulkan
              ${EDGERUN_EXPECTED_DIR}/shared-${suite}.vulkan-strict.txt --no-fallback)
  endforeach()
  add_test(NAME onnx.shared.light.vulkan
    COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_SHARED_DIR}/onnx-tests/light vulkan
            ${EDGERUN_EXPECTED_DIR}/shared-light.cpu.txt)
  add_test(NAME onnx.shared.light.vulkan-strict
    COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_SHARED_DIR}/onnx-tests/light vulkan
            ${EDGERUN_EXPECTED_DIR}/shared-light.vulkan-strict.txt --no-fallback)
  add_test(NAME models.shared.vulkan
    COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_SHARED_DIR}/models vulkan
            ${EDGERUN_EXPECTED_DIR}/shared-models.cpu.txt --rtol 1e-3 --atol 1e-4)
  add_test(NAME models.shared.vulkan-strict
    COMMAND ${EDGERUN_SUITE} $<TARGET_FILE:edgerun> ${EDGERUN_SHARED_DIR}/models vulkan
            ${EDGERUN_EXPECTED_DIR}/shared-models.vulkan-strict.txt --rtol 1e-3 --atol 1e-4 --no-fallback)
  add_test(NAME models.digits.vulkan
    COMMAND $<TARGET_FILE:edgerun> validate ${PROJECT_SOURCE_DIR}/models/digits --backend vulkan --no-fallback --atol 1e-4)
endif()

get_property(EDGERUN_CONFORMANCE_TESTS DIRECTORY PROPERTY TESTS)
foreach(t ${EDGERUN_CONFORMANCE_TESTS})
  if(t MATCHES "^(onnx|models)\\.")
    set_tests_properties(${t} PROPERTIES SKIP_RETURN_CODE 77 RUN_SERIAL TRUE TIMEOUT 1800)
  endif()
endforeach()
