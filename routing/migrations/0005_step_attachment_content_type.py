from django.db import migrations, models


class Migration(migrations.Migration):
    """An officer's step file is stored under a random name in the dossier's folder and served typed
    by what the upload check sniffed: that type is kept beside it, as on a citizen's attachment."""

    dependencies = [
        ("routing", "0004_outbox_rows_are_the_hand_offs"),
    ]

    operations = [
        migrations.AddField(
            model_name="stepattachment",
            name="content_type",
            field=models.CharField(blank=True, max_length=50),
        ),
    ]
