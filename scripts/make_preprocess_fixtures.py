#!/usr/bin/env python3
"""Writes the image preprocessing fixtures into src/test/resources/preprocess/.

Photo-like test images (smooth shading, hard-edged shapes, fine stripes that alias if a resize skips pixels, noise;
drawn with numpy from a fixed seed) and, for each case in CASES, what torchvision's transforms on a PIL image make
of them: Resize (PIL's filters nearest, box, bilinear, hamming, bicubic and lanczos, antialiased when shrinking;
max_size), CenterCrop (its rounding and zero padding), after Image.convert("RGB"/"L"). cases.json lists each case
with the cnn4j preprocess block that must reproduce it; PreprocessFixturesTest compares cnn4j's pixels with these,
before normalization.

Needs numpy, Pillow and torchvision (only torchvision.transforms, which is pure Python: its package __init__, which
loads the C++ ops, is skipped, so any torchvision wheel that matches no torch build still works):
    PYTHONPATH=DIR_WITH_PILLOW_AND_TORCHVISION .venv/bin/python scripts/make_preprocess_fixtures.py
"""
import importlib.util
import json
import os
import sys
import types

import numpy as np
from PIL import Image

# torchvision.transforms without torchvision/__init__.py (which needs C++ ops built for the installed torch).
_spec = importlib.util.find_spec("torchvision")
if _spec is None:
    sys.exit("torchvision is not importable: put a torchvision wheel's contents on PYTHONPATH")
_pkg = types.ModuleType("torchvision")
_pkg.__path__ = list(_spec.submodule_search_locations)
sys.modules["torchvision"] = _pkg
import torchvision.transforms as T  # noqa: E402
from torchvision.transforms import InterpolationMode  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "preprocess")


