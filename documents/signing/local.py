"""Signs with a key held by this server: the agency's PKCS#12 file, or the demo authority's key."""

from __future__ import annotations

import asyncio
import os
import threading

from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12
from pyhanko.sign import signers

from ..pki import agency_credentials

_signers: dict[str, signers.SimpleSigner] = {}


def _simple_signer(agency) -> signers.SimpleSigner:
    # Loading a key is slow next to signing; a long-lived worker loads each agency's key once.
    if agency.code in _signers:
        return _signers[agency.code]
    credentials = agency_credentials(agency)
    bundle = pkcs12.serialize_key_and_certificates(
        name=agency.code.encode(),
        key=credentials.key,
        cert=credentials.cert,
        cas=list(credentials.chain),
        encryption_algorithm=NoEncryption(),
    )
    _signers[agency.code] = signers.SimpleSigner.load_pkcs12_data(bundle, other_certs=[])
    return _signers[agency.code]


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _run(coroutine):
    """Run one of pyHanko's signing coroutines on this process's own event loop.

    asyncio.run makes and closes a loop each time (a socket pair, an epoll, signal handlers):
    about 1 ms of every document in a worker, for a coroutine that never waits on anything. One
    loop per process serves every signature, a thread at a time.
    """
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
        return _loop.run_until_complete(coroutine)


def _forget_loop() -> None:
    # A forked child (a Celery worker process) makes its own loop: the parent's epoll and socket
    # pair are shared with the parent, and a lock another thread held at the fork stays held.
    global _loop, _loop_lock
    _loop, _loop_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_loop)


class LocalKeySigner:
    def sign_digest(self, digest: bytes, *, agency) -> bytes:
        return _run(_simple_signer(agency).async_sign(digest, "sha256", use_pades=True)).dump()
