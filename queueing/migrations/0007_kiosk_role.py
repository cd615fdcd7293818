# Display boards registered like kiosks (issue 18): a role, no API token for a board, revocation.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_api_tokens"),
        ("queueing", "0006_spent_challenge"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="kiosk",
            options={"verbose_name": "thiết bị tại sảnh", "verbose_name_plural": "thiết bị tại sảnh"},
        ),
        migrations.AddField(
            model_name="kiosk",
            name="role",
            field=models.CharField(
                choices=[("kiosk", "ki-ốt lấy số"), ("board", "màn hình gọi số")],
                default="kiosk",
                max_length=8,
                verbose_name="loại thiết bị",
            ),
        ),
        migrations.AddField(
            model_name="kiosk",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="thu hồi lúc"),
        ),
        migrations.AlterField(
            model_name="kiosk",
            name="name",
            field=models.CharField(max_length=100, verbose_name="tên thiết bị"),
        ),
        migrations.AlterField(
            model_name="kiosk",
            name="token",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="kiosk",
                to="accounts.apitoken",
            ),
        ),
        migrations.AddConstraint(
            model_name="kiosk",
            constraint=models.CheckConstraint(
                condition=models.Q(("role", "kiosk"), ("token__isnull", False))
                | models.Q(("role", "board"), ("token__isnull", True)),
                name="kiosk_token_by_role",
            ),
        ),
    ]
