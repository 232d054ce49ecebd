"""How dates are written in French, as commonpot/formats/en says for English."""

DATE_FORMAT = "l j F Y"  # mercredi 1 décembre 2027
SHORT_DATE_FORMAT = "D j b Y"  # mer 1 déc 2027
DATETIME_FORMAT = "l j F Y, H:i"
SHORT_DATETIME_FORMAT = "D j b Y, H:i"
DAY_FORMAT = "D j b"  # mer 1 déc
LONG_DAY_FORMAT = "l j F"  # mercredi 1 décembre
DAY_TIME_FORMAT = "D j b, H:i"  # mer 1 déc, 14:30
