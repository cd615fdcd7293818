from django.db import migrations, models


class Migration(migrations.Migration):
    """Hand-offs are delivered from their rows by the workers, not published one by one to Celery:
    `published_at` becomes `retry_at` (a past time: due at once) and the publish count goes."""

    dependencies = [
        ("routing", "0003_step_checks"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="outboxmessage", name="outbox_pending_published"),
        migrations.RenameField(model_name="outboxmessage", old_name="published_at", new_name="retry_at"),
        migrations.RemoveField(model_name="outboxmessage", name="publish_count"),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(("state", "pending")), fields=["created_at"], name="outbox_pending"
            ),
        ),
    ]
