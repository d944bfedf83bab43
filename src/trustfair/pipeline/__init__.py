"""The spine: event → detectors → policy → effects, one transaction per batch."""
