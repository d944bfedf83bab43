"""Who trades on the marketplace: merchants (and their shops), streamers and brands."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trustfair.events.fields import Code, Fen, Id, Name, ShortText
from trustfair.events.payload import Payload, event_type


class Identity(BaseModel):
    """Identifiers that link accounts run by the same person or firm.

    Integrators may send them hashed; trustfair only compares them for equality.
    """

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    id_number: Id | None = None
    phone: Id | None = None
    bank_account: Id | None = None
    address: ShortText | None = None
    device_ids: list[Id] = Field(default_factory=list, max_length=50)


@event_type("merchant.registered", subject=("merchant", "merchant_id"), texts=("shop_name",))
class MerchantRegistered(Payload):
    merchant_id: Id
    shop_id: Id
    shop_name: Name
    categories: list[Code] = Field(default_factory=list, max_length=50)
    identity: Identity = Field(default_factory=Identity)
    deposit_fen: Fen = 0


@event_type("merchant.updated", subject=("merchant", "merchant_id"), texts=("shop_name",))
class MerchantUpdated(Payload):
    """A change to a merchant: only the fields sent change."""

    merchant_id: Id
    shop_id: Id | None = None
    shop_name: Name | None = None
    categories: list[Code] | None = Field(default=None, max_length=50)
    identity: Identity | None = None


@event_type("streamer.registered", subject=("streamer", "streamer_id"), texts=("nickname",))
class StreamerRegistered(Payload):
    streamer_id: Id
    nickname: Name
    merchant_id: Id | None = None
    """The merchant the streamer sells for, when it is bound to one."""
    identity: Identity = Field(default_factory=Identity)
    followers: int = Field(default=0, ge=0, le=10**12)


@event_type("streamer.updated", subject=("streamer", "streamer_id"), texts=("nickname",))
class StreamerUpdated(Payload):
    streamer_id: Id
    nickname: Name | None = None
    merchant_id: Id | None = None
    identity: Identity | None = None
    followers: int | None = Field(default=None, ge=0, le=10**12)


@event_type("brand.registered", subject=("brand", "brand_id"))
class BrandRegistered(Payload):
    brand_id: Id
    name: Name
    aliases: list[Name] = Field(default_factory=list, max_length=100)
    owner: Name
    """The company that holds the brand's rights."""


@event_type("brand.updated", subject=("brand", "brand_id"))
class BrandUpdated(Payload):
    brand_id: Id
    name: Name | None = None
    aliases: list[Name] | None = Field(default=None, max_length=100)
    owner: Name | None = None
