"""The pure queue core: rules, numbering, quotas, balancing and estimates.

Nothing here imports Flask, SQLAlchemy, pygame or a device library; time comes in as an
argument (or a ``Clock``), so the tests drive it. The server's storage layer loads rows, asks
these functions what to do, and writes the answer back inside one transaction.
"""
