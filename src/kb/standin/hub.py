"""The former single-module import path of the stand-in hub, kept for the code that still
imports ``kb.standin.hub``: it re-exports the package's public names. New code imports
from ``kb.standin``; ``python -m kb.standin.hub`` runs ``python -m kb.standin``.
"""

import sys

from kb.standin import *  # noqa: F403
from kb.standin import __all__  # noqa: F401
from kb.standin.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
