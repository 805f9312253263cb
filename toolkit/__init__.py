"""toolkit: templates, checks and summaries of the annual government disclosure report."""

__version__ = "0.1.0"
