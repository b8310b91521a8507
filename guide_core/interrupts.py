"""Ctrl-C as a clean stop: once a process is stopping, further SIGINTs are ignored.

`ros2 launch` forwards a second SIGINT while the nodes clean up, an operator presses
Ctrl-C twice, and uvicorn raises the SIGINT it caught again once it has shut down:
none of these may turn a clean stop into a `KeyboardInterrupt` traceback.
"""

from __future__ import annotations

import signal
import threading


def ignore_interrupts() -> None:
    """Ignore SIGINT from now on (main thread only): for a process's main that is stopping.

    A handler installed later (uvicorn's, while it serves) still gets SIGINT, and puts this back.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
