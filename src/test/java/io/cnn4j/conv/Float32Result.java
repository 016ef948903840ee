package io.cnn4j.conv;

/** A float32 result of cnn4j or libtorch: its shape and row-major data. */
record Float32Result(long[] shape, float[] data) {}
