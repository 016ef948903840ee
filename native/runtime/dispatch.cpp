/*
 * One kernel table per ISA this build has. Families without a version of their own for an ISA use the next
 * narrower one (see runtime/kernels.h).
 */
#include "runtime/kernels.h"

namespace cnn4j {
namespace {

const KernelTable kScalarTable = {
    Isa::kScalar,
    &kActivationScalar,
    &kSoftmaxScalar,
    &kWinogradScalar,
    &kDepthwiseScalar,
    &kPoolScalar,
    &kIm2colScalar,
    &kGemmScalar,
    &kGemvScalar,
};

#if defined(__x86_64__) || defined(_M_X64)
const KernelTable kAvx2Table = {
    Isa::kAvx2,
    &kActivationAvx2,
    &kSoftmaxAvx2,
    &kWinogradAvx2,
    &kDepthwiseAvx2,
    &kPoolAvx2,
    &kIm2colAvx2,
    &kGemmAvx2,
    &kGemvAvx2,
};

const KernelTable kAvx512Table = {
    Isa::kAvx512,
    &kActivationAvx512,
    &kSoftmaxAvx512,
    &kWinogradAvx512,
    &kDepthwiseAvx512,
    &kPoolAvx512,
    &kIm2colAvx512,
    &kGemmAvx512,
    &kGemvAvx512,
};
#endif

#if defined(__aarch64__)
const KernelTable kNeonTable = {
    Isa::kNeon,
    &kActivationNeon,
    &kSoftmaxNeon,
    &kWinogradNeon,
    &kDepthwiseNeon,
    &kPoolNeon,
    &kIm2colNeon,
    &kGemmNeon,
    &kGemvNeon,
};
#endif

}  // namespace

const KernelTable& kernels_for(Isa isa) {
    switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
        case Isa::kAvx2: return kAvx2Table;
        case Isa::kAvx512: return kAvx512Table;
#endif
#if defined(__aarch64__)
        case Isa::kNeon: return kNeonTable;
#endif
        default: return kScalarTable;
    }
}

const KernelTable& kernels() { return kernels_for(active_isa()); }

}  // namespace cnn4j
