#!/usr/bin/env python3
"""Writes the weight-file fixtures of io.cnn4j.weights tests to src/test/resources/weights/.

PyTorch and the safetensors package write the files, so the Java readers are tested against the real producers;
expected.json records every tensor of every valid fixture as float32 bit patterns (exact, NaN-safe), computed by
torch's own `.float()` conversion. The hostile pickles are assembled from bytes and are never unpickled here.

    python3 -m venv .venv && .venv/bin/pip install -r python/requirements.txt   # or let scripts/e2e.sh do it
    .venv/bin/python scripts/make_weight_fixtures.py

Deterministic: the same torch version writes the same tensors (file bytes differ only by serialization ids).
"""
import io
import json
import os
import shutil
import sys
import tempfile
import zipfile

import numpy as np
import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "weights")
expected = {}


def record(file_name, tensors):
    """expected[file][name] = shape + float32 bits of torch's tensor.float(), flattened row-major."""
    entry = {}
    for name, t in tensors.items():
        values = t.detach().float().contiguous().numpy().reshape(-1)
        entry[name] = {"shape": list(t.shape), "bits": values.view(np.uint32).tolist()}
    expected[file_name] = entry


class Tiny(torch.nn.Module):
    """conv + batch norm + linear: weights, biases, running statistics and the int64 num_batches_tracked."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(2, 3, 3)
        self.bn = torch.nn.BatchNorm2d(3)
        self.fc = torch.nn.Linear(12, 4)

    def forward(self, x):
        return self.fc(torch.flatten(self.bn(self.conv(x)), 1))


def tiny_model():
    torch.manual_seed(1234)
    m = Tiny()
    with torch.no_grad():
        m.bn.weight.uniform_(0.5, 1.5)
        m.bn.bias.uniform_(-0.5, 0.5)
        m.bn.running_mean.uniform_(-1, 1)
        m.bn.running_var.uniform_(0.5, 2)
        m.bn.num_batches_tracked.fill_(7)
    return m.eval()


def save_pt(file_name, state, **kwargs):
    torch.save(state, os.path.join(OUT, file_name), **kwargs)


def write_zip(file_name, records):
    """A zip laid out like torch.save's (stored entries in one folder), for hand-made data.pkl records."""
    with zipfile.ZipFile(os.path.join(OUT, file_name), "w", zipfile.ZIP_STORED) as z:
        for name, data in records:
            z.writestr(name, data)


def global_call_pickle(module, name, argument):
    """PROTO 2, GLOBAL module name, (argument,), REDUCE, STOP: what a pickle that calls module.name looks like."""
    arg = argument.encode()
    return (b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\n"
            + b"X" + len(arg).to_bytes(4, "little") + arg + b"\x85R.")


def f16_patterns():
    """Zero, every subnormal, the smallest normals, the largest finite, infinities and NaNs, of both signs."""
    low = np.arange(0x0000, 0x0410, dtype=np.uint16)
    high = np.arange(0x7BF0, 0x7C10, dtype=np.uint16)
    top = np.array([0x7D00, 0x7E00, 0x7FFF, 0x3C00, 0x3555, 0x4248], dtype=np.uint16)
    bits = np.concatenate([low, high, top])
    bits = np.concatenate([bits, bits | 0x8000])
    return torch.from_numpy(bits.view(np.float16).copy())


