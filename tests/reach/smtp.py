"""A real SMTP server on loopback (aiosmtpd) on a free port, keeping what it receives."""

import asyncio
import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """The SMTP handler: each delivered message, parsed. ``hold`` makes the next DATA wait until
    ``release`` and then refuse it (451), to stand for a slow server a worker dies talking to."""

    def __init__(self):
        self.messages = []
        self.hold = False
        self.held = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.hold:
            self.hold = False
            self.held.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.inbox.released.set()
        self.controller.stop()

    @property
    def messages(self):
        return self.inbox.messages


def text_and_html(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
