/*
 * cnn4j native core: the plain C ABI that io.cnn4j.jni.* maps through JavaCPP.
 *
 * Contract for every function here:
 *  - Java has validated every shape and argument before the call; the core trusts them, and only
 *    refuses what would otherwise crash (null pointers), returning CNN4J_ERROR_ARGUMENT.
 *  - Compute calls never allocate: scratch memory ("workspace") is the caller's, sized by the matching
 *    *_workspace_size function. Calls share no mutable state, so any number of threads may run them at once.
 *  - Tensors are dense, row-major float32 (NCDHW); indices are int64 and flat per (n, c) plane, as in PyTorch.
 *
 * Sliding-window ops (convolution, pooling, im2col) describe their geometry with a cnn4j_window: always the
 * 3-d form, index 0 = depth, 1 = height, 2 = width. A 1-d or 2-d op sets its leading dims to size 1,
 * kernel 1, stride 1, padding 0, dilation 1. Java passes it as 18 int64 values in field order.
 *
 * Dimension legend used in the shape comments: N batch, C channels, G groups, D/H/W input spatial sizes,
 * OD/OH/OW output spatial sizes, KD/KH/KW kernel sizes, P = OD*OH*OW positions.
 */
#ifndef CNN4J_H
#define CNN4J_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CNN4J_OK 0
#define CNN4J_ERROR_ARGUMENT (-1)

typedef struct cnn4j_window {
    int64_t in[3];        /* input spatial size */
    int64_t out[3];       /* output spatial size (Java computes it with PyTorch's rules) */
    int64_t kernel[3];
    int64_t stride[3];
    int64_t pad_begin[3]; /* padding before the first element; padding at the end follows from out */
    int64_t dilation[3];
} cnn4j_window;

#define CNN4J_WINDOW_LONGS 18

/* ---- instruction sets (runtime/isa.cpp) ----------------------------------------------------------------- */

/* The kernels' instruction set in use: "scalar", "avx2", "avx512" or "neon". */
const char* cnn4j_isa_active(void);
/* The name of ISA number `index` (0 .. 3), or NULL: to list them. */
const char* cnn4j_isa_name(int index);
/* 1 if this build has kernels for the named ISA and this CPU runs them, else 0. */
int cnn4j_isa_supported(const char* name);
/* Makes the named ISA's kernels the ones used from now on; CNN4J_ERROR_ARGUMENT if unknown or unsupported. */
int cnn4j_isa_select(const char* name);

/* ---- memory (runtime/memory.cpp) ------------------------------------------------------------------------ */

/* At least `bytes` bytes (1 if bytes <= 0), 64-byte aligned, uninitialized; NULL if the system has none to give. */
void* cnn4j_alloc(int64_t bytes);
/* Frees memory from cnn4j_alloc; NULL is ignored. */
void cnn4j_free(void* memory);

/* ---- threads ------------------------------------------------------------------------------------------ */

/* Threads OpenBLAS may use inside one call (process-wide, as OpenBLAS offers no per-call setting). */
void cnn4j_set_num_threads(int threads);
int cnn4j_get_num_threads(void);
/* While `alone` is non-zero, every parallel loop the calling thread starts runs on that thread alone, never on the
   pool: for callers that run samples side by side on threads of their own (io.cnn4j.model.SplitExecution). */
void cnn4j_set_thread_alone(int alone);

/* The CPU kernel family OpenBLAS picked at load (e.g. "Haswell", "SkylakeX"); OPENBLAS_CORETYPE overrides it. */
const char* cnn4j_blas_core_name(void);

/* ---- im2col / col2im (conv.cpp) ----------------------------------------------------------------------- */

/* image [C, D, H, W] -> columns [C*KD*KH*KW, OD*OH*OW]; padded positions read as 0. */
int cnn4j_im2col(const int64_t* window, int64_t channels, const float* image, float* columns);
/* columns [C*KD*KH*KW, OD*OH*OW] summed into image [C, D, H, W] (the image is overwritten, not accumulated). */
int cnn4j_col2im(const int64_t* window, int64_t channels, const float* columns, float* image);

/* ---- convolution (conv.cpp) --------------------------------------------------------------------------- */

/* Floats of one workspace slot of cnn4j_conv_forward: the im2col columns of one block of at most 256 output
   positions of one group; 0 for 1x1 stride-1 unpadded convolutions, which multiply the input directly, and for
   depthwise ones (groups == in_channels > 1), which run a direct kernel. The workspace holds `slots` of them: up
   to that many threads build column blocks at once. */
