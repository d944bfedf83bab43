"""End to end: `trustfair serve` with a webhook URL, a risky stream over HTTP, the
shutdown command received signed by a real local server."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx

from tests.enforce.test_live_risk import DIVERSION, HONEST, PORN, segment
from tests.factories import T0, bearer
from tests.served import served
from tests.webhooks import webhook_receiver
from trustfair.pipeline.outbox import verify_signature
from trustfair.store.database import Store


def shutdowns(receiver):  # type: ignore[no-untyped-def]
    return [h for h in list(receiver.hooks) if h.headers["X-Trustfair-Topic"] == "live.shutdown"]


def test_a_risky_stream_sent_over_http_gets_its_shutdown_webhook(store: Store) -> None:
    with webhook_receiver() as receiver:
        env = {
            "TRUSTFAIR_DATABASE_URL": store.engine.url.render_as_string(hide_password=False),
            "TRUSTFAIR_WEBHOOK_URL": receiver.url,
            "TRUSTFAIR_WEBHOOK_SECRET": "e2e",
        }
        headers = bearer(store)
        with served(env) as base:
            # One event per request, as a transcript service would send them.
            for i, text in enumerate([HONEST, DIVERSION, HONEST, PORN, DIVERSION]):
                event = segment(f"e{i}", "s1", text, T0 + timedelta(seconds=5 * i))
                answer = httpx.post(
                    f"{base}/v1/events", json=[event], headers=headers, timeout=30
                ).json()
                assert answer["accepted"] == 1
            # The policy also sends content.block for each blocked line: wait for the
            # shutdown, then long enough for a second one, were there one, to come.
            deadline = time.monotonic() + 20
            while not shutdowns(receiver) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)
            hooks = shutdowns(receiver)
    [hook] = hooks
    assert hook.headers["X-Trustfair-Delivery"] == "live.shutdown:s1"
    assert verify_signature("e2e", hook.headers["X-Trustfair-Signature"], hook.body)
    assert hook.payload["event_id"] == "e3"  # the second high-risk line crossed
    assert hook.payload["command"] == "shutdown_live"
