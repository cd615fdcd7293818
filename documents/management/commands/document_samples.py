import shutil
import subprocess

from django.conf import settings
from django.core.management.base import BaseCommand

from documents.samples import SAMPLES, sample_request
from documents.services import document_generate


class Command(BaseCommand):
    help = "Render one sample of every document to var/samples/ (PDF, and PNG when pdftoppm is present)."

    def handle(self, *args, **options):
        out = settings.VAR_DIR / "samples"
        out.mkdir(parents=True, exist_ok=True)
        for kind in SAMPLES:
            document = document_generate(document_id=sample_request(kind).pk)
            target = out / f"{kind}.pdf"
            shutil.copyfile(document.file.path, target)
            if shutil.which("pdftoppm"):
                subprocess.run(
                    ["pdftoppm", "-r", "70", "-png", "-singlefile", target, out / kind], check=True
                )
            self.stdout.write(f"{kind:24} {target}")
