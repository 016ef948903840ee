"""Command line: python -m cnn4j_export module.py:factory out.json --input-shape 1,3,224,224

Loads module.py, calls factory() (no arguments) for the torch.nn.Module, and exports it with a zero example
input of the given shape (repeat --input-shape for a model with several inputs).
"""
import argparse
import importlib.util
import json
import sys
from pathlib import Path

import torch

from ._export import export


def _shape(text):
    try:
        dims = [int(d) for d in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"input shape must be comma-separated integers, got {text!r}")
    if not dims or any(d <= 0 for d in dims):
        raise argparse.ArgumentTypeError(f"input shape must be positive integers, got {text!r}")
    return dims


def load_factory(spec):
    """The function named by 'path/to/file.py:function'."""
    file_name, _, function = spec.rpartition(":")
    if not file_name or not function:
        raise SystemExit(f"expected module.py:factory_function, got {spec!r}")
    path = Path(file_name)
    if not path.is_file():
        raise SystemExit(f"no such file: {path}")
    sys.path.insert(0, str(path.resolve().parent))  # let the file import its neighbours
    module_spec = importlib.util.spec_from_file_location(path.stem, path)
    loaded = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(loaded)
    if not callable(getattr(loaded, function, None)):
        raise SystemExit(f"{path} has no function {function!r}")
    return getattr(loaded, function)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cnn4j_export", description=__doc__.splitlines()[0])
    parser.add_argument("factory", help="module.py:function returning the torch.nn.Module")
    parser.add_argument("output", help="the model JSON to write; weights go to <its stem>.safetensors")
    parser.add_argument("--input-shape", type=_shape, action="append", required=True,
                        help="example input shape with the batch, e.g. 1,3,224,224 (once per model input)")
    parser.add_argument("--name", help="model name (default: the output file's stem)")
    parser.add_argument("--labels", help="a text file with one class name per line")
    parser.add_argument("--input-names", type=lambda text: text.split(","),
                        help="comma-separated input names (default: forward's parameter names)")
    parser.add_argument("--output-names", type=lambda text: text.split(","),
                        help="comma-separated ids for the output layers, e.g. logits")
    parser.add_argument("--preprocess", type=json.loads, help='JSON, e.g. \'{"resize": [28, 28], ...}\'')
    options = parser.parse_args(argv)

    module = load_factory(options.factory)()
    if not isinstance(module, torch.nn.Module):
        raise SystemExit(f"{options.factory} returned {type(module).__name__}, not a torch.nn.Module")
    labels = None
    if options.labels:
        labels = [line.strip() for line in Path(options.labels).read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    examples = tuple(torch.zeros(shape) for shape in options.input_shape)
    try:
        model = export(module, examples, options.output, name=options.name, labels=labels,
                       preprocess=options.preprocess, input_names=options.input_names,
                       output_names=options.output_names)
    except ValueError as error:
        raise SystemExit(str(error))
    weights = f" + {model['weights']}" if "weights" in model else ""
    print(f"wrote {options.output}{weights}: {len(model['layers'])} layers")


if __name__ == "__main__":
    main()
