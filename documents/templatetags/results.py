from django import template

from documents.models import Document

register = template.Library()


@register.simple_tag
def result_document(dossier):
    """The result issued for a dossier (see documents.results), or None while there is none."""
    return Document.objects.filter(key=f"result:{dossier.code}", revoked_at__isnull=True).first()
