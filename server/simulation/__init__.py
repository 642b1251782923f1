"""A simulated office day: one site's day run on the real server code with a virtual clock,
measuring how far the estimate a citizen was given lands from the moment they were called.

``scenario.py`` reads and checks a scenario file, ``day.py`` runs the day (the real
``QueueStore`` on a temporary SQLite database, officers who press "next", "skip" and
"finish"), ``reference.py`` is the best-case estimate the figures are compared with, and
``metrics.py`` turns the day into the printed summary. See docs/simulation.md.
"""

from server.simulation.day import DayResult, TicketRecord, run_day
from server.simulation.metrics import summary
from server.simulation.scenario import Arrival, CounterShift, Scenario, ScenarioError, load_scenario

__all__ = [
    "Arrival",
    "CounterShift",
    "DayResult",
    "Scenario",
    "ScenarioError",
    "TicketRecord",
    "load_scenario",
    "run_day",
    "summary",
]
