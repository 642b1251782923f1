"""Pick the python-escpos backend named by a config string.

``usb:0x04b8:0x0202``, ``network:192.168.1.50:9100``, ``serial:/dev/ttyUSB0[:baud]``,
``file:/dev/usb/lp0``, ``dummy``. Kept apart from the layout so a typo in the spec is refused
at start-up, with a message naming the accepted forms.
"""

from __future__ import annotations

import socket

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network as _EscposNetwork

from hardware.printer import PrinterConfigError

SPEC_HELP = (
    "usb:VENDOR:PRODUCT (e.g. usb:0x04b8:0x0202), network:HOST[:PORT], "
    "serial:DEVICE[:BAUD], file:PATH, dummy"
)
DEFAULT_TIMEOUT = 5.0  # seconds; escpos' own default for Network is 60


def open_printer(spec: str, *, profile: str | None = None, timeout: float = DEFAULT_TIMEOUT):
    """Build (but do not connect) the escpos printer that ``spec`` names."""
    kind, _, rest = spec.strip().partition(":")
    kind = kind.lower()
    kwargs: dict[str, object] = {"profile": profile} if profile else {}
    try:
        if kind == "dummy" and not rest:
            from escpos.printer import Dummy

            return Dummy(**kwargs)
        if kind == "usb":
            from escpos.printer import Usb

            vendor, _, product = rest.partition(":")
            return Usb(int(vendor, 16), int(product, 16), timeout=int(timeout * 1000), **kwargs)
        if kind == "network" and rest:
            host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
            return Network(host or rest, int(port or 9100), timeout=timeout, **kwargs)
        if kind == "serial" and rest:
            from escpos.printer import Serial

            dev, _, baud = rest.partition(":")
            return Serial(dev, baudrate=int(baud or 9600), timeout=timeout, **kwargs)
        if kind == "file" and rest:
            from escpos.printer import File

            return File(rest, **kwargs)
    except ValueError as exc:
        raise PrinterConfigError(f"printer {spec!r}: {exc}; use {SPEC_HELP}") from exc
    raise PrinterConfigError(f"printer {spec!r} not understood; use {SPEC_HELP}")


def describe(printer: Escpos) -> str:
    """Short name for logs and health reports."""
    return type(printer).__name__.lower()


class Network(_EscposNetwork):
    """escpos' Network printer, minus a socket leaked each time a connection is refused."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            self._device = None
            if raise_not_found:
                raise DeviceNotFoundError(f"Could not open socket for {self.host}: {exc}") from exc
            return
        self.device = sock
