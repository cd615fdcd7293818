"""Signers sign digests; several threads of one process may sign at the same moment."""

import hashlib
import threading

from asn1crypto import cms
from django.utils import timezone
from pyhanko.sign.validation.generic_cms import validate_sig_integrity

from documents.signing.local import LocalKeySigner, _simple_signer

THREADS = 4
EACH = 25


def test_threads_of_one_process_sign_at_the_same_time(civil_status):
    """The local signer runs pyHanko on one event loop per process: two threads in the loop at
    once would fail with "This event loop is already running"."""
    signer, signed_at = LocalKeySigner(), timezone.localtime()
    certificate = _simple_signer(civil_status).signing_cert
    start = threading.Barrier(THREADS)
    results, failures = {}, []

    def sign_many(thread: int) -> None:
        start.wait(10)
        for index in range(EACH):
            digest = hashlib.sha256(f"{thread}-{index}".encode()).digest()
            try:
                results[digest] = signer.sign_digest(digest, agency=civil_status, signed_at=signed_at)
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
        signed_data = cms.ContentInfo.load(der)["content"]
        (signer_info,) = signed_data["signer_infos"]
        intact, valid = validate_sig_integrity(signer_info, certificate, "data", digest)
        assert intact
        assert valid
