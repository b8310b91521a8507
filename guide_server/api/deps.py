"""FastAPI dependencies: the app's services, reached through the request, never a global."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request, status

from guide_server.api.services import GuideServices


def get_services(request: Request) -> GuideServices:
    """The services of the app serving this request."""
    return request.app.state.services


def token_matches(given: str, expected: str) -> bool:
    """Constant-time token comparison."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def require_visitor_token(request: Request) -> None:
    """Refuse a request without `Authorization: Bearer <visitor token>`."""
    services = get_services(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token_matches(
        token.strip(), services.settings.visitor_token.get_secret_value()
    ):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or wrong token: send `Authorization: Bearer <the visitor token>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
