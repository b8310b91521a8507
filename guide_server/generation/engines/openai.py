"""The remote engine: any server that speaks OpenAI's streamed chat completions
(vLLM, TGI, llama.cpp's server, Ollama), reached over HTTP with httpx.

`base_url` is the API root including `/v1`, as OpenAI clients take it
(e.g. `http://127.0.0.1:8080/v1`). Streams may run concurrently: batching is the
remote server's job.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from guide_server.exceptions import (
    BadEngineResponse,
    EngineHTTPError,
    EngineNotStarted,
    EngineUnreachable,
    RemoteEngineError,
)
from guide_server.generation.engine import Chunk, GenerationParams
from guide_server.generation.prompts import ChatMessage

MAX_ERROR_BODY_CHARS = 300
"""How much of an error response is quoted in the exception."""


class OpenAICompatibleEngine:
    """Streams chat completions from an OpenAI-compatible HTTP server."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(
                f"base_url {base_url!r} must start with http:// or https://, e.g. http://127.0.0.1:8080/v1"
            )
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._client: httpx.AsyncClient | None = None

    @property
    def model_id(self) -> str:
        """The remote model's name, as sent in each request."""
        return self.model

    async def start(self) -> None:
        """Open the connection pool and check that the server answers `GET /models`.

        A server without that route (404) is accepted; refusal, timeouts and auth errors are not.
        """
        if self._client is None:
            self._client = httpx.AsyncClient(headers=self._headers, timeout=self._timeout)
        try:
            response = await self._client.get(f"{self.base_url}/models")
        except httpx.TransportError as error:
            await self.close()
            raise self._unreachable(error) from error
        if response.status_code != 404 and response.is_error:
            await self.close()
            raise _http_error(response.status_code, response.text, f"{self.base_url}/models")

    async def close(self) -> None:
        """Close the connection pool (idempotent)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def request_body(self, messages: list[ChatMessage], params: GenerationParams) -> dict[str, Any]:
        """The JSON sent to `/chat/completions` for `messages` and `params`."""
        return {
            "model": self.model,
            "messages": list(messages),
            "stream": True,
            "max_tokens": params.max_new_tokens,
            "temperature": params.temperature,
            # Not in OpenAI's API; vLLM and TGI read it, others ignore it.
            "repetition_penalty": params.repetition_penalty,
        }

    async def stream(self, messages: list[ChatMessage], params: GenerationParams) -> AsyncIterator[Chunk]:
        """Yield each content delta of the streamed completion as it arrives.

        Safe to cancel or close: the HTTP response is closed, which tells the remote
        server to stop. httpx reads from the socket only as fast as the reader asks,
        so a slow reader holds no growing buffer here.
        """
        if self._client is None:
            raise EngineNotStarted(f"engine {self.model_id!r} is not started: await engine.start() first")
        url = f"{self.base_url}/chat/completions"
        try:
            async with self._client.stream("POST", url, json=self.request_body(messages, params)) as response:
                if response.is_error:
                    body = (await response.aread()).decode("utf-8", "replace")
                    raise _http_error(response.status_code, body, url)
                content_type = response.headers.get("content-type", "")
                if not content_type.startswith("text/event-stream"):
                    body = (await response.aread()).decode("utf-8", "replace")
                    raise BadEngineResponse(
                        f"{url} answered {content_type or 'no content type'}, not text/event-stream: "
                        f"{body[:MAX_ERROR_BODY_CHARS]!r}; does the server support stream=true?"
                    )
                async for chunk in _sse_chunks(response, url):
                    yield chunk
        except httpx.TransportError as error:
            raise self._unreachable(error) from error

    def _unreachable(self, error: httpx.TransportError) -> RemoteEngineError:
        if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
            return EngineUnreachable(
                f"cannot reach the model server at {self.base_url} ({type(error).__name__}: {error}); "
                "start it, or set the guide's openai_base_url to where it listens"
            )
        if isinstance(error, httpx.TimeoutException):
            return EngineUnreachable(
                f"the model server at {self.base_url} sent nothing for {self._timeout.read} s "
                f"({type(error).__name__}); it may be overloaded: raise the timeout or check its logs"
            )
        return BadEngineResponse(
            f"the model server at {self.base_url} broke the connection mid-answer "
            f"({type(error).__name__}: {error})"
        )


def _http_error(status: int, body: str, url: str) -> EngineHTTPError:
    hint = {
        401: "set openai_api_key to the server's key",
        403: "the key is not allowed to use this model",
        404: "check openai_base_url (it should end in /v1) and the model name",
        429: "the server is rate limiting: retry later or lower the load",
    }.get(status, "see the server's logs")
    return EngineHTTPError(
        f"{url} answered HTTP {status}: {body[:MAX_ERROR_BODY_CHARS]!r}; {hint}", status_code=status
    )


async def _sse_chunks(response: httpx.Response, url: str) -> AsyncIterator[Chunk]:
    """Parse a server-sent-event stream of chat.completion.chunk objects until [DONE]."""
    finished = False
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue  # blank separators, comments (": ping"), event: and id: fields
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return
        text, finish_reason = _delta(data, url)
        finished = finished or finish_reason is not None
        if text:
            yield Chunk(text=text)
    if not finished:
        raise BadEngineResponse(
            f"{url} ended the stream before [DONE] or a finish_reason: the answer is cut short"
        )


def _delta(data: str, url: str) -> tuple[str, str | None]:
    """(content, finish_reason) of one streamed chunk."""
    try:
        payload = json.loads(data)
    except json.JSONDecodeError as error:
        raise BadEngineResponse(
            f"{url} sent an event that is not JSON ({error}): {data[:MAX_ERROR_BODY_CHARS]!r}"
        ) from None
    if not isinstance(payload, dict):
        raise BadEngineResponse(
            f"{url} sent {type(payload).__name__} where a chunk object belongs: {data[:MAX_ERROR_BODY_CHARS]!r}"
        )
    if "error" in payload:
        raise RemoteEngineError(f"{url} reported an error mid-stream: {payload['error']!r}")
    choices = payload.get("choices")
    if not isinstance(choices, list):
        raise BadEngineResponse(
            f"{url} sent a chunk without a 'choices' list: {data[:MAX_ERROR_BODY_CHARS]!r}"
        )
    if not choices:
        return "", None  # e.g. the final usage-only chunk
    choice = choices[0]
    delta = choice.get("delta") if isinstance(choice, dict) else None
    if not isinstance(delta, dict):
        raise BadEngineResponse(
            f"{url} sent a choice without a 'delta' object: {data[:MAX_ERROR_BODY_CHARS]!r}"
        )
    content = delta.get("content") or ""
    if not isinstance(content, str):
        raise BadEngineResponse(f"{url} sent non-text content {content!r}")
    return content, choice.get("finish_reason")
