"""The production web server behind `icp serve`: gunicorn with threaded workers (ADR 0131).

Workers and threads come from the environment (`ICP_WEB_WORKERS`, `ICP_WEB_THREADS`), so a container or
a service unit sizes the server without code changes. The access log carries the method, the path and
the status, never the query string or the referrer: searches put names and dates of birth in query
strings, and a record page's address would leak through a referrer.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

# Host, time, "METHOD /path PROTOCOL", status, bytes, duration in ms, user agent. %(U)s is the path
# without its query string; %(r)s (the request line) and %(f)s (the referrer) are left out on purpose.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"{name}={value!r}: expected a whole number of at least 1") from None
    if number < 1:
        raise SystemExit(f"{name}={value!r}: expected a whole number of at least 1")
    return number


def default_workers() -> int:
    """Two processes a core, plus one (gunicorn's advice), at most 8 unless ICP_WEB_WORKERS says more."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def server_options(address: str) -> dict[str, Any]:
    """gunicorn's settings for `icp serve --address HOST:PORT`, from the environment."""
    return {
        "bind": [address],
        "workers": _positive_int("ICP_WEB_WORKERS", default_workers()),
        "worker_class": "gthread",
        "threads": _positive_int("ICP_WEB_THREADS", 4),
        "timeout": _positive_int("ICP_WEB_TIMEOUT", 60),
        "graceful_timeout": 20,
        "keepalive": 5,
        # A worker is replaced after this many requests: bounds any slow leak in a long-running service.
        "max_requests": 2000,
        "max_requests_jitter": 200,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        # Only a proxy on these addresses may say the request came over HTTPS (X-Forwarded-Proto).
        "forwarded_allow_ips": os.environ.get("ICP_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "proc_name": "icp",
        "control_socket_disable": True,
    }


class ProductionServer(BaseApplication):  # type: ignore[misc]
    """gunicorn run in this process, serving the Django WSGI application."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Callable[..., Any]:
        # Each worker builds its own application (and so its own database connections) after the fork.
        from icp.site.wsgi import application

        return application
