/* Pooling, AVX2: 8 outputs per step (algorithm: pool_impl.h). */
#include "kernels/simd/vec_avx2.h"
#include "kernels/pool/pool_impl.h"

namespace cnn4j {

const PoolKernels kPoolAvx2 = {max_plane<Vec>, avg_plane<Vec>, lp_plane_of_scalar, adaptive_avg_plane<Vec>,
                                adaptive_max_plane};

}  // namespace cnn4j
