"""``sahaja-server demo``: the whole system on one machine, with a living office.

``office.py`` opens the office at any hour, ``citizens.py`` replays a simulated day through
the real API in accelerated time, ``supervisor.py`` starts the server, a kiosk and a board and
stops them together.
"""
