"""A local app is still a server: loopback by default, a session token traded for an
HttpOnly SameSite=Strict cookie, mutations only by POST from our own origin, a Host check
against DNS rebinding, and a Content-Security-Policy on every answer."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

COOKIE = "cinecode_studio"
CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def cookie_name(port: int) -> str:
    """The session cookie of the Studio on `port` (browsers share cookies across ports: two
    Studios open at once must not log each other out)."""
    return f"{COOKIE}_{port}"


def _same(offered: str, token: str) -> bool:
    return hmac.compare_digest(offered.encode("utf-8"), token.encode("utf-8"))


class Guard:
    """The middleware: every request is checked before any route sees it."""

    def __init__(self, token: str, host: str, port: int) -> None:
        self.token = token
        self.port = port
        self.cookie = cookie_name(port)
        names = {host, *LOOPBACK} if host in LOOPBACK else {host}
        self.hosts = {f"{name}:{port}" for name in names}
        self.origins = {f"http://{h}" for h in self.hosts}

    def bind(self, port: int) -> None:
        """The port once the server has one (it may be chosen by the system)."""
        self.port = port
        self.cookie = cookie_name(port)
        names = {h.rsplit(":", 1)[0] for h in self.hosts}
        self.hosts = {f"{name}:{port}" for name in names}
        self.origins = {f"http://{h}" for h in self.hosts}

    async def __call__(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await self._check(request, call_next)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def _check(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.headers.get("host", "") not in self.hosts:  # DNS rebinding
            return PlainTextResponse("unknown host", status_code=403)
        origin = request.headers.get("origin")
        if request.method not in ("GET", "HEAD"):
            if request.method != "POST":
                return PlainTextResponse("method not allowed", status_code=405)
            if origin is not None and origin not in self.origins:
                return PlainTextResponse("foreign origin", status_code=403)
        offered = request.query_params.get("token")
        if offered is not None and request.method == "GET":
            if not _same(offered, self.token):
                return PlainTextResponse("wrong token", status_code=401)
            rest = {k: v for k, v in request.query_params.items() if k != "token"}
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
            return response
        if not _same(request.cookies.get(self.cookie, ""), self.token):
            return PlainTextResponse(
                "open the address `cinecode studio` printed (it carries the token)",
                status_code=401,
            )
        return await call_next(request)


__all__ = ["COOKIE", "CSP", "Guard", "cookie_name", "new_token"]
