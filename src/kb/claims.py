"""What a claims file imports: ``from kb.claims import claim, below, above, log_records, load_reports``."""

from kb.verify.claims import MARGIN, above, below, claim, load_reports, log_records

__all__ = ["MARGIN", "above", "below", "claim", "load_reports", "log_records"]
