"""toolkit: templates, checks and summaries for the annual government information disclosure report."""

__version__ = "0.1.0"
