"""ONNX's backend node tests for the op families cnn4j converts (onnx_node_tests.py): none may be WRONG or crash,
and every refusal must be one of the reasons the README names; the counts are printed."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import onnx_node_tests as node_tests  # noqa: E402


def test_onnx_node_tests_pass_or_are_refused_for_a_documented_reason():
    if not node_tests.JAR.exists() or not node_tests.TEST_CLASSES.exists():
        pytest.fail("run `mvn package` first: the runner needs target/cnn4j.jar and target/test-classes")
    table = node_tests.run()
    counts, by_reason, problems = {}, {}, []
    for name, status, detail in table:
        counts[status] = counts.get(status, 0) + 1
        if status == "REFUSED":
            why = node_tests.reason(detail)
            by_reason[why] = by_reason.get(why, 0) + 1
            if why is None:
                problems.append(f"{name}: refused for an undocumented reason: {detail}")
        elif status in ("WRONG", "CRASH"):
            problems.append(f"{name}: {status} {detail}")
    print(f"\n{len(table)} ONNX node tests: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in
                                                        ("PASS", "REFUSED", "WRONG", "CRASH")))
    print("refusals by reason: " + ", ".join(f"{n} {r}" for r, n in sorted(by_reason.items(), key=str)))
    assert len(table) > 300, f"only {len(table)} node tests selected"
    assert not problems, "\n".join(problems)
