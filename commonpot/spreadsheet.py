"""Cells that a spreadsheet will show, not run.

A CSV cell starting with = + - @ (or a tab or carriage return) is a formula to
Excel and LibreOffice; a donor or item name like "=HYPERLINK(...)" would run
on the coordinator's machine. Numbers, negative ones included, stay numbers.
"""

from __future__ import annotations


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
