"""Template source rules that Django does not enforce itself."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# `{# ... #}` is a one-line comment in Django: one that runs onto a second line
# is not a comment at all, and its text shows on the page.
MULTI_LINE_COMMENT = re.compile(r"\{#(?:(?!#\}).)*\n", re.S)


def test_no_template_has_a_one_line_comment_over_several_lines():
    spilt = [
        f"{path.relative_to(TEMPLATES)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for text in [path.read_text()]
        for m in MULTI_LINE_COMMENT.finditer(text)
    ]
    assert not spilt, f"use {{% comment %}} for these: {spilt}"