int64_t cnn4j_conv_workspace_size(const int64_t* window, int64_t in_channels, int64_t out_channels, int64_t groups);

/* Floats of a convolution's weights packed for cnn4j_conv_forward (panels of the GEMM kernels, the same on every
   ISA); 0 for depthwise convolutions, which take their weights as they are. */
int64_t cnn4j_conv_packed_weight_size(int64_t out_channels, int64_t in_channels, int64_t groups,
                                      int64_t kernel_volume);

/* Packs weight [C_out, C_in/G, KD, KH, KW] into `packed` (cnn4j_conv_packed_weight_size floats): once, at load. */
int cnn4j_conv_pack_weights(int64_t out_channels, int64_t in_channels, int64_t groups, int64_t kernel_volume,
                            const float* weight, float* packed);

/* output [N, C_out, OD, OH, OW] = act(input [N, C_in, D, H, W] * weight [C_out, C_in/G, KD, KH, KW]
   + bias [C_out] + residual [N, C_out, OD, OH, OW]), with the epilogue (bias, residual, activation act_kind /
   act_alpha as in cnn4j_activation_forward) applied to each block of output while it is in cache. `weight` is packed
   by cnn4j_conv_pack_weights, except for depthwise convolutions (cnn4j_conv_packed_weight_size 0): as given.
   bias and residual are nullable; residual must not overlap output. workspace: workspace_slots >= 1 slots of
   cnn4j_conv_workspace_size floats. */
int cnn4j_conv_forward(const int64_t* window, int64_t batch, int64_t in_channels, int64_t out_channels,
                       int64_t groups, const float* input, const float* weight, const float* bias, int act_kind,
                       float act_alpha, const float* residual, float* output, float* workspace,
                       int64_t workspace_slots);

/* Transposed convolution. Here window.in is the input of the transposed convolution (the "columns" side)
   and window.out its output (the "image" side); kernel, stride, pad_begin and dilation are the arguments as
   given to ConvTranspose. Workspace: (C_out/G)*KD*KH*KW * D*H*W floats. */
int64_t cnn4j_conv_transpose_workspace_size(const int64_t* window, int64_t out_channels, int64_t groups);

/* input [N, C_in, D, H, W], weight [C_in, C_out/G, KD, KH, KW], bias [C_out] (nullable)
   -> output [N, C_out, OD, OH, OW] */
int cnn4j_conv_transpose_forward(const int64_t* window, int64_t batch, int64_t in_channels,
                                 int64_t out_channels, int64_t groups, const float* input, const float* weight,
                                 const float* bias, float* output, float* workspace);

/* ---- expansion + depthwise convolution (expand_depthwise.cpp) ---------------------------------------------- */

/* Floats of one workspace slot of cnn4j_expand_depthwise_forward: one panel of expanded planes (8 x D*H*W of
   dw_window.in). The workspace holds `slots` of them: up to that many threads work on panels at once. */
int64_t cnn4j_expand_depthwise_workspace_size(const int64_t* dw_window);

/* An inverted-residual block's first two convolutions as one pass, the expanded tensor never written out:
       mid    = expand_act(expand_weight x input + expand_bias)       1x1, stride 1, no padding: C_in -> C_mid
       output = dw_act(depthwise(mid, dw_weight, dw_window) + dw_bias) one filter per mid channel
   input [N, C_in, D, H, W] (the spatial dims of dw_window.in), expand_weight packed by cnn4j_conv_pack_weights
   (C_mid x C_in, kernel volume 1), dw_weight [C_mid, KD, KH, KW] as given, biases [C_mid] nullable, output
   [N, C_mid, OD, OH, OW]. Bit-identical to the two cnn4j_conv_forward calls. */
int cnn4j_expand_depthwise_forward(const int64_t* dw_window, int64_t batch, int64_t in_channels, int64_t mid_channels,
                                   const float* input, const float* expand_weight, const float* expand_bias,
                                   int expand_act, float expand_alpha, const float* dw_weight, const float* dw_bias,
                                   int dw_act, float dw_alpha, float* output, float* workspace,
                                   int64_t workspace_slots);

/* ---- depthwise + pointwise convolution (depthwise_pointwise.cpp) ----------------------------------------- */

