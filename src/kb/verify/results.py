"""What the runner is asked to do (a job) and what a run produced (JSON-serialisable)."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_TIMEOUT = 180.0


@dataclass
class ClaimResult:
    name: str
    sentence: str
    needs: list[str]
    outcome: str  # passed | failed | not-run
    message: str = ""
    evidence: str = ""


@dataclass
class RunResult:
    """What one snippet run produced."""

    key: str
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    output: str = ""
    log: str = ""
    error: dict | None = None  # {"type", "message", "traceback"} when the snippet raised
    claims: list[ClaimResult] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mib: float | None = None
    rss_growth_mib: float | None = None
    updated_source: str | None = None
    environment: dict = field(default_factory=dict)
    #: why the snippet was not run at all (every claim needs what this run lacks); "" if run
    skipped: str = ""

    @classmethod
    def from_json(cls, data: dict) -> RunResult:
        data = dict(data)
        data["claims"] = [ClaimResult(**c) for c in data.get("claims", [])]
        return cls(**data)

    def claim(self, name: str) -> ClaimResult | None:
        return next((c for c in self.claims if c.name == name), None)


@dataclass
class Job:
    key: str
    snippet: str  # path of the snippet file
    claims: str | None  # path of its claims file
    timeout: float = DEFAULT_TIMEOUT
    update_examples: bool = False
    environment: str = "cpu"  # what the claims may assume: cpu or gpu
    scale: str = "small"  # the stand-in scale: small or full
    env: dict = field(default_factory=dict)
