from pathlib import Path

from cryptography import x509
from django.core.management.base import BaseCommand, CommandError

from documents.seals import InvalidSeal, open_seal


class Command(BaseCommand):
    help = (
        "Check a document's QR seal offline against the issuer's certificate "
        "(download it from /verify/keys/<agency code>.pem). Needs no database."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("qr_text", help="what the QR code holds: the verify URL with its #mc1… seal")
        parser.add_argument("--cert", type=Path, required=True, help="the issuer's PEM certificate")

    def handle(self, *args, qr_text, cert, **options):
        certificate = x509.load_pem_x509_certificate(cert.read_bytes())
        try:
            seal = open_seal(qr_text, certificate.public_key())
        except InvalidSeal as error:
            raise CommandError(f"INVALID: {error}") from error
        self.stdout.write(f"code={seal.code} kind={seal.kind} issued={seal.issued} issuer={seal.issuer_code}")
        self.stdout.write(f"content_sha256={seal.content_sha256}")
        self.stdout.write(self.style.SUCCESS("VALID: sealed by the holder of this certificate"))
