"""Cases: matters for people, with an explicit state machine and an append-only timeline."""
