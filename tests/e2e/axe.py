"""axe-core in the browser tests: `assert_accessible(page)` fails with every rule axe finds broken.

One helper for every journey test, so that every page a role visits is checked against the same
rules: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best-practice rules (landmarks, one main
heading, and so on). axe-core comes from the npm registry (`make assets` runs `npm ci`) and is
injected from our own node_modules, never from a CDN.

axe is evaluated through the browser's debugging protocol, which the site's content security policy
(no inline script) does not govern, so pages are checked exactly as they are served: no
`bypass_csp` is needed, and none should be used (it would hide a page that the policy breaks).

Use: `from tests.e2e.axe import assert_accessible`, then `assert_accessible(page)` on every page
a journey visits, after it has loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
NODES_SHOWN = 5


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now: each rule id, its help text and the first nodes."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make assets` (npm ci)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol, which the page's content security
        # policy does not govern: the pages are checked under the policy they are served with.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        TAGS,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [
                {"target": node["target"], "html": node["html"][:200]}
                for node in violation["nodes"][:NODES_SHOWN]
            ],
        }
        for violation in found
    ]


def assert_accessible(page: Any) -> None:
    """Fail, naming each rule and the elements that break it, if axe finds any violation."""
    violations = axe_violations(page)
    if violations:
        lines = [f"axe-core found {len(violations)} violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {node['target']}: {node['html']}" for node in violation["nodes"])
        pytest.fail("\n".join(lines), pytrace=False)
