"""`icp demo`: bring the product up on its embedded defaults with synthetic data.

Each capability adds its step here. Every step is idempotent, so a second `make demo` reuses what
exists and starts fast.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from icp.config import data_dir
from icp.django_setup import setup_django

# The demo's shared password: printed by `make demo`, for synthetic demo logins only.
DEMO_PASSWORD_DEFAULT = "synthetic-demo-2026"  # noqa: S105


def run_demo(*, console: Console, password: str) -> None:
    data_dir().mkdir(parents=True, exist_ok=True)
    setup_django()
    from django.core.management import call_command

    from icp.demo.partnership import DEMO_ICP, create_demo_partnership
    from icp.demo.population import ensure_demo_population
    from icp.partnership.models import Area
    from icp.partnership.reference import load_structure

    with console.status("Migrating the app database…"):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
    if not Area.objects.filter(code=DEMO_ICP).exists():
        with console.status("Loading the reference structure…"):
            load_structure()
    logins = create_demo_partnership(password=password)
    ensure_demo_population(console=console, icp=DEMO_ICP)
    # Before stratification, so that scores count each person once.
    with console.status("Record linkage: a trust, a council and a pharmacy send records of some people…"):
        from icp.demo.linkage import link_demo_sources

        console.print(link_demo_sources(DEMO_ICP))
    with console.status("Governance: a year of meetings, business cases, plan, projects, ECHO networks…"):
        from icp.demo.governance import create_demo_governance

        create_demo_governance(icp_code=DEMO_ICP)
    # Sharing, then stratification: both after the synthetic population step (they use its people).
    with console.status("Information sharing: agreements, care relationships, choices, a break glass…"):
        from icp.demo.sharing import create_demo_sharing, print_demo_sharing

        sharing = create_demo_sharing(icp_code=DEMO_ICP)
    # Keep this after the synthetic population step: it stratifies the records that step writes.
    with console.status("Risk stratification of the demo ICP: scores, admission model, tiers, worklists…"):
        from icp.demo.stratification import stratify_demo_icp

        console.print(stratify_demo_icp(DEMO_ICP))
    # After stratification: the care story starts from the worklist.
    with console.status(
        "Care: services, a pathway, a care plan, an MDT, referrals in every state, an outreach list…"
    ):
        from icp.demo.care import create_demo_care, print_demo_care

        care = create_demo_care(icp_code=DEMO_ICP)
    # After the population and care steps: it measures the synthetic history they write.
    with console.status("Evaluation: every indicator of the demo ICP, month by month…"):
        from icp.demo.evaluation import publish_demo_indicators

        console.print(publish_demo_indicators(DEMO_ICP))

    table = Table(title=f"Demo logins (synthetic) — password for all: {password}")
    table.add_column("Username")
    table.add_column("Role")
    table.add_column("Organisation")
    for login in logins:
        table.add_row(login.username, login.role, login.organisation)
    console.print(table)
    print_demo_sharing(console, sharing)
    print_demo_care(console, care)
    console.print("Open http://127.0.0.1:8000 and log in as [bold]demo-manager[/bold] to see the demo ICP.")
    console.print(
        "These demo logins sign in with the password alone because the demo runs with ICP_DEBUG=1; "
        "any other login whose role opens records also needs a code from an authenticator app."
    )
