"""Read models: what the API and the console show, asked of the store in one place
(an entity's timeline, live sessions at risk now)."""
