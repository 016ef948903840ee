/*
 * Element-wise arithmetic of two operands with NumPy/PyTorch broadcasting (Add, Sub, Mul, Div, Maximum, Minimum,
 * Pow, and the comparisons Gt, Ge, Lt, Le, Eq as 0/1 floats), torch.where's select of three operands, the unary
 * math functions (Neg, Abs, Sqrt, Exp, Log), the activations outside the activation kernel family (Softplus, Mish,
 * SELU, CELU, Softsign, LogSigmoid, Hardtanh) and PReLU, with ATen's formulas.
 *
 * The four basic operations, min/max, neg, abs and sqrt are correctly rounded IEEE operations, so any vectorization
 * the compiler does for the baseline ISA gives the same bits as one element at a time; no per-ISA kernel family is
 * needed for them. exp, log, pow and the transcendental activations go through libm one element at a time (a SIMD
 * kernel family for them would need a vector log1p, which kernels/simd/math.inc does not have yet). The output is split over cnn4j's pool by
 * rows of the innermost dim; every element is computed the same way whatever the split.
 */
#include <algorithm>
#include <cmath>

#include "cnn4j.h"
#include "runtime/threadpool.h"

using namespace cnn4j;

namespace {

constexpr int kMaxRank = 16;
/* Work of at least this many elements per task pays for handing it to another thread. */
constexpr int64_t kMinElementsPerTask = 16384;

/* ATen's pow for float: its special exponents first (pow_tensor_scalar_optimized_kernel), else std::pow. */
inline float pow_op(float base, float exponent) {
    if (exponent == 2.0f) return base * base;
    if (exponent == 3.0f) return base * base * base;
    if (exponent == 0.5f) return std::sqrt(base);
    if (exponent == -0.5f) return 1.0f / std::sqrt(base);
    if (exponent == -1.0f) return 1.0f / base;
    if (exponent == -2.0f) return 1.0f / (base * base);
    return std::pow(base, exponent);
}

template <int OP>
inline float apply(float x, float y) {
    if (OP == CNN4J_BINARY_ADD) return x + y;
    if (OP == CNN4J_BINARY_SUB) return x - y;
    if (OP == CNN4J_BINARY_MUL) return x * y;
    if (OP == CNN4J_BINARY_DIV) return x / y;
    if (OP == CNN4J_BINARY_MAXIMUM) return std::isnan(x) || std::isnan(y) ? x + y : std::max(x, y);
    if (OP == CNN4J_BINARY_MINIMUM) return std::isnan(x) || std::isnan(y) ? x + y : std::min(x, y);
    if (OP == CNN4J_BINARY_GT) return x > y ? 1.0f : 0.0f;
    if (OP == CNN4J_BINARY_GE) return x >= y ? 1.0f : 0.0f;
    if (OP == CNN4J_BINARY_LT) return x < y ? 1.0f : 0.0f;
    if (OP == CNN4J_BINARY_LE) return x <= y ? 1.0f : 0.0f;
    if (OP == CNN4J_BINARY_EQ) return x == y ? 1.0f : 0.0f;
    if (OP == CNN4J_BINARY_FMOD) return std::fmod(x, y);
    if (OP == CNN4J_BINARY_REMAINDER) {  // ATen's remainder for floats
        const float mod = std::fmod(x, y);
        return mod != 0.0f && ((y < 0.0f) != (mod < 0.0f)) ? mod + y : mod;
    }
    return pow_op(x, y);
}

/* One innermost row; the common stride pairs get their own loops so the compiler can vectorize them. */
template <int OP>
void row(int64_t n, const float* a, int64_t sa, const float* b, int64_t sb, float* out) {
    if (sa == 1 && sb == 1) {
        for (int64_t i = 0; i < n; i++) out[i] = apply<OP>(a[i], b[i]);
    } else if (sa == 1 && sb == 0) {
        const float y = b[0];
        for (int64_t i = 0; i < n; i++) out[i] = apply<OP>(a[i], y);
    } else if (sa == 0 && sb == 1) {
        const float x = a[0];
        for (int64_t i = 0; i < n; i++) out[i] = apply<OP>(x, b[i]);
    } else {
        for (int64_t i = 0; i < n; i++) out[i] = apply<OP>(a[i * sa], b[i * sb]);
    }
}

/* The broadcast walk shared by every operand count: the output's rows of the innermost dim, split over the pool,
   each handed to row_fn(row index, N operand offsets of its first element, innermost strides, row length). */
template <int N, typename RowFn>
void walk(int rank, const int64_t* shape, const int64_t* const (&strides)[N], RowFn row_fn) {
    const int64_t inner = rank == 0 ? 1 : shape[rank - 1];
    int64_t steps[N];
    for (int k = 0; k < N; k++) steps[k] = rank == 0 ? 0 : strides[k][rank - 1];
    int64_t rows = 1;
    for (int d = 0; d + 1 < rank; d++) rows *= shape[d];
    if (rows == 0 || inner == 0) return;
    const int64_t grain = std::max<int64_t>(1, kMinElementsPerTask / inner);
    auto run_rows = [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; r++) {
            // the row's offsets: r written in the mixed radix of shape[0 .. rank-2]
            int64_t rest = r, offsets[N] = {};
            for (int d = rank - 2; d >= 0; d--) {
                const int64_t index = rest % shape[d];
                rest /= shape[d];
                for (int k = 0; k < N; k++) offsets[k] += index * strides[k][d];
            }
            row_fn(r * inner, offsets, steps, inner);
        }
    };
    if (rows * inner <= kMinElementsPerTask) {
        run_rows(0, rows);
    } else {
        parallel_for(rows, grain, run_rows);
    }
}

