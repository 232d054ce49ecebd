"""How Commonpot writes dates and times, per language (Django's FORMAT_MODULE_PATH).

`commonpot.dates` writes a date through these names; templates use its filters
(`|day`, `|long_day`, `|day_time`). Nothing else spells a date format.
"""
