from django.db import migrations, models


class Migration(migrations.Migration):
    """Recovery requests wait in a table for a worker to send their code (the page answers alike for
    every number); each row is deleted once handled."""

    dependencies = [
        ("accounts", "0003_one_time_codes"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecoveryRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("citizen_id", models.CharField(max_length=12)),
                ("language", models.CharField(blank=True, max_length=10)),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
            ],
            options={
                "verbose_name": "yêu cầu lấy lại mật khẩu",
                "verbose_name_plural": "yêu cầu lấy lại mật khẩu",
            },
        ),
    ]
