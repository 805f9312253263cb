"""Spec rules run over many returns at once with pandera; failures become findings."""

from toolkit.validate.finding import Finding
from toolkit.validate.run import check_frame

__all__ = ["Finding", "check_frame"]
