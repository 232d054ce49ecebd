"""How dates are written in Brazilian Portuguese, as commonpot/formats/en says for English."""

DATE_FORMAT = r"l, j \d\e F \d\e Y"  # Quarta-feira, 1 de Dezembro de 2027
SHORT_DATE_FORMAT = "D, j b Y"  # Qua, 1 dez 2027
DATETIME_FORMAT = r"l, j \d\e F \d\e Y, H:i"
SHORT_DATETIME_FORMAT = "D, j b Y, H:i"
DAY_FORMAT = "D, j b"  # Qua, 1 dez
LONG_DAY_FORMAT = r"l, j \d\e F"  # Quarta-feira, 1 de Dezembro
DAY_TIME_FORMAT = "D, j b, H:i"  # Qua, 1 dez, 14:30
