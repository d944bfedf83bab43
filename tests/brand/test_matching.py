"""The matcher's judgement of listings against banks: the mark, the signs of a fake,
negative entries, authorised sellers, counterfeit against look-alike."""

from __future__ import annotations

import re

from trustfair.brand.matching import (
    COUNTERFEIT,
    LOOKALIKE,
    BrandBank,
    Floor,
    ListingFacts,
    Matcher,
    PictureHit,
    SerialPattern,
    TextMatcher,
    TextTerm,
)


def matcher(*extra: TextTerm) -> Matcher:
    bank = BrandBank("b1", "香奈尔")
    bank.sellers["m-auth"] = 11
    bank.floors.append(Floor(12, 900_000, None))
    bank.floors.append(Floor(13, 30_000, "cosmetics"))
    bank.serials.append(SerialPattern(14, re.compile(r"CN8\d{5}X")))
    other = BrandBank("b2", "路易薇登")
    terms = [
        TextTerm(None, "b1", "name", "香奈尔"),
        TextTerm(None, "b1", "name", "Chanelle"),
        TextTerm(None, "b2", "name", "路易薇登"),
        TextTerm(None, "b2", "name", "LV"),
        TextTerm(21, "b1", "slang", "小香奈"),
        TextTerm(None, None, "fake_trade_word", "高仿"),
        TextTerm(None, None, "fake_trade_word", "原单"),
        *extra,
    ]
    return Matcher({"b1": bank, "b2": other}, TextMatcher(terms))


def listing(title: str, price: int = 1_000_000, merchant: str = "m9", **kw) -> ListingFacts:
    return ListingFacts(
        listing_id="l1",
        merchant_id=merchant,
        title=title,
        description=kw.pop("description", ""),
        category=kw.pop("category", "luxury_bags"),
        price_fen=price,
        brand_id=kw.pop("brand_id", None),
        image_ids=kw.pop("image_ids", ()),
    )


def test_a_listing_touching_no_bank_gives_nothing() -> None:
    assert matcher().check(listing("纯棉短袖T恤 夏季新款")) == []


def test_the_mark_alone_is_resale_to_watch() -> None:
    (finding,) = matcher().check(listing("香奈尔经典菱格链条包 专柜正品"))
    assert finding.kind == COUNTERFEIT and finding.brand_id == "b1"
    assert finding.score == 0.3
    assert [r.what for r in finding.reasons] == ["mark"]


def test_the_mark_with_signs_of_a_fake_scores_high_with_each_reason() -> None:
    (finding,) = matcher().check(listing("香奈尔 高仿 菱格链条包 原单", price=90_000))
    assert finding.kind == COUNTERFEIT
    whats = sorted(r.what for r in finding.reasons)
    assert whats == ["fake_trade_word", "fake_trade_word", "far_below_floor", "mark"]
    # 1 - 0.7 × 0.4 × 0.4 × 0.25
    assert finding.score == round(1 - 0.7 * 0.4 * 0.4 * 0.25, 4)
    mark = next(r for r in finding.reasons if r.what == "mark")
    assert mark.span == (0, 3)


def test_disguised_text_still_shows_the_mark_with_spans_in_the_original() -> None:
    title = "正品 香 奈 爾 包包"
    (finding,) = matcher().check(listing(title))
    mark = next(r for r in finding.reasons if r.what == "mark")
    assert mark.span is not None and title[mark.span[0] : mark.span[1]] == "香 奈 爾"


def test_a_latin_alias_inside_a_word_is_no_mark() -> None:
    assert matcher().check(listing("SLVR silver ring")) == []
    assert [f.brand_id for f in matcher().check(listing("LV 老花托特包"))] == ["b2"]


def test_the_category_floor_wins_over_the_brand_floor() -> None:
    (finding,) = matcher().check(listing("香奈尔 口红", price=40_000, category="cosmetics"))
    assert "below_floor" not in {r.what for r in finding.reasons}
    (finding,) = matcher().check(listing("香奈尔 口红", price=20_000, category="cosmetics"))
    assert "below_floor" in {r.what for r in finding.reasons}


def test_a_fake_serial_number_is_a_sign() -> None:
    (finding,) = matcher().check(listing("香奈尔 链条包 编号CN812345X"))
    assert "serial_pattern" in {r.what for r in finding.reasons}


