"""Cells that a spreadsheet will show, not run.

A CSV cell starting with = + - @ (or a tab or carriage return) is a formula to
Excel and LibreOffice; a donor or item name like "=HYPERLINK(...)" would run
on the coordinator's machine. Numbers, negative ones included, stay numbers.
`read_cell` undoes `safe_cell`, so a file we wrote reads back as it was.
"""

from __future__ import annotations


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def read_cell(text: str) -> str:
    """A cell as `safe_cell` was given it: the quote that kept a formula from running
    is taken off again."""
    if text[:1] == "'" and safe_cell(text[1:]) == text:
        return text[1:]
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
