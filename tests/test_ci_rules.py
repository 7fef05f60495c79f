"""The CI rules: in CI a skipped browser test fails the run (elsewhere it stays a skip); the
workflows give untrusted code no credentials and the GPU runner only code already on main."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kb.project import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
#: ``owner/repo[/path]@<40 hex>  # v1.2.3``: a tag can be moved to other code, a commit cannot
PINNED_USES = re.compile(
    r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w.-]+(?:/[\w./-]+)?)@([0-9a-f]{40})\s+#\s+v\d+(?:\.\d+)*\s*$"
)
#: triggers that run a pull request's code (a fork's included)
PULL_REQUEST_TRIGGERS = {"pull_request", "pull_request_target", "workflow_run"}

SKIPPING = """
import pytest

def test_draws_graph():
    pytest.skip("no chromium")
"""


def run(pytester, monkeypatch, ci: str | None, name: str):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    pytester.makepyfile(**{name: SKIPPING})
    return pytester.runpytest_inprocess("-p", "kb.pytest_ci")


def test_skipped_browser_test_fails_in_ci(pytester, monkeypatch):
    result = run(pytester, monkeypatch, "true", "test_browser_fake_graph")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*skipped in CI (*no chromium*); browser tests must run*"])


def test_skipped_browser_test_is_a_skip_outside_ci(pytester, monkeypatch):
    run(pytester, monkeypatch, None, "test_browser_fake_graph").assert_outcomes(skipped=1)


def test_other_skips_stay_skips_in_ci(pytester, monkeypatch):
    run(pytester, monkeypatch, "true", "test_fake_snippets").assert_outcomes(skipped=1)


# ---------------------------------------------------------------------------- the workflows


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(flow: dict) -> dict:
    on = flow[True]  # YAML 1.1 reads the key `on` as the boolean true
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def steps(flow: dict) -> list[dict]:
    return [step for job in flow["jobs"].values() for step in job.get("steps", [])]


def all_workflows() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def test_the_workflows_are_there():
    assert {p.name for p in all_workflows()} >= {"ci.yml", "gpu.yml"}


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_every_action_is_pinned_by_a_commit_with_its_version(path):
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines, f"{path.name} uses no action"
    for line in lines:
        assert PINNED_USES.match(line), (
            f"{path.name}: {line.strip()!r} is not pinned as `uses: owner/repo@<40-hex commit>"
            "  # vX.Y.Z`"
        )


def test_one_action_is_pinned_to_one_commit_everywhere():
    seen: dict[str, set[str]] = {}
    for path in all_workflows():
        for line in path.read_text(encoding="utf-8").splitlines():
            m = PINNED_USES.match(line)
            if m:
                seen.setdefault(m.group(1), set()).add(m.group(2))
    assert seen
    assert {action: shas for action, shas in seen.items() if len(shas) > 1} == {}


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_checkout_keeps_no_credentials(path):
    flow = yaml.safe_load(path.read_text(encoding="utf-8"))
    checkouts = [s for s in steps(flow) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts, f"{path.name} checks nothing out"
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, path.name


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.name)
def test_no_job_asks_for_more_permissions(path):
    flow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "permissions" in flow, f"{path.name} sets no top-level permissions"
    for name, job in flow["jobs"].items():
        granted = job.get("permissions", {})
        assert granted in ({}, {"contents": "read"}), f"{path.name}: job {name} asks {granted}"
    assert "pull_request_target" not in triggers(flow), path.name
    text = path.read_text(encoding="utf-8")
    assert "secrets." not in text, f"{path.name} reads a secret"
    assert "git push" not in text, f"{path.name} pushes back"


def test_ci_reads_the_repository_only():
    assert workflow("ci.yml")["permissions"] == {"contents": "read"}


def test_gpu_workflow_holds_no_token():
    assert workflow("gpu.yml")["permissions"] == {}


def test_gpu_workflow_runs_only_code_already_on_main():
    on = triggers(workflow("gpu.yml"))
    assert set(on) == {"push", "schedule", "workflow_dispatch"}
    assert not set(on) & PULL_REQUEST_TRIGGERS
    assert on["push"] == {"branches": ["main"]}
    assert on["schedule"] and all(
        re.fullmatch(r"[\d*/,-]+( [\d*/,-]+){4}", s["cron"]) for s in on["schedule"]
    )


def test_gpu_job_waits_for_approval_on_the_gpu_runner():
    flow = workflow("gpu.yml")
    text = (WORKFLOWS / "gpu.yml").read_text(encoding="utf-8")
    assert "required reviewers" in text and "approval" in text  # the comment says why
    for name, job in flow["jobs"].items():
        env = job.get("environment")
        assert (env if isinstance(env, str) else (env or {}).get("name")) == "gpu", name
        runs_on = job["runs-on"]
        assert isinstance(runs_on, list) and {"self-hosted", "gpu"} <= set(runs_on), name


def test_gpu_job_records_and_uploads_the_gpu_record():
    flow = workflow("gpu.yml")
    runs = [s["run"] for s in steps(flow) if "run" in s]
    assert any("make gpu-record" in r for r in runs)
    uploads = [s for s in steps(flow) if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert [u["with"]["path"] for u in uploads] == ["verification/gpu.json"]
