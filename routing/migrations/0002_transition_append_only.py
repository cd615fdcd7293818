"""The audit trail is append-only in the database itself, not only by convention (PostgreSQL)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION routing_transition_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'routing_transition is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER routing_transition_append_only
    BEFORE UPDATE OR DELETE ON routing_transition
    FOR EACH ROW EXECUTE FUNCTION routing_transition_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS routing_transition_append_only ON routing_transition;
DROP FUNCTION IF EXISTS routing_transition_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
