from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Văn bản, giấy tờ")

    def ready(self):
        from .pdf_fonts import pdf_fonts_install
        from .signing.der import linear_der_install

        linear_der_install()
        pdf_fonts_install()
