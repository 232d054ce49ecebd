"""How dates are written in Spanish, as commonpot/formats/en says for English."""

DATE_FORMAT = r"l j \d\e F \d\e Y"  # miércoles 1 de diciembre de 2027
SHORT_DATE_FORMAT = "D j b Y"  # mié 1 dic 2027
DATETIME_FORMAT = r"l j \d\e F \d\e Y, H:i"
SHORT_DATETIME_FORMAT = "D j b Y, H:i"
DAY_FORMAT = "D j b"  # mié 1 dic
LONG_DAY_FORMAT = r"l j \d\e F"  # miércoles 1 de diciembre
DAY_TIME_FORMAT = "D j b, H:i"  # mié 1 dic, 14:30
