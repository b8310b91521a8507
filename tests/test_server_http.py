"""The HTTP side of a real server: exhibits, feedback, health, readiness and metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from conftest import TIMEOUT
from server_harness import EXHIBIT, guide_server, robot, settings_for, shared_embedder, visitor
from test_server_streaming import TEXT, enter

from guide_core.demo_tokens import DEMO_VISITOR_TOKEN
from guide_server.api import create_app
from guide_server.api.running import running_server
from guide_server.core.config import GuideSettings
from guide_server.feedback.store import export_feedback
from guide_server.generation.engines.scripted import ScriptedEngine

AUTH = {"Authorization": f"Bearer {DEMO_VISITOR_TOKEN}"}


async def test_exhibits_are_listed_and_fetched(tmp_path: Path, exhibits_dir: Path) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), ScriptedEngine(TEXT)) as server:
        catalogue = server.services.current_catalogue()
        async with httpx.AsyncClient(base_url=server.url) as http:
            listing = (await http.get("/api/exhibits")).json()
            one = await http.get(f"/api/exhibits/{EXHIBIT}")
            missing = await http.get("/api/exhibits/atlantis")
            malformed = await http.get("/api/exhibits/Kolossi_Castle")
            dotted = await http.get("/api/exhibits/..%2F..%2Fetc")
            plan = (await http.get("/api/museum")).json()
    assert [e["id"] for e in listing][: len(catalogue.floor_plan.tour)] == catalogue.floor_plan.tour
    assert len(listing) == len(catalogue.exhibits)
    assert one.status_code == 200 and one.json()["exhibit"]["title"] == catalogue.exhibits[EXHIBIT].title
    assert missing.status_code == 404 and "GET /api/exhibits" in missing.json()["detail"]
    assert malformed.status_code == 400 and "not an exhibit id" in malformed.json()["detail"]
    assert dotted.status_code in (400, 404)
    assert plan["tour"] == catalogue.floor_plan.tour and len(plan["exhibits"]) == len(
        catalogue.floor_plan.exhibits
    )


async def test_feedback_over_http_is_stored(tmp_path: Path, exhibits_dir: Path) -> None:
    settings = settings_for(tmp_path, exhibits_dir)
    body = {"exhibit_id": EXHIBIT, "rating": 5, "comment": "lovely", "author": "curator", "correction": "x"}
    async with guide_server(settings, ScriptedEngine(TEXT)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            saved = await http.post("/api/feedback", json=body, headers=AUTH)
            no_token = await http.post("/api/feedback", json=body)
            unknown = await http.post("/api/feedback", json=body | {"exhibit_id": "atlantis"}, headers=AUTH)
            bad_rating = await http.post("/api/feedback", json=body | {"rating": 9}, headers=AUTH)
    assert saved.status_code == 201
    assert (no_token.status_code, unknown.status_code, bad_rating.status_code) == (401, 404, 422)
    [record] = export_feedback(settings.feedback_db)
    assert (record.id, record.author, record.comment) == (saved.json()["feedback_id"], "curator", "lovely")


class SlowStartEngine(ScriptedEngine):
    """A scripted engine whose start() returns only when the test says so."""

    def __init__(self) -> None:
        super().__init__(TEXT)
        self.loaded = asyncio.Event()

    async def start(self) -> None:
        await self.loaded.wait()


async def test_readyz_waits_for_the_engine(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = SlowStartEngine()
    app = create_app(settings_for(tmp_path, exhibits_dir), engine=engine, embedder=shared_embedder())
    async with running_server(app) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.get("/healthz")).status_code == 200
        loading = await http.get("/readyz")
        engine.loaded.set()
        await asyncio.wait_for(app.state.services.engine_status.ready.wait(), TIMEOUT)
        ready = await http.get("/readyz")
    assert (loading.status_code, loading.json()["status"]) == (503, "loading")
    assert (ready.status_code, ready.json()["model_id"]) == (200, "scripted")


async def test_metrics_count_connections_generations_and_cache_hits(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), ScriptedEngine(TEXT)) as server:
        async with visitor(server) as guest, robot(server) as bot:
            await enter(bot)
            await guest.stream()
            async with httpx.AsyncClient(base_url=server.url) as http:
                text = (await http.get("/metrics")).text
    assert 'guide_connections{client="visitor"} 1.0' in text
    assert 'guide_connections{client="robot"} 1.0' in text
    assert 'guide_generations_total{finish_reason="stop",kind="description"} 1.0' in text
    assert 'guide_time_to_first_token_seconds_count{kind="description"} 1.0' in text
    assert "guide_tokens_per_second_count" in text
    assert "guide_description_cache_misses_total 1.0" in text


async def test_static_client_is_served_at_the_root(tmp_path: Path, exhibits_dir: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text("<h1>headset</h1>", encoding="utf-8")
    settings = settings_for(tmp_path, exhibits_dir, static_dir=static)
    async with guide_server(settings, ScriptedEngine(TEXT)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            page = await http.get("/")
            health = await http.get("/healthz")
    assert page.text == "<h1>headset</h1>" and health.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"visitor_token": ""}, "token is empty"),
        ({"robot_token": "short"}, "at least 16"),
        ({"host": "0.0.0.0"}, "embedded demo token"),
    ],
)
def test_settings_refuse_unsafe_tokens(overrides: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        GuideSettings(**overrides)


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDE_HOST", "0.0.0.0")
    monkeypatch.setenv("GUIDE_VISITOR_TOKEN", "a-visitor-secret-of-length")
    monkeypatch.setenv("GUIDE_ROBOT_TOKEN", "a-robot-secret-of-length!")
    monkeypatch.setenv("GUIDE_FACT_GUARD", "regenerate")
    settings = GuideSettings()
    assert (settings.host, settings.fact_guard, settings.uses_demo_tokens) == ("0.0.0.0", "regenerate", False)


class BrokenEngine(ScriptedEngine):
    """A scripted engine whose start() fails, as a missing model would."""

    async def start(self) -> None:
        raise RuntimeError("no model file")


async def test_readyz_reports_an_engine_that_failed_to_start(tmp_path: Path, exhibits_dir: Path) -> None:
    app = create_app(
        settings_for(tmp_path, exhibits_dir), engine=BrokenEngine(TEXT), embedder=shared_embedder()
    )
    async with running_server(app) as url, httpx.AsyncClient(base_url=url) as http:
        await asyncio.wait_for(app.state.services.engine_status.settled.wait(), TIMEOUT)
        failed = await http.get("/readyz")
    assert failed.status_code == 503 and "no model file" in failed.json()["detail"]


@pytest.mark.parametrize(
    ("engine", "class_name"),
    [
        ("scripted", "ScriptedEngine"),
        ("openai", "OpenAICompatibleEngine"),
        ("transformers", "TransformersEngine"),
    ],
)
def test_the_engine_is_chosen_by_the_settings(engine: str, class_name: str) -> None:
    from guide_server.generation.engines.factory import build_engine

    assert type(build_engine(GuideSettings(engine=engine))).__name__ == class_name


def test_export_feedback_reads_the_servers_file_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from guide_core.protocol import Feedback
    from guide_server.feedback.store import FeedbackStore

    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    first = store.add(Feedback(exhibit_id=EXHIBIT, rating=1, comment="wrong year"))
    second = store.add(Feedback(exhibit_id="choirokoitia", rating=5, author="curator"))
    monkeypatch.setenv("GUIDE_FEEDBACK_DB", str(path))
    assert [r.id for r in export_feedback()] == [first, second]
    assert [r.comment for r in export_feedback(exhibit_id=EXHIBIT)] == ["wrong year"]
    assert export_feedback(tmp_path / "missing.sqlite3") == []
