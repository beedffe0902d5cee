"""Copy the NHS design system (nhsuk-frontend, from the npm registry) into icp's static files.

Pages must work with no network at run time, so two things in the published CSS are rewritten:
- the Frutiger web fonts are loaded from a font host; that licensed font is not ours to ship, so
  the @font-face rules are removed and the design system's own fallback stack (Arial) is used;
- image URLs are absolute (`/assets/...`); they are made relative to the CSS file so they resolve
  under Django's static URL.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
TARGET = ROOT / "src" / "icp" / "site" / "static" / "vendor" / "nhsuk"

FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
ABSOLUTE_ASSET = re.compile(r"url\(/assets/")


def build() -> None:
    if not SOURCE.is_dir():
        sys.exit(f"{SOURCE} is missing: run `npm ci` first (make assets does).")
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    css = (SOURCE / "nhsuk-frontend.min.css").read_text(encoding="utf-8")
    css = FONT_FACE.sub("", css)
    css = ABSOLUTE_ASSET.sub("url(assets/", css)
    if "://" in "".join(re.findall(r"url\([^)]*\)", css)):
        sys.exit("nhsuk-frontend CSS still refers to a remote URL; update scripts/build_assets.py")
    (TARGET / "nhsuk-frontend.min.css").write_text(css, encoding="utf-8")
    shutil.copy2(SOURCE / "nhsuk-frontend.min.js", TARGET / "nhsuk-frontend.min.js")
    shutil.copytree(SOURCE / "assets", TARGET / "assets")
    print(f"nhsuk-frontend copied to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    build()
