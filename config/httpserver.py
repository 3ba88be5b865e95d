"""The HTTP protocol ``make serve`` gives uvicorn: its httptools protocol with a bound on the request
head (issue #36.1).

uvicorn's httptools parser (the fast one ``make serve`` uses) has no limit of its own on header
size or count: a 32 MB ``X-Big:`` header was read whole and answered 200, and ten such requests
took two workers from 353 MB to 1,095 MB. Here the bytes of a request's head (request line and
headers) are counted as they arrive, before the parser keeps them: past ``MAX_REQUEST_HEAD_BYTES``
(default 64 KB) or ``MAX_REQUEST_HEADERS`` headers (default 100) the server answers
``431 Request Header Fields Too Large`` and closes the connection. The proxy in front should
limit too (docs/deploy.md).

Read from the environment, not Django's settings: uvicorn loads this class before the application.
"""

import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_REQUEST_HEAD_BYTES = int(os.environ.get("MAX_REQUEST_HEAD_BYTES") or 64 * 1024)
MAX_REQUEST_HEADERS = int(os.environ.get("MAX_REQUEST_HEADERS") or 100)

_BODY = b"Request header fields too large.\n"
_ANSWER_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: " + str(len(_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + _BODY
)


class _TooManyHeaders(Exception):
    pass


class HeadLimitedHttpToolsProtocol(HttpToolsProtocol):
    """``uvicorn --http config.httpserver:HeadLimitedHttpToolsProtocol``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._head_done = False
        self._header_count = 0
        self._refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if not self._head_done:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_REQUEST_HEAD_BYTES:
                self._refuse_head()
                return
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        # A callback that refused the head surfaces as a parser error: answer 431, not 400.
        if self._header_count > MAX_REQUEST_HEADERS:
            self._refuse_head()
            return
        super().send_400_response(msg)

    def _refuse_head(self) -> None:
        self._refused = True
        self.logger.warning("Request head over %s bytes or %s headers: answered 431", MAX_REQUEST_HEAD_BYTES, MAX_REQUEST_HEADERS)
        if not self.transport.is_closing():
            self.transport.write(_ANSWER_431)
            self.transport.close()

    def on_message_begin(self) -> None:
        self._head_done = False
        self._header_count = 0
        super().on_message_begin()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > MAX_REQUEST_HEADERS:
            raise _TooManyHeaders
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_done = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_bytes = 0
        self._head_done = False
