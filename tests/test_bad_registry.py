"""Bad stand-in registries and tampered hubs (tests/bad_inputs/registry/<case>/): each is
refused with a message naming the file (and the model id and field), never a traceback.

A case folder holds ``models.yaml`` and ``expected.yaml``. Without ``tamper.yaml`` the
registry itself is bad: ``python -m kb.standin check --registry <it>`` must fail. With
``tamper.yaml`` the registry is good: a hub is built from it, changed as ``tamper.yaml``
says (as a snippet running with ``HF_HOME`` on the hub could), and then
``python -m kb.standin verify`` must report the change and ``ensure_built`` rebuild the hub
(one line naming the change), after which it verifies intact. ``tamper.yaml``::

    action: write | add | remove | link | chmod
    path: <glob under HF_HOME; its first match is changed>
    content: <the text written or added, the link's target, or the octal mode>
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from kb.project import ROOT
from kb.standin import ensure_built

CASES = Path(__file__).parent / "bad_inputs" / "registry"
TRACEBACK = "Traceback (most recent call last)"
CHECK_SECONDS = 30
#: a rebuild of the gpt2-only hub (torch and transformers imported once per session)
ENSURE_SECONDS = 120


def case_names(tampered: bool) -> list[str]:
    return sorted(
        p.name
        for p in CASES.iterdir()
        if (p / "expected.yaml").is_file() and (p / "tamper.yaml").is_file() == tampered
    )


def standin(*args: str, seconds: int) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "kb.standin", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    return proc, time.perf_counter() - t0


def expected(case: Path) -> dict:
    data = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    assert data["outcome"] == "error" and data["message"] and data["attack"]
    return data


def assert_refused(proc: subprocess.CompletedProcess, messages: list[str]) -> str:
    output = proc.stdout + proc.stderr
    assert TRACEBACK not in output, output
    for message in messages:
        assert message in output, f"{message!r} not in:\n{output}"
    return output


@pytest.mark.parametrize("name", case_names(tampered=False))
def test_bad_registry_is_refused(name):
    case = CASES / name
    registry = (case / "models.yaml").relative_to(ROOT).as_posix()
    proc, seconds = standin("check", "--registry", registry, seconds=CHECK_SECONDS)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    output = assert_refused(proc, expected(case)["message"])
    assert output.startswith(f"error: {registry}: "), output
    assert seconds < CHECK_SECONDS
    assert not (ROOT / "standin-pwned").exists()


# ----------------------------------------------------------------------------------------
# Tampered hubs
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_hubs(tmp_path_factory) -> dict[bytes, Path]:
    """A built hub root per distinct registry of the tamper cases, to copy from."""
    out: dict[bytes, Path] = {}
    for name in case_names(tampered=True):
        registry = CASES / name / "models.yaml"
        content = registry.read_bytes()
        if content not in out:
            root = tmp_path_factory.mktemp("hub-root")
            ensure_built("small", root, registry_path=registry, snippets_dir=None)
            out[content] = root
    return out


def tamper(home: Path, spec: dict) -> Path:
    pattern, action, content = spec["path"], spec["action"], spec.get("content")
    if action == "add":
        parent = sorted(home.glob(str(Path(pattern).parent)))[0]
        target = parent / Path(pattern).name
    else:
        target = sorted(home.glob(pattern))[0]
    folder = target.parent
    if os.geteuid() != 0:  # root writes despite the missing write bits; anyone else first adds them
        folder.chmod(0o755)
        if action == "write":
            target.resolve().chmod(0o644)
    if action in ("write", "add"):
        target.write_text(content, encoding="utf-8")
    elif action == "remove":
        target.unlink()
    elif action == "link":
        target.unlink()
        target.symlink_to(content)
    elif action == "chmod":
        target.resolve().chmod(int(content, 8))
    else:
        raise AssertionError(f"unknown tamper action {action!r}")
    return target


@pytest.mark.parametrize("name", case_names(tampered=True))
def test_tampered_hub_is_found_and_rebuilt(name, built_hubs, tmp_path, capfd):
    case = CASES / name
    registry = case / "models.yaml"
    root = tmp_path / "root"
    shutil.copytree(built_hubs[registry.read_bytes()], root, symlinks=True)
    home = root / "small"
    tamper(home, yaml.safe_load((case / "tamper.yaml").read_text(encoding="utf-8")))
    messages = expected(case)["message"]

    proc, seconds = standin("verify", "--hf-home", str(home), seconds=CHECK_SECONDS)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert_refused(proc, [str(home), *messages, "`python -m kb.standin ensure` rebuilds it"])
    assert seconds < CHECK_SECONDS

    # the rebuild runs in this process, where torch and transformers are imported once
    t0 = time.perf_counter()
    assert ensure_built("small", root, registry_path=registry, snippets_dir=None) == home
    assert time.perf_counter() - t0 < ENSURE_SECONDS
    err = capfd.readouterr().err
    assert TRACEBACK not in err
    (line,) = [ln for ln in err.splitlines() if ln.startswith("stand-in hub: ")]
    assert messages[0] in line and line.endswith(f"; rebuilding {home} from scratch")

    proc, _ = standin("verify", "--hf-home", str(home), seconds=CHECK_SECONDS)
    assert (proc.returncode, proc.stdout.strip()) == (0, f"{home}: intact"), proc.stderr
