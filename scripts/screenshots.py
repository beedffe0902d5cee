"""Take a screenshot of each role's home from a running demo, into docs/images/home-<role>.png.

Run `make demo` (or `icp demo` then `icp serve`), then:

    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000

Drives Debian's Chromium through Playwright, on loopback only. The README and the user guides use
these images, so take them again when a home page changes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
PASSWORD = "synthetic-demo-2026"  # noqa: S105 (the demo's shared password, synthetic logins only)
ROLES = {
    "gp": "demo-gp",
    "pharmacist": "demo-pharmacist",
    "voluntary": "demo-voluntary",
    "ig-lead": "demo-iglead",
    "analyst": "demo-analyst",
    "manager": "demo-manager",
    "member": "demo-member",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="where the demo is served")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium to drive")
    args = parser.parse_args()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        for name, username in ROLES.items():
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(f"{args.url}/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("heading", level=1).first.wait_for()
            # A home is drawn with the site's menu: an error page (a demo from other code) has none,
            # and must not end up in the guides as someone's home.
            if not page.get_by_role("navigation", name="Menu").count():
                raise SystemExit(f"{username}: {page.url} is not a home page: {page.title()!r}")
            target = IMAGES / f"home-{name}.png"
            page.screenshot(path=str(target))
            print(f"{username}: {page.url} -> {target.relative_to(ROOT)}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
