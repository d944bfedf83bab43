"""The trust report: every figure computed from stored records, with its source."""
