"""Marital-status results issued before this fix named their own number (<dossier>/KQ) as the
subject; every other result names its dossier, which is how a dossier finds its documents."""

from django.db import migrations


def subject_is_the_dossier(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    for document in Document.objects.filter(key__startswith="result:", subject_ref__endswith="/KQ"):
        document.subject_ref = document.key.removeprefix("result:")
        document.save(update_fields=["subject_ref"])


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_alter_document_kind")]

    operations = [migrations.RunPython(subject_is_the_dossier, migrations.RunPython.noop)]
