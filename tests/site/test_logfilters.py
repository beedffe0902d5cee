"""The development server's access log loses its query strings (names and dates of birth)."""

from __future__ import annotations

import logging

from icp.site.logfilters import StripQueryStrings, without_query_string


def test_a_request_line_keeps_its_path_and_loses_its_query_string() -> None:
    line = '"GET /sharing/patients/?name=Zephyrine&birth_date=1941-03-02 HTTP/1.1" 200 5120'
    assert without_query_string(line) == '"GET /sharing/patients/ HTTP/1.1" 200 5120'


def test_the_filter_rewrites_the_django_server_record() -> None:
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /fhir/Patient?family=Smith HTTP/1.1", "200", "42"),
        None,
    )
    assert StripQueryStrings().filter(record)
    assert record.getMessage() == '"GET /fhir/Patient HTTP/1.1" 200 42'


def test_the_settings_route_the_development_server_log_through_the_filter() -> None:
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["stderr"]
    assert "no_query_strings" in handler["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["stderr"]
