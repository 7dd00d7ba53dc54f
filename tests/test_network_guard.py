"""The suite fails closed: nothing but this machine can be reached from a test."""

import asyncio
import socket

import httpx
import pytest

from tests import network_guard
from tests.network_guard import NetworkGuardError


def test_a_connection_elsewhere_is_refused_before_it_is_tried() -> None:
    with socket.socket() as sock, pytest.raises(NetworkGuardError):
        sock.connect(("10.255.255.1", 9))
    with pytest.raises(NetworkGuardError):
        socket.getaddrinfo("api.telegram.org", 443)
    assert network_guard.take_violations() == [
        "10.255.255.1 (connect)",
        "api.telegram.org (name lookup)",
    ]


async def test_asyncio_and_httpx_are_refused_too() -> None:
    with pytest.raises(NetworkGuardError):
        await asyncio.open_connection("192.0.2.1", 80)
    async with httpx.AsyncClient() as client:
        with pytest.raises(NetworkGuardError):
            await client.get("https://api.telegram.org/")
    assert len(network_guard.take_violations()) == 2


async def test_this_machine_is_reachable() -> None:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        await writer.wait_closed()
        _reader, writer = await asyncio.open_connection("localhost", port)
        writer.close()
        await writer.wait_closed()
    assert network_guard.take_violations() == []