/* Floats of one workspace slot of cnn4j_depthwise_pointwise_forward: one band of output rows of the depthwise
   output, every channel (about 64 Ki floats). The workspace holds `slots` of them: up to that many threads at once. */
int64_t cnn4j_depthwise_pointwise_workspace_size(const int64_t* dw_window, int64_t channels);

/* A depthwise convolution and the 1x1 convolution that reads it as one pass, the depthwise output never written out:
       mid    = dw_act(depthwise(input, dw_weight, dw_window) + dw_bias)   one filter per channel, 2-d
       output = pw_act(pw_weight x mid + pw_bias)                           1x1, stride 1: C -> C_out
   input [N, C, H, W] (dw_window.in, depth 1), dw_weight [C, KH, KW] as given, pw_weight packed by
   cnn4j_conv_pack_weights (C_out x C, kernel volume 1), biases nullable, output [N, C_out, OH, OW].
   Bit-identical to the two cnn4j_conv_forward calls. */
int cnn4j_depthwise_pointwise_forward(const int64_t* dw_window, int64_t batch, int64_t channels, int64_t out_channels,
                                      const float* input, const float* dw_weight, const float* dw_bias, int dw_act,
                                      float dw_alpha, const float* pw_weight, const float* pw_bias, int pw_act,
                                      float pw_alpha, float* output, float* workspace, int64_t workspace_slots);

/* ---- padding (pad.cpp) -------------------------------------------------------------------------------- */

#define CNN4J_PAD_CONSTANT 0
#define CNN4J_PAD_REFLECT 1
#define CNN4J_PAD_REPLICATE 2
#define CNN4J_PAD_CIRCULAR 3

/* input [planes, D, H, W] -> output [planes, D+b0+e0, H+b1+e1, W+b2+e2]. A negative pad crops, as in F.pad;
   circular then wraps within the cropped input. Java checks the mode's limits: every output size >= 1, constant
   crops at most the input, reflect needs pad < size, circular pad <= the size left after cropping. */
int cnn4j_pad(int mode, float value, int64_t planes, const int64_t* in_size, const int64_t* pad_begin,
              const int64_t* pad_end, const float* input, float* output);

/* ---- pooling (pool.cpp) ------------------------------------------------------------------------------- */

/* input [planes, D, H, W] -> output [planes, OD, OH, OW]; padding acts as -inf; NaN wins, as in PyTorch.
   indices (nullable): flat offset of each maximum inside its input plane. */
int cnn4j_max_pool_forward(const int64_t* window, int64_t planes, const float* input, float* output,
                           int64_t* indices);

/* MaxUnpool (unpool.cpp): output [planes, out_plane] is zero except output[p][idx] = values[p][i], idx the flat
   offset in its plane of the maximum cnn4j_max_pool_forward(window) finds for pooled element i of pool_input
   [planes, D, H, W] (values has the pooled shape). in_volume(window) <= out_plane. workspace: at least
   3 * planes * out_volume(window) + 2 floats (the recomputed values, then the int64 indices). Returns 1 (and
   writes nothing) when a maximum lies outside the output plane (PyTorch: "Found an invalid max index"). */
int cnn4j_max_unpool_forward(const int64_t* window, int64_t planes, const float* pool_input, const float* values,
                             int64_t out_plane, float* output, float* workspace);

/* The indices of cnn4j_max_pool_forward(window) as float32 (unpool.cpp): output [planes, out_volume(window)] holds
   each maximum's flat offset inside its input plane, plus p * in_volume(window) for plane p when per_tensor (ONNX
   MaxPool's Indices, counted across the whole tensor). Exact while every value is below 2^24 (the caller checks).
   workspace: at least 2 * planes * out_volume(window) + 2 floats (the int64 indices). */
int cnn4j_max_pool_indices_forward(const int64_t* window, int64_t planes, const float* input, int per_tensor,
                                   float* output, float* workspace);

/* Average pooling with PyTorch's divisor rules; divisor_override 0 means none (PyTorch refuses 0, not negatives). */
int cnn4j_avg_pool_forward(const int64_t* window, int64_t planes, int count_include_pad,
                           int64_t divisor_override, const float* input, float* output);

/* Power-average pooling: (sum over window of x^p / divisor * KD*KH*KW)^(1/p), exactly torch's
   lp_pool composition (avg_pool of x^p, no padding, then scaled by the full kernel volume). */
int cnn4j_lp_pool_forward(const int64_t* window, int64_t planes, float norm_type, const float* input,
                          float* output);

