"""`cinecode studio`: the Studio served on this machine, until Ctrl-C."""

from __future__ import annotations

import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

from cinecode.errors import CinecodeError
from cinecode.studio.security import LOOPBACK, new_token

DEFAULT_PORT = 8470


def free_port(host: str, wanted: int) -> int:
    """`wanted` if it is free on `host`, else one the system gives."""
    for port in (wanted, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise CinecodeError(f"no free port on {host}", hint="pass another --port")


def serve(
    project: Path,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    allow_remote: bool = False,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the Studio of `project`; `say` prints the address (with its token) and warnings."""
    import uvicorn

    from cinecode.studio.app import create_app

    if host not in LOOPBACK and not allow_remote:
        raise CinecodeError(
            f"the Studio binds to this machine only; {host} would open it to the network",
            hint="pass --allow-remote as well if you mean it (anyone who has the URL can edit)",
        )
    if host not in LOOPBACK:
        say(f"warning: the Studio is reachable from the network at {host} (--allow-remote)")
    port = free_port(host, port)
    token = new_token()
    app = create_app(project, token=token, host=host, port=port)
    url = f"http://{host}:{port}/?token={token}"
    say(url)
    if open_browser:
        webbrowser.open(url)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=2,  # open pages (their event streams) never hold Ctrl-C
    )
    uvicorn.Server(config).run()  # Ctrl-C stops it cleanly


__all__ = ["DEFAULT_PORT", "serve"]
