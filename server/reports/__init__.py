"""Office reports (issue 11, section 3): figures per site, service, counter and officer over a
range of days, as JSON, CSV, XLSX and a printable PDF, and the page ``/admin/reports``.

``figures.py`` holds the counting rules (pure), ``data.py`` reads the tickets in one
statement, ``tables.py``/``exports.py``/``pdf.py`` shape them, ``command.py`` is
``sahaja-server report``. Nothing is imported here: the command-line parser imports
``arguments.py`` before gevent patches the standard library.
"""


def init_app(app) -> None:
    """Register ``/admin/reports`` (called by ``server.app.create_app`` after the admin web)."""
    from server.reports.views import bp

    app.register_blueprint(bp)
