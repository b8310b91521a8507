"""The tour registry stays bounded however many tour names clients make up (real server, real sockets)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import TIMEOUT
from server_harness import Client, guide_server, settings_for, visitor
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from guide_core.catalogue.loader import load_catalogue_or_raise
from guide_core.demo_tokens import DEMO_VISITOR_TOKEN
from guide_core.protocol import ClientKind, CloseCode, ErrorCode, Hello
from guide_server.exceptions import TourLimitReached
from guide_server.tours.registry import TourRegistry

MAX_TOURS = 16


async def _visit_once(server, tour: str) -> str:  # type: ignore[no-untyped-def]
    """Connect to `tour`, take its state and leave; returns the tour the state names."""
    async with visitor(server, tour=tour) as client:
        welcome_tour = (await client.recv_type("tour.state")).tour
    return welcome_tour


async def test_thousands_of_tour_names_keep_the_registry_bounded(tmp_path: Path, exhibits_dir: Path) -> None:
    settings = settings_for(tmp_path, exhibits_dir, max_tours=MAX_TOURS)
    async with guide_server(settings) as server:
        tours = server.services.tours
        names = [f"made-up-{i}" for i in range(2000)]
        largest = 0
        for start in range(0, len(names), 8):  # eight clients at a time
            batch = names[start : start + 8]
            seen = await asyncio.gather(*(_visit_once(server, name) for name in batch))
            assert seen == batch, "each client must be in the tour it named"
            largest = max(largest, len(tours))
        assert largest <= MAX_TOURS, f"{largest} tours held at once (max {MAX_TOURS})"
        async with visitor(server, tour="default") as again:  # the server still serves
            assert (await again.recv_type("tour.state")).tour == "default"


async def _refused(server, tour: str) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    async with connect(server.ws("/ws/visitor")) as socket:
        client = Client(socket)
        await client.send(Hello(client=ClientKind.VISITOR, token=DEMO_VISITOR_TOKEN, tour=tour))
        error = await client.recv()
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), TIMEOUT)
    return error.model_dump(), closed.value.rcvd.code


async def test_a_new_tour_is_refused_clearly_while_every_tour_is_in_use(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir, max_tours=2)) as server:
        async with visitor(server, tour="a"), visitor(server, tour="b") as b:
            error, code = await _refused(server, "c")
            assert code == CloseCode.TOO_MANY_TOURS
            assert error["code"] == ErrorCode.TOO_MANY_TOURS
            assert "2 tours" in error["message"] and "GUIDE_MAX_TOURS" in error["message"]
            async with visitor(server, tour="a") as joined:  # existing tours stay open to join
                assert (await joined.recv_type("tour.state")).tour == "a"
            await b.close()
            await b.socket.wait_closed()
            async with visitor(server, tour="c") as newcomer:  # b's tour, now empty, made room
                assert (await newcomer.recv_type("tour.state")).tour == "c"
                assert len(server.services.tours) == 2


class ManualClock:
    """Time that moves only when the test says."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_an_empty_tour_is_forgotten_after_the_idle_expiry(exhibits_dir: Path) -> None:
    catalogue = load_catalogue_or_raise(exhibits_dir)
    clock = ManualClock()
    registry = TourRegistry(
        catalogue=lambda: catalogue,
        narration=lambda *args: None,  # type: ignore[arg-type,return-value]  # no description starts here
        max_tours=10,
        idle_expiry_s=60.0,
        clock=clock,
    )
    first = registry.get("first")
    registry.left(first)
    clock.now = 59.0
    registry.get("second")
    assert registry.get("first") is first, "forgotten before its idle time was up"
    registry.left(first)
    clock.now = 59.0 + 60.0
    registry.get("third")
    assert registry.get("first") is not first, "an empty tour outlived its idle expiry"
    await registry.close()


async def test_a_tour_with_clients_is_never_forgotten(exhibits_dir: Path) -> None:
    catalogue = load_catalogue_or_raise(exhibits_dir)
    registry = TourRegistry(catalogue=lambda: catalogue, narration=lambda *args: None, max_tours=1)  # type: ignore[arg-type,return-value]
    busy = registry.get("busy")
    busy.visitors.append(object())  # type: ignore[arg-type]  # someone is connected
    registry.left(busy)
    with pytest.raises(TourLimitReached, match="1 tours"):
        registry.get("other")
    assert registry.get("busy") is busy
    await registry.close()
