"""Direct writes (server/direct_writes.py) in-process on gevent, with the real Engine.IO socket,
simple-websocket and wsproto over a socket pair whose buffers are small: a client that does not
read makes writes stop short, and every frame still arrives whole and in order."""

from __future__ import annotations

import socket

import engineio
import gevent
import gevent.socket
import pytest
from engineio import packet as eio_packet
from engineio.socket import Socket
from wsproto.frame_protocol import FrameProtocol, Opcode

from server import direct_writes

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
OPENED: list[tuple[gevent.socket.socket, gevent.socket.socket, gevent.Greenlet]] = []


@pytest.fixture(autouse=True)
def close_everything():
    """Every socket and greenlet a test opened is closed after it (warnings are errors)."""
    yield
    while OPENED:
        server_sock, client, handler = OPENED.pop()
        client.close()  # the server's reader sees the end and the handler returns
        handler.join(timeout=2)
        handler.kill(block=True, timeout=2)
        server_sock.close()


def tcp_pair() -> tuple[socket.socket, socket.socket]:
    """Both ends of a loopback TCP connection, with small buffers (a phone on a bad line)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client_end = socket.socket()
        client_end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client_end.connect(listener.getsockname())
        server_end, _ = listener.accept()
    server_end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    return server_end, client_end


def open_socket(eio, sid: str, extensions: str | None = None):
    """An upgraded WebSocket session ``sid`` of ``eio``; returns the client's end of it."""
    server_end, client_end = tcp_pair()
    server_sock = gevent.socket.socket(fileno=server_end.detach())
    environ = {
        "gunicorn.socket": server_sock,
        "HTTP_HOST": "test",
        "HTTP_UPGRADE": "websocket",
        "HTTP_CONNECTION": "Upgrade",
        "HTTP_SEC_WEBSOCKET_KEY": KEY,
        "HTTP_SEC_WEBSOCKET_VERSION": "13",
    }
    if extensions:
        environ["HTTP_SEC_WEBSOCKET_EXTENSIONS"] = extensions
    esock = Socket(eio, sid)
    eio.sockets[sid] = esock
    handler = eio._async["websocket"](esock._websocket_handler, eio)
    running = gevent.spawn(handler, environ, lambda *args: None)
    gevent.sleep(0.05)  # the handshake and the handler start
    client = gevent.socket.socket(fileno=client_end.detach())
    OPENED.append((server_sock, client, running))
    return client


def read_messages(client, count: int, seconds: float = 10, pause: float = 0) -> list[str]:
    """Text messages from the client's end, parsed by wsproto (a cut frame would not parse)."""
    frames = FrameProtocol(client=True, extensions=[])
    head, messages, part = b"", [], ""
    with gevent.Timeout(seconds, False):
        while b"\r\n\r\n" not in head:
            head += client.recv(4096)
        assert head.startswith(b"HTTP/1.1 101")
        frames.receive_bytes(head.split(b"\r\n\r\n", 1)[1])
        while len(messages) < count:
            for frame in frames.received_frames():  # a frame may come in pieces
                assert frame.opcode is Opcode.TEXT
                part += frame.payload
                if frame.message_finished:
                    messages.append(part)
                    part = ""
            if len(messages) < count:
                gevent.sleep(pause)  # a slow reader: the server's writes stop short
                frames.receive_bytes(client.recv(8192))
    return messages


def client_waits(hook: direct_writes.DirectWrites, sid: str) -> bool:
    """Packets of ``sid`` still in Engine.IO's queue."""
    return bool(hook.sockets[sid].eio_socket.queue.qsize())


def test_a_client_that_does_not_read_gets_every_packet_whole_and_in_order():
    eio = engineio.Server(async_mode="gevent")
    hook = direct_writes.install(eio)
    client = open_socket(eio, "slow")
    assert hook.sockets["slow"].plain
    # rounds of a frame far larger than the buffers (the kernel takes only its start) and small
    # ones right behind it, while the client reads slowly: partial writes, then the queue
    sent = []
    for r in range(20):
        sent += [f"{r:02d}big" + "x" * 50_000] + [f"{r:02d}small{i}" for i in range(5)]
    reader = gevent.spawn(read_messages, client, len(sent), 30, 0.001)
    for n, data in enumerate(sent):
        hook.send_packet("slow", eio_packet.Packet(eio_packet.MESSAGE, data=data))
        if n % 6 == 5:
            with gevent.Timeout(10):
                while hook.sockets["slow"].lock.locked() or client_waits(hook, "slow"):
                    gevent.sleep(0.005)  # everything out before the next round
    direct, queued = hook.direct, hook.queued
    assert direct >= 10 and queued >= 50, (direct, queued)  # both paths were taken, often
    assert direct + queued == len(sent)
    assert reader.get() == ["4" + data for data in sent]


def test_a_room_event_is_framed_once_and_reaches_every_reader():
    eio = engineio.Server(async_mode="gevent")
    hook = direct_writes.install(eio)
    clients = [open_socket(eio, f"s{i}") for i in range(5)]
    pkt = eio_packet.Packet(eio_packet.MESSAGE, data='2["ticket_called",{"call_id":1}]')
    for i in range(5):
        hook.send_packet(f"s{i}", pkt)
    assert getattr(pkt, direct_writes.FRAME_ATTR)  # built once, reused for each client
    for client in clients:
        assert read_messages(client, 1) == ['42["ticket_called",{"call_id":1}]']


def test_a_compressed_connection_takes_engine_io_s_path():
    eio = engineio.Server(async_mode="gevent")
    hook = direct_writes.install(eio)
    open_socket(eio, "deflate", extensions="permessage-deflate")
    assert not hook.sockets["deflate"].plain
    hook.send_packet("deflate", eio_packet.Packet(eio_packet.MESSAGE, data="hello"))
    assert (hook.direct, hook.queued) == (0, 1)
