"""A bare HTTP echo server: the baseline the shutdown bench measures trustfair beside.

The smallest ASGI app uvicorn can serve (it answers every request with its body),
run with the same uvicorn settings as ``trustfair serve`` in the bench, so the
difference between the two is what trustfair does, not the HTTP stack.
"""

from __future__ import annotations

import sys
from typing import Any


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = bytearray()
    more = True
    while more:
        message = await receive()
        body.extend(message.get("body", b""))
        more = message.get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": bytes(body)})


def main(port: int) -> None:
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main(int(sys.argv[1]))
