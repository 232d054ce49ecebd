"""How dates are written in Ukrainian, as commonpot/formats/en says for English.

`E` is the month's name as a date says it ("1 грудня", not "1 грудень")."""

DATE_FORMAT = "l, j E Y р."  # середа, 1 грудня 2027 р.
SHORT_DATE_FORMAT = "D, j E Y"  # Ср, 1 грудня 2027
DATETIME_FORMAT = "l, j E Y р., H:i"
SHORT_DATETIME_FORMAT = "D, j E Y, H:i"
DAY_FORMAT = "D, j E"  # Ср, 1 грудня
LONG_DAY_FORMAT = "l, j E"  # середа, 1 грудня
DAY_TIME_FORMAT = "D, j E, H:i"  # Ср, 1 грудня, 14:30
