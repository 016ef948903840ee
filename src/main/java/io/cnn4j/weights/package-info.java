/**
 * Weight files to named float32 arrays, in pure Java: {@link io.cnn4j.weights.WeightsReader#read} takes a
 * safetensors file or a {@code torch.save(model.state_dict())} file (chosen by content) and returns
 * {@link io.cnn4j.weights.Weights}, tensors by their state_dict names, each dense, row-major and float32.
 *
 * <p>Files are untrusted input: every length, offset and shape is checked against the file before use, allocations
 * are bounded by the file's size, PyTorch pickles are interpreted against an allow-list without running anything,
 * and anything wrong is reported as a {@link io.cnn4j.weights.WeightsFormatException} naming the file and the
 * problem. Nothing is returned half-read.
 */
package io.cnn4j.weights;
