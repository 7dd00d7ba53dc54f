"""Tests fail closed on the network: a connection or a name lookup for anything but this
machine (127.0.0.1, ::1, localhost, unix sockets) raises at once and fails the test.

Patched at the Python level, so asyncio (loop.sock_connect and loop.getaddrinfo call these),
httpx, asyncpg and aiosqlite are all covered; child processes (`cdht run` in a subprocess)
are not, and the tests give them only 127.0.0.1 addresses."""

import socket
from typing import Any

LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1", "localhost", "", None})
violations: list[str] = []
_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex
_original_getaddrinfo = socket.getaddrinfo


class NetworkGuardError(RuntimeError):
    """Not an OSError, so code that handles network errors cannot swallow it."""


def _refuse(what: str) -> None:
    violations.append(what)
    raise NetworkGuardError(f"tests may only reach 127.0.0.1, not {what}")


def _check_address(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0] if isinstance(address, tuple) else address
        if host not in LOCAL_HOSTS:
            _refuse(f"{host} (connect)")


def _connect(self: socket.socket, address: Any) -> None:
    _check_address(self, address)
    _original_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check_address(self, address)
    return _original_connect_ex(self, address)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name not in LOCAL_HOSTS:
        _refuse(f"{name} (name lookup)")
    return _original_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo


def take_violations() -> list[str]:
    """The refused attempts since the last call (they may happen in another thread)."""
    taken = list(violations)
    violations.clear()
    return taken