template <int OP>
void binary(int rank, const int64_t* shape, const float* a, const int64_t* a_strides, const float* b,
            const int64_t* b_strides, float* output) {
    const int64_t* const strides[2] = {a_strides, b_strides};
    walk<2>(rank, shape, strides, [&](int64_t out, const int64_t* o, const int64_t* s, int64_t n) {
        row<OP>(n, a + o[0], s[0], b + o[1], s[1], output + out);
    });
}

/* ATen's SELU constants (Activation.cpp). */
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

template <int OP>
inline float unary(float x, float p0, float p1) {
    if (OP == CNN4J_UNARY_NEG) return -x;
    if (OP == CNN4J_UNARY_ABS) return std::fabs(x);
    if (OP == CNN4J_UNARY_SQRT) return std::sqrt(x);
    if (OP == CNN4J_UNARY_EXP) return std::exp(x);
    if (OP == CNN4J_UNARY_LOG) return std::log(x);
    if (OP == CNN4J_UNARY_SOFTPLUS) return x * p0 > p1 ? x : std::log1p(std::exp(x * p0)) / p0;
    if (OP == CNN4J_UNARY_MISH) return x * std::tanh(std::log1p(std::exp(x)));
    if (OP == CNN4J_UNARY_SELU) return x <= 0.0f ? std::expm1(x) * (kSeluAlpha * kSeluScale) : x * kSeluScale;
    if (OP == CNN4J_UNARY_CELU) return x <= 0.0f ? std::expm1(x * (1.0f / p0)) * p0 : x;
    if (OP == CNN4J_UNARY_SOFTSIGN) return x / (std::fabs(x) + 1.0f);
    if (OP == CNN4J_UNARY_LOGSIGMOID) return std::min(x, 0.0f) - std::log1p(std::exp(-std::fabs(x)));
    if (OP == CNN4J_UNARY_FLOOR) return std::floor(x);
    if (OP == CNN4J_UNARY_CEIL) return std::ceil(x);
    if (OP == CNN4J_UNARY_ROUND) return std::nearbyint(x);  // the default rounding mode: half to even, as torch.round
    if (OP == CNN4J_UNARY_SIGN) return static_cast<float>((0.0f < x) - (x < 0.0f));  // NaN: 0, as torch.sign
    if (OP == CNN4J_UNARY_ERF) return std::erf(x);
    return x < p0 ? p0 : (x > p1 ? p1 : x);  // CNN4J_UNARY_HARDTANH: NaN passes through, as torch.clamp
}

template <int OP>
void unary_all(float p0, float p1, int64_t count, const float* input, float* output) {
    auto run = [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; i++) output[i] = unary<OP>(input[i], p0, p1);
    };
    if (count <= kMinElementsPerTask) {
        run(0, count);
    } else {
        parallel_for(count, kMinElementsPerTask, run);
    }
}

}  // namespace

