"""What a claims file imports: ``from kb.claims import claim, below, above, log_records``."""

from kb.verify.claims import MARGIN, above, below, claim, log_records

__all__ = ["MARGIN", "above", "below", "claim", "log_records"]
