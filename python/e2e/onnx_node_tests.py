"""ONNX's own backend node tests (the generators in the onnx package, onnx.backend.test.loader) through cnn4j.

Each test of an op family cnn4j converts (the README's list of supported ops, plus the CNN families it refuses on
purpose) becomes an ONNX file whose graph inputs after the first are frozen into initializers (node tests pass
weights as inputs; cnn4j models take weights as constants), converted to opset 21 when newer (cnn4j reads opsets 7
to 21). cnn4j runs them all in one JVM (io.cnn4j.onnx.NodeTestBatch) and each ends as:

  PASS     every output within the test's rtol/atol of ONNX's expected values
  REFUSED  cnn4j refused the model with a message (the README lists the reasons)
  WRONG    cnn4j ran it and an output differs from ONNX's
  CRASH    the JVM died, or an exception other than cnn4j's argument refusal

Run directly for the per-test table: python python/e2e/onnx_node_tests.py [substring...]
"""
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import warnings

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
JAR = ROOT / "target" / "cnn4j.jar"
TEST_CLASSES = pathlib.Path(os.environ.get("CNN4J_TEST_CLASSES", ROOT / "target" / "test-classes"))
MAX_OPSET = 21

# The CNN families cnn4j does not convert (yet), whose node tests are counted to keep the refusals visible.
REFUSED_FAMILIES = {"ReduceProd", "LpNormalization", "MeanVarianceNormalization", "Einsum"}