def photo(width, height, seed):
    """A photo-like RGB image: shading, shapes with hard edges, a patch of 1-pixel stripes, sensor noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.zeros((height, width, 3))
    for c in range(3):
        fx, fy, phase = rng.uniform(0.5, 3.0), rng.uniform(0.5, 3.0), rng.uniform(0, 6.3)
        img[..., c] = 128 + 90 * np.sin(2 * np.pi * (fx * x / width + fy * y / height) + phase)
    for _ in range(6):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(4, min(width, height) / 3)
        inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r
        img[inside] = rng.uniform(0, 255, 3)
    x0, y0 = width // 8, height // 2
    stripes = ((x.astype(int) + y.astype(int)) % 2 == 0)[y0:y0 + height // 3, x0:x0 + width // 3]
    img[y0:y0 + height // 3, x0:x0 + width // 3][stripes] = 255
    img[y0:y0 + height // 3, x0:x0 + width // 3][~stripes] = 0
    img += rng.normal(0, 6, img.shape)
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")


MODES = {m.value: m for m in (InterpolationMode.NEAREST, InterpolationMode.BOX, InterpolationMode.BILINEAR,
                               InterpolationMode.HAMMING, InterpolationMode.BICUBIC, InterpolationMode.LANCZOS)}


def transforms(pre):
    """torchvision transforms for a cnn4j preprocess block (resize, max_size, interpolation, crop)."""
    steps = []
    mode = MODES[pre.get("interpolation", "bilinear")]
    if "resize" in pre:
        steps.append(T.Resize(pre["resize"], interpolation=mode, max_size=pre.get("max_size")))
    elif "max_size" in pre:
        # Only the longer side given: transforms.v2's Resize(size=None, max_size=N) (v1's Resize needs a size).
        import torchvision.transforms.v2 as T2
        steps.append(T2.Resize(None, interpolation=mode, max_size=pre["max_size"]))
    if "crop" in pre:
        steps.append(T.CenterCrop(pre["crop"]))
    return T.Compose(steps)


INPUTS = {"photo-160x120.png": photo(160, 120, 1), "photo-317x211.png": photo(317, 211, 2),
          "small-37x29.png": photo(37, 29, 3), "gray-50x70.png": photo(50, 70, 4).convert("L")}

# (case name, input, cnn4j preprocess block)
CASES = [
    ("imagenet-style-bilinear", "photo-317x211.png", {"resize": 128, "crop": 112}),
    ("jpeg-imagenet-style", "photo-317x211.jpg", {"resize": 128, "crop": 112}),
    ("shorter-side-odd-crop", "photo-160x120.png", {"resize": 64, "crop": 56}),
    ("squashed-bilinear", "photo-160x120.png", {"resize": [40, 48]}),
    ("shorter-side-bicubic", "photo-317x211.png", {"resize": 50, "interpolation": "bicubic"}),
    ("nearest-crop", "photo-160x120.png", {"resize": 30, "crop": [28, 24], "interpolation": "nearest"}),
    ("upscaled-bilinear", "small-37x29.png", {"resize": [80, 96]}),
    ("upscaled-bicubic-crop", "small-37x29.png", {"resize": 100, "interpolation": "bicubic", "crop": 90}),
    ("upscaled-nearest", "small-37x29.png", {"resize": [61, 50], "interpolation": "nearest"}),
    ("padded-crop", "small-37x29.png", {"crop": [40, 33]}),
    ("gray-shorter-side", "gray-50x70.png", {"resize": 28, "crop": 28, "color": "grayscale"}),
    ("rgb-to-gray-squashed", "photo-160x120.png", {"resize": [32, 32], "color": "grayscale"}),
    # PIL's other filters (torchvision's InterpolationMode.BOX, HAMMING, LANCZOS), down and up.
    ("shorter-side-box", "photo-317x211.png", {"resize": 50, "interpolation": "box"}),
    ("upscaled-box", "small-37x29.png", {"resize": [61, 50], "interpolation": "box"}),
    ("shorter-side-hamming-crop", "photo-317x211.png", {"resize": 90, "interpolation": "hamming", "crop": 80}),
    ("upscaled-hamming", "small-37x29.png", {"resize": [80, 96], "interpolation": "hamming"}),
    ("shorter-side-lanczos", "photo-317x211.png", {"resize": 64, "interpolation": "lanczos"}),
    ("upscaled-lanczos-crop", "small-37x29.png", {"resize": 100, "interpolation": "lanczos", "crop": 90}),
    ("gray-lanczos-mixed", "gray-50x70.png", {"resize": [20, 90], "interpolation": "lanczos",
                                              "color": "grayscale"}),
    # Resize's max_size: caps the longer side of a shorter-side resize; alone (v2), sets the longer side.
    ("max-size-caps-longer", "photo-317x211.png", {"resize": 100, "max_size": 120}),
    ("max-size-not-reached", "photo-160x120.png", {"resize": 60, "max_size": 200}),
    ("max-size-crop-gray", "gray-50x70.png", {"resize": 40, "max_size": 50, "crop": 32, "color": "grayscale"}),
    ("max-size-only-bicubic", "photo-317x211.png", {"max_size": 100, "interpolation": "bicubic"}),
    ("max-size-only-upscaled-lanczos", "small-37x29.png", {"max_size": 74, "interpolation": "lanczos"}),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, image in INPUTS.items():
        image.save(os.path.join(OUT, name))
    # A JPEG (4:2:0 chroma, PIL's default), so that decoding is compared too, and the same cut in half, which PIL
    # refuses ("image file is truncated") and so must cnn4j (CliMessagesTest).
    INPUTS["photo-317x211.png"].save(os.path.join(OUT, "photo-317x211.jpg"), quality=90)
    with open(os.path.join(OUT, "photo-317x211.jpg"), "rb") as f:
        jpeg = f.read()
    with open(os.path.join(OUT, "truncated.jpg"), "wb") as f:
        f.write(jpeg[:len(jpeg) // 2])
    listed = []
    for name, source, pre in CASES:
        image = Image.open(os.path.join(OUT, source))
        image = image.convert("L" if pre.get("color") == "grayscale" else "RGB")
        out = transforms(pre)(image)
        out.save(os.path.join(OUT, name + ".png"))
        listed.append({"name": name, "input": source, "preprocess": pre, "expected": name + ".png"})
        print(f"{name}: {image.size} -> {out.size}")
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(listed, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
