/* The split sgemm of ops/gemm.h. */
#include "ops/gemm.h"

#include <cblas.h>

#include <algorithm>

#include "runtime/threadpool.h"

namespace cnn4j {
namespace {

/* Below this many multiply-adds a product runs on one thread: handing out blocks costs more than it saves. */
constexpr int64_t kMinParallelMacs = 1 << 20;
/* Column blocks are multiples of this, so each block's sgemm runs whole vector panels. */
constexpr int64_t kColumnAlign = 32;

void sgemm_block(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)M,
                (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}

}  // namespace

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    const int threads = pool_threads();
    if (threads == 1 || M * N * K < kMinParallelMacs) {
        sgemm_block(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    if (N >= M || N >= kColumnAlign * threads) {
        // Column blocks: C[:, j0:j1] = A x B[:, j0:j1].
        const int64_t blocks = (N + kColumnAlign - 1) / kColumnAlign;
        parallel_for(blocks, (blocks + threads - 1) / threads, [&](int64_t begin, int64_t end) {
            const int64_t j0 = begin * kColumnAlign, j1 = std::min(N, end * kColumnAlign);
            const float* B_block = trans_b ? B + j0 * ldb : B + j0;
            sgemm_block(trans_a, trans_b, M, j1 - j0, K, alpha, A, lda, B_block, ldb, beta, C + j0, ldc);
        });
    } else {
        // Row blocks: C[i0:i1, :] = A[i0:i1, :] x B.
        parallel_for(M, (M + threads - 1) / threads, [&](int64_t i0, int64_t i1) {
            const float* A_block = trans_a ? A + i0 : A + i0 * lda;
            sgemm_block(trans_a, trans_b, i1 - i0, N, K, alpha, A_block, lda, B, ldb, beta, C + i0 * ldc, ldc);
        });
    }
}

}  // namespace cnn4j
