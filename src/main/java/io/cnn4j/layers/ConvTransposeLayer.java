package io.cnn4j.layers;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.ConvTranspose;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code nn.ConvTranspose1d/2d/3d(in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
 * groups=1, bias=True, dilation=1, padding_mode='zeros')}: weights {@code <name>.weight} [in, out/groups, k...],
 * {@code <name>.bias}.
 */
public final class ConvTransposeLayer {
    private ConvTransposeLayer() {}

    static Layer create(LayerArgs a, int dims) {
        int in = a.requiredInt("in_channels");
        int out = a.requiredInt("out_channels");
        int[] kernel = a.intOrTuple("kernel_size", dims, null);
        int groups = a.integer("groups", 1);
        ConvOptions options = new ConvOptions()
                .stride(a.intOrTuple("stride", dims, new int[] {1}))
                .padding(a.intOrTuple("padding", dims, new int[] {0}))
                .outputPadding(a.intOrTuple("output_padding", dims, new int[] {0}))
                .dilation(a.intOrTuple("dilation", dims, new int[] {1}))
                .groups(groups)
                .paddingMode(a.string("padding_mode", "zeros", "zeros", "reflect", "replicate", "circular"));
        boolean hasBias = a.bool("bias", true);
        if (in <= 0 || out <= 0 || groups <= 0 || in % groups != 0 || out % groups != 0) {
            throw a.error("in_channels and out_channels must be positive and divisible by groups, got in_channels="
                    + in + ", out_channels=" + out + ", groups=" + groups);
        }
        int[] k = kernel.length == 1 ? ConvLayer.repeat(kernel[0], dims) : kernel;
        long[] weightShape = new long[dims + 2];
        weightShape[0] = in;
        weightShape[1] = out / groups;
        for (int i = 0; i < dims; i++) {
            if (k[i] <= 0) {
                throw a.error("kernel_size must be positive, got kernel_size=" + java.util.Arrays.toString(kernel));
            }
            weightShape[2 + i] = k[i];
        }
        a.finish();
        List<Tensor> owned = new ArrayList<>();
        try {
            Tensor weight = a.weight("weight", weightShape);
            owned.add(weight);
            Tensor bias = hasBias ? a.weight("bias", out) : null;
            if (bias != null) {
                owned.add(bias);
            }
            ConvTranspose op = ConvTranspose.create(dims, weight, bias, options);
            long macsPerInput = Shapes.product(weightShape, 1, weightShape.length);
            return new UnaryOpLayer(op, Layer.Aliasing.NONE, owned,
                    (inShape, outShape) -> Shapes.numel(inShape) * macsPerInput);
        } catch (RuntimeException e) {
            owned.forEach(Tensor::close);
            throw a.inContext(e);
        }
    }
}
