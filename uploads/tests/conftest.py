import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .files import EICAR


def _clamd_binary() -> str | None:
    return shutil.which("clamd") or next(
        (p for p in ("/usr/sbin/clamd", "/usr/local/sbin/clamd") if Path(p).exists()), None
    )


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory):
    """A clamd of the tests' own, with a signature database holding only EICAR (signature updates
    cannot be downloaded here): the MD5 of the 68-byte file, and a body signature, because a hash
    matches the file alone and an upload carries the string inside a PDF."""
    binary = _clamd_binary()
    if binary is None:
        pytest.skip("clamd is not installed (Debian: apt-get install clamav-daemon; make test does it)")
    home = tmp_path_factory.mktemp("clamd")
    database = home / "db"
    database.mkdir()
    (database / "eicar.hdb").write_text("44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n")
    (database / "eicar.ndb").write_text(f"Eicar-Test-Signature-Embedded:0:*:{EICAR.hex()}\n")
    socket_path = home / "clamd.sock"
    config = home / "clamd.conf"
    config.write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {database}\nForeground yes\n"
        f"LogFile {home / 'clamd.log'}\nPidFile {home / 'clamd.pid'}\n"
    )
    process = subprocess.Popen(
        [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while not socket_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (home / "clamd.log").read_text() if (home / "clamd.log").exists() else ""
            pytest.skip(f"clamd did not start: {log[-500:]}")
        time.sleep(0.1)
    yield str(socket_path)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def clamd(settings, clamd_socket):
    """Uploads scanned by that clamd, as in production."""
    settings.CLAMD_SOCKET = clamd_socket
    settings.UPLOADS_SCANNER = "uploads.scanners.contrib.clamd.scanner.ClamdScanner"
    return clamd_socket
