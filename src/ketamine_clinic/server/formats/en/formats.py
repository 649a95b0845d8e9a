"""Dates and times as every screen shows them: "6 Dec 2026", "6 Dec 2026, 14:41", "14:41".

One unambiguous human format (day, short month, year; the 24-hour clock), chosen because a
clinic's staff and patients read "6 Dec" the same way on either side of the Atlantic, where
"12/6" is read two ways. Machine formats (FHIR, CSV, the API, form fields) stay ISO 8601.
Django picks this module through FORMAT_MODULE_PATH; `{{ day|date }}` and
`{{ moment|date:"DATETIME_FORMAT" }}` use it.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
