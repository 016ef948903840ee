/* Pooling, AVX-512: 16 outputs per step, masked tails (algorithm: pool_impl.h). */
#include "kernels/simd/vec_avx512.h"
#include "kernels/pool/pool_impl.h"

namespace cnn4j {

const PoolKernels kPoolAvx512 = {max_plane<Vec>, avg_plane<Vec>, lp_plane_of_scalar, adaptive_avg_plane<Vec>,
                                adaptive_max_plane};

}  // namespace cnn4j
