from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trustfair.cli import app
from trustfair.text.evaluation import LabeledLineError, evaluate, read_labeled

LINES = [
    {"id": "a", "text": "加我微信私聊", "label": "diversion"},
    {"id": "b", "text": "加我薇信私聊", "label": "diversion", "plain_id": "a"},
    {"id": "c", "text": "支持微信支付", "label": "clean"},
    {"id": "d", "text": "全网最低价", "label": "clean"},  # a false alarm, on purpose
    {"id": "e", "text": "这件衣服很好看", "label": "extreme_claim"},  # a miss, on purpose
]


def test_scores_are_counted_per_label(engine) -> None:  # type: ignore[no-untyped-def]
    evaluation = evaluate(engine, LINES)
    diversion = evaluation.scores["diversion"]
    assert (diversion.true_positives, diversion.false_positives, diversion.false_negatives) == (
        2,
        0,
        0,
    )
    extreme = evaluation.scores["extreme_claim"]
    assert (extreme.true_positives, extreme.false_positives, extreme.false_negatives) == (0, 1, 1)
    assert extreme.negatives == 4
    assert extreme.false_positive_rate == pytest.approx(0.25)
    assert evaluation.lawful_false_alarm_rate == pytest.approx(0.5)
    assert evaluation.disguise_recovery == 1.0
    assert [o.id for o in evaluation.misses()] == ["e"]
    assert [o.id for o in evaluation.false_alarms()] == ["d"]


def test_a_bad_labeled_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "labeled.jsonl"
    path.write_text(
        '{"id": 1, "text": "x", "label": "clean"}\n{"id": 2, "text": "y", "label": "spam"}\n'
    )
    with pytest.raises(LabeledLineError, match=r"labeled.jsonl:2: label 'spam'"):
        list(read_labeled([path]))


def test_the_eval_command_prints_json(tmp_path: Path) -> None:
    path = tmp_path / "labeled.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in LINES))
    result = CliRunner().invoke(app, ["eval", "moderation", str(path), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["labels"]["diversion"]["recall"] == 1.0
    assert record["lawful_false_alarm_rate"] == 0.5
