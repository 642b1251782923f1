"""Generate the simulated office days in bench/scenarios/ (seeded, so they are reproducible).

    .venv/bin/python -m bench.make_scenarios            # rewrites bench/scenarios/*.toml

Days shaped like Kediri's Dukcapil service points (docs/simulation.md): a queue when the
kiosk opens, a morning peak that tails off towards the ticket cutoff, documents with their
own service times (KTP-el ~8 min, KK ~10, akta ~12, pindah ~15, each citizen drawn from a
log-normal around it), a few priority citizens and no-shows, and ~600 applicants a day over
the six sites (60-150 per site). Arrivals after the cutoff or over the quota are kept: the
kiosk refuses them, as it would.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).parent / "scenarios"

# typical minutes per citizen, and the share of applicants per document
SERVICE_MINUTES = {"KTP": 8.0, "KK": 10.0, "AKL": 12.0, "AKM": 12.0, "SPK": 15.0, "SPD": 15.0}
SERVICE_MIX = {"KTP": 0.40, "KK": 0.25, "AKL": 0.15, "AKM": 0.05, "SPK": 0.08, "SPD": 0.07}
SPREAD = 0.35  # coefficient of variation of one citizen's service time


@dataclass(frozen=True)
class Day:
    name: str
    about: str
    site: str
    date: str
    citizens: int
    # (from, to, weight): arrival intensity in local minutes; "queue at opening" is a heavy
    # first quarter hour
    profile: tuple[tuple[str, str, float], ...]
    counters: tuple[tuple[str, str | None, str | None], ...]
    priority_share: float = 0.06
    no_show_share: float = 0.04
    seed: int = 0


PEAK = (
    ("07:30", "07:45", 6.0),  # those who queued before opening
    ("07:45", "10:30", 3.0),  # the morning peak
    ("10:30", "12:00", 1.5),
    ("12:00", "13:00", 1.0),  # the kiosk keeps issuing through the lunch break
    ("13:00", "14:15", 0.6),  # the last ones run into the cutoff and are refused
)
CALM = (
    ("07:30", "07:45", 1.0),
    ("07:45", "12:00", 1.0),
    ("12:00", "13:00", 0.8),
    ("13:00", "14:00", 0.8),
)
FRIDAY = (
    ("07:30", "07:45", 6.0),
    ("07:45", "10:00", 3.0),
    ("10:00", "11:00", 1.2),
    ("11:00", "13:00", 0.5),  # Friday prayers: long break, few arrivals
)

DAYS = (
    Day(
        "pre-monday-peak",
        "Pare on a Monday: queue at opening, morning peak, lunch break (TUNED ON)",
        "PRE",
        "2026-12-07",
        82,
        PEAK,
        (("L1", None, None), ("L2", None, None)),
        seed=1,
    ),
    Day(
        "dkc-tuesday-noon-close",
        "The Dukcapil office on a Tuesday: 3 counters, Loket 3 leaves at noon (TUNED ON)",
        "DKC",
        "2026-12-08",
        125,
        PEAK,
        (("L1", None, None), ("L2", None, None), ("L3", None, "12:00")),
        seed=2,
    ),
    Day(
        "wts-wednesday-calm",
        "Wates on a calm Wednesday: arrivals spread over the day, nobody waits long",
        "WTS",
        "2026-12-09",
        60,
        CALM,
        (("L1", None, None), ("L2", None, None)),
        priority_share=0.05,
        no_show_share=0.03,
        seed=3,
    ),
    Day(
        "ppr-thursday-priority",
        "Papar on a Thursday: many priority citizens and no-shows, Loket 2 starts late (UNTOUCHED)",
        "PPR",
        "2026-12-10",
        75,
        PEAK,
        (("L1", None, None), ("L2", "08:15", None)),
        priority_share=0.15,
        no_show_share=0.08,
        seed=4,
    ),
    Day(
        "ngd-friday-prayers",
        "Ngadiluwih on a Friday: shorter day, the long break for Friday prayers (UNTOUCHED)",
        "NGD",
        "2026-12-11",
        66,
        FRIDAY,
        (("L1", None, None), ("L2", None, None)),
        seed=5,
    ),
)


def minute(text: str) -> float:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def hhmmss(value: float) -> str:
    seconds = round(value * 60)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def draw_minutes(rng: random.Random, mean: float) -> float:
    sigma = math.sqrt(math.log(1 + SPREAD**2))
    value = rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)
    return round(min(max(value, 2.0), mean * 4), 1)


def pick_span(spans: list[tuple[float, float, float]], pick: float) -> tuple[float, float]:
    """The span a point of the summed weights falls into."""
    for start, end, weight in spans:
        if pick < weight:
            return start, end
        pick -= weight
    return spans[-1][0], spans[-1][1]


def arrivals(day: Day, rng: random.Random) -> list[dict]:
    spans = [(minute(a), minute(b), w * (minute(b) - minute(a))) for a, b, w in day.profile]
    total = sum(w for *_, w in spans)
    out = []
    for _ in range(day.citizens):
        start, end = pick_span(spans, rng.random() * total)
        service = rng.choices(list(SERVICE_MIX), weights=list(SERVICE_MIX.values()))[0]
        out.append(
            {
                "at": start + rng.random() * (end - start),
                "service": service,
                "priority": rng.random() < day.priority_share,
                "minutes": draw_minutes(rng, SERVICE_MINUTES[service]),
                "no_show": rng.random() < day.no_show_share,
            }
        )
    return sorted(out, key=lambda a: a["at"])


def render(day: Day) -> str:
    rng = random.Random(day.seed)
    lines = [
        f"# {day.about}",
        f"# generated by bench/make_scenarios.py (seed {day.seed}); do not edit by hand",
        f'site = "{day.site}"',
        f'date = "{day.date}"',
        "",
    ]
    for code, start, end in day.counters:
        lines.append("[[counter]]")
        lines.append(f'code = "{code}"')
        if start:
            lines.append(f'from = "{start}"')
        if end:
            lines.append(f'to = "{end}"')
        lines.append("")
    for a in arrivals(day, rng):
        row = f'at = "{hhmmss(a["at"])}"\nservice = "{a["service"]}"\nminutes = {a["minutes"]}'
        if a["priority"]:
            row += "\npriority = true"
        if a["no_show"]:
            row += "\nno_show = true"
        lines += ["[[arrival]]", row, ""]
    return "\n".join(lines)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for day in DAYS:
        (OUT / f"{day.name}.toml").write_text(render(day), encoding="utf-8")
        print(f"{day.name}: {day.citizens} citizens at {day.site} on {day.date}")


if __name__ == "__main__":
    main()
