"""Hot reload: good edits show up without a restart; broken ones keep the last good catalogue."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TIMEOUT

from guide_core.catalogue import CatalogueChange, CatalogueStore, Problem
from guide_core.catalogue.watch import CatalogueWatchThread

EXHIBIT = "kolossi-castle"


class Recorder:
    """Collects store notifications and lets a test wait for the next one."""

    def __init__(self, store: CatalogueStore) -> None:
        self.changes: list[CatalogueChange] = []
        self.problems: list[list[Problem]] = []
        self._event = threading.Event()
        store.on_change(self._changed)
        store.on_problems(self._problems)

    def _changed(self, change: CatalogueChange) -> None:
        self.changes.append(change)
        self._event.set()

    def _problems(self, problems: list[Problem]) -> None:
        self.problems.append(problems)
        self._event.set()

    def wait(self) -> None:
        assert self._event.wait(TIMEOUT), "no catalogue notification arrived"
        self._event.clear()


def _set_title(path: Path, title: str) -> None:
    _set_title_in(path, path.read_text(encoding="utf-8"), title)


def _set_title_in(path: Path, text: str, title: str) -> None:
    data = json.loads(text)
    data["title"] = title
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def test_good_edit_is_picked_up_without_restart(exhibits_dir: Path) -> None:
    store = CatalogueStore.open(exhibits_dir)
    recorder = Recorder(store)
    watcher = CatalogueWatchThread(store).start()
    try:
        _set_title(exhibits_dir / f"{EXHIBIT}.json", "Kolossi Castle (edited)")
        recorder.wait()
    finally:
        watcher.stop()
    assert recorder.changes[-1].changed_ids == {EXHIBIT}
    assert store.current.exhibits[EXHIBIT].title == "Kolossi Castle (edited)"


def _truncated(text: str) -> str:
    return text[: len(text) // 2]


def _gloss_not_in_record(text: str) -> str:
    data = json.loads(text)
    data["glosses"] = [
        *data.get("glosses", []),
        {"term": "portcullis", "plain": "gate that drops from above"},
    ]
    return json.dumps(data, indent=2)


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        pytest.param(_truncated, "invalid JSON", id="json-syntax"),
        pytest.param(_gloss_not_in_record, "term 'portcullis' is not in the record", id="bad-gloss"),
    ],
)
def test_broken_edit_keeps_last_good_then_recovers(
    exhibits_dir: Path, break_it: Callable[[str], str], message: str
) -> None:
    store = CatalogueStore.open(exhibits_dir)
    good_version = store.current.version
    recorder = Recorder(store)
    watcher = CatalogueWatchThread(store).start()
    path = exhibits_dir / f"{EXHIBIT}.json"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(break_it(original), encoding="utf-8")
        # a reload may catch the file half written (invalid JSON): wait for the finished edit's report
        while not any(message in str(p) for latest in recorder.problems[-1:] for p in latest):
            recorder.wait()
        assert store.current.version == good_version
        assert store.current.exhibits[EXHIBIT].title
        _set_title_in(path, original, "Kolossi Castle, fixed")
        while not recorder.changes:
            recorder.wait()
    finally:
        watcher.stop()
    assert store.problems == []
    assert store.current.version != good_version
    assert store.current.exhibits[EXHIBIT].title == "Kolossi Castle, fixed"
