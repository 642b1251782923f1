"""The office's closed days as the core wants them: a ``date -> name`` mapping per site.

National holidays come from the ``holidays`` library (Indonesia, public holidays, Indonesian
names, kept current by its maintainers: 0.105 and later have the 2027 decree), the rest from
the config's ``[[holiday]]`` list (collective leave, local closures), which wins on a day both
name. Only the server imports the library; ``sahaja.core`` receives the mapping.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from functools import cache

import holidays as holidays_lib

from sahaja.config import Config

COUNTRY = "ID"
LANGUAGE = "id"  # names as Indonesians read them ("Hari Raya Idul Fitri")


@cache
def national_year(year: int) -> dict[date, str]:
    """Indonesia's public holidays of ``year`` with their Indonesian names."""
    found = holidays_lib.country_holidays(COUNTRY, years=year, language=LANGUAGE)
    return dict(found.items())


class OfficeHolidays(Mapping[date, str]):
    """The closed days of one site: national (by year, on demand) and configured ones."""

    def __init__(self, configured: Mapping[date, str], national: bool = True) -> None:
        self.configured = dict(configured)
        self.national = national

    def _year(self, year: int) -> dict[date, str]:
        return national_year(year) if self.national else {}

    def __getitem__(self, day: date) -> str:
        if day in self.configured:
            return self.configured[day]
        return self._year(day.year)[day]

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return day in self.configured or day in self._year(day.year)

    def __iter__(self) -> Iterator[date]:
        """The configured days and the national holidays of the years they fall in."""
        years = {d.year for d in self.configured}
        days = set(self.configured)
        for year in sorted(years):
            days |= set(self._year(year))
        return iter(sorted(days))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return True  # never empty-looking: the national holidays of any year may be asked


def site_holidays(config: Config) -> dict[str, OfficeHolidays]:
    """Every site's closed days."""
    return {
        code: OfficeHolidays(config.holidays_of(code), config.national_holidays)
        for code in config.sites
    }
