"""Writes the whole-model benchmark's networks, one model in three formats each, for ModelBenchmark.

For each model of MODELS (built by python/e2e/reference_models.build: random weights, non-trivial BatchNorm
statistics, eval mode) it writes into the output folder (default benchmarks/target/models):
  <name>.json + <name>.safetensors   cnn4j's format, by cnn4j_export.export
  <name>.onnx                        torch.onnx.export, opset 17, TorchScript-based exporter, dynamic batch axis
  <name>.pt                          TorchScript: torch.jit.trace, then torch.jit.freeze (BatchNorm folded into the
                                     convolutions, as cnn4j and ONNX Runtime do at load), saved with torch.jit.save
The three files hold the same weights; ModelBenchmark checks at setup that the runtimes agree on them.

    usage: python benchmarks/make_models.py [output folder]     (benchmarks/run.sh runs it when a file is missing)
"""
import sys
import warnings
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "python" / "e2e"))

from cnn4j_export import export  # noqa: E402
from reference_models import REFERENCE_MODELS, build  # noqa: E402

# The stems of io.cnn4j.bench.BenchModel, which reads the files.
MODELS = ["resnet18", "mobilenet_v2", "vgg11_bn"]


def write(name, folder):
    module = build(name)
    _, input_shape = REFERENCE_MODELS[name]
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
    for name in MODELS:
        write(name, folder)


if __name__ == "__main__":
    main()