/* Adaptive pooling: input [planes, D, H, W] -> output [planes, OD, OH, OW]; bin i of a dim covers
   [floor(i*In/Out), ceil((i+1)*In/Out)). in_size/out_size are 3-d. indices nullable (max only). */
int cnn4j_adaptive_avg_pool_forward(const int64_t* in_size, const int64_t* out_size, int64_t planes,
                                    const float* input, float* output);
int cnn4j_adaptive_max_pool_forward(const int64_t* in_size, const int64_t* out_size, int64_t planes,
                                    const float* input, float* output, int64_t* indices);

/* ---- dense (dense.cpp) -------------------------------------------------------------------------------- */

/* output [rows, out_features] = act(input [rows, in_features] x weight [out_features, in_features]^T
   + bias [out_features]); bias nullable; act_kind / act_alpha as in cnn4j_activation_forward. */
int cnn4j_linear_forward(int64_t rows, int64_t in_features, int64_t out_features, const float* input,
                         const float* weight, const float* bias, int act_kind, float act_alpha, float* output);

/* Inference batch norm: input [N, C, S] -> output [N, C, S] (in place allowed);
   y = x * (weight / sqrt(var + eps)) + (bias - mean * weight / sqrt(var + eps)); weight/bias nullable (1, 0). */
int cnn4j_batch_norm_forward(int64_t batch, int64_t channels, int64_t spatial, const float* input,
                             const float* mean, const float* var, const float* weight, const float* bias,
                             float eps, float* output);

/* ---- element-wise (elementwise.cpp) ------------------------------------------------------------------- */

#define CNN4J_ACT_IDENTITY 0
#define CNN4J_ACT_RELU 1
#define CNN4J_ACT_RELU6 2
#define CNN4J_ACT_LEAKY_RELU 3  /* alpha = negative_slope */
#define CNN4J_ACT_ELU 4         /* alpha */
#define CNN4J_ACT_GELU 5        /* approximate='none' (erf) */
#define CNN4J_ACT_GELU_TANH 6   /* approximate='tanh' */
#define CNN4J_ACT_SILU 7
#define CNN4J_ACT_SIGMOID 8
#define CNN4J_ACT_TANH 9
#define CNN4J_ACT_HARDSWISH 10
#define CNN4J_ACT_HARDSIGMOID 11

/* output[i] = act(input[i]) for i < count; in place allowed. */
int cnn4j_activation_forward(int kind, float alpha, int64_t count, const float* input, float* output);

/* The fused output pass of a convolution or linear layer: output [rows, cols] = act(output + bias[r] +
   residual[r, c]), in place; bias [rows] and residual [rows, cols] nullable, residual not aliasing output. */
int cnn4j_activation_epilogue(int kind, float alpha, int64_t rows, int64_t cols, const float* bias,
                              const float* residual, float* output);

/* Softmax / LogSoftmax over the middle dim of input viewed as [outer, dim, inner]; in place allowed. */
int cnn4j_softmax_forward(int log, int64_t outer, int64_t dim, int64_t inner, const float* input, float* output);

/* output[i] = a[i] + b[i]; output may alias a or b. */
int cnn4j_add_forward(int64_t count, const float* a, const float* b, float* output);

/* Copies input viewed as [outer, inner] into output viewed as [outer, output_inner] at column offset:
   the building block of Concat along any dim. */
int cnn4j_copy_into(int64_t outer, int64_t inner, const float* input, int64_t output_inner, int64_t offset,
                    float* output);

/* ---- Winograd convolution (winograd.cpp) --------------------------------------------------------------- */

/* 3x3 stride-1 undilated 2-d convolutions by Winograd's F(m x m, 3 x 3), m = `tile` (2, 4 or 6): the same result as
   cnn4j_conv_forward within the algorithm's stated tolerance (io.cnn4j.ops.WinogradConvolution), not bit for bit.
   window: the 2-d geometry (depth 1, kernel 1x3x3, stride 1, dilation 1, pad_begin[1..2] = padding; the output is
   in + 2 * padding - 2 per dim). Groups may be anything dividing both channel counts. */

/* Floats of the transformed weights: (tile + 2)^2 * out_channels * (in_channels / groups). */
int64_t cnn4j_winograd_weight_size(int tile, int64_t out_channels, int64_t in_channels, int64_t groups);

