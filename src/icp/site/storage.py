"""Static files storage: content-hashed names and compressed copies (WhiteNoise), source maps left alone.

The NHS design system's minified files name source maps that its package does not ship; Django's
manifest storage would refuse to collect them. Only the source-map references are left unrewritten:
`url()` and `@import` references are still hashed, so every asset can be cached for a year.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _pattern_text(pattern: Any) -> str:
    return pattern if isinstance(pattern, str) else str(pattern[0])


class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    patterns = tuple(
        (extension, tuple(p for p in rules if "sourceMappingURL" not in _pattern_text(p)))
        for extension, rules in CompressedManifestStaticFilesStorage.patterns
    )