def bf16_patterns():
    bits = np.array([0x0000, 0x0001, 0x007F, 0x0080, 0x3F80, 0x7F7F, 0x7F80, 0x7FC0, 0x7F81, 0x4049], dtype=np.uint16)
    bits = np.concatenate([bits, bits | 0x8000])
    as_f32 = (bits.astype(np.uint32) << 16).view(np.float32)
    return torch.from_numpy(as_f32.copy()).to(torch.bfloat16)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    model = tiny_model()

    # state_dicts of the tiny model in each floating dtype (num_batches_tracked stays int64)
    for suffix, dtype in [("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16),
                          ("f64", torch.float64)]:
        sd = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in model.state_dict().items()}
        save_pt(f"tiny_{suffix}.pt", sd)
        record(f"tiny_{suffix}.pt", sd)
        st = {k: v.contiguous() for k, v in sd.items()}
        save_file(st, os.path.join(OUT, f"tiny_{suffix}.safetensors"),
                  metadata={"format": "pt", "cnn4j": json.dumps({"cnn4j": 1, "name": f"tiny-{suffix}"})})
        record(f"tiny_{suffix}.safetensors", st)

    # views: one storage shared by several tensors, offsets, transposes, permutes, expands, scalars, empties
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8 - 1
    nchw = torch.randn(2, 3, 2, 2)
    views = {
        "base": base,
        "transposed": base.t(),
        "row": base[2],
        "column": base[:, 3],
        "block": base[1:3, 2:5],
        "strided": base[::2, ::3],
        "permuted": nchw.permute(0, 2, 3, 1),
        "expanded": torch.tensor([[1.5], [-2.0], [0.25]]).expand(3, 4),
        "scalar": torch.tensor(3.75),
        "empty": torch.zeros(0, 3),
        "f16_view": torch.arange(10, dtype=torch.float16).reshape(2, 5).t(),
    }
    save_pt("views.pt", views)
    record("views.pt", views)

    # root folder names: torch.save to a buffer writes archive/, to a path the file's base name
    buffer = io.BytesIO()
    torch.save({"w": base[:2]}, buffer)
    with open(os.path.join(OUT, "root_archive.pt"), "wb") as f:
        f.write(buffer.getvalue())
    record("root_archive.pt", {"w": base[:2]})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "some_other_name.pth")
        torch.save({"w": base[2:]}, path)
        shutil.copy(path, os.path.join(OUT, "root_renamed.pt"))
    record("root_renamed.pt", {"w": base[2:]})

    # a whole-model dict of Parameters (torch._utils._rebuild_parameter)
    params = {"p": torch.nn.Parameter(base[0].clone()), "q": torch.nn.Parameter(base[1].clone(), requires_grad=False)}
    save_pt("parameters.pt", params)
    record("parameters.pt", params)

    # libtorch's C++ pickler: Dict[str, Tensor] wrapped in torch.jit._pickle.restore_type_tag, root archive/
    with open(os.path.join(OUT, "libtorch_pickle_save.pt"), "wb") as f:
        f.write(bytes(torch._C._pickle_save({"a": base[3], "b": base[:, :2]})))
    record("libtorch_pickle_save.pt", {"a": base[3], "b": base[:, :2]})

    # big-endian archive: the same records as a little-endian one, storages byte-swapped, byteorder "big"
    little = io.BytesIO()
    torch.save({"w": base, "h": views["f16_view"]}, little)
    with zipfile.ZipFile(little) as src:
        records = []
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("/byteorder"):
                data = b"big"
            elif "/data/" in info.filename:
                width = 2 if len(data) == 20 else 4  # the f16 storage holds 10 halves, the f32 one 24 floats
                data = np.frombuffer(data, dtype=f"<u{width}").astype(f">u{width}").tobytes()
            records.append((info.filename, data))
    write_zip("big_endian.pt", records)
    record("big_endian.pt", {"w": base, "h": views["f16_view"]})

    # float16 / bfloat16 edge values, checked bit for bit
    specials = {"f16": f16_patterns(), "bf16": bf16_patterns()}
    save_file(specials, os.path.join(OUT, "specials.safetensors"))
    save_pt("specials.pt", specials)
    record("specials.safetensors", specials)
    record("specials.pt", specials)

    # safetensors edge cases the reference accepts: scalar, zero-size, no metadata, leading whitespace in the header
    edge = {"scalar": torch.tensor(-1.25), "empty": torch.zeros(0, 0), "one": torch.ones(1)}
    save_file(edge, os.path.join(OUT, "edge.safetensors"))
    record("edge.safetensors", edge)

    # files the PyTorch reader must refuse
    save_pt("legacy.pt", model.state_dict(), _use_new_zipfile_serialization=False)
    torch.jit.save(torch.jit.script(model), os.path.join(OUT, "torchscript.pt"))
    save_pt("whole_model.pt", torch.nn.Linear(2, 1))
    save_pt("uint16.pt", {"u": torch.arange(3).to(torch.uint16)})
    save_pt("int_tensor.pt", {"idx": torch.arange(3)})
    for file_name, module, name in [("os_system.pt", "os", "system"), ("builtins_eval.pt", "builtins", "eval")]:
        write_zip(file_name, [("evil/data.pkl", global_call_pickle(module, name, "echo owned")),
                              ("evil/byteorder", b"little"), ("evil/version", b"3\n")])

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"torch": torch.__version__, "files": expected}, f, separators=(",", ":"))
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
