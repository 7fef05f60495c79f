import os
import re
import subprocess
import sys
from pathlib import Path

from kb.claims import claim


@claim(
    "`snapshot_download` fills `$HF_HOME/hub/models--<org>--<name>/snapshots/<commit>/` with the "
    "repository's files: the folder `from_pretrained` reads when given the same `HF_HOME`."
)
def cache_layout(snapshot):
    from huggingface_hub import constants

    assert snapshot.parents[2] == Path(constants.HF_HUB_CACHE)
    assert Path(constants.HF_HUB_CACHE) == Path(os.environ["HF_HOME"]) / "hub"
    assert re.fullmatch(r"[0-9a-f]{40}", snapshot.name)
    assert (snapshot.parents[1] / "refs" / "main").read_text() == snapshot.name


@claim(
    "`hf download` is the command-line form of the same call: huggingface_hub 2.4 installs the "
    "`hf` command, and `download` is one of its subcommands."
)
def hf_download_command():
    hf = Path(sys.executable).with_name("hf")
    # the command notes its update checks under HF_HOME: give it a home of its own, not the
    # stand-in hub (which is read-only and checked after every run)
    env = dict(os.environ, HF_HOME=str(Path.cwd() / "hf-command-home"))
    res = subprocess.run(
        [str(hf), "download", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert res.returncode == 0, res.stderr
    assert "Usage: hf download" in res.stdout
