from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Văn bản, giấy tờ")

    def ready(self):
        from .signing.der import linear_der_install

        linear_der_install()