extern "C" {

int cnn4j_binary_forward(int op, int rank, const int64_t* shape, const float* a, const int64_t* a_strides,
                         const float* b, const int64_t* b_strides, float* output) {
    if (!a || !b || !output || rank < 0 || rank > kMaxRank || (rank > 0 && (!shape || !a_strides || !b_strides)))
        return CNN4J_ERROR_ARGUMENT;
    switch (op) {
        case CNN4J_BINARY_ADD: binary<CNN4J_BINARY_ADD>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_SUB: binary<CNN4J_BINARY_SUB>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_MUL: binary<CNN4J_BINARY_MUL>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_DIV: binary<CNN4J_BINARY_DIV>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_MAXIMUM:
            binary<CNN4J_BINARY_MAXIMUM>(rank, shape, a, a_strides, b, b_strides, output);
            break;
        case CNN4J_BINARY_MINIMUM:
            binary<CNN4J_BINARY_MINIMUM>(rank, shape, a, a_strides, b, b_strides, output);
            break;
        case CNN4J_BINARY_POW: binary<CNN4J_BINARY_POW>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_GT: binary<CNN4J_BINARY_GT>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_GE: binary<CNN4J_BINARY_GE>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_LT: binary<CNN4J_BINARY_LT>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_LE: binary<CNN4J_BINARY_LE>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_EQ: binary<CNN4J_BINARY_EQ>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_FMOD: binary<CNN4J_BINARY_FMOD>(rank, shape, a, a_strides, b, b_strides, output); break;
        case CNN4J_BINARY_REMAINDER:
            binary<CNN4J_BINARY_REMAINDER>(rank, shape, a, a_strides, b, b_strides, output);
            break;
        default: return CNN4J_ERROR_ARGUMENT;
    }
    return CNN4J_OK;
}

int cnn4j_where_forward(int rank, const int64_t* shape, const float* condition, const int64_t* c_strides,
                        const float* a, const int64_t* a_strides, const float* b, const int64_t* b_strides,
                        float* output) {
    if (!condition || !a || !b || !output || rank < 0 || rank > kMaxRank
        || (rank > 0 && (!shape || !c_strides || !a_strides || !b_strides)))
        return CNN4J_ERROR_ARGUMENT;
    const int64_t* const strides[3] = {c_strides, a_strides, b_strides};
    walk<3>(rank, shape, strides, [&](int64_t out, const int64_t* o, const int64_t* s, int64_t n) {
        const float* c = condition + o[0];
        const float* x = a + o[1];
        const float* y = b + o[2];
        float* z = output + out;
        for (int64_t i = 0; i < n; i++) z[i] = c[i * s[0]] != 0.0f ? x[i * s[1]] : y[i * s[2]];
    });
    return CNN4J_OK;
}

int cnn4j_unary_math_forward(int op, float p0, float p1, int64_t count, const float* input, float* output) {
    if (!input || !output || count < 0) return CNN4J_ERROR_ARGUMENT;
    switch (op) {
#define CNN4J_CASE(K) case K: unary_all<K>(p0, p1, count, input, output); break;
        CNN4J_CASE(CNN4J_UNARY_NEG) CNN4J_CASE(CNN4J_UNARY_ABS) CNN4J_CASE(CNN4J_UNARY_SQRT)
        CNN4J_CASE(CNN4J_UNARY_EXP) CNN4J_CASE(CNN4J_UNARY_LOG) CNN4J_CASE(CNN4J_UNARY_SOFTPLUS)
        CNN4J_CASE(CNN4J_UNARY_MISH) CNN4J_CASE(CNN4J_UNARY_SELU) CNN4J_CASE(CNN4J_UNARY_CELU)
        CNN4J_CASE(CNN4J_UNARY_SOFTSIGN) CNN4J_CASE(CNN4J_UNARY_LOGSIGMOID) CNN4J_CASE(CNN4J_UNARY_HARDTANH)
        CNN4J_CASE(CNN4J_UNARY_FLOOR) CNN4J_CASE(CNN4J_UNARY_CEIL) CNN4J_CASE(CNN4J_UNARY_ROUND)
        CNN4J_CASE(CNN4J_UNARY_SIGN) CNN4J_CASE(CNN4J_UNARY_ERF)
#undef CNN4J_CASE
        default: return CNN4J_ERROR_ARGUMENT;
    }
    return CNN4J_OK;
}

int cnn4j_prelu_forward(int64_t outer, int64_t channels, int64_t inner, const float* weight, const float* input,
                        float* output) {
    if (!weight || !input || !output || outer < 0 || channels < 1 || inner < 0) return CNN4J_ERROR_ARGUMENT;
    const int64_t rows = outer * channels;
    auto run = [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; r++) {
            const float w = weight[r % channels];
            const float* x = input + r * inner;
            float* y = output + r * inner;
            for (int64_t i = 0; i < inner; i++) y[i] = x[i] > 0.0f ? x[i] : w * x[i];
        }
    };
    if (rows * inner <= kMinElementsPerTask) {
        run(0, rows);
    } else {
        parallel_for(rows, std::max<int64_t>(1, kMinElementsPerTask / std::max<int64_t>(inner, 1)), run);
    }
    return CNN4J_OK;
}

int cnn4j_strided_copy(int rank, const int64_t* shape, const int64_t* in_strides, int64_t offset, const float* input,
                       float* output) {
    if (!shape || !in_strides || !input || !output || rank < 1 || rank > kMaxRank || offset < 0) return CNN4J_ERROR_ARGUMENT;
    input += offset;
    const int64_t* const strides[1] = {in_strides};
    walk<1>(rank, shape, strides, [&](int64_t out, const int64_t* o, const int64_t* s, int64_t n) {
        const float* from = input + o[0];
        float* to = output + out;
        for (int64_t i = 0; i < n; i++) to[i] = from[i * s[0]];
    });
    return CNN4J_OK;
}

}  // extern "C"
