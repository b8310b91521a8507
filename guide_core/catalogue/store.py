"""The live catalogue: the last good snapshot, replaced only by a clean reload."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from guide_core.catalogue.loader import Catalogue, load_catalogue, load_catalogue_or_raise
from guide_core.catalogue.problems import Problem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CatalogueChange:
    """A clean reload: the new snapshot and the exhibits it added, changed or removed."""

    catalogue: Catalogue
    changed_ids: frozenset[str]


Listener = Callable[[CatalogueChange], None]
ProblemListener = Callable[[list[Problem]], None]


class CatalogueStore:
    """Holds the catalogue every part reads; a broken edit keeps the last good one.

    Thread-safe: `current` is a plain reference swap; `reload` is serialised.
    Listeners run on the thread that called `reload` and must not block.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self._current = catalogue
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._problem_listeners: list[ProblemListener] = []
        self.problems: list[Problem] = []
        """Problems of the latest reload; empty when the folder is clean."""

    @classmethod
    def open(cls, folder: Path) -> CatalogueStore:
        """Load `folder`; raises `CatalogueError` when it has problems (nothing good to keep)."""
        return cls(load_catalogue_or_raise(Path(folder)))

    @property
    def current(self) -> Catalogue:
        """The last good catalogue."""
        return self._current

    @property
    def folder(self) -> Path:
        """The folder being served."""
        return self._current.folder

    def on_change(self, listener: Listener) -> None:
        """Call `listener` after every reload that changed the catalogue."""
        self._listeners.append(listener)

    def on_problems(self, listener: ProblemListener) -> None:
        """Call `listener` after every reload that found problems."""
        self._problem_listeners.append(listener)

    def reload(self) -> list[Problem]:
        """Re-read the folder; swap in the result only if it is clean. Returns its problems."""
        with self._lock:
            result = load_catalogue(self.folder)
            self.problems = result.problems
            if result.catalogue is None:
                log.warning(
                    "catalogue edit rejected, still serving version %s:\n%s",
                    self._current.version,
                    "\n".join(str(p) for p in result.problems),
                )
                listeners: list = list(self._problem_listeners)
                for problem_listener in listeners:
                    problem_listener(result.problems)
                return result.problems
            old, new = self._current, result.catalogue
            if new.version == old.version:
                return []
            changed = frozenset(
                i
                for i in set(old.fingerprints) | set(new.fingerprints)
                if old.fingerprints.get(i) != new.fingerprints.get(i)
            )
            self._current = new
            log.info("catalogue reloaded: version %s, changed %s", new.version, sorted(changed) or "plan")
            change = CatalogueChange(new, changed)
            for listener in list(self._listeners):
                listener(change)
            return []
