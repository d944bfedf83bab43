"""Pictures over HTTP: PUT a picture's bytes under an id, GET what is known of it; the
same bytes again are idempotent, other bytes conflict, and bad bodies say what is wrong.
On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

from PIL import Image

from tests.api.conftest import Api
from trustfair.access.roles import Role
from trustfair.bench.photos import encoded, photo_bytes
from trustfair.brand.images import MAX_BYTES


def put(api: Api, image_id: str, data: bytes, role: Role = Role.BRAND, kind: str = "image/png"):
    headers = {**api.as_(role), "Content-Type": kind}
    return api.client.put(f"/v1/images/{image_id}", content=data, headers=headers)


def test_a_picture_is_stored_once_and_read_back(api: Api) -> None:
    data = photo_bytes("chelsea.png")
    first = put(api, "b1-bag-front", data)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["id"] == "b1-bag-front" and (body["width"], body["height"]) == (451, 300)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["quality"] == 100 and 100 < body["feature_count"] <= 1000
    assert body["fit_for_bank"] is True and body["bank_refusal"] is None

    again = put(api, "b1-bag-front", data)
    assert again.status_code == 200 and again.json() == body

    other = put(api, "b1-bag-front", photo_bytes("coffee.png"))
    assert other.status_code == 409 and "other bytes" in other.json()["detail"]

    read = api.client.get("/v1/images/b1-bag-front", headers=api.as_(Role.BRAND))
    assert read.status_code == 200 and read.json() == body
    staff = api.client.get("/v1/images/b1-bag-front", headers=api.as_(Role.REVIEWER))
    assert staff.status_code == 200 and staff.json()["uploaded_by"] == body["uploaded_by"]


def test_a_party_sees_only_the_pictures_it_uploaded(api: Api) -> None:
    assert put(api, "listing-l1-0", photo_bytes("coins.png"), Role.SERVICE).status_code == 201
    for role in (Role.BRAND, Role.MERCHANT):
        answer = api.client.get("/v1/images/listing-l1-0", headers=api.as_(role))
        assert answer.status_code == 404 and answer.json()["detail"] == "no image listing-l1-0"


def test_a_poor_picture_is_stored_but_said_unfit_for_a_bank(api: Api) -> None:
    answer = put(api, "flat", encoded(Image.new("RGB", (400, 300), (0, 90, 200))))
    assert answer.status_code == 201
    body = answer.json()
    assert body["fit_for_bank"] is False and "0 keypoints" in body["bank_refusal"]


def test_bad_bodies_are_refused_saying_what(api: Api) -> None:
    not_picture = put(api, "x", b"GIF89a but not really")
    assert not_picture.status_code == 422 and "not a picture" in not_picture.json()["detail"]
    json_body = put(api, "x", b'{"a": 1}', kind="application/json")
    assert json_body.status_code == 415 and "image/" in json_body.json()["detail"]
    too_big = put(api, "x", bytes(MAX_BYTES + 1))
    assert too_big.status_code == 413 and "at most" in too_big.json()["detail"]
    bomb = put(api, "x", encoded(Image.new("L", (10_000, 10_000), 0)))
    assert bomb.status_code == 413 and "pixels" in bomb.json()["detail"]
    assert api.client.get("/v1/images/x", headers=api.as_(Role.ADMIN)).status_code == 404
