// edgerun — the command line: info, run, validate, bench, ops, hash.
#include <cstring>
#include <iostream>

#include "commands.h"

namespace {
void usage() {
  std::cerr << "edgerun — ONNX inference runtime\n\n"
               "usage: edgerun COMMAND [options]\n\n"
               "  info MODEL       inputs/outputs, opsets, op histogram, planned memory, per-node placement\n"
               "  run MODEL        run once on given (.npy/.pb) or random inputs, print and save outputs;\n"
               "                   --profile FILE writes a Chrome trace (per node: backend, CPU/GPU time, transfers)\n"
               "  validate PATH    run ONNX backend-test-layout cases, compare with expected outputs\n"
               "  bench MODEL      load time, first run, steady-state latency percentiles, peak RSS; on a GPU:\n"
               "                   pipeline creation cold vs warm, GPU memory; --profile FILE as for run\n"
               "  ops              table of supported ops per backend (markdown)\n"
               "  hash MODEL       SHA-256 of the model (and external data) for SessionOptions::expected_sha256\n\n"
               "Run 'edgerun COMMAND --help' for a command's options.\n";
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    usage();
    return argc < 2 ? 2 : 0;
  }
  const char* cmd = argv[1];
  using namespace edgerun::cli;
  if (!std::strcmp(cmd, "info")) return cmd_info(argc, argv);
  if (!std::strcmp(cmd, "run")) return cmd_run(argc, argv);
  if (!std::strcmp(cmd, "validate")) return cmd_validate(argc, argv);
  if (!std::strcmp(cmd, "bench")) return cmd_bench(argc, argv);
  if (!std::strcmp(cmd, "ops")) return cmd_ops(argc, argv);
  if (!std::strcmp(cmd, "hash")) return cmd_hash(argc, argv);
  std::cerr << "edgerun: unknown command '" << cmd << "'\n\n";
  usage();
  return 2;
}
