"""Removing a folder whose entries may be read-only: the built stand-in hub (read-only on
purpose) and a snippet's run folder (where a snippet may leave what it likes)."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path


def remove_tree(root: Path, *, ignore_errors: bool = False) -> None:
    """``shutil.rmtree`` for a read-only hub: deleting an entry needs its folder writable, so
    give the owner back its bits on every folder (not through links) first."""
    if not os.path.lexists(root):
        return
    if os.path.islink(root) or not os.path.isdir(root):
        try:
            os.unlink(root)
        except OSError:
            if not ignore_errors:
                raise
        return
    try:
        _owner_may_write(str(root))
        for dirpath, dirnames, _ in os.walk(root):
            for name in dirnames:
                _owner_may_write(os.path.join(dirpath, name))
    except OSError:
        if not ignore_errors:
            raise
    shutil.rmtree(root, ignore_errors=ignore_errors)


def _owner_may_write(path: str) -> None:
    mode = os.lstat(path).st_mode
    if stat.S_ISDIR(mode):
        os.chmod(path, stat.S_IMODE(mode) | stat.S_IRWXU)
