"""The stand-in hub: offline checkpoints of the real architectures for every model id a snippet uses.

Claims files import the registry from here: ``from kb.standin import load_registry``.
"""

from kb.standin.hub import load_registry, token_id_map

__all__ = ["load_registry", "token_id_map"]
