"""`readertui symbols [PATH] NAME`: citations of definitions, JSON shape, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from readertui.cli import main
from tests.gitfixtures import KB


def invoke(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str):
    monkeypatch.chdir(cwd)
    try:
        code = main(["symbols", *args])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_text_lines_are_citations_best_first(kb_readonly: KB, capsys, monkeypatch) -> None:
    code, out, err = invoke(capsys, monkeypatch, kb_readonly.workspace, "engine-study", "step")
    assert code == 0, err
    assert out.splitlines() == ["Engine/src/engine/core.py:9-12 method Engine.step"]


def test_class_method_and_prefix_and_kind(kb_readonly: KB, capsys, monkeypatch) -> None:
    code, out, _ = invoke(capsys, monkeypatch, kb_readonly.project, "Engine.save")
    assert (code, out) == (0, "Engine/src/engine/core.py:14-16 method Engine.save\n")
    code, out, _ = invoke(capsys, monkeypatch, kb_readonly.project, "Eng")
    assert out.splitlines()[0] == "Engine/src/engine/core.py:4-16 class Engine"
    code, out, _ = invoke(capsys, monkeypatch, kb_readonly.project, "Engine", "--kind", "method")
    assert code == 1 and out == ""


def test_json_shape(kb_readonly: KB, capsys, monkeypatch) -> None:
    code, out, _ = invoke(capsys, monkeypatch, kb_readonly.project, "Engine.step", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "symbols": [
            {
                "name": "step",
                "kind": "method",
                "scope": "Engine",
                "repo": "Engine",
                "path": "src/engine/core.py",
                "start": 9,
                "end": 12,
                "commit": kb_readonly.a,
            }
        ]
    }


def test_nothing_matched_is_exit_1_and_bad_input_exit_2(kb_readonly: KB, capsys, monkeypatch) -> None:
    code, out, err = invoke(capsys, monkeypatch, kb_readonly.project, "NoSuchThing")
    assert (code, out) == (1, "")
    assert err == (
        "readertui: no definition matches 'NoSuchThing' in engine-study "
        "(looked for the exact name, Class.method and prefix)\n"
    )
    code, out, err = invoke(capsys, monkeypatch, kb_readonly.project, "Engine", "--kind", "method", "--format", "json")
    assert (code, json.loads(out)) == (1, {"symbols": []})  # stdout stays data
    assert err.startswith("readertui: no method definition matches 'Engine' in engine-study") and err.count("\n") == 1
    code, _, err = invoke(capsys, monkeypatch, kb_readonly.project, "/no/such/folder", "step")
    assert code == 2 and err.startswith("readertui: error: ") and "Traceback" not in err
    code, _, err = invoke(capsys, monkeypatch, kb_readonly.project, "a", "b", "c")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = invoke(capsys, monkeypatch, kb_readonly.project, "step", "--project", "nope")
    assert code == 2 and "nope" in err


def test_demo_workspace_plain_folder_as_a_process(demo_workspace: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "readertui", "symbols", str(demo_workspace), "ModelConfig"],
        check=False, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "minillm/minillm/config.py:6-19 class ModelConfig"
