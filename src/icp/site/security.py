"""Response headers every page and API answer carries (ADR 0132).

- Content-Security-Policy: scripts, styles, fonts and images only from icp itself; no inline script
  or style (the templates carry none: a test reads them all), no plugins, no framing, forms post
  only to icp. Images may also be `data:` URIs (the NHS design system's icons, the API docs).
- Cache-Control: no-store, private on every response that does not say it is public: pages and API
  answers carry patient data, and no browser, proxy or shared computer should keep a copy. Static
  files are served before this middleware (WhiteNoise) with their own long-lived caching.
- Referrer-Policy, HSTS and the HTTPS redirect come from Django's SecurityMiddleware (settings).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        if "public" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response
