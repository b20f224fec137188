# cmake -DIN=x.spv -DOUT=x.spv.h -DNAME=x -P embed_spirv.cmake
# Writes the SPIR-V words (little-endian file) as a C++ uint32_t array.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" len)
math(EXPR rem "${len} % 8")
if(len EQUAL 0 OR NOT rem EQUAL 0)
  message(FATAL_ERROR "${IN}: not a SPIR-V word stream (${len} hex digits)")
endif()
string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1u," words "${hex}")
file(WRITE ${OUT}.tmp "// Generated (shader variant ${NAME}) by shaders/embed_spirv.cmake. Do not edit.\n"
  "#pragma once\n#include <cstdint>\n\nnamespace edgerun::shaders {\n"
  "inline constexpr uint32_t kSpirv_${NAME}[] = {\n  ${words}\n};\n}  // namespace edgerun::shaders\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
