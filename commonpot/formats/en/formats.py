"""How dates are written in English, in one place.

A date is written one way, short ("Wed 1 Dec") or long ("Wednesday 1 December",
in headings and sentences), with the year only when it is not this year
("Wed 1 Dec 2027"). Django's own names carry the year: they are also what a
date shows without a format (`{{ lot.best_before }}`, a table's date column).
`commonpot.dates` picks the name without the year for a date in this year.
"""

# Django's names (Django falls back to its own English module for the rest).
DATE_FORMAT = "l j F Y"  # Wednesday 1 December 2027
SHORT_DATE_FORMAT = "D j M Y"  # Wed 1 Dec 2027
DATETIME_FORMAT = "l j F Y, H:i"  # Wednesday 1 December 2027, 14:30
SHORT_DATETIME_FORMAT = "D j M Y, H:i"  # Wed 1 Dec 2027, 14:30
TIME_FORMAT = "H:i"  # 14:30
MONTH_DAY_FORMAT = "j F"  # 1 December
YEAR_MONTH_FORMAT = "F Y"  # December 2027

# Commonpot's names: the same dates in this year, without it.
DAY_FORMAT = "D j M"  # Wed 1 Dec
LONG_DAY_FORMAT = "l j F"  # Wednesday 1 December
DAY_TIME_FORMAT = "D j M, H:i"  # Wed 1 Dec, 14:30
