"""Locality from the way callers actually say addresses (pure, on the demo gazetteer)."""

from __future__ import annotations

import pytest

from hotline.demo.load import city
from routing.catalogue.locality import LocalityIndex, Place, normalise_address


@pytest.fixture(scope="module")
def index() -> LocalityIndex:
    data = city()
    places = ((Place(g["name"], g["kind"], g["workstation"], g["region"]), g["aliases"]) for g in data["gazetteer"])
    return LocalityIndex(places, {r["code"]: r["name"] for r in data["regions"]})


@pytest.mark.parametrize(
    ("address", "workstation", "method"),
    [
        ("桂花街道幸福路12号", "Q0101-J01", "exact"),  # the official name
        ("就在桂花那边的菜市场门口", "Q0101-J01", "exact"),  # a colloquial alias with fillers around it
        ("老火车站对面", "Q0105-J02", "exact"),  # a landmark
        ("金桂小区5栋", "Q0101-J01-S03", "exact"),  # an estate's everyday name
        ("云城区桂华街道幸福路", "Q0101-J01", "fuzzy"),  # a wrong character (华 for 花)
        # A common estate name whose only namesake in the gazetteer lies in another county: the region
        # and street the caller named win over it.
        ("云城区桂花街道幸福小区", "Q0101-J01", "exact"),
        ("青川县幸福小区", "Q0107-X06", "exact"),
        ("幸福小区3栋", "Q0107-X06", "exact"),
        ("我家在翠平镇上", "Q0103-Z01", "fuzzy"),  # a homophone (平 for 屏)
        ("云州市人民医阮急诊楼", "Q0101-J04", "fuzzy"),  # a typo in a long landmark name
        (
            "东湖区莲化镇",
            "Q0102-Z01",
            "fuzzy",
        ),  # a two-character stem with a slip: only inside the named region
    ],
)
def test_resolves_spoken_and_misspelt_addresses(
    index: LocalityIndex, address: str, workstation: str, method: str
) -> None:
    match = index.resolve(address)
    assert match is not None, address
    assert (match.workstation_code, match.method) == (workstation, method)
    assert match.matched in match.reason() and match.place.name in match.reason()


@pytest.mark.parametrize("address", ["莲化镇", "某某路123号", "江北新村", "", "   "])
def test_unknown_or_too_ambiguous_addresses_resolve_to_nothing(index: LocalityIndex, address: str) -> None:
    # 莲化镇 without a region: one sure character of two is not enough; 江北新村 is not 北店村.
    assert index.resolve(address) is None


def test_the_most_specific_place_wins(index: LocalityIndex) -> None:
    # 桂花 (the street) and 金桂家园 (an estate in it) both occur: the estate is more specific.
    match = index.resolve("桂花街道金桂家园3栋")
    assert match is not None and match.place.name == "金桂家园"


def test_normalisation_equates_spoken_variants() -> None:
    assert normalise_address("金桂家园 3号楼 附近") == normalise_address("金桂家园3栋")
