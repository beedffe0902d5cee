"""Load the reference structure: NI's 5 LCG areas, 17 ICPs and 314 GP practices; England's 42 ICBs;
Lancashire & South Cumbria's ICP and its five historic places; and the committee templates.

Sources are copied into `data/` with their SOURCE notes; the practice file and `ni_icps.csv` are
read from `icp/records/synth/reference/`, their one copy (synth uses them too). The BSO practice
file has no ICP or GP federation column, so practices are assigned to ICPs *within their LCG area*
by postcode district (`ni_icps.csv`). That is an approximation of the real federation
boundaries, documented in docs/partnership.md. ICPs are named by their published GP federation
where a source names it, otherwise by a plain descriptive name (flagged `name_is_published=False`).

Loading is idempotent: a second run updates in place.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from django.db import transaction

from icp.audit.events import EventType
from icp.audit.log import record
from icp.partnership.models import Area, CompositionTemplate, Organisation, SeatRule
from icp.partnership.roles import AreaLevel, OrganisationType

NI_LCG_AREAS = {
    "Belfast": "NI-BEL",
    "Northern": "NI-NOR",
    "South Eastern": "NI-SE",
    "Southern": "NI-SO",
    "Western": "NI-WE",
}
PRACTICE_LIST_DATE = date(2024, 1, 1)
PRACTICE_SOURCE = "BSO GP Practice Reference File, January 2024 (OGL v3.0)"


class ReferenceDataError(ValueError):
    """A reference file does not say what the loader expects; the message names file and line."""


@dataclass(frozen=True)
class LoadSummary:
    areas: int
    practices: int
    icbs: int
    templates: int
    practices_per_icp: dict[str, int]


# The practices and the ICPs' postcode districts are one copy, on the pure side, because `icp synth`
# places its synthetic people at the same practices (`icp/records/synth/reference/SOURCE_practices.md`).
SHARED_WITH_SYNTH = frozenset({"ni_gp_practices_bso_jan2024.csv", "ni_icps.csv"})


def _data_file(name: str) -> Any:
    if name in SHARED_WITH_SYNTH:
        return resources.files("icp.records.synth").joinpath("reference", name)
    return resources.files("icp.partnership").joinpath("data", name)


def _read_csv(name: str) -> list[tuple[int, dict[str, str]]]:
    with _data_file(name).open(encoding="utf-8-sig", newline="") as handle:
        return [(line, row) for line, row in enumerate(csv.DictReader(handle), start=2)]


def _area(code: str, name: str, level: str, parent: Area | None, **extra: Any) -> Area:
    area, _ = Area.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent, **extra}
    )
    return area


# Words that make an address line a street, a building or a person rather than a town or village.
_NOT_A_PLACE = frozenset(
    [
        "ROAD",
        "RD",
        "STREET",
        "ST",
        "AVENUE",
        "AVE",
        "LANE",
        "PLACE",
        "TERRACE",
        "SQUARE",
        "WALK",
        "PARK",
        "WAY",
        "DRIVE",
        "GARDENS",
        "HILL",
        "ROW",
        "CRESCENT",
        "CLOSE",
        "GREEN",
        "CENTRE",
        "HOSPITAL",
        "HEALTH",
        "SURGERY",
        "PRACTICE",
        "CLINIC",
        "FLOOR",
        "FLR",
        "VILLAGE",
        "LPCCC",
        "PCCC",
        "HC",
        "MEDICAL",
        "HOUSE",
        "BUILDING",
        "BUILDINGS",
        "BUILD",
        "UNIT",
        "SITE",
        "COMPLEX",
        "WTC",
        "LEVEL",
        "DR",
        "DR.",
        "DRS",
        "PARTNERS",
        "PARTNER",
        "CO",
        "COUNTY",
    ]
)


def _is_place(piece: str) -> bool:
    words = piece.upper().replace("&", " ").split()
    return bool(words) and not piece[0].isdigit() and not set(words) & _NOT_A_PLACE


def _post_towns() -> dict[str, str]:
    return {row["postcode_district"]: row["post_town"] for _line, row in _read_csv("bt_post_towns.csv")}


def _town(row: dict[str, str], post_towns: dict[str, str]) -> str:
    """The town a practice is in: the town or village its address names ("KILKEEL, NEWRY" is
    Kilkeel), else the Royal Mail post town of its postcode district (an address of only a street or
    a building, such as "ROBINSON MEMORIAL HOSPITAL", BT53, is in Ballymoney).

    Only Address2 and Address3 are read: Address1 names the practice or its building. A line is a
    town when it is one place name on its own, or a place followed by a post town.
    """
    post_town = post_towns.get(_district(row.get("Postcode", "")), "")
    known = {town.upper() for town in post_towns.values()}
    for key in ("Address3", "Address2"):
        value = row.get(key, "").strip()
        if not value or value.upper() == "NULL":
            continue
        pieces = [p.strip() for p in value.split(",") if p.strip()]
        places = [p for p in pieces if _is_place(p)]
        if not places:
            continue
        first = places[0]
        words = first.split()
        if len(words) > 1 and words[-1].upper() in known:  # "DUNMURRY BELFAST"
            first = " ".join(words[:-1])
        if len(pieces) == 1 or any(p.upper() in known for p in places) or pieces[-1].upper() in known:
            return first.title()
        break
    return post_town


def _district(postcode: str) -> str:
    return postcode.strip().upper().split()[0] if postcode.strip() else ""


def load_templates() -> int:
    payload = json.loads(_data_file("committee_templates.json").read_text(encoding="utf-8"))
    for template_data in payload["templates"]:
        template, _ = CompositionTemplate.objects.update_or_create(
            code=template_data["code"],
            defaults={
                "name": template_data["name"],
                "description": template_data["description"],
                "chair_rule": template_data["chair_rule"],
                "source": template_data["source"],
            },
        )
        for order, seat in enumerate(template_data["seats"]):
            SeatRule.objects.update_or_create(
                template=template,
                code=seat["code"],
                defaults={
                    "label": seat["label"],
                    "min_count": seat["min_count"],
                    "max_count": seat["max_count"],
                    "professional_roles": seat["professional_roles"],
                    "organisation_types": seat.get("organisation_types", []),
                    "order": order,
                },
            )
    return len(payload["templates"])


def _load_ni() -> tuple[int, dict[str, int]]:
    ni = _area("NI", "Northern Ireland", AreaLevel.REGION, None)
    lcgs = {
        name: _area(code, f"{name} LCG area", AreaLevel.LCG_AREA, ni, source="HSC Board LCG areas")
        for name, code in NI_LCG_AREAS.items()
    }
    districts_by_lcg: dict[str, dict[str, Area]] = {name: {} for name in NI_LCG_AREAS}
    for line, row in _read_csv("ni_icps.csv"):
        lcg = row["lcg_area"]
        if lcg not in lcgs:
            raise ReferenceDataError(f"ni_icps.csv line {line}: unknown LCG area {lcg!r}")
        icp = _area(
            row["icp_code"],
            row["name"],
            AreaLevel.ICP,
            lcgs[lcg],
            name_is_published=row["name_is_published"] == "true",
            source=row["name_source"],
        )
        for district in row["postcode_districts"].split():
            if district in districts_by_lcg[lcg]:
                raise ReferenceDataError(f"ni_icps.csv line {line}: {district} already assigned in {lcg}")
            districts_by_lcg[lcg][district] = icp

    counts: Counter[str] = Counter()
    post_towns = _post_towns()
    for line, row in _read_csv("ni_gp_practices_bso_jan2024.csv"):
        lcg = row["LCG"].strip()
        district = _district(row["Postcode"])
        practice_icp = districts_by_lcg.get(lcg, {}).get(district)
        if practice_icp is None:
            raise ReferenceDataError(
                f"ni_gp_practices_bso_jan2024.csv line {line}: no ICP in {lcg!r} covers postcode district "
                f"{district!r}; add it to records/synth/reference/ni_icps.csv"
            )
        try:
            list_size = int(row["Registered_Patients"])
        except ValueError as error:
            raise ReferenceDataError(
                f"ni_gp_practices_bso_jan2024.csv line {line}: Registered_Patients is not a whole number"
            ) from error
        number = int(row["PracNo"])
        town = _town(row, post_towns)
        address = ", ".join(
            p.strip()
            for p in (row["Address1"], row["Address2"], row["Address3"])
            if p.strip() not in ("", "NULL")
        )
        practice, _ = Organisation.objects.update_or_create(
            code=f"NI-GP-{number:03d}",
            defaults={
                # Shown by code and town, not by the partners' names the BSO file carries.
                "name": f"Practice {number:03d}, {town}",
                "type": OrganisationType.GP_PRACTICE,
                "address": address,
                "town": town,
                "postcode": row["Postcode"].strip(),
                "icp": practice_icp,
                "list_size": list_size,
                "list_size_date": PRACTICE_LIST_DATE,
                "source": PRACTICE_SOURCE,
            },
        )
        practice.areas_served.set([practice_icp])
        counts[practice_icp.code] += 1
    return sum(counts.values()), dict(sorted(counts.items()))


def _load_england() -> int:
    england = _area("ENG", "England", AreaLevel.NATION, None)
    icbs = 0
    lsc: Area | None = None
    for _line, row in _read_csv("england_icbs_42.csv"):
        name = row["icb_name"].title().replace("Nhs ", "NHS ").replace(" And ", " and ")
        icb = _area(
            row["icb_ods_code"],
            name,
            AreaLevel.ICB,
            england,
            external_code=row["icb_gss_code"],
            source="NHS ODS / ONS (via rcpch-nhs-organisations, MIT)",
        )
        icbs += 1
        if row["icb_ods_code"] == "QE1":
            lsc = icb
    if lsc is None:
        raise ReferenceDataError("england_icbs_42.csv: Lancashire & South Cumbria (QE1) is missing")
    lsc_icp = _area(
        "QE1-ICP",
        "Lancashire and South Cumbria Integrated Care Partnership",
        AreaLevel.ICP,
        lsc,
        name_is_published=True,
        source="seed 001_8d930a7342784279.txt",
    )
    for index, (_line, row) in enumerate(_read_csv("lsc_places_2019_2022.csv"), start=1):
        _area(
            f"QE1-P{index}",
            row["place_name"],
            AreaLevel.PLACE,
            lsc_icp,
            status=row["status"],
            source=row["source_url"],
        )
    return icbs


def load_structure(*, by: Any = None) -> LoadSummary:
    """Load (or refresh) all reference structure in one transaction."""
    with transaction.atomic():
        templates = load_templates()
        practices, per_icp = _load_ni()
        icbs = _load_england()
        summary = LoadSummary(Area.objects.count(), practices, icbs, templates, per_icp)
        record(
            action=EventType.REFERENCE_LOAD, actor=by, detail={"areas": summary.areas, "practices": practices}
        )
    return summary
