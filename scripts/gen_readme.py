#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Assemble each addon's README.rst from the fragments in its readme/.

Usage: python3 scripts/gen_readme.py [--check]

The fragments are plain Markdown paragraphs and lists (OCA's layout); this
turns inline code into reStructuredText and adds the sections. With --check it
only says whether README.rst is up to date (for pre-commit).
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = (
    "service_care",
    "service_care_queue_job",
    "service_care_dashboard",
    "service_care_loyalty",
)
SECTIONS = [
    ("INSTALL.md", "Installation"),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("DEVELOP.md", "Development"),
    ("ROADMAP.md", "Known issues / Roadmap"),
]
HEADER = """\
{rule}
{title}
{rule}

..
   This README is assembled from the fragments in readme/ by
   scripts/gen_readme.py: edit those, then run it.

.. |badge1| image:: https://img.shields.io/badge/licence-LGPL--3-blue.png
    :target: http://www.gnu.org/licenses/lgpl-3.0-standalone.html
    :alt: License: LGPL-3

|badge1|

"""


def to_rst(markdown):
    """Inline Markdown of the fragments to reStructuredText."""
    text = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", markdown.strip())
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`__", text) + "\n"


def render(addon):
    readme = addon / "readme"
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    title = manifest["name"]
    header = HEADER.format(rule="=" * len(title), title=title)
    parts = [header, to_rst((readme / "DESCRIPTION.md").read_text()), "\n"]
    parts.append("**Table of contents**\n\n.. contents::\n   :local:\n\n")
    for filename, title in SECTIONS:
        fragment = readme / filename
        if fragment.exists():
            parts += [
                f"{title}\n{'=' * len(title)}\n\n",
                to_rst(fragment.read_text()),
                "\n",
            ]
    parts.append("Credits\n=======\n\nContributors\n------------\n\n")
    parts.append(to_rst((readme / "CONTRIBUTORS.md").read_text()))
    return "".join(parts)


def main(argv):
    for name in ADDONS:
        target = ROOT / name / "README.rst"
        text = render(ROOT / name)
        if "--check" in argv:
            if not target.exists() or target.read_text() != text:
                sys.exit(f"{name}/README.rst is out of date: run scripts/gen_readme.py")
            continue
        target.write_text(text)


if __name__ == "__main__":
    main(sys.argv[1:])
