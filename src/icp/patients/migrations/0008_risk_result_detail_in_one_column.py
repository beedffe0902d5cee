# RiskResult keeps a column only for what lists filter, sort and count by; the scores' figures,
# lists, flags and risk factors move into one column, `detail` (a JSON array in RiskDetail's order),
# and `synced_at` goes (the run's RiskRun has it). A national sync writes two million rows: 17
# columns a row instead of 39 halves the database's work per row (ADR 0204).
#
# Every row keeps its values: `detail` is filled from the old columns by one UPDATE, in the
# database's own JSON functions, before they are dropped. The old columns go in one step: on SQLite
# one copy of the table (the JSON columns' CHECKs rule out DROP COLUMN), on PostgreSQL in place.

from typing import Any

from django.db import migrations

import icp.patients.risk_detail

TABLE = "care_riskresult"
# RiskDetail's fields, in its stored order (a copy: the migration must not follow later changes).
DETAIL = [
    "efi_score",
    "efi_deficits",
    "efi_in_range",
    "efi_deficit_list",
    "hfrs_score",
    "hfrs_in_range",
    "hfrs_codes",
    "charlson_score",
    "charlson_quan2011",
    "charlson_age_points",
    "charlson_categories",
    "registers",
    "medicines_12m",
    "polypharmacy_review",
    "housebound",
    "carer",
    "cared_for",
    "lives_alone",
    "falls_12m",
    "emergency_admissions_12m",
    "ae_attendances_12m",
    "risk_factors",
]
JSON_COLUMNS = {"efi_deficit_list", "hfrs_codes", "charlson_categories", "registers", "risk_factors"}
DROPPED = [*DETAIL, "synced_at"]


def move_into_detail(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    table = quote(TABLE)
    postgresql = connection.vendor == "postgresql"
    schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {quote('detail')} text NOT NULL DEFAULT ''")
    if postgresql:
        values = ", ".join(f"{quote(c)}::json" if c in JSON_COLUMNS else quote(c) for c in DETAIL)
        schema_editor.execute(f"UPDATE {table} SET {quote('detail')} = json_build_array({values})::text")  # noqa: S608
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {quote('detail')} DROP DEFAULT")
        for column in DROPPED:
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {quote(column)}")
        return
    values = ", ".join(f"json({quote(c)})" if c in JSON_COLUMNS else quote(c) for c in DETAIL)
    schema_editor.execute(f"UPDATE {table} SET {quote('detail')} = json_array({values})")  # noqa: S608
    # Django's own table copy, from the model as it now stands (the state already has it).
    schema_editor._remake_table(apps.get_model("patients", "RiskResult"))


def restore_old_table(apps: Any, schema_editor: Any) -> None:
    """Backwards: the old columns again, filled from `detail` (then dropped), every row kept."""
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    table = quote(TABLE)
    model = apps.get_model("patients", "RiskResult")  # as it was before this migration
    postgresql = connection.vendor == "postgresql"
    for name in DROPPED:
        field = model._meta.get_field(name)
        column_type = field.db_type(connection)
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {quote(name)} {column_type} NULL")
    values = []
    for position, name in enumerate(DETAIL):
        if postgresql:
            cast = model._meta.get_field(name).db_type(connection)
            if name in JSON_COLUMNS:
                values.append(f"{quote(name)} = ({quote('detail')}::jsonb -> {position})")
            else:
                values.append(f"{quote(name)} = ({quote('detail')}::jsonb ->> {position})::{cast}")
        else:
            values.append(f"{quote(name)} = json_extract({quote('detail')}, '$[{position}]')")
    now = "now()" if postgresql else "datetime('now')"
    schema_editor.execute(f"UPDATE {table} SET {', '.join(values)}, {quote('synced_at')} = {now}")  # noqa: S608
    if postgresql:
        for name in DROPPED:
            if not model._meta.get_field(name).null:
                schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {quote(name)} SET NOT NULL")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {quote('detail')}")
        return
    schema_editor._remake_table(model)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_risk_result_without_checks_and_single_indexes"),
    ]

    operations = [
        # Backwards only (it runs last there, with the models as they were before this migration).
        migrations.RunPython(migrations.RunPython.noop, restore_old_table),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="riskresult",
                    name="detail",
                    field=icp.patients.risk_detail.RiskDetailField(
                        default=icp.patients.risk_detail.RiskDetail
                    ),
                ),
                *[migrations.RemoveField(model_name="riskresult", name=name) for name in DROPPED],
            ]
        ),
        # With the models as they now stand (the state above already has them).
        migrations.RunPython(move_into_detail, migrations.RunPython.noop),
    ]
