"""The event log and every record derived from it, in SQLite or PostgreSQL."""
