"""Roles of the call centre's own work: Perwira Piket, Direktur, function desks, SPKT.

`desk` is the desk of a function (fungsi terkait: Reskrim, Lantas, ..., or an agency outside
Polri such as Damkar); which function is `users.function_code` (codes in piket/functions.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_ROLES = (
    "'polda_operator', 'polres_operator', 'polsek_operator', 'commander', 'planner', 'admin', "
    "'unit'"
)
NEW_ROLES = OLD_ROLES + ", 'perwira_piket', 'direktur', 'desk', 'spkt'"
OLD_TRIGGER_EVENTS = (
    "AFTER UPDATE OF role, jurisdiction_id, unit_id, disabled_at, password_changed_at, "
    "password_hash, username OR DELETE OR TRUNCATE"
)
NEW_TRIGGER_EVENTS = OLD_TRIGGER_EVENTS.replace("username OR", "username, function_code OR")


def _replace_trigger(events: str) -> None:
    op.execute("DROP TRIGGER IF EXISTS users_access_changed ON users")
    op.execute(
        f"CREATE TRIGGER users_access_changed {events} ON users "
        "FOR EACH STATEMENT EXECUTE FUNCTION siaga_access_changed()"
    )


def upgrade() -> None:
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.create_check_constraint("role", "users", f"role IN ({NEW_ROLES})")
    op.execute("ALTER TABLE users ADD COLUMN function_code text")
    op.create_check_constraint("function", "users", "(role = 'desk') = (function_code IS NOT NULL)")
    op.create_check_constraint("function_code", "users", "function_code ~ '^[a-z0-9_]{2,32}$'")
    _replace_trigger(NEW_TRIGGER_EVENTS)


def downgrade() -> None:
    _replace_trigger(OLD_TRIGGER_EVENTS)
    op.execute("DELETE FROM users WHERE role IN ('perwira_piket', 'direktur', 'desk', 'spkt')")
    op.drop_constraint(op.f("ck_users_function_code"), "users", type_="check")
    op.drop_constraint(op.f("ck_users_function"), "users", type_="check")
    op.execute("ALTER TABLE users DROP COLUMN function_code")
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.create_check_constraint("role", "users", f"role IN ({OLD_ROLES})")
