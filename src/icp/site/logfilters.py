"""Keep query strings out of the logs: searches carry names and dates of birth in them.

The production server's access log never writes them (icp.site.server.ACCESS_LOG_FORMAT). Django's
development server logs the whole request line through the `django.server` logger; this filter cuts
the query string from it, so `icp serve --dev` and `make demo` keep the same rule.
"""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"(?<=\S)\?[^\s\"]*")


def without_query_string(text: str) -> str:
    return _QUERY.sub("", text)


class StripQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = without_query_string(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(without_query_string(a) if isinstance(a, str) else a for a in record.args)
        return True
