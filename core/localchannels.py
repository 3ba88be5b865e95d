"""A channel layer shared by the server processes of one machine, for the embedded default (no Redis).

Channels' in-memory layer lives inside one process: with ``make serve``'s several workers, a push
made while answering a request in one worker never reached a websocket held by another (issue #18:
6 tries in 7 lost). This layer keeps the in-memory layer's groups and queues for the sockets of its
own process, and shares ``group_send`` between processes through Unix datagram sockets in one
directory (``CHANNEL_SOCKET_DIR``, one per database by default): each process that holds a
websocket binds ``<pid>.sock`` there when its first socket joins a group, and a push is written
once to every socket of the directory. Each process then hands it to its own members of the group,
as channels-redis' pub/sub layer does through Redis. Nothing else runs: no broker, no extra process.

Like the Redis pub/sub layer it keeps nothing for a process that is not listening (a page reloads
what it missed), and a socket left by a process that died is removed at the first push that finds
nobody behind it. Only ``group_send`` crosses processes; the project sends nothing to single
channels (``core/realtime.py``).
"""

import asyncio
import logging
import os
import socket

import msgpack
from channels.layers import InMemoryChannelLayer

logger = logging.getLogger(__name__)

MAX_FRAME = 200_000  # a push is a few hundred bytes; Linux takes datagrams of this size by default


class LocalSocketChannelLayer(InMemoryChannelLayer):
    def __init__(self, directory: str, send_timeout: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.directory = directory
        self.send_timeout = send_timeout
        self._listener: socket.socket | None = None
        self._listener_loop = None
        self._sender: socket.socket | None = None
        self._sender_pid = None
        self._pid = None

    # --- This process's mailbox ---------------------------------------------------------------------
    def _own_path(self) -> str:
        return os.path.join(self.directory, f"{os.getpid()}.sock")

    def _listen(self) -> None:
        """Bind this process's socket (once per process and event loop) and read it on the loop."""
        loop = asyncio.get_running_loop()
        if self._listener is not None and self._pid == os.getpid() and self._listener_loop is loop:
            return
        if self._listener is not None and self._pid == os.getpid():
            self._stop_listening()
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        path = self._own_path()
        if os.path.exists(path):
            os.unlink(path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        listener.bind(path)
        listener.setblocking(False)
        loop.add_reader(listener.fileno(), self._read)
        self._listener, self._listener_loop, self._pid = listener, loop, os.getpid()

    def _stop_listening(self) -> None:
        try:
            if self._listener_loop is not None and not self._listener_loop.is_closed():
                self._listener_loop.remove_reader(self._listener.fileno())
        finally:
            self._listener.close()
            self._listener = self._listener_loop = None

    def _read(self) -> None:
        while True:
            try:
                frame = self._listener.recv(MAX_FRAME)
            except (BlockingIOError, InterruptedError):
                return
            try:
                group, message = msgpack.unpackb(frame)
            except Exception:
                logger.warning("local channel layer: an unreadable push was dropped")
                continue
            asyncio.ensure_future(self._deliver(group, message))

    async def _deliver(self, group: str, message: dict) -> None:
        await InMemoryChannelLayer.group_send(self, group, message)

    # --- The layer's interface ------------------------------------------------------------------------
    async def group_add(self, group, channel):
        await super().group_add(group, channel)
        self._listen()

    async def group_send(self, group, message):
        """Every process's members of ``group`` get ``message``; this process's directly."""
        assert self.valid_group_name(group), "Group name not valid"
        frame = msgpack.packb([group, message])
        if len(frame) > MAX_FRAME:
            raise ValueError(f"a push of {len(frame)} bytes is too large for the local channel layer")
        own = self._own_path() if self._listener is not None and self._pid == os.getpid() else None
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            names = []
        for name in names:
            path = os.path.join(self.directory, name)
            if not name.endswith(".sock") or path == own:
                continue
            self._send_to(path, frame)
        if own is not None:
            await InMemoryChannelLayer.group_send(self, group, message)

    def _send_to(self, path: str, frame: bytes) -> None:
        if self._sender is None or self._sender_pid != os.getpid():
            self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._sender.settimeout(self.send_timeout)
            self._sender_pid = os.getpid()
        try:
            self._sender.sendto(frame, path)
        except (ConnectionRefusedError, FileNotFoundError):
            # Nobody reads it any more: the process that bound it has gone.
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        except OSError as exc:  # its queue stayed full for send_timeout: that process is stuck
            logger.warning("local channel layer: a push to %s was dropped: %s", path, exc)

    async def flush(self):
        await super().flush()
        if self._listener is not None and self._pid == os.getpid():
            self._stop_listening()
            try:
                os.unlink(self._own_path())
            except FileNotFoundError:
                pass
