/*
 * Matrix products for the ops: OpenBLAS sgemm, one thread per call, split across cnn4j's thread pool.
 *
 * OpenBLAS's own threads are switched off (runtime/threads.cpp): they spin at barriers, and two pools on the same
 * cores (OpenBLAS's and cnn4j's) oversubscribe them. Instead a product is cut into column (or row) blocks, each a
 * single-threaded sgemm on a pool thread.
 */
#ifndef CNN4J_OPS_GEMM_H
#define CNN4J_OPS_GEMM_H

#include <cstdint>

namespace cnn4j {

/* Row-major C[M, N] = alpha * op(A)[M, K] x op(B)[K, N] + beta * C, op = transpose when trans_a / trans_b;
   lda, ldb, ldc as in cblas_sgemm (Java has checked that every dimension fits an int). */
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

}  // namespace cnn4j

#endif