def test_slang_without_the_mark_is_a_lookalike() -> None:
    (finding,) = matcher().check(listing("小香奈风 格纹外套 高仿"))
    assert finding.kind == LOOKALIKE
    # trade words count only for a brand whose mark is used
    assert [r.what for r in finding.reasons] == ["brand_slang"]
    assert finding.score == round(0.7 * 0.8, 4)


def test_a_negative_entry_clears_the_text_it_overlaps() -> None:
    clearing = TextTerm(31, "b1", "name", "香奈尔路", negative=True)
    assert matcher(clearing).check(listing("上海香奈尔路步行街 奶茶店 原单")) == []
    # elsewhere in the same text, the mark still counts
    (finding,) = matcher(clearing).check(listing("香奈尔路店 香奈尔包"))
    assert [r.what for r in finding.reasons] == ["mark"]


def test_an_authorised_seller_is_cleared_but_not_of_a_known_fake_picture() -> None:
    assert matcher().check(listing("香奈尔 原单", price=90_000, merchant="m-auth")) == []
    fake = PictureHit("img1", 41, "b1", "fake_image", False, 40)
    (finding,) = matcher().check(listing("香奈尔", merchant="m-auth"), [fake])
    assert finding.score > 0.9
    assert "authorised_seller" not in {r.what for r in finding.reasons}


def test_pictures_are_the_mark_or_a_sign_and_a_negative_picture_clears_its_image() -> None:
    logo = PictureHit("img1", 41, "b2", "logo", False, 30)
    (finding,) = matcher().check(listing("托特包 女"), [logo])
    assert finding.brand_id == "b2" and finding.kind == COUNTERFEIT and finding.score == 0.3
    fake = PictureHit("img2", 42, "b2", "fake_image", False, 50)
    (finding,) = matcher().check(listing("托特包 女"), [fake])
    assert finding.kind == LOOKALIKE
    cleared = PictureHit("img2", 43, "b2", "genuine_image", True, 60)
    assert matcher().check(listing("托特包 女"), [fake, cleared]) == []


def test_a_listing_declaring_the_brand_uses_its_mark() -> None:
    (finding,) = matcher().check(listing("经典链条包", price=100_000, brand_id="b1"))
    assert finding.kind == COUNTERFEIT
    assert {"mark", "far_below_floor"} <= {r.what for r in finding.reasons}


def test_each_brand_touched_is_judged_apart_strongest_first() -> None:
    findings = matcher().check(listing("香奈尔 高仿 LV 包", price=50_000))
    assert [f.brand_id for f in findings] == ["b1", "b2"]
    assert findings[0].score > findings[1].score


def test_one_brands_negative_entry_clears_only_its_own_evidence() -> None:
    # b2 says 香奈尔 is "not a fake" in its own bank: b1's mark and the trade words stand.
    foreign = TextTerm(51, "b2", "name", "香奈尔", negative=True)
    (finding,) = matcher(foreign).check(listing("高仿香奈尔包", price=90_000))
    assert finding.brand_id == "b1" and finding.score > 0.9
    foreign_picture = PictureHit("img1", 52, "b2", "logo", True, 40)
    fake = PictureHit("img1", 41, "b1", "fake_image", False, 40)
    (finding,) = matcher().check(listing("托特包"), [fake, foreign_picture])
    assert finding.brand_id == "b1" and "fake_image" in {r.what for r in finding.reasons}


def test_a_term_is_not_found_across_the_seam_of_title_and_description() -> None:
    assert matcher().check(listing("新款包包 香奈", description="尔路 步行街")) == []


def test_a_fullwidth_latin_alias_inside_a_word_is_no_mark() -> None:
    assert matcher().check(listing("ＳＬＶＲ silver ring")) == []


def test_a_serial_pattern_matches_whole_serial_like_tokens_only() -> None:
    bank = BrandBank("b1", "香奈尔")
    bank.serials.append(SerialPattern(14, re.compile(r"[0-9]")))
    loose = Matcher({"b1": bank}, TextMatcher([TextTerm(None, "b1", "name", "香奈尔")]))
    (finding,) = loose.check(listing("香奈尔 包 2件"))
    assert "serial_pattern" not in {r.what for r in finding.reasons}
