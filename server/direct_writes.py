"""Live events written straight to each client's WebSocket, the frame built once per event.

Engine.IO's gevent driver hands every packet to a per-client queue and wakes that client's
writer greenlet, which frames it with wsproto and sends it: about 0.15 ms of CPU per client per
event here, so a call to a site's 833 clients cost 200 ms and its last client heard it late
(docs/benchmarks.md). This adapter installs itself on the Engine.IO server of a gevent process:

- ``send_packet`` (what python-socketio calls for each recipient of an emit) writes the frame
  with one non-blocking ``send`` from the emitting greenlet when the client is on a plain
  WebSocket (no compression negotiated) and its writer is idle: nothing queued, no write of
  ours unfinished, no greenlet waiting to write on its socket. Otherwise the packet takes
  Engine.IO's queue as before, so a client's packets keep their order.
- A frame the kernel takes only in part is finished by a greenlet of its own while a per-client
  lock keeps every other write (Engine.IO's writer included) waiting behind it.
- Engine.IO's writer sends through ``DirectWebSocket.send``, which takes the same lock and uses
  ``sendall``: simple-websocket's own ``send`` drops the rest of a partial write.

After every ``YIELD_EVERY`` direct writes in a row the emitting greenlet yields, so a request
waits for a slice of a room's writes, not for all of them. Pings, the handshake and
long-polling clients are untouched.
"""

from __future__ import annotations

import time
from typing import Any

import gevent
from engineio import packet as eio_packet
from engineio.async_drivers import gevent as gevent_driver
from engineio.async_drivers.gevent import WebSocketWSGI
from gevent import monkey
from gevent.lock import Semaphore
from prometheus_client import Counter
from wsproto.events import Message, TextMessage
from wsproto.frame_protocol import FrameProtocol

_os_thread_id = monkey.get_original("threading", "get_ident")  # not a greenlet's id
YIELD_EVERY = 16  # direct writes in a row before other greenlets (a request) get a turn
FRAME_ATTR = "_sahaja_frame"  # the frame cached on an Engine.IO packet shared by a room emit
FRAMES = Counter(
    "sahaja_live_packets",
    "Live packets sent to clients, by path (direct: written at once; queued: Engine.IO's writer)",
    ["path"],
)
DIRECT, QUEUED = FRAMES.labels("direct"), FRAMES.labels("queued")


class DirectWebSocket(WebSocketWSGI):
    """Engine.IO's gevent WebSocket, registered for direct writes while it is open."""

    registry: dict[str, DirectWebSocket]  # set per server by ``install``

    def __init__(self, handler: Any, server: Any) -> None:
        self.handler = handler  # the Engine.IO socket's bound ``_websocket_handler``
        self.eio_socket = handler.__self__
        self.lock = Semaphore()
        self.plain = False
        super().__init__(self._run, server)

    def _run(self, ws: DirectWebSocket) -> Any:
        sid = self.eio_socket.sid
        self.plain = self._plain()  # fixed by the handshake, before the handler runs
        self.registry[sid] = self
        try:
            return self.handler(ws)
        finally:
            if self.registry.get(sid) is self:
                del self.registry[sid]

    def send(self, message: str | bytes) -> None:
        ws = self.ws
        if not ws.connected:
            raise OSError("websocket closed")
        data = ws.ws.send(
            Message(data=message) if isinstance(message, bytes) else TextMessage(data=message)
        )
        with self.lock:  # after any frame of ours still going out
            ws.sock.sendall(data)

    def _plain(self) -> bool:
        """No extension (permessage-deflate) agreed on this connection: frames need no context."""
        try:
            return not self.ws.ws.connection._proto.extensions  # noqa: SLF001
        except AttributeError:  # another wsproto: take the safe path
            return False

    def write_direct(self, frame: bytes, ping_timeout: float) -> bool:
        """Send ``frame`` now if nothing may come before it; False: use Engine.IO's queue."""
        s = self.eio_socket
        if not s.upgraded or s.upgrading or s.closing or s.closed or not self.ws.connected:
            return False
        if s.last_ping and time.time() - s.last_ping > ping_timeout:
            return False  # Engine.IO's own send closes a client that stopped answering
        if self.lock.locked() or s.queue.qsize():
            return False
        sock = self.ws.sock
        if sock._write_event.active:  # noqa: SLF001  somebody waits to write on it
            return False
        try:
            sent = sock._sock.send(frame)  # noqa: SLF001  the OS socket, non-blocking
        except BlockingIOError:
            return False  # nothing written: the queue's writer sends it when it can
        except OSError:
            return False  # broken: Engine.IO's path notices and closes
        if sent < len(frame):
            self.lock.acquire()  # free: checked above, and nothing yielded since
            gevent.spawn(self._finish, memoryview(frame)[sent:])
        return True

    def _finish(self, rest: memoryview) -> None:
        try:
            self.ws.sock.sendall(rest)
        except OSError:
            pass  # the reader sees the broken connection and Engine.IO closes it
        finally:
            self.lock.release()


class DirectWrites:
    """The hook on one Engine.IO server. ``sahaja_live_packets_total`` counts the paths; the
    direct ones in batches of ``YIELD_EVERY``, so up to that many are not counted yet."""

    def __init__(self, eio: Any) -> None:
        self.eio = eio
        self.sockets: dict[str, DirectWebSocket] = {}
        self.framer = FrameProtocol(client=False, extensions=[])
        self._queued_send = eio.send_packet
        self._loop_thread = _os_thread_id()  # yields only on the event loop's own thread
        self._in_a_row = 0
        self.direct = self.queued = 0  # packets by path since install (this process)

    def send_packet(self, sid: str, pkt: eio_packet.Packet) -> None:
        ws = self.sockets.get(sid)
        if ws is not None and ws.plain:
            frame = getattr(pkt, FRAME_ATTR, None)
            if frame is None:
                frame = bytes(self.framer.send_data(pkt.encode(), fin=True))
                setattr(pkt, FRAME_ATTR, frame)
            if ws.write_direct(frame, self.eio.ping_timeout):
                self.direct += 1
                self._in_a_row += 1
                if self._in_a_row >= YIELD_EVERY:
                    DIRECT.inc(self._in_a_row)  # counted in batches: ~4 % of the CPU per frame
                    self._in_a_row = 0
                    if _os_thread_id() == self._loop_thread:
                        gevent.sleep(0)  # a room of 833 is ~25 ms of writes: let others in
                return
        self.queued += 1
        QUEUED.inc()
        self._queued_send(sid, pkt)


def install(eio: Any) -> DirectWrites | None:
    """Route ``eio``'s packet sends through direct writes (a gevent Engine.IO server on
    simple-websocket only; None: left as it was, e.g. with gevent-websocket installed)."""
    if gevent_driver.SimpleWebSocketWSGI is None:
        return None
    hook = DirectWrites(eio)

    class Registered(DirectWebSocket):
        registry = hook.sockets

    eio._async = {**eio._async, "websocket": Registered}  # noqa: SLF001  this server only
    eio.send_packet = hook.send_packet
    return hook
