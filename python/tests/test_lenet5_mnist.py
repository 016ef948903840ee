"""The shipped model (models/lenet5-mnist.*) read back from its files: it follows the format, reproduces
PyTorch's logits on the committed held-out sample, and its sample PNGs go through the described preprocessing to
exactly the committed inputs. With data/heldout.npy (scripts/train_lenet5.py --dump-heldout) all 2,000 held-out
digits are checked too."""
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch

from cnn4j_reference import Interpreter

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "lenet5-mnist.json"
SAMPLE = REPO / "src" / "test" / "resources" / "mnist" / "heldout-200.npy"


def companions(path):
    """(inputs, logits, labels) saved by scripts/train_lenet5.py at path."""
    path = Path(path)
    return (np.load(path), np.load(path.with_name(f"{path.stem}-logits.npy")),
            np.load(path.with_name(f"{path.stem}-labels.npy")))


def read_gray_png(path):
    """uint8 [H, W] of an 8-bit grayscale PNG whose rows use filter 0 (what the training script writes)."""
    raw = Path(path).read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    position, data, size = 8, b"", None
    while position < len(raw):
        (length,) = struct.unpack(">I", raw[position:position + 4])
        kind, body = raw[position + 4:position + 8], raw[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert (depth, color) == (8, 0)
            size = (height, width)
        elif kind == b"IDAT":
            data += body
        position += 12 + length
    rows = np.frombuffer(zlib.decompress(data), dtype=np.uint8).reshape(size[0], size[1] + 1)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:]


@pytest.fixture(scope="module")
def model():
    return Interpreter(MODEL)


def test_description(model):
    description = model.model
    assert description["name"] == "lenet5-mnist"
    assert description["labels"] == [str(d) for d in range(10)]
    assert description["inputs"] == [{"name": "image", "shape": [-1, 1, 28, 28]}]
    assert description["outputs"] == ["logits"]
    preprocess = description["preprocess"]
    assert preprocess["resize"] == [28, 28] and preprocess["color"] == "grayscale"
    assert preprocess["scale"] == 1 / 255 and len(preprocess["mean"]) == len(preprocess["std"]) == 1


def test_reproduces_pytorch_logits_on_the_committed_sample(model):
    inputs, logits, labels = companions(SAMPLE)
    assert inputs.shape == (200, 1, 28, 28) and inputs.dtype == np.float32
    assert logits.shape == (200, 10) and logits.dtype == np.float32 and labels.shape == (200,)
    with torch.no_grad():
        (actual,) = model(torch.from_numpy(inputs))
    torch.testing.assert_close(actual, torch.from_numpy(logits), rtol=1e-5, atol=1e-5)
    assert (actual.argmax(1).numpy() == labels).mean() >= 0.95


def test_sample_pngs_preprocess_to_the_committed_inputs(model):
    inputs, _, _ = companions(SAMPLE)
    preprocess = model.model["preprocess"]
    pngs = sorted((REPO / "models" / "samples").glob("digit-*.png"))
    assert len(pngs) == 5
    for png in pngs:
        _, label, index = png.stem.split("-")
        pixels = read_gray_png(png)
        assert pixels.shape == (28, 28)
        x = (torch.from_numpy(pixels.astype(np.float32)) * preprocess["scale"] - preprocess["mean"][0]) \
            / preprocess["std"][0]
        torch.testing.assert_close(x, torch.from_numpy(inputs[int(index), 0]), rtol=0, atol=1e-6)
        with torch.no_grad():
            (logits,) = model(x.reshape(1, 1, 28, 28))
        assert logits.argmax().item() == int(label), png.name


def test_reproduces_pytorch_logits_on_all_held_out_digits(model):
    # Checked when the test runs, not at collection: python/e2e (run first by scripts/e2e.sh) fetches the digits.
    if not (REPO / "data" / "heldout.npy").exists():
        pytest.skip("run scripts/fetch_mnist.sh and scripts/train_lenet5.py --dump-heldout data/heldout.npy")
    inputs, logits, labels = companions(REPO / "data" / "heldout.npy")
    assert inputs.shape == (2000, 1, 28, 28)
    with torch.no_grad():
        (actual,) = model(torch.from_numpy(inputs))
    torch.testing.assert_close(actual, torch.from_numpy(logits), rtol=1e-5, atol=1e-5)
    accuracy = (actual.argmax(1).numpy() == labels).mean()
    recorded = (REPO / "models" / "lenet5-mnist.md").read_text()
    assert f"{accuracy * 100:.2f}%" in recorded
