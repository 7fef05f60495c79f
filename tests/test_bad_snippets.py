"""The bad-input corpus for the runner: snippets (and claims files) that try to reach the
network, start processes, write outside their folder, read secrets, fake their output,
exit early, hang, exhaust memory or outlive their run. Each case is a folder of
``tests/bad_inputs/snippets/`` (``snippet.py``, ``claims.py``, ``expected.yaml``); all run in
one batch through the real runner. ``KB_PORT`` and ``KB_OUTSIDE`` in a case stand for the
port of a listener this test opens on 127.0.0.1 and a file outside the run's folder.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest
import yaml

from kb.project import Snippet
from kb.verify.client import Runner

CORPUS = Path(__file__).parent / "bad_inputs" / "snippets"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
SECRETS = {"HF_TOKEN": "hf_kbsecret", "KB_SECRET": "kb-secret-value"}
ORIGINAL = "original contents"


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()


def _substitute(data: bytes, port: int, outside: Path) -> bytes:
    return data.replace(b"KB_PORT", str(port).encode()).replace(
        b"KB_OUTSIDE", str(outside).encode()
    )


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """Every case, run once in one batch: {case: (expected, result)}, plus what to check after."""
    work = tmp_path_factory.mktemp("bad-snippets")
    hub = work / "hub"
    hub.mkdir()
    outside = work / "outside.txt"
    outside.write_text(ORIGINAL)
    listener = Listener()
    saved = {k: os.environ.get(k) for k in SECRETS}
    os.environ.update(SECRETS)  # the runner must not pass these on
    try:
        with Runner(hub) as runner:
            snippets, expected = [], {}
            for case in CASES:
                folder = work / case
                folder.mkdir()
                for name in ("snippet.py", "claims.py"):
                    data = (CORPUS / case / name).read_bytes()
                    (folder / name).write_bytes(_substitute(data, listener.port, outside))
                snippets.append(Snippet(case, folder / "snippet.py", folder / "claims.py"))
                expected[case] = yaml.safe_load((CORPUS / case / "expected.yaml").read_text())
            jobs = [runner.snippet_job(s) for s in snippets]
            results = dict(zip(CASES, runner.run_many(jobs, parallel=2), strict=True))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    listener.sock.close()
    return {"expected": expected, "results": results, "listener": listener, "outside": outside}


def _everything(result) -> str:
    parts = [result.output, result.log, *result.problems]
    parts += [c.message for c in result.claims]
    return "\n".join(parts)


def test_the_corpus_is_well_formed():
    assert len(CASES) >= 20
    for case in CASES:
        exp = yaml.safe_load((CORPUS / case / "expected.yaml").read_text())
        assert exp["attack"] and exp["outcome"] in ("error", "harmless"), case
        assert (CORPUS / case / "snippet.py").is_file(), case


@pytest.mark.parametrize("case", CASES)
def test_case(case, corpus_run):
    exp = corpus_run["expected"][case]
    result = corpus_run["results"][case]
    text = _everything(result)
    assert "Traceback (most recent call last)" not in "\n".join(result.problems), text
    if exp["outcome"] == "error":
        assert not result.ok, f"{case} was accepted: {exp['attack']}"
        for needle in exp["message"]:
            assert needle in text, f"{case}: {needle!r} not in:\n{text}"
    else:
        assert result.ok, f"{case}: {text}"
        for needle in exp.get("absent", []):
            assert needle not in text, f"{case}: {needle!r} reached the run"


def test_nothing_reached_the_outside(corpus_run):
    assert corpus_run["listener"].accepted == 0, "a snippet reached the listener on 127.0.0.1"
    assert corpus_run["outside"].read_text() == ORIGINAL
    assert not (Path.home() / "kb-home-marker").exists()


def test_no_process_outlives_its_run(corpus_run):
    survivors = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if cmdline[:2] == [b"sleep", b"4242"]:
                survivors.append(proc.name)
    assert not survivors, f"processes started by a run outlived it: {survivors}"
