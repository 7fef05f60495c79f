"""Building the real site from tests: `mkdocs build --strict` in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MKDOCS = str(Path(sys.executable).with_name("mkdocs"))


def build(
    config: Path, site: Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """``env``: variables to set for the build, over this process's environment."""
    return subprocess.run(
        [MKDOCS, "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
