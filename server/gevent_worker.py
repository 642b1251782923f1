"""Gunicorn's gevent worker, made fair between keep-alive connections, answering in one write.

A greenlet only yields when a socket read would block. Under load the next request of a
keep-alive client is often already in the socket when the previous answer is sent, so the
stock worker served one connection again and again while the others waited: with 8 wrk
connections a trivial Flask app answered at p50 0.6 ms but p90 100-500 ms and p99 up to 1 s.
Yielding once after every request puts the connection at the back of the queue (p99 15-34 ms,
same throughput). Imported only by a gevent-patched process.

Gunicorn writes an answer's headers and its body with two ``sendall`` calls: two system
calls and two trips through gevent's socket for every API answer, and two TCP segments.
``OneWriteResponse`` sends them together when the body comes in one piece of the announced
``Content-Length`` (every JSON answer of Flask); anything else (streams, files, chunked
bodies, HEAD) goes through Gunicorn's own path unchanged.
"""

from __future__ import annotations

import gevent
from gunicorn.http import wsgi
from gunicorn.workers.ggevent import GeventWorker


class OneWriteResponse(wsgi.Response):
    def write(self, arg: bytes) -> None:
        if (
            self.headers_sent
            or not isinstance(arg, bytes)
            or self.chunked
            or getattr(self, "_omits_body", True)  # HEAD, 1xx, 204, 304: Gunicorn's path
            or self.response_length is None
            or len(arg) != self.response_length
        ):
            super().write(arg)
            return
        # what send_headers() writes, then the body, in one sendall
        lines = self.default_headers()
        lines.extend(["%s: %s\r\n" % (k, v) for k, v in self.headers])  # noqa: UP031 (as Gunicorn)
        head = ("%s\r\n" % "".join(lines)).encode("latin-1")  # noqa: UP031
        self.headers_sent = True
        self.sent += len(arg)
        self.sock.sendall(head + arg)


class FairGeventWorker(GeventWorker):
    def init_process(self) -> None:
        wsgi.Response = OneWriteResponse  # wsgi.create() makes every request's response
        super().init_process()

    def handle_request(self, *args, **kwargs):
        try:
            return super().handle_request(*args, **kwargs)
        finally:
            gevent.sleep(0)  # let every other ready connection have its turn
