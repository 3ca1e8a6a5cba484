"""prseed: seed engineering-metrics databases with data from real GitHub projects."""

__version__ = "0.1.0"
