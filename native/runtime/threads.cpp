/*
 * Thread settings of the C ABI: cnn4j's pool does all parallel work; OpenBLAS runs single-threaded inside it
 * (ops/gemm.h tells why).
 */
#include <cblas.h>

#include "cnn4j.h"
#include "runtime/threadpool.h"

namespace {

/* OpenBLAS starts with as many threads as cores; switch them off once, before cnn4j's first product. */
struct SingleThreadedBlas {
    SingleThreadedBlas() { openblas_set_num_threads(1); }
};
const SingleThreadedBlas single_threaded_blas;

}  // namespace

extern "C" {

void cnn4j_set_num_threads(int threads) {
    openblas_set_num_threads(1);
    cnn4j::set_pool_threads(threads < 1 ? 1 : threads);
}

int cnn4j_get_num_threads(void) { return cnn4j::pool_threads(); }

void cnn4j_set_thread_alone(int alone) { cnn4j::set_thread_alone(alone != 0); }

const char* cnn4j_blas_core_name(void) { return openblas_get_corename(); }

}  // extern "C"