/* weight [C_out, C_in/G, 3, 3] -> transformed [G][(tile+2)^2][C_out/G][C_in/G], once per layer. */
int cnn4j_winograd_transform_weights(int tile, int64_t out_channels, int64_t in_channels, int64_t groups,
                                     const float* weight, float* transformed);

/* Floats of workspace for cnn4j_winograd_forward: the transformed input and the products of one block of tiles. */
int64_t cnn4j_winograd_workspace_size(int tile, const int64_t* window, int64_t batch, int64_t in_channels,
                                      int64_t out_channels, int64_t groups);

/* cnn4j_winograd_forward's answer to an input holding NaN or +-Inf: a tile's transform mixes all of its inputs, so
   one such value would spoil every output of the tile where the exact convolution spoils only those whose window
   holds it. The output is then not written in full and the caller runs the exact path (cnn4j_conv_forward). */
#define CNN4J_NONFINITE_INPUT 1

/* output [N, C_out, OH, OW] = act(conv(input [N, C_in, H, W]) + bias [C_out] + residual [N, C_out, OH, OW]);
   bias and residual nullable; act = CNN4J_ACT_* with its alpha. input and residual may not overlap output.
   CNN4J_NONFINITE_INPUT if the input holds NaN or Inf (above). */
int cnn4j_winograd_forward(int tile, const int64_t* window, int64_t batch, int64_t in_channels, int64_t out_channels,
                           int64_t groups, const float* input, const float* transformed_weight, const float* bias,
                           int act_kind, float alpha, const float* residual, float* output, float* workspace);

/* Element-wise arithmetic with NumPy/PyTorch broadcasting (ops/arithmetic.cpp). */
#define CNN4J_BINARY_ADD 0
#define CNN4J_BINARY_SUB 1
#define CNN4J_BINARY_MUL 2
#define CNN4J_BINARY_DIV 3
#define CNN4J_BINARY_MAXIMUM 4 /* NaN-propagating, as torch.maximum */
#define CNN4J_BINARY_MINIMUM 5 /* NaN-propagating, as torch.minimum */
#define CNN4J_BINARY_POW 6     /* ATen's pow, with its exponent special cases for a scalar exponent */
/* Comparisons, as torch.gt, ge, lt, le, eq: 1.0f where true, 0.0f where false (cnn4j's float32 form of torch.bool;
   any comparison with NaN is false, as in PyTorch). */
#define CNN4J_BINARY_GT 7
#define CNN4J_BINARY_GE 8
#define CNN4J_BINARY_LT 9
#define CNN4J_BINARY_LE 10
#define CNN4J_BINARY_EQ 11
/* torch.fmod (C's fmod: the sign of the dividend) and torch.remainder (Python's %: the sign of the divisor). */
#define CNN4J_BINARY_FMOD 12
#define CNN4J_BINARY_REMAINDER 13

/* output[i...] = a[i...] op b[i...] over an output of `rank` dims of `shape`; a_strides and b_strides are element
   strides per output dim, 0 where that operand is broadcast. output is contiguous and must not overlap a or b
   unless the operand has the output's own layout. */
int cnn4j_binary_forward(int op, int rank, const int64_t* shape, const float* a, const int64_t* a_strides,
                         const float* b, const int64_t* b_strides, float* output);

/* torch.where: output[i...] = condition[i...] != 0 ? a[i...] : b[i...], with the strides of cnn4j_binary_forward
   (condition is a comparison's 0/1 float tensor). output must not overlap an operand unless that operand has the
   output's own layout. */
int cnn4j_where_forward(int rank, const int64_t* shape, const float* condition, const int64_t* c_strides,
                        const float* a, const int64_t* a_strides, const float* b, const int64_t* b_strides,
                        float* output);

#define CNN4J_UNARY_NEG 0
#define CNN4J_UNARY_ABS 1
#define CNN4J_UNARY_SQRT 2
#define CNN4J_UNARY_EXP 3
#define CNN4J_UNARY_LOG 4
/* The activations outside the activation kernel family, with ATen's formulas; p0 and p1 are their arguments. */
#define CNN4J_UNARY_SOFTPLUS 5   /* p0 = beta, p1 = threshold */
#define CNN4J_UNARY_MISH 6
#define CNN4J_UNARY_SELU 7
#define CNN4J_UNARY_CELU 8       /* p0 = alpha */
#define CNN4J_UNARY_SOFTSIGN 9
#define CNN4J_UNARY_LOGSIGMOID 10
#define CNN4J_UNARY_HARDTANH 11  /* p0 = min_val, p1 = max_val */
/* Rounding, sign and the error function, as torch.floor, ceil, round (half to even), sign (0 for NaN), erf. */
#define CNN4J_UNARY_FLOOR 12
#define CNN4J_UNARY_CEIL 13
#define CNN4J_UNARY_ROUND 14
#define CNN4J_UNARY_SIGN 15
#define CNN4J_UNARY_ERF 16

