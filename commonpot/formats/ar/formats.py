"""How dates are written in Arabic, as commonpot/formats/en says for English."""

DATE_FORMAT = "l j F Y"  # الأربعاء 1 ديسمبر 2027
SHORT_DATE_FORMAT = "D j F Y"
DATETIME_FORMAT = "l j F Y، H:i"
SHORT_DATETIME_FORMAT = "D j F Y، H:i"
DAY_FORMAT = "D j F"  # أربعاء 1 ديسمبر
LONG_DAY_FORMAT = "l j F"  # الأربعاء 1 ديسمبر
DAY_TIME_FORMAT = "D j F، H:i"  # أربعاء 1 ديسمبر، 14:30
