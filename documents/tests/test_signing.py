"""Signers sign digests; several threads of one process may sign at the same moment."""

import hashlib
import os
import signal
import threading

from asn1crypto import cms
from pyhanko.sign.validation.generic_cms import validate_sig_integrity

from documents.signing import local
from documents.signing.local import LocalKeySigner, _simple_signer

THREADS = 4
EACH = 25


def _intact(der: bytes, digest: bytes, certificate) -> bool:
    (signer_info,) = cms.ContentInfo.load(der)["content"]["signer_infos"]
    # Intact: the digest is the one signed; valid: the signature is the certificate's key's.
    return all(validate_sig_integrity(signer_info, certificate, "data", digest))


def test_threads_of_one_process_sign_at_the_same_time(civil_status):
    """The local signer runs pyHanko on one event loop per process: two threads in the loop at
    once would fail with "This event loop is already running"."""
    signer = LocalKeySigner()
    certificate = _simple_signer(civil_status).signing_cert
    start = threading.Barrier(THREADS)
    results, failures = {}, []

    def sign_many(thread: int) -> None:
        start.wait(10)
        for index in range(EACH):
            digest = hashlib.sha256(f"{thread}-{index}".encode()).digest()
            try:
                results[digest] = signer.sign_digest(digest, agency=civil_status)
            except Exception as error:  # noqa: BLE001 - the test reports what each thread hit
                failures.append(repr(error))

    threads = [threading.Thread(target=sign_many, args=(thread,)) for thread in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert failures == []
    assert len(results) == THREADS * EACH
    for digest, der in results.items():
        assert _intact(der, digest, certificate)


def test_a_process_forked_while_another_thread_signs_signs_on_its_own_loop(civil_status):
    """A Celery worker forks its processes whenever it likes. Had the child kept the parent's
    lock, held at that moment by a thread that does not exist in the child, it would wait for
    ever; the child here gets ten seconds."""
    signer = LocalKeySigner()
    certificate = _simple_signer(civil_status).signing_cert
    digest = hashlib.sha256(b"after the fork").digest()
    with local._loop_lock:  # another thread is mid-signature
        child = os.fork()
        if child == 0:
            signal.alarm(10)
            try:
                os._exit(
                    0 if _intact(signer.sign_digest(digest, agency=civil_status), digest, certificate) else 1
                )
            except BaseException:  # noqa: BLE001 - the child reports by its exit code only
                os._exit(2)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    # The parent's own loop still serves it.
    assert _intact(signer.sign_digest(digest, agency=civil_status), digest, certificate)
