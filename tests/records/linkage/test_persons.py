"""Pairs become persons strongest first, without chaining people a reviewer or a source keeps apart."""

from __future__ import annotations

from icp.records.linkage.persons import Link, RecordFacts, Rule, cluster, primary_record


def _facts(**sources: str) -> dict[str, RecordFacts]:
    return {
        record: RecordFacts(source=source, registered=source == "gp", has_number=True)
        for record, source in sources.items()
    }


def test_linked_records_share_the_id_of_the_registered_record() -> None:
    persons = cluster(
        _facts(t1="trust", g1="gp", c1="council"),
        [Link("g1", "t1", Rule.NUMBER), Link("c1", "t1", Rule.MODEL, 0.995)],
    )
    assert persons.person_of == {"g1": "g1", "t1": "g1", "c1": "g1"}
    assert persons.links_made == {Rule.NUMBER: 1, Rule.MODEL: 1}
    assert persons.count == 1


def test_a_reviewers_apart_is_never_overridden_even_through_a_third_record() -> None:
    records = _facts(g1="gp", t1="trust", c1="council")
    links = [Link("g1", "t1", Rule.NUMBER), Link("c1", "t1", Rule.MODEL, 0.999)]
    persons = cluster(records, links, apart=[("c1", "g1")])
    assert persons.person_of["g1"] == persons.person_of["t1"] != persons.person_of["c1"]
    assert persons.refused == [links[1]]


def test_an_automatic_link_never_gives_a_person_two_records_of_one_source() -> None:
    records = _facts(g1="gp", g2="gp", t1="trust")
    persons = cluster(records, [Link("g1", "t1", Rule.MODEL, 0.999), Link("g2", "t1", Rule.MODEL, 0.995)])
    assert persons.person_of == {"g1": "g1", "t1": "g1", "g2": "g2"}
    assert [(link.left, link.right) for link in persons.refused] == [("g2", "t1")]


def test_a_reviewer_may_join_two_records_of_one_source() -> None:
    persons = cluster(_facts(g1="gp", g2="gp"), [Link("g1", "g2", Rule.REVIEWER)])
    assert persons.person_of == {"g1": "g1", "g2": "g1"}


def test_the_strongest_link_wins_when_two_compete_for_one_record() -> None:
    records = _facts(g1="gp", g2="gp", t1="trust")
    weak, strong = Link("g1", "t1", Rule.MODEL, 0.991), Link("g2", "t1", Rule.MODEL, 0.999)
    persons = cluster(records, [weak, strong])
    assert persons.person_of["t1"] == "g2"


def test_the_primary_record_is_registered_then_numbered_then_smallest() -> None:
    assert (
        primary_record({"b": RecordFacts("trust", False, True), "z": RecordFacts("gp", True, False)}) == "z"
    )
    assert (
        primary_record({"b": RecordFacts("trust", False, True), "a": RecordFacts("council", False, False)})
        == "b"
    )
    assert (
        primary_record({"b": RecordFacts("trust", False, False), "a": RecordFacts("council", False, False)})
        == "a"
    )
