"""Where a viewer wants it sent, mapped to a destination in the store's own transit table.

Built-in places (``lexicon/places.json``: Chinese provinces and cities, US states and cities,
countries, in Chinese and English) come on top of the catalog's own destination names, so a store
whose transit table says "四川省", "Sichuan" or "California" is understood alike, and a store with
its own zones ("EU", "Metro Manila") still matches those words exactly. A name shared by places in
different countries (德州: Dezhou or Texas; CA: California or Canada) means the one in a country
the store ships to. So does a city name the lexicon lists as ambiguous (Vancouver: Washington or
British Columbia), unless the viewer said which ("Vancouver BC"); when the store ships to more
than one of its places, the destination says which it could be, and the viewer is asked.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from assistant import lexicon
from assistant.matching.terms import TermIndex

_SUFFIXES = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|省|市)$")


@dataclass(frozen=True)
class Place:
    name: str
    """The canonical region or country name from the lexicon (or the catalog's own word)."""
    country: str | None
    """ISO 3166 alpha-2 code of the country the place is in (a country's own code for a country)."""
    is_country: bool = False
    means: tuple[Place, ...] = ()
    """For a name several places share ("Vancouver"): those places; empty for a place."""


@dataclass(frozen=True)
class Destination:
    said: str
    """The words the viewer used ("成都")."""
    region: str
    """The region they mean ("四川")."""
    transit_key: str | None
    """The catalog's ``to_province`` that applies, or None when only the ``*`` row does."""
    foreign: bool
    """The place lies outside every country the store's transit table covers."""
    span: tuple[int, int] = (0, 0)
    could_be: tuple[str, ...] = ()
    """A name several places share, of which the store ships to more than one: those regions
    ("Washington", "British Columbia"); the viewer must say which."""


@lru_cache(maxsize=1)
def _builtin() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """(strong terms, weak terms) → the places they may name, from the lexicon."""
    data = lexicon.places()
    strong: dict[str, list[Place]] = {}
    weak: dict[str, list[Place]] = {}

    def add(table: dict[str, list[Place]], term: str, place: Place) -> None:
        bucket = table.setdefault(term.lower(), [])
        if place not in bucket:
            bucket.append(place)

    for region in data["regions"]:
        place = Place(region["name"], region.get("country"))
        for term in [region["name"], *region.get("aliases", []), *region.get("cities", [])]:
            add(strong, term, place)
        for term in region.get("weak_aliases", []):
            add(weak, term, place)
    for country in data.get("countries", []):
        place = Place(country["name"], country.get("code"), is_country=True)
        for term in [country["name"], *country.get("aliases", [])]:
            add(strong, term, place)
        for term in country.get("weak_aliases", []):
            add(weak, term, place)
    return strong, weak


@lru_cache(maxsize=1)
def _ambiguous() -> dict[str, tuple[Place, re.Pattern[str], dict[str, Place]]]:
    """Names several places share → (the name with the places it may mean, the pattern of the words
    that say which right after it, those words → the place they say): "Vancouver" + " BC", ", WA",
    " Canada", " Washington state"."""
    data = lexicon.places()
    regions = {r["name"]: r for r in data["regions"]}
    countries = {c["name"]: c for c in data.get("countries", [])}
    by_code = {c.get("code"): c for c in countries.values()}
    found: dict[str, tuple[Place, re.Pattern[str], dict[str, Place]]] = {}
    for entry in data.get("ambiguous", []):
        means: list[Place] = []
        saying: dict[str, set[Place]] = {}
        codes: set[str] = set()
        for name in entry["means"]:
            region = regions.get(name)
            country = countries.get(name) if region is None else by_code.get(region.get("country"))
            place = Place(name, region.get("country"), False) if region else Place(name, country["code"], True)
            means.append(place)
            words = [name, *region.get("aliases", [])] if region else []
            short = list(region.get("weak_aliases", [])) if region else []
            if country:
                words += [country["name"], *country.get("aliases", [])]
                short += country.get("weak_aliases", [])
            codes |= {code.lower() for code in short}
            for word in [*words, *short]:
                saying.setdefault(word.lower(), set()).add(place)
        said = {word: next(iter(places)) for word, places in saying.items() if len(places) == 1}
        if not said:
            continue
        # Right after the name, a comma, space or bracket, then the state, province or country: a name
        # in any case; a code in capitals as codes are written ("BC", "WA"), or in lower case as the
        # last word ("vancouver bc?"): "Hamilton on Friday" is not Ontario.
        ordered = sorted(said, key=len, reverse=True)
        names = "|".join(re.escape(w) for w in ordered if w not in codes)
        short = [re.escape(w) for w in ordered if w in codes] or ["(?!x)x"]
        pattern = re.compile(rf"[\s,，（(]*((?i:{names})(?![A-Za-z])|(?:{'|'.join(w.upper() for w in short)})"
                             rf"(?![A-Za-z])|(?i:{'|'.join(short)})(?=\s*(?:[?？!！.,，。;；)）]|$)))[)）]?")
        shared = Place(entry["name"], None, means=tuple(means))
        for term in [entry["name"], *entry.get("aliases", [])]:
            found[term.lower()] = (shared, pattern, said)
    return found


def _bare(name: str) -> str:
    return _SUFFIXES.sub("", name.strip().lower())


class PlaceVocabulary:
    """Place words for one store: built-in places plus the store's own destination names."""

    def __init__(self, destinations: list[str]) -> None:
        strong, weak = _builtin()
        self.by_region: dict[str, str] = {}
        countries: Counter[str] = Counter()
        own: dict[str, Place] = {}
        for value in destinations:
            candidates = strong.get(value.lower()) or strong.get(_bare(value)) or weak.get(value.lower()) or []
            place = next((p for p in candidates if not p.is_country), candidates[0] if candidates else None)
            if place is None:
                place = Place(value, None)
            self.by_region.setdefault(place.name, value)
            if place.country:
                countries[place.country] += 1
            own[value.lower()] = place
        self.countries = set(countries)
        self.index: TermIndex[Place] = TermIndex()
        for term, place in own.items():
            self.index.add(term, place)
        for term, places in strong.items():
            if term not in own:
                self.index.add(term, self._prefer(places))
        for term, places in weak.items():
            if term not in own and term not in strong:
                self.index.add(term, self._prefer(places), weak_check=_weak_place)
        for term, (shared, _, _) in _ambiguous().items():
            if term not in own and term not in strong:
                self.index.add(term, shared)
        self.index.compile()
        self._ascii_terms: list[str] | None = None

    def _prefer(self, places: list[Place]) -> Place:
        """Of the places a shared name may mean, the one in a country the store ships to."""
        for place in places:
            if place.name in self.by_region:
                return place
        for place in places:
            if place.country in self.countries and not place.is_country:
                return place
        return places[0]

    def find(self, text: str, exclude: list[tuple[int, int]], *, shipping_context: bool = False) -> Destination | None:
        """The first place named as a destination in ``text`` (normalised, any case).

        Place names also occur inside ordinary words (三明治, 新疆棉, 端午安康), so a name counts only
        next to words about sending ("发到成都", "成都几天到") or in a message already about shipping.
        """
        for hit in self.index.find(text, exclude):
            if shipping_context or _sending_words_near(text, hit.start, hit.end):
                place, end = _which(text, hit.payload, hit.end)
                return self._destination(text[hit.start:end], place, (hit.start, end))
        return None

    def slot(self, text: str, exclude: list[tuple[int, int]]) -> Destination | None:
        """The place in a sending phrase that no name matched ("ship to Torronto", "发到东京"): a
        misspelt known place when one is close enough, else the words as said, with no region (the
        shipping estimate then cannot place it, and a person answers)."""
        for pattern in (_EN_SLOT, _ZH_SLOT):
            for match in pattern.finditer(text):
                start, end = match.span(1)
                if any(start < e and s < end for s, e in exclude):
                    continue
                said = _trim_slot(match.group(1))
                if not said or said.lower() in _NOT_PLACES or said.split()[0].lower() in _NOT_PLACE_START:
                    continue
                close = self._close(said)
                if close is not None:
                    return self._destination(said, close, (start, start + len(said)))
                return Destination(said=said, region=said, transit_key=None, foreign=False,
                                   span=(start, start + len(said)))
        return None

    def _close(self, said: str) -> Place | None:
        """A known English place name within a typo of ``said`` ("californa" → California)."""
        if not said.isascii() or len(said) < 5:
            return None
        if self._ascii_terms is None:
            self._ascii_terms = [t for t in self.index.entries if t.isascii() and len(t) >= 5]
        found = process.extractOne(said.lower(), self._ascii_terms, scorer=fuzz.ratio, score_cutoff=88)
        return self.index.entries[found[0]][0] if found else None

    def resolve(self, name: str) -> Destination | None:
        """A destination a tool caller names ("成都", "Sichuan", "四川省", "CA")."""
        name = name.strip()
        for value in self.by_region.values():
            if value.lower() == name.lower():
                return Destination(name, value, value, False)
        strong, weak = _builtin()
        candidates = strong.get(name.lower()) or strong.get(_bare(name)) or weak.get(name.lower())
        if candidates:
            return self._destination(name, self._prefer(candidates), (0, len(name)))
        hits = self.index.find(name, [])
        if not hits:
            close = self._close(name)
            # a misspelt name reads back as the place it was taken for ("californa" → California)
            return self._destination(close.name, close, (0, len(name))) if close else None
        return self._destination(name, _which(name, hits[0].payload, hits[0].end)[0], (0, len(name)))

    def _destination(self, said: str, place: Place, span: tuple[int, int]) -> Destination:
        if place.means:
            return self._shared(said, place, span)
        key = self.by_region.get(place.name)
        # Foreign: the table covers other countries' regions but not this place's country.
        foreign = key is None and place.country is not None and bool(self.countries) \
            and place.country not in self.countries
        return Destination(said=said, region=place.name, transit_key=key, foreign=foreign, span=span)

    def _shared(self, said: str, shared: Place, span: tuple[int, int]) -> Destination:
        """A name several places share: the one place in a country the store ships to, read back with
        it ("Vancouver, Washington"); abroad when the store ships to none of them; else which it could
        be, for the viewer to say."""
        shipped = [p for p in shared.means if p.country in self.countries and not p.is_country]
        if len(shipped) == 1:
            return self._destination(f"{said}, {shipped[0].name}", shipped[0], span)
        if not shipped and self.countries:
            return Destination(said=said, region=shared.name, transit_key=None, foreign=True, span=span)
        return Destination(said=said, region=shared.name, transit_key=None, foreign=False, span=span,
                           could_be=tuple(p.name for p in (shipped or shared.means)))


_BEFORE = re.compile(r"(发|到|寄|送|去|往|至|邮|运|ship|deliver|send|mail|post|to|in)\s*(到|去|往|至)?\s*$", re.IGNORECASE)
_AFTER = re.compile(
    r"^\s*(的话)?\s*(几天|多久|多少天|要几天|能到|可以到|到吗|能发|可以发|发吗|发不发|包邮|运费|邮费|快递|呢|吗|\?|？"
    r"|how long|how many days|shipping|delivery)", re.IGNORECASE)


_EN_SLOT = re.compile(
    r"\b(?:ship|ships|shipping|shipped|send|sent|deliver|delivered|delivery|mail|post|get it|arrive|how long|days)"
    r"(?:\s+(?:it|this|that|them|one|these|those))?\s+to\s+([a-z][a-z.'-]+(?:\s+[a-z][a-z.'-]+){0,2})", re.IGNORECASE)
_ZH_SLOT = re.compile(r"(?:发|寄|送|邮|运)(?:到|去|往|至)\s*([\u4e00-\u9fff]{2,8}?)"
                      r"(?=几天|多久|多少天|要|吗|呢|的话|大概|可以|能|需要|快递|包邮|运费|怎么|\s|[?？,，.。!！]|$)")
_SLOT_TAIL = re.compile(r"(\s+(?:how|long|please|pls|in|by|when|within|from|for|the|and|is|it|take|takes|days?|"
                        r"today|tomorrow|asap|quickly|fast|free|shipping|delivery|cost|too|also))+$", re.IGNORECASE)
_NOT_PLACES = {"me", "my", "us", "you", "my house", "my home", "my place", "my address", "my door", "my office",
               "home", "work", "the us", "canada", "家", "家里", "我家", "我这", "我这里", "我们这", "我们这里", "这里",
               "那里", "哪里", "哪儿", "哪", "这边", "那边", "公司", "单位", "学校", "宿舍", "老家", "外地", "手上",
               "海外", "国外", "外国", "驿站", "菜鸟驿站", "快递站", "快递柜", "丰巢"}


def _which(text: str, place: Place, end: int) -> tuple[Place, int]:
    """A shared name followed by words saying which place it is ("Vancouver BC", "Vancouver, WA",
    "伦敦（英国）"): that place, and where those words end; else the shared name as it was."""
    if not place.means:
        return place, end
    _, pattern, said = _ambiguous()[place.name.lower()]
    match = pattern.match(text, end)
    if match is None:
        return place, end
    return said[match.group(1).lower()], match.end()


_NOT_PLACE_START = {"ship", "send", "deliver", "arrive", "get", "come", "reach", "receive", "pay", "order", "buy"}
"""A verb after "to" ("how long to ship", "how many days to arrive") starts no place."""


def _trim_slot(words: str) -> str:
    return _SLOT_TAIL.sub("", words.strip(" .'-")).strip(" .'-")


def _sending_words_near(text: str, start: int, end: int) -> bool:
    return bool(_BEFORE.search(text[max(0, start - 8):start]) or _AFTER.match(text[end:end + 8]))


def _weak_place(text: str, start: int, end: int) -> bool:
    """Short codes ("CA", "川") count only as a destination: "to CA", "Austin, TX", "发川"."""
    word = text[start:end]
    before = text[:start].rstrip().lower()
    if word.isascii():
        return word.isupper() and (before.endswith((" to", " in", ",")) or before in ("to", "in"))
    return bool(before) and before[-1] in "发到寄去送往"
