"""The moderation bench reads every evaluation text, and only texts."""

from __future__ import annotations

from trustfair.bench.moderation import EVAL_DIR, _hand_written_texts


def test_every_evaluation_text_is_read_and_nothing_else() -> None:
    texts = _hand_written_texts()
    assert len(texts) > 5_000
    assert all(isinstance(text, str) and text for text, _, _ in texts)
    # A file of ids (real/known_violations.jsonl) sits among the corpora.
    assert any(path.parent.name == "real" for path in EVAL_DIR.glob("*/*.jsonl"))
