"""Locality (属地) from the incident address, the way callers actually say it.

Callers say 「桂花那边」, 「老火车站对面」, 「云城区桂华街道」 (a wrong character) or just an estate name.
``LocalityIndex`` is built once from the gazetteer (names and aliases, all unique) and resolves an
address in two steps:

1. exact: every name/alias contained in the normalised address; the most specific place wins (an
   estate inside a street beats the street), then the longest name, then the region named in the
   address (「东湖区…」);
2. fuzzy: rapidfuzz ``partial_ratio`` of each name/alias against the address, for misspellings and
   homophones; accepted above ``min_score``, with longer names needing fewer exact characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.org.models import Region
from routing.catalogue.models import GazetteerPlace

# Spoken fillers and positional words that never name a place.
_NOISE = re.compile(r"[\s,，。.;；:：!！?？、()（）\"'“”‘’\-—]|附近|对面|旁边|门口|这边|那边|那块|一带|周边|里面")


def normalise_address(address: str) -> str:
    """Lower-case, without punctuation, spaces and positional fillers; 「号楼」 → 「栋」 so that
    「3号楼」 and 「3栋」 compare equal."""
    text = address.strip().lower()
    text = text.replace("号楼", "栋").replace("幢", "栋").replace("單元", "单元")
    return _NOISE.sub("", text)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: str
    workstation_code: str
    region_code: str


@dataclass(frozen=True, slots=True)
class LocalityMatch:
    place: Place
    matched: str  # the name or alias that matched
    method: str  # exact | fuzzy
    score: float  # 100 for exact

    @property
    def workstation_code(self) -> str:
        return self.place.workstation_code

    @property
    def region_code(self) -> str:
        return self.place.region_code

    def reason(self) -> str:
        how = "地址包含" if self.method == "exact" else f"地址近似（相似度 {self.score:.0f}）"
        return f"{how}「{self.matched}」→ {self.place.name}"


class LocalityIndex:
    def __init__(
        self,
        places: Iterable[tuple[Place, list[str]]],
        regions: dict[str, str] | None = None,
        *,
        min_score: float = 75.0,
    ) -> None:
        self._by_alias: dict[str, Place] = {}
        for place, aliases in places:
            for alias in (place.name, *aliases):
                key = normalise_address(alias)
                if len(key) >= 2:
                    self._by_alias.setdefault(key, place)
        self._aliases = sorted(self._by_alias, key=len, reverse=True)
        self._fuzzy_keys = [a for a in self._aliases if len(a) >= 3]  # two characters are too ambiguous
        self._regions = {normalise_address(name): code for code, name in (regions or {}).items()}
        self.min_score = min_score

    def __len__(self) -> int:
        return len(self._by_alias)

    @classmethod
    def from_db(cls, *, session: Session, min_score: float = 75.0) -> LocalityIndex:
        rows = session.scalars(select(GazetteerPlace)).all()
        regions = dict(session.execute(select(Region.code, Region.name)).all())
        return cls(
            ((Place(r.name, r.kind, r.workstation_code, r.region_code), list(r.aliases or [])) for r in rows),
            regions,
            min_score=min_score,
        )

    def region_in(self, text: str) -> str | None:
        """A region named in the address, also without its suffix (「东湖」 for 东湖区)."""
        for name, code in self._regions.items():
            if name in text or (len(name) >= 3 and name[:-1] in text):
                return code
        return None

    def resolve(self, address: str | None) -> LocalityMatch | None:
        if not address:
            return None
        text = normalise_address(address)
        if not text:
            return None
        region = self.region_in(text)
        hits = [a for a in self._aliases if a in text]
        if hits:
            # The region the caller named comes first, then agreement with the other places named (「桂花
            # 街道幸福小区」: a 幸福小区 under 桂花街道 over a namesake estate elsewhere — common estate
            # names repeat across a city), then the most specific place (an estate, landmark or village
            # inside a street beats the street; two-character aliases are too ambiguous to win on kind
            # alone), then the longer name.
            def rank(a: str) -> tuple[bool, int, int, int]:
                place = self._by_alias[a]
                agree = sum(
                    1
                    for b in hits
                    if b != a and (other := self._by_alias[b]) != place and other.region_code == place.region_code
                )
                return (
                    region is not None and place.region_code == region,
                    agree,
                    _SPECIFIC.get(place.kind, 0) if len(a) >= 3 else 0,
                    len(a),
                )

            best = max(hits, key=rank)
            return LocalityMatch(self._by_alias[best], best, "exact", 100.0)
        found = process.extract(text, self._fuzzy_keys, scorer=fuzz.partial_ratio, limit=40, score_cutoff=60)
        candidates = []
        for alias, _, _ in found:
            score = _one_slip_score(alias, text, region_agrees=self._by_alias[alias].region_code == region)
            if score is not None and score >= self.min_score:
                candidates.append((alias, score))
        if not candidates:
            return None
        # Prefer the region the caller named, then the score, then the longer (more specific) name.
        candidates.sort(
            key=lambda f: (
                region is not None and self._by_alias[f[0]].region_code != region,
                -f[1],
                -len(f[0]),
            )
        )
        alias, score = candidates[0]
        return LocalityMatch(self._by_alias[alias], alias, "fuzzy", score)


_SPECIFIC = {"estate": 3, "landmark": 3, "community": 3, "village": 3, "road": 2, "street": 1, "township": 1}
_SUFFIXES = ("街道办", "街道", "社区", "小区", "大道", "花园", "镇", "乡", "村", "路", "街", "苑", "园")


def _one_slip_score(alias: str, text: str, *, region_agrees: bool) -> float | None:
    """Score when ``text`` holds ``alias`` with exactly one wrong character inside its distinctive part
    (a homophone or a typo: 桂华街道 for 桂花街道); None otherwise. A slip in the generic suffix
    (村 for 镇) names a different place, so it does not count; a two-character stem with a slip keeps
    only one sure character, so it counts only inside a region the caller named (东湖区莲化镇)."""
    n = len(alias)
    slips: list[int] = []
    for start in range(len(text) - n + 1):
        diff = [i for i in range(n) if alias[i] != text[start + i]]
        if len(diff) == 1:
            slips = diff
            break
    stem = len(alias) - next((len(s) for s in _SUFFIXES if alias.endswith(s) and len(alias) > len(s)), 0)
    if len(slips) != 1 or slips[0] >= stem or stem < 2 or (stem == 2 and not region_agrees):
        return None
    # One slip in a longer name is more convincing: 3 chars → 80, 4 → 85, 6 → 90.
    return min(95.0, 100.0 - 60.0 / (len(alias) + 0.0) + (5.0 if len(alias) >= 4 else 0.0))
