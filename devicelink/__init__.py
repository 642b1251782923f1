"""One client library for the three device apps (kiosk, board, counter box).

- ``devicelink.link``: the Socket.IO link (connects with the device token, retries forever,
  tells "server unreachable" from "token refused", hands events to callbacks);
- ``devicelink.http``: an authenticated ``requests`` session and API addresses;
- ``devicelink.health``: periodic ``POST /api/v1/devices/me/health`` reports;
- ``devicelink.settings``: the one set of environment names and the TOML reader;
- ``devicelink.officetime``: the office's time zone from the server;
- ``devicelink.fonts``: a bounded font cache for the pygame screens (needs pygame).

Depends on python-socketio's client and requests only (the ``client`` extra); never on Flask,
SQLAlchemy or the server package.
"""
