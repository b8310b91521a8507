"""Hot reload: good edits show up without a restart; broken ones keep the last good catalogue."""

from __future__ import annotations

import json
import threading
from pathlib import Path

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


def test_broken_edit_keeps_last_good_then_recovers(exhibits_dir: Path) -> None:
    store = CatalogueStore.open(exhibits_dir)
    good_version = store.current.version
    recorder = Recorder(store)
    watcher = CatalogueWatchThread(store).start()
    path = exhibits_dir / f"{EXHIBIT}.json"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original[: len(original) // 2], encoding="utf-8")
        recorder.wait()
        assert recorder.problems, "the broken file was reported"
        assert "invalid JSON" in str(recorder.problems[-1][0])
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
