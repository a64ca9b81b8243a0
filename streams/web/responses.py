"""Every answer of the API that is not a success: JSON, ``{"error": {"code", "message", ...}}``."""

from __future__ import annotations

from faust.web import Response, View

from lapor_hub.errors import RetriableError

__all__ = ["error", "unavailable", "ApiError"]


class ApiError(Exception):
    """A request the API refuses: raised anywhere in a handler, answered as JSON by :func:`error`."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None,
                 **extra) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra

    def response(self, view: View) -> Response:
        return error(view, self.status, self.code, self.message, headers=self.headers, **self.extra)


def error(view: View, status: int, code: str, message: str, *, headers: dict[str, str] | None = None,
          **extra) -> Response:
    return view.json({"error": {"code": code, "message": message, **extra}}, status=status, headers=headers or {})


def unavailable(view: View, exc: RetriableError) -> Response:
    """503 with ``Retry-After``: nothing was stored, the same request may be sent again."""
    retry_after = max(1, round(exc.retry_after or 2))
    return error(view, 503, "unavailable", str(exc), headers={"Retry-After": str(retry_after)},
                 retry_after=retry_after)
