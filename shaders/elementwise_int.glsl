// Integer helpers for the elementwise shaders. Every integer dtype (and bool) is stored as a
// 32-bit int; the spec constant ITYPE says which one, so results can wrap like the dtype does:
//   0 int32 / int64 / bool (32-bit two's complement)   1 int8    2 int16
//   3 uint8    4 uint16    5 uint32 (stored as its bit pattern: compare/divide unsigned)
// (kernels/elementwise.cpp: itype_of)

bool it_unsigned() { return ITYPE >= 3; }

// Wraps a 32-bit result to the dtype's width (two's complement, like the reference's casts).
int it_wrap(int v) {
  if (ITYPE == 1) return bitfieldExtract(v, 0, 8);
  if (ITYPE == 2) return bitfieldExtract(v, 0, 16);
  if (ITYPE == 3) return v & 0xff;
  if (ITYPE == 4) return v & 0xffff;
  return v;
}

bool it_less(int a, int b) { return ITYPE == 5 ? uint(a) < uint(b) : a < b; }

// Bits of the dtype (BitShift).
uint it_bits() {
  if (ITYPE == 1 || ITYPE == 3) return 8u;
  if (ITYPE == 2 || ITYPE == 4) return 16u;
  return 32u;
}
