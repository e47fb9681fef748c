"""Integrity of the built-in place list (assistant/lexicon/places.json)."""

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

DATA = json.loads((Path(__file__).parents[1] / "assistant/lexicon/places.json").read_text(encoding="utf-8"))
REGIONS = DATA["regions"]
COUNTRIES = DATA["countries"]

MAINLAND = ("北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
            "广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆").split()
US_CODES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
            "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY").split()
# The one strong name knowingly shared between namespaces: Dezhou (山东) and Texas.
SHARED_ACROSS_COUNTRIES = {"德州"}


def strong_names(entry):
    return [entry["name"], *entry["aliases"], *entry.get("cities", [])]


def owners(entries, key):
    """Lower-cased strong name -> the places it names."""
    found = defaultdict(set)
    for entry in entries:
        for name in strong_names(entry):
            found[name.lower()].add(key(entry))
    return found


REGION_OF = owners(REGIONS, lambda r: (r["country"], r["name"]))
COUNTRY_OF = owners(COUNTRIES, lambda c: c["name"])


def regions(country):
    return [r for r in REGIONS if r["country"] == country]


def test_every_chinese_province_present_exactly_once():
    names = [r["name"] for r in regions("CN")]
    assert sorted(names) == sorted(MAINLAND + ["香港", "澳门", "台湾"])


def test_every_us_state_and_dc_present_with_its_postal_code():
    us = regions("US")
    assert len(us) == len({r["name"] for r in us}) == 51
    assert sorted(code for r in us for code in r["weak_aliases"] if len(code) == 2) == sorted(US_CODES)


@pytest.mark.parametrize("said, region", [
    ("成都", "四川"), ("深圳", "广东"), ("呼和浩特", "内蒙古"), ("乌鲁木齐", "新疆"), ("拉萨", "西藏"),
    ("Chengdu", "四川"), ("chengdu", "四川"), ("内蒙", "内蒙古"), ("广西省", "广西"), ("四川省", "四川"),
    ("朝阳", "辽宁"), ("朝阳区", "北京"), ("海南", "海南"), ("海南州", "青海"), ("吉林市", "吉林"),
    ("洛杉矶", "California"), ("Austin", "Texas"), ("加州", "California"), ("New York City", "New York"),
    ("Washington", "Washington"), ("Washington DC", "District of Columbia"), ("华盛顿特区", "District of Columbia"),
    ("Portland", "Oregon"),
])
def test_place_names_map_to_their_region(said, region):
    assert {name for _, name in REGION_OF[said.lower()]} == {region}


@pytest.mark.parametrize("said, country", [
    ("日本", "Japan"), ("Korea", "South Korea"), ("美国", "United States"), ("USA", "United States"),
    ("英国", "United Kingdom"), ("澳洲", "Australia"), ("中国大陆", "China"), ("内地", "China"),
])
def test_country_names_map_to_their_country(said, country):
    assert COUNTRY_OF[said.lower()] == {country}


def test_no_strong_name_maps_to_two_places():
    region_clashes = {name for name, places in REGION_OF.items() if len(places) > 1}
    assert region_clashes == SHARED_ACROSS_COUNTRIES
    for name in region_clashes:  # shared only across countries, never within one
        assert len({country for country, _ in REGION_OF[name]}) == len(REGION_OF[name])
    assert not {name for name, places in COUNTRY_OF.items() if len(places) > 1}


def test_no_weak_alias_maps_to_two_regions_of_one_country():
    seen = defaultdict(set)
    for r in REGIONS:
        for alias in r["weak_aliases"]:
            seen[(r["country"], alias.lower())].add(r["name"])
    assert all(len(names) == 1 for names in seen.values())


def test_enough_chinese_cities():
    han = [c for r in regions("CN") for c in r["cities"] if re.search(r"[\u4e00-\u9fff]", c)]
    assert len(han) >= 280


def test_region_countries_are_listed_countries():
    codes = {c["code"] for c in COUNTRIES}
    assert {r["country"] for r in REGIONS} <= codes


def test_a_shared_name_means_listed_places_and_is_no_place_of_its_own():
    known = {r["name"] for r in REGIONS} | {c["name"] for c in COUNTRIES}
    for entry in DATA["ambiguous"]:
        assert len(entry["means"]) >= 2 and set(entry["means"]) <= known, entry["name"]
        for name in [entry["name"], *entry["aliases"]]:
            assert name.lower() not in REGION_OF and name.lower() not in COUNTRY_OF, name