def supported_ops():
    """The README's list of ONNX ops cnn4j converts (which OpConvertersTest keeps equal to the registry)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("\n", " ")
    marker = "ops on constants only, such as shape arithmetic, are folded at load): "
    start = readme.index(marker) + len(marker)
    return {op.strip() for op in readme[start:readme.index(". Each is mapped", start)].split(",")}


def selected_cases(filters=()):
    """(case, ops) for every node test whose ops include a selected family, by name."""
    import onnx.backend.test.loader as loader
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = loader.load_model_tests(kind="node")
    families = supported_ops() | REFUSED_FAMILIES
    chosen = []
    for case in sorted(cases, key=lambda c: c.name):
        ops = {n.op_type for n in case.model.graph.node}
        if ops & families and (not filters or any(f in case.name for f in filters)):
            chosen.append(case)
    return chosen


def prepare(case, folder):
    """(model path, [input .npy], [expected arrays], note) for a case's first data set; note is a refusal reason
    found before cnn4j sees the model (e.g. the opset conversion failing), else None."""
    import onnx
    from onnx import numpy_helper, version_converter
    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    inputs, outputs = case.data_sets[0]
    graph = model.graph
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    if opset > MAX_OPSET:
        try:
            model = version_converter.convert_version(model, MAX_OPSET)
            graph = model.graph
        except Exception as error:  # noqa: BLE001 - the converter raises assorted types
            return None, [], outputs, f"opset {opset} does not convert to {MAX_OPSET}: {str(error).splitlines()[0]}"
    real = [i for i in graph.input if i.name not in {t.name for t in graph.initializer}]
    values = dict(zip([i.name for i in real], inputs))
    for i in real[1:]:  # weights and other operands: constants, as in an exported model
        value = values.get(i.name)
        if value is None:
            continue
        if isinstance(value, (list, dict)) or np.asarray(value).dtype == object:
            return None, [], outputs, f"input '{i.name}' is a sequence or optional, not a tensor"
        graph.initializer.append(numpy_helper.from_array(np.asarray(value), i.name))
    keep = real[:1]
    del graph.input[:]
    graph.input.extend(keep)
    path = folder / f"{case.name}.onnx"
    path.write_bytes(model.SerializeToString())
    files = []
    for k, i in enumerate(keep):
        value = values.get(i.name)
        if value is None:
            return path, [], outputs, "an optional input the test leaves out"
        if np.asarray(value).dtype != np.float32:
            return path, [], outputs, (f"input '{i.name}' is {getattr(value, 'dtype', type(value).__name__)}; "
                                       "cnn4j models take float32 inputs")
        f = folder / f"{case.name}-in{k}.npy"
        np.save(f, np.asarray(value))
        files.append(str(f))
    return path, files, outputs, None


def run_batch(lines):
    """name -> (status word, rest) from NodeTestBatch; a case whose answer never comes is a crash (the rest are rerun)."""
    results = {}
    pending = list(lines)
    while pending:
        proc = subprocess.run(
            ["java", "-cp", f"{JAR}{os.pathsep}{TEST_CLASSES}", "io.cnn4j.onnx.NodeTestBatch"],
            input="".join(pending), capture_output=True, text=True, timeout=1800)
        started = None
        for out in proc.stdout.splitlines():
            word, _, rest = out.partition(" ")
            name, _, detail = rest.partition(" ")
            if word == "START":
                started = name
            elif word in ("OK", "REFUSED", "ERROR"):
                results[name] = (word, detail)
                started = None
        done = {line.split("\t")[0] for line in pending if line.split("\t")[0] in results}
        if started is not None:
            results[started] = ("CRASH", f"the JVM exited with {proc.returncode}: {proc.stderr[-400:]}")
            done.add(started)
        if not done:
            raise RuntimeError(f"NodeTestBatch answered nothing (exit {proc.returncode}): {proc.stderr[-2000:]}")
        pending = [line for line in pending if line.split("\t")[0] not in done]
    return results


def run(filters=()):
    """[(name, status, detail)] for the selected node tests."""
    table = []
    with tempfile.TemporaryDirectory(prefix="cnn4j-node-") as tmp:
        folder = pathlib.Path(tmp)
        prepared, lines = {}, []
        for case in selected_cases(filters):
            path, files, expected, note = prepare(case, folder)
            if note is not None:
                table.append((case.name, "REFUSED", note))
                continue
            prepared[case.name] = (case, expected)
            lines.append(f"{case.name}\t{path}\t{','.join(files)}\t{folder / case.name}-out\n")
        for name, (word, detail) in run_batch(lines).items():
            case, expected = prepared[name]
            if word == "REFUSED":
                table.append((name, "REFUSED", detail))
            elif word != "OK":
                table.append((name, "CRASH", detail))
            else:
                table.append((name, *compare(case, expected, folder / f"{name}-out", int(detail or 0))))
    return sorted(table)


def compare(case, expected, prefix, produced):
    """(status, detail) of cnn4j's outputs against ONNX's, within the test's rtol / atol (as ONNX's runner)."""
    if produced != len(expected):
        return "WRONG", f"{produced} outputs, ONNX has {len(expected)}"
    for k, want in enumerate(expected):
        got = np.load(f"{prefix}{k}.npy")
        want = np.asarray(want)
        if got.shape != want.shape:
            return "WRONG", f"output {k}: shape {got.shape}, expected {want.shape}"
        if not np.allclose(got, want.astype(np.float64), rtol=case.rtol, atol=case.atol, equal_nan=True):
            err = float(np.nanmax(np.abs(got.astype(np.float64) - want)))
            return "WRONG", f"output {k}: max error {err:.3g} (rtol {case.rtol}, atol {case.atol})"
    return "PASS", ""


# The reasons cnn4j refuses node tests, each documented in the README; a refusal matching none is a failure.
REFUSAL_REASONS = [
    ("non-float data", r"cnn4j models take float32 inputs|is (INT|UINT|BOOL|DOUBLE|FLOAT16|BFLOAT16|STRING|INT8|FLOAT8)"
                       r"|element type|data type|must be float|elem type|is not a float"),
    ("sequence, optional or shapeless inputs", r"sequence or optional|optional input|has no tensor shape"),
    ("training mode", r"training"),
    ("extra outputs (indices, masks, statistics)", r"layers have one output"),
    ("zero-size tensors", r"zero-size dim|cnn4j tensors have no zero-size"),
    ("constants as data", r"is a constant|both operands are constants|acts on a tensor computed"),
    ("op not converted", r"unsupported ONNX ops|evaluates .* only on constants"),
    ("batch dim", r"batch|scalar; cnn4j inputs have a batch dim|dim 0"),
    ("no PyTorch form", r"no PyTorch|has no nn\.|cannot be expressed|is no PyTorch|not supported|has no .* form"
                        r"|does not allow|has no dilation|does only for|differs between samples|varies along"
                        r"|no nn\.Upsample|which agree for even p only|PyTorch slicing cannot|cannot do"
                        r"|PyTorch's bicubic is|PyTorch by the rounded one"),
    ("opset", r"opset"),
]


def reason(detail):
    for name, pattern in REFUSAL_REASONS:
        if re.search(pattern, detail):
            return name
    return None


def main(argv):
    table = run(argv)
    counts = {}
    for name, status, detail in table:
        counts[status] = counts.get(status, 0) + 1
        print(f"{status:8} {name}  {detail}")
    print(f"{len(table)} ONNX node tests: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in
                                                      ("PASS", "REFUSED", "WRONG", "CRASH")))


if __name__ == "__main__":
    main(sys.argv[1:])
