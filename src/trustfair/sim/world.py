"""The simulated marketplace's cast: merchants, streamers, listings, and how each
nature of seller behaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from trustfair.sim.vocab import (
    GIVEN,
    NICK_PATTERNS,
    PROVINCES,
    SHOP_PATTERNS,
    SHOP_WORDS,
    STREETS,
    SURNAMES,
    BrandSpec,
    Category,
)

NATURES = ("honest", "occasional", "repeat")


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How often a seller of one nature breaks the rules."""

    session_violation: float
    """Chance that a live session contains violating speech."""
    violations_per_session: tuple[int, int]
    listing_violation: float
    """Chance that a new listing's copy violates something."""
    hide: float
    """Chance that a violating keyword is disguised."""
    late_shipment: float
    never_ships: float
    price_fraud: float
    """Chance that a promotion the seller runs is a fraudulent one."""
    counterfeit: float
    """Chance that a new listing is a counterfeit of a brand."""
    report_burst: float
    """Chance that an offending session draws a burst of user reports."""


BEHAVIOUR = {
    "honest": Behaviour(0.0, (0, 0), 0.0, 0.0, 0.01, 0.002, 0.0, 0.0, 0.0),
    "occasional": Behaviour(0.15, (1, 2), 0.12, 0.45, 0.06, 0.01, 0.15, 0.06, 0.35),
    "repeat": Behaviour(0.75, (2, 5), 0.5, 0.7, 0.25, 0.04, 0.5, 0.35, 0.6),
}


@dataclass(slots=True)
class Listing:
    listing_id: str
    merchant: Merchant
    category: Category
    product: str
    price_fen: int
    regular_fen: int
    brand_id: str | None = None
    brand_name: str = ""
    counterfeit: bool = False
    stock: int = 100
    active: bool = True
    ref_fen: int | None = None
    history: list[tuple[int, int]] = field(default_factory=list)
    """(time, price) at every change, oldest first."""
    promo_ends: int | None = None
    """Day on whose morning the running promotion ends."""
    pending_promo: tuple[int, int, int] | None = None
    """(day, price, reference) of a promotion prepared by raising the price first."""

    def lowest_since(self, since: int) -> int:
        """Lowest price in force at any moment from ``since`` until now."""
        lowest = None
        for t, price in reversed(self.history):
            if lowest is None or price < lowest:
                lowest = price
            if t <= since:
                break
        return lowest if lowest is not None else self.price_fen


@dataclass(slots=True)
class Merchant:
    merchant_id: str
    shop_id: str
    shop_name: str
    nature: str
    categories: list[Category]
    identity: dict
    active: bool = True
    listings: list[Listing] = field(default_factory=list)
    streamers: list[Streamer] = field(default_factory=list)

    @property
    def behaviour(self) -> Behaviour:
        return BEHAVIOUR[self.nature]


@dataclass(slots=True)
class Streamer:
    streamer_id: str
    nickname: str
    nature: str
    merchant: Merchant
    identity: dict
    followers: int
    active: bool = True

    @property
    def behaviour(self) -> Behaviour:
        return BEHAVIOUR[self.nature]


@dataclass(slots=True)
class Brand:
    brand_id: str
    spec: BrandSpec
    authorised: list[str] = field(default_factory=list)

    @property
    def floor_fen(self) -> int:
        return self.spec.floor_yuan * 100


def person_name(rng: Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def identity(rng: Random) -> dict:
    """Identity fields of a person; key order fixed because it is written as is."""
    province, city, district = rng.choice(PROVINCES)
    region = rng.randint(110000, 659000)
    born = f"{rng.randint(1965, 2003)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    check = rng.choice("0123456789X")
    return {
        "id_number": f"{region}{born}{rng.randint(0, 999):03d}{check}",
        "phone": "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9)),
        "bank_account": "622" + "".join(rng.choice("0123456789") for _ in range(16)),
        "address": (
            f"{province}{city}{district}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
            f"{rng.randint(1, 30)}栋{rng.randint(101, 2608)}"
        ),
        "device_ids": [f"dev-{rng.getrandbits(48):012x}" for _ in range(rng.randint(1, 3))],
    }


def shop_name(rng: Random) -> str:
    _province, city, _ = rng.choice(PROVINCES)
    return rng.choice(SHOP_PATTERNS).format(
        name=person_name(rng),
        city=city.removesuffix("市"),
        word=rng.choice(SHOP_WORDS),
        given=rng.choice(GIVEN),
    )


def nickname(rng: Random) -> str:
    _province, city, _ = rng.choice(PROVINCES)
    return rng.choice(NICK_PATTERNS).format(
        given=rng.choice(GIVEN),
        given2=rng.choice(GIVEN),
        city=city.removesuffix("市"),
        surname=rng.choice(SURNAMES),
    )


def assign_natures(rng: Random, n: int) -> list[str]:
    """Exactly ~85/12/3 percent, shuffled: small runs still get a few repeat offenders."""
    repeat = max(2, round(n * 0.03))
    occasional = max(3, round(n * 0.12))
    natures = ["repeat"] * repeat + ["occasional"] * occasional
    natures += ["honest"] * (n - len(natures))
    rng.shuffle(natures)
    return natures
