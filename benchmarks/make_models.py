"""Writes the whole-model benchmark's networks, one model in three formats each, for ModelBenchmark.

For each model of MODELS (random weights, non-trivial BatchNorm statistics, eval mode: python/e2e/reference_models.build
for the reference architectures; "cnn1d_12x1000" is reference_models.TimeSeriesCNN, the e2e tests' timeseries_cnn1d,
built the same way but with 12 input channels, for input 12 x 1000) it writes into the output folder (default
benchmarks/target/models):
  <name>.json + <name>.safetensors   cnn4j's format, by cnn4j_export.export
  <name>.onnx                        torch.onnx.export, opset 17, TorchScript-based exporter, dynamic batch axis
  <name>.pt                          TorchScript: torch.jit.trace, then torch.jit.freeze (BatchNorm folded into the
                                     convolutions, as cnn4j and ONNX Runtime do at load), saved with torch.jit.save
The three files hold the same weights; ModelBenchmark checks at setup that the runtimes agree on them.

    usage: python benchmarks/make_models.py [output folder [name...]]   (run.sh runs it when a file is missing;
                                                                        default: every model of MODELS)
"""
import sys
import warnings
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "python" / "e2e"))

from cnn4j_export import export  # noqa: E402
import reference_models  # noqa: E402
from reference_models import REFERENCE_MODELS, build  # noqa: E402


def cnn1d_12x1000():
    """The e2e tests' 1-D CNN (timeseries_cnn1d) with 12 input channels, seeded as reference_models.build does.

    Its dilated padding="same" convolution gets the equivalent explicit padding (the same output): the ONNX exporter
    writes padding="same" as auto_pad=SAME_UPPER, which ONNX Runtime refuses together with a dilation.
    """
    torch.manual_seed(0)
    module = reference_models._randomize_batchnorm(reference_models.TimeSeriesCNN(channels=12), seed=1)
    for m in module.modules():
        if isinstance(m, torch.nn.Conv1d) and m.padding == "same":
            total = m.dilation[0] * (m.kernel_size[0] - 1)
            assert total % 2 == 0, "an odd 'same' padding has no symmetric explicit equivalent"
            m.padding = (total // 2,)
    return module


# The stems of io.cnn4j.bench.BenchModel, which reads the files: name -> (builder, input shape without batch).
MODELS = {
    "lenet5": (lambda: build("lenet5"), REFERENCE_MODELS["lenet5"][1]),
    "cnn1d_12x1000": (cnn1d_12x1000, (12, 1000)),
    "resnet18": (lambda: build("resnet18"), REFERENCE_MODELS["resnet18"][1]),
    "mobilenet_v2": (lambda: build("mobilenet_v2"), REFERENCE_MODELS["mobilenet_v2"][1]),
    "vgg11_bn": (lambda: build("vgg11_bn"), REFERENCE_MODELS["vgg11_bn"][1]),
}


def write(name, folder):
    builder, input_shape = MODELS[name]
    module = builder()
    example = torch.randn(1, *input_shape, generator=torch.Generator().manual_seed(0))
    export(module, example, str(folder / f"{name}.json"))
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation notices of torch.jit and of the TorchScript-based exporter
        torch.onnx.export(module, (example,), str(folder / f"{name}.onnx"), input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                          opset_version=17, dynamo=False)
        scripted = torch.jit.freeze(torch.jit.trace(module, example))
        # Tracing records shapes only as the ops see them; a second batch size must give the eager result.
        x = torch.randn(3, *input_shape, generator=torch.Generator().manual_seed(1))
        expected, actual = module(x), scripted(x)
        error = float((expected - actual).abs().max())
        if error > 1e-4 * float(expected.abs().max()):
            raise SystemExit(f"{name}: the TorchScript module differs from eager PyTorch at batch 3 by {error:.3g}")
        torch.jit.save(scripted, str(folder / f"{name}.pt"))
    print(f"make_models: wrote {folder}/{name}.{{json,safetensors,onnx,pt}}")


def main():
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "benchmarks" / "target" / "models"
    folder.mkdir(parents=True, exist_ok=True)
    for name in sys.argv[2:] or MODELS:
        write(name, folder)


if __name__ == "__main__":
    main()
