"""cnn4j_export: writes a PyTorch module as a cnn4j model (architecture JSON + .safetensors weights).

    from cnn4j_export import export
    export(model, torch.randn(1, 1, 28, 28), "models/lenet5.json", labels=[str(d) for d in range(10)])

Only torch is needed at run time. The format is described in the cnn4j repository (docs/model-format.md, version 2).
"""
from ._export import FORMAT_VERSION, dumps, export
from ._safetensors import write_safetensors

__all__ = ["export", "dumps", "write_safetensors", "FORMAT_VERSION"]
