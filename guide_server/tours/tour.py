"""A tour: one robot, its visitors, the exhibit it stands at and the descriptions of it.

Description choice: one generation per (audience, language) group of the
tour's connected visitors, shared by everyone in that group (with no visitors
yet, one for the default adult/English profile, so it is ready or cached when
they arrive). A visitor joining with a new profile starts their group's
generation. Entering the next exhibit or leaving this one cancels them all.

Ready on arrival: between exhibits, when the robot's poses show it heading for
one (`ApproachWatch`), its descriptions start early but held: nobody is
subscribed, so nothing reaches a headset. `enter` releases them (every visitor
gets what was generated so far at once, then the rest live); turning away, or
entering another exhibit, cancels them.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from guide_core.catalogue.loader import Catalogue
from guide_core.pose_watch import PoseWatch
from guide_core.protocol import (
    ClientKind,
    Error,
    ErrorCode,
    Pose,
    Proximity,
    ProximityKind,
    ResumePoint,
    TourState,
    VisitorProfile,
    dump_message,
)
from guide_server.exceptions import UnknownExhibit
from guide_server.speech.speaker import Speaker
from guide_server.tours.approach import ApproachChange, ApproachKind, ApproachWatch
from guide_server.tours.delivery import Connection, DescriptionStream, Narrate

log = logging.getLogger(__name__)

PregenerationOutcome = Literal["started", "released", "wasted"]
NarrationFactory = Callable[[str, str, VisitorProfile], Narrate]
"""(request_id, exhibit_id, profile) -> the narration coroutine function of one description."""
RECENT_STREAMS = 8
DEFAULT_PROFILE = VisitorProfile()


class Tour:
    """The state of one tour; every method is called on the event loop and never waits on a client."""

    def __init__(
        self,
        tour_id: str,
        *,
        catalogue: Callable[[], Catalogue],
        narration: NarrationFactory,
        robot_pose_timeout_s: float = 3.0,
        speaker: Speaker | None = None,
        pregenerate: bool = True,
        on_pregeneration: Callable[[PregenerationOutcome], None] | None = None,
    ) -> None:
        self.id = tour_id
        self.visitors: list[Connection] = []
        self.robot: Connection | None = None
        self.exhibit_id: str | None = None
        self.streams: dict[VisitorProfile, DescriptionStream] = {}
        self._recent: deque[DescriptionStream] = deque(maxlen=RECENT_STREAMS)
        self._catalogue = catalogue
        self._narration = narration
        self._speaker = speaker
        self._lock = asyncio.Lock()
        self.pose_watch = PoseWatch(robot_pose_timeout_s)
        self.approach = ApproachWatch()
        self.held: dict[VisitorProfile, DescriptionStream] = {}
        """Descriptions started early for `approach.target`, waiting for its `enter`."""
        self._pregenerate = pregenerate
        self._on_pregeneration = on_pregeneration or (lambda outcome: None)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def empty(self) -> bool:
        """No visitor and no robot is connected to this tour."""
        return not self.visitors and self.robot is None

    @property
    def robot_online(self) -> bool:
        """A robot is connected and its poses have not stopped."""
        return self.robot is not None and not self.pose_watch.stale

    def state(self) -> TourState:
        """The `tour.state` message for now."""
        exhibit = self._catalogue().get(self.exhibit_id) if self.exhibit_id else None
        return TourState(
            tour=self.id,
            exhibit_id=self.exhibit_id,
            exhibit_title=exhibit.title if exhibit else None,
            robot_online=self.robot_online,
        )

    def broadcast(self, message: BaseModel) -> None:
        """Offer `message` to every visitor, serialised once; never waits."""
        text = dump_message(message)
        for visitor in self.visitors:
            visitor.outbox.offer(message, text)

    # --- visitors ---------------------------------------------------------------

    def join(self, visitor: Connection, resume: ResumePoint | None = None) -> None:
        """Add a visitor: send the state, then the current description (replayed or resumed)."""
        self.visitors.append(visitor)
        visitor.outbox.offer(self.state())
        if resume is not None:
            for stream in [*self.streams.values(), *self._recent]:
                if stream.holds(resume.request_id):
                    stream.subscribe(visitor, after=(resume.request_id, resume.seq))
                    return
        if self.exhibit_id is None:
            return
        existing = self.streams.get(visitor.profile)
        stream = existing if existing is not None else self._start_stream(self.exhibit_id, visitor.profile)
        stream.subscribe(visitor)

    def speech_changed(self, visitor: Connection) -> None:
        """The visitor turned speech on or off: speak its group's current description if now on."""
        stream = self.streams.get(visitor.profile)
        if visitor.speech and stream is not None:
            stream.start_speech()

    def leave(self, visitor: Connection) -> None:
        """Remove a visitor from the tour and its streams."""
        if visitor in self.visitors:
            self.visitors.remove(visitor)
        for stream in [*self.streams.values(), *self._recent]:
            stream.unsubscribe(visitor)

    # --- robot ------------------------------------------------------------------

    def attach_robot(self, robot: Connection) -> Connection | None:
        """Make `robot` this tour's robot; returns the one it replaced, if any."""
        previous, self.robot = self.robot, robot
        self.pose_watch.reset()
        self.approach.reset()
        self.broadcast(self.state())
        return previous

    def detach_robot(self, robot: Connection) -> None:
        """The robot's socket closed; visitors learn it is offline."""
        if self.robot is robot:
            self.robot = None
            self.pose_watch.reset()
            self.broadcast(self.state())

    def on_pose(self, robot: Connection, pose: Pose, now: float) -> None:
        """Forward the robot's pose; if its poses had stopped, visitors learn it is back first."""
        if self.robot is robot and self.pose_watch.pose_seen(now):
            log.info("tour %s: the robot's poses are back", self.id)
            self.broadcast(self.state())
        self.broadcast(pose)
        if self.robot is robot and self._pregenerate:
            self._follow_course(pose)

    def _follow_course(self, pose: Pose) -> None:
        plan = self._catalogue().floor_plan
        if not plan.approach.enabled:
            return
        changes = self.approach.update(pose.x, pose.y, pose.stamp, plan.exhibits, plan.approach)
        if changes:
            task = asyncio.get_running_loop().create_task(self._on_course(changes))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _on_course(self, changes: list[ApproachChange]) -> None:
        async with self._lock:
            for change in changes:
                if change.kind is ApproachKind.TURNED_AWAY:
                    await self._drop_held(change.exhibit_id)
                elif self.exhibit_id is None and change.exhibit_id not in {
                    s.exhibit_id for s in self.held.values()
                }:
                    await self._drop_held()
                    self._hold(change.exhibit_id)

    def _hold(self, exhibit_id: str) -> None:
        """Start `exhibit_id`'s descriptions for the current profiles, held until its `enter`."""
        if self._catalogue().get(exhibit_id) is None:
            return
        log.info("tour %s: the robot heads for %s; its description starts early", self.id, exhibit_id)
        for profile in self._profiles():
            stream = self._new_stream(exhibit_id, profile)
            self.held[profile] = stream
            if any(v.speech for v in self.visitors if v.profile == profile):
                stream.start_speech()
            self._on_pregeneration("started")

    async def _drop_held(self, exhibit_id: str | None = None, *, keep: str | None = None) -> None:
        """Cancel the held descriptions (of `exhibit_id` only, or all but `keep`'s): the robot went elsewhere."""
        streams = [
            s
            for s in self.held.values()
            if (exhibit_id is None or s.exhibit_id == exhibit_id) and s.exhibit_id != keep
        ]
        if not streams:
            return
        log.info(
            "tour %s: the robot turned away from %s; its early description is dropped",
            self.id,
            streams[0].exhibit_id,
        )
        self.held = {p: s for p, s in self.held.items() if s not in streams}
        await asyncio.gather(*(stream.cancel() for stream in streams))
        for _ in streams:
            self._on_pregeneration("wasted")

    def _release_held(self, exhibit_id: str) -> None:
        """`enter`: the held descriptions of `exhibit_id` become the tour's, sent to their visitors."""
        for profile, stream in list(self.held.items()):
            if stream.exhibit_id != exhibit_id:
                continue
            del self.held[profile]
            self.streams[profile] = stream
            for visitor in self.visitors:
                if visitor.profile == profile:
                    stream.subscribe(visitor)
            self._on_pregeneration("released")

    def check_robot_pose(self, robot: Connection, now: float) -> bool:
        """Tell visitors the robot is unavailable once its poses stopped; True when that happened now."""
        if self.robot is not robot or not self.pose_watch.check(now):
            return False
        timeout = self.pose_watch.timeout
        log.warning("tour %s: no pose from the robot for %g s; reporting it offline", self.id, timeout)
        self.broadcast(
            Error(
                code=ErrorCode.ROBOT_UNAVAILABLE,
                message=f"the robot has sent no position for {timeout:g} s (its odometry or localisation "
                "stopped): descriptions go on, but it cannot be sent anywhere until tour.state says "
                "robot_online again",
            )
        )
        self.broadcast(self.state())
        return True

    async def on_proximity(self, event: Proximity) -> None:
        """React to the robot: enter starts the shared description, leave cancels it.

        Raises `UnknownExhibit` (nothing broadcast) for an exhibit the catalogue lacks.
        """
        if self._catalogue().get(event.exhibit_id) is None:
            raise UnknownExhibit(
                f"no exhibit {event.exhibit_id!r} in the catalogue: check the floor plan the robot uses"
            )
        self.broadcast(event)
        async with self._lock:
            if event.event is ProximityKind.ENTER and event.exhibit_id != self.exhibit_id:
                await self._cancel_streams()
                self.exhibit_id = event.exhibit_id
                self.approach.reset()
                self.broadcast(self.state())
                await self._drop_held(keep=event.exhibit_id)
                self._release_held(event.exhibit_id)
                for profile in self._profiles():
                    if profile not in self.streams:
                        self._start_stream(event.exhibit_id, profile)
            elif event.event is ProximityKind.LEAVE and event.exhibit_id == self.exhibit_id:
                await self._cancel_streams()
                self.exhibit_id = None
                self.approach.reset()
                self.broadcast(self.state())

    async def on_exhibits_removed(self, removed: frozenset[str]) -> None:
        """A curator removed the current exhibit: its descriptions end `cancelled`, the tour is between exhibits."""
        async with self._lock:
            if self.exhibit_id is None or self.exhibit_id not in removed:
                return
            log.info(
                "tour %s: exhibit %s left the catalogue; its description is cancelled",
                self.id,
                self.exhibit_id,
            )
            await self._cancel_streams()
            self.exhibit_id = None
            self.broadcast(self.state())

    async def close(self) -> None:
        """Cancel every running description (server shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._drop_held()
        await self._cancel_streams()

    def _profiles(self) -> list[VisitorProfile]:
        profiles = list(dict.fromkeys(v.profile for v in self.visitors if v.kind is ClientKind.VISITOR))
        return profiles or [DEFAULT_PROFILE]

    def _new_stream(self, exhibit_id: str, profile: VisitorProfile) -> DescriptionStream:
        """A running description with no subscribers yet."""
        request_id = f"d-{uuid.uuid4().hex[:12]}"
        stream = DescriptionStream(
            request_id=request_id, exhibit_id=exhibit_id, profile=profile, speaker=self._speaker
        )
        stream.start(self._narration(request_id, exhibit_id, profile))
        return stream

    def _start_stream(self, exhibit_id: str, profile: VisitorProfile) -> DescriptionStream:
        stream = self._new_stream(exhibit_id, profile)
        for visitor in self.visitors:
            if visitor.profile == profile:
                stream.subscribe(visitor)
        self.streams[profile] = stream
        return stream

    async def _cancel_streams(self) -> None:
        streams = list(self.streams.values())
        self.streams.clear()
        await asyncio.gather(*(stream.cancel() for stream in streams))
        self._recent.extend(streams)
