"""The reference structure: NI's 5 LCG areas, 17 ICPs and 314 practices; England's ICBs and LSC."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from icp.partnership.models import Area, Organisation
from icp.partnership.reference import load_structure
from icp.partnership.roles import AreaLevel, OrganisationType

pytestmark = pytest.mark.django_db


def ni_icps() -> list[Area]:
    return [a for a in Area.objects.filter(level=AreaLevel.ICP) if a.code.startswith("NI-")]


def test_northern_ireland_has_five_lcg_areas_and_seventeen_icps() -> None:
    lcgs = Area.objects.filter(level=AreaLevel.LCG_AREA)
    assert sorted(a.name for a in lcgs) == [
        "Belfast LCG area",
        "Northern LCG area",
        "South Eastern LCG area",
        "Southern LCG area",
        "Western LCG area",
    ]
    per_area = {lcg.name.split(" LCG")[0]: lcg.children.filter(level=AreaLevel.ICP).count() for lcg in lcgs}
    assert per_area == {"Belfast": 4, "Northern": 4, "South Eastern": 4, "Southern": 3, "Western": 2}


def test_every_practice_belongs_to_exactly_one_icp_in_its_own_lcg_area() -> None:
    practices = Organisation.objects.filter(type=OrganisationType.GP_PRACTICE).select_related("icp__parent")
    assert practices.count() == 314
    assert all(p.icp is not None and p.icp.level == AreaLevel.ICP for p in practices)
    by_lcg = {}
    for practice in practices:
        by_lcg[practice.icp.parent.name] = by_lcg.get(practice.icp.parent.name, 0) + 1
    # Counts per LCG published with the BSO file (SOURCE.md).
    assert by_lcg == {
        "Belfast LCG area": 75,
        "Northern LCG area": 72,
        "Southern LCG area": 69,
        "South Eastern LCG area": 51,
        "Western LCG area": 47,
    }
    assert practices.aggregate(total=Sum("list_size"))["total"] == 2_050_887


def test_practices_are_shown_by_code_and_town_not_partners_names() -> None:
    names = list(
        Organisation.objects.filter(type=OrganisationType.GP_PRACTICE).values_list("name", flat=True)
    )
    assert all(name.startswith("Practice ") for name in names)
    assert not any("PARTNERS" in name.upper() or "DR." in name.upper() for name in names)


def town(number: int) -> str:
    return Organisation.objects.get(code=f"NI-GP-{number:03d}").town


def test_a_practices_town_is_the_town_its_address_names_else_its_districts_post_town() -> None:
    assert town(361) == "Ballymoney"  # "... ROBINSON MEMORIAL HOSPITAL", BT53: the post town
    assert town(1) == "Belfast"  # "... WESTMINSTER AVENUE", BT4
    assert town(568) == "Enniskillen"  # "ERNE ROAD HEALTH CENTRE", BT74
    towns = set(Organisation.objects.filter(type=OrganisationType.GP_PRACTICE).values_list("town", flat=True))
    assert {"Kilkeel", "Lurgan", "Dunmurry", "Coleraine"} <= towns  # "KILKEEL, NEWRY", "DUNMURRY BELFAST"
    assert "" not in towns
    street_or_building = ("ROAD", "STREET", "AVENUE", "HOSPITAL", "CENTRE", ",")
    assert not [t for t in towns if any(word in t.upper() for word in street_or_building)]
    assert Organisation.objects.get(code="NI-GP-361").name == "Practice 361, Ballymoney"


def test_icps_are_named_by_published_federation_or_flagged_descriptive() -> None:
    published = {a.name for a in ni_icps() if a.name_is_published}
    assert "Causeway ICP" in published and "Derry ICP" in published
    descriptive = [a for a in ni_icps() if not a.name_is_published]
    assert descriptive and all("descriptive" in a.source for a in descriptive)


def test_icps_are_roughly_one_hundred_thousand_people() -> None:
    sizes = [a.practices.aggregate(total=Sum("list_size"))["total"] for a in ni_icps()]
    assert len(sizes) == 17
    assert min(sizes) > 60_000 and max(sizes) < 250_000


def test_england_has_42_icbs_and_lancashire_south_cumbria_its_five_historic_places() -> None:
    assert Area.objects.filter(level=AreaLevel.ICB).count() == 42
    lsc_icp = Area.objects.get(code="QE1-ICP")
    assert lsc_icp.parent is not None and lsc_icp.parent.external_code == "E54000048"
    places = lsc_icp.children.filter(level=AreaLevel.PLACE)
    assert places.count() == 5
    assert "Central Lancashire" in {p.name for p in places}
    assert all("historic" in p.status for p in places)


def test_loading_twice_changes_nothing() -> None:
    before = (Area.objects.count(), Organisation.objects.count())
    load_structure()
    assert (Area.objects.count(), Organisation.objects.count()) == before
