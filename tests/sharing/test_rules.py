"""The role tables (`rules.py`): the user guide prints the tables in force."""


def test_the_user_guide_prints_the_role_tables_in_force() -> None:
    from pathlib import Path

    from icp.sharing.rules import role_table_markdown

    guide = Path(__file__).resolve().parents[2] / "docs" / "information-sharing.md"
    assert role_table_markdown() in guide.read_text(encoding="utf-8")
