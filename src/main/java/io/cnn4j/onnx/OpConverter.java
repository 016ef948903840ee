package io.cnn4j.onnx;

import io.cnn4j.onnx.OnnxProto.Node;

/**
 * Converts one ONNX node whose inputs are not all constants: reads them through the context, emits layers (or a
 * pending value) and records the node's output in the context.
 */
@FunctionalInterface
interface OpConverter {
    void convert(ConversionContext cx, Node n);
}
