"""Text moderation: normalisation with an offset map, lexicons, matching, moderate()."""
