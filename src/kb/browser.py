"""What the browser tests and the graph benchmark share: Debian's chromium (driven by
Playwright with its executable path, never a downloaded browser) and a built site served on
127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

CHROMIUM = os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Served:
    """A built site served on 127.0.0.1 by http.server, for the length of a `with`."""

    def __init__(self, site: Path):
        handler = functools.partial(QuietHandler, directory=str(site))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
