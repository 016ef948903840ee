/*
 * The kernel dispatch table: for each kernel family, the implementation of the active ISA (runtime/isa.h).
 *
 * Ops (the C ABI in ops/) validate nothing themselves beyond null pointers; they fetch the table once per call
 * with kernels() and call through it. Adding a family: declare its function-pointer struct in
 * kernels/<family>/<family>.h, define one instance per ISA in kernels/<family>/<family>_<isa>.cpp, and add it to
 * the tables in runtime/dispatch.cpp. An ISA without its own version of a family points at the next narrower one
 * (AVX-512 -> AVX2 -> scalar), so every table is complete.
 */
#ifndef CNN4J_RUNTIME_KERNELS_H
#define CNN4J_RUNTIME_KERNELS_H

#include "kernels/activation/activation.h"
#include "kernels/softmax/softmax.h"
#include "kernels/winograd/winograd.h"
#include "kernels/depthwise/depthwise.h"
#include "kernels/pool/pool.h"
#include "kernels/im2col/im2col.h"
#include "kernels/gemm/gemm.h"
#include "kernels/gemv/gemv.h"
#include "runtime/isa.h"

namespace cnn4j {

struct KernelTable {
    Isa isa;
    const ActivationKernels* activation;
    const SoftmaxKernels* softmax;
    const WinogradKernels* winograd;
    const DepthwiseKernels* depthwise;
    const PoolKernels* pool;
    const Im2colKernels* im2col;
    const GemmKernels* gemm;
    const GemvKernels* gemv;
};

/* The table of the active ISA. */
const KernelTable& kernels();

/* The table of a supported ISA (tests and benchmarks compare variants); `isa` must be supported. */
const KernelTable& kernels_for(Isa isa);

}  // namespace cnn4j

#endif
