"""Ending runs: a confirmed selection ended in the background (see runs.models)."""