/* output[i] = op(input[i]; p0, p1) for i < count; in place allowed. */
int cnn4j_unary_math_forward(int op, float p0, float p1, int64_t count, const float* input, float* output);

/* PReLU: output = input > 0 ? input : weight[c] * input over input viewed as [outer, channels, inner]
   (weight has `channels` values; channels = 1 for a single shared weight). In place allowed. */
int cnn4j_prelu_forward(int64_t outer, int64_t channels, int64_t inner, const float* weight, const float* input,
                        float* output);

/* Normalization by each block's own statistics (ops/norm.cpp): GroupNorm, InstanceNorm and LayerNorm. input is
   viewed as [outer, groups, group_channels, inner]; each of the outer * groups blocks of group_channels * inner
   elements is normalized by its mean and biased variance, y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]
   with c = group * group_channels + k the block's k-th channel; weight and bias hold groups * group_channels values
   or are NULL (1 and 0). GroupNorm: [N, G, C/G, spatial]; InstanceNorm: [N, C, 1, spatial]; LayerNorm:
   [leading, 1, normalized elements, 1]. Statistics in double. In place allowed. */
int cnn4j_norm_forward(int64_t outer, int64_t groups, int64_t group_channels, int64_t inner, double eps,
                       const float* weight, const float* bias, const float* input, float* output);

/* Interpolation (Upsample / interpolate, ops/resize.cpp) of `planes` planes of 1 to 3 spatial dims. For each dim d,
   out_size[d] * taps[d] source indices (already clamped into the input) and weights, concatenated over the dims in
   `index` and `weight`: output[p][o...] = sum over dim 0's taps of w * (sum over dim 1's taps of w * (...)), the
   innermost dim summed first. taps: 1 (nearest: weight 1), 2 (linear) or 4 (cubic). */
int cnn4j_resize_forward(int dims, int64_t planes, const int64_t* in_size, const int64_t* out_size,
                         const int64_t* taps, const int64_t* index, const float* weight, const float* input,
                         float* output);

/* Copies a strided view of input into contiguous output (ops/arithmetic.cpp): output, of `rank` dims of `shape`, is
   row-major; element [i...] is input[offset + sum of i[d] * in_strides[d]]. The data movement of PixelShuffle,
   PixelUnshuffle, Permute and Slice. output must not overlap input. */
int cnn4j_strided_copy(int rank, const int64_t* shape, const int64_t* in_strides, int64_t offset, const float* input,
                       float* output);

/* Reductions (ops/reduce.cpp): output[o] = reduce over the reduced index r of input[offset(o) + sum r[d] *
   red_strides[d]], offset(o) = sum o[d] * out_strides[d] over the row-major output of out_rank dims of out_shape
   (out_rank 0: one output). Sum and mean accumulate in double; max and min propagate NaN, as torch.amax / amin. */
#define CNN4J_REDUCE_SUM 0
#define CNN4J_REDUCE_MEAN 1
#define CNN4J_REDUCE_MAX 2
#define CNN4J_REDUCE_MIN 3
int cnn4j_reduce_forward(int op, int out_rank, const int64_t* out_shape, const int64_t* out_strides, int red_rank,
                         const int64_t* red_shape, const int64_t* red_strides, const float* input, float* output);

/* Batched products (ops/reduce.cpp): for i < batches, output[i] [M, N] = alpha * op(A_i) x op(B_i), A_i at
   a + a_offsets[i] (row-major [M, K], or [K, M] when trans_a), B_i at b + b_offsets[i] ([K, N], or [N, K] when
   trans_b); OpenBLAS sgemm split over the pool. output must not overlap a or b. */
int cnn4j_matmul_forward(int64_t batches, const int64_t* a_offsets, const int64_t* b_offsets, int64_t M, int64_t N,
                         int64_t K, int trans_a, int trans_b, float alpha, const float* a, const float* b,
                         float* output);

#ifdef __cplusplus
}
#endif

#endif /* CNN4J_H */
