"""`trustfair moderate` and POST /v1/moderate: one result per input, same order."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.factories import bearer
from trustfair.api.app import create_app
from trustfair.cli import app
from trustfair.store.database import Store


def test_one_output_line_per_input_line_in_order() -> None:
    lines = [
        {"id": "1", "text": "高仿名牌包", "context": "listing"},
        "not json",
        {"id": "3", "text": "今天天气不错"},
        {"id": "4", "text": "x", "context": "radio"},
        {"id": 5, "text": "本品能治疗糖尿病", "category": "health_food"},
    ]
    data = "\n".join(
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    )
    result = CliRunner().invoke(app, ["moderate", "-", "--out", "-"], input=data + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["1", None, "3", "4", 5]
    assert out[0]["verdict"] == "block" and out[0]["labels"][0]["label"] == "counterfeit_hint"
    assert out[0]["labels"][0]["spans"] == [{"start": 0, "end": 2, "text": "高仿"}]
    assert "error" in out[1] and out[1]["line"] == 2
    assert out[2]["verdict"] == "pass" and out[2]["lexicon_version"]
    assert "context" in out[3]["error"]
    assert out[4]["labels"][0]["label"] == "medical_claim"


def test_the_api_moderates_one_text_or_a_batch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(f"sqlite:///{tmp_path / 'm.db'}")
    client = TestClient(create_app(store), headers=bearer(store))
    one = client.post("/v1/moderate", json={"id": "x", "text": "加我微信私聊"}).json()
    assert one["verdict"] == "block" and one["labels"][0]["label"] == "diversion"
    batch = client.post("/v1/moderate", json={"items": [{"text": "你好"}, {"text": "A货"}]}).json()
    assert [b["verdict"] for b in batch] == ["pass", "block"]
    assert client.post("/v1/moderate", json={"text": 5}).status_code == 422
    lone = b'{"text": "\\ud800"}'
    refused = client.post(
        "/v1/moderate", content=lone, headers={"content-type": "application/json"}
    )
    assert refused.status_code == 422
    assert "lone surrogate" in refused.json()["detail"][0]["msg"]
