"""`icp createuser` and `icp token create`: logins and API tokens, through audited actions.

The actions live in `icp.partnership.accounts`; run from the command line they act as the
server's operator (`by=None`) and each leaves an audit event.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from icp.cli.output import console, refuse
from icp.django_setup import setup_django
from icp.partnership.roles import UserRole

app = typer.Typer()
token_app = typer.Typer(
    help="API tokens for the JSON and FHIR APIs.\n\n"
    'Example: [bold]icp token create jo --name "practice system"[/bold] (prints the token once).',
    no_args_is_help=True,
)
PANEL = "Logins"
app.add_typer(token_app, name="token", rich_help_panel=PANEL)

ROLE_HELP = "Login role, one of: " + ", ".join(f"{role.value} ({role.label})" for role in UserRole)


def _messages(error: Exception) -> str:
    """A ValidationError's messages as one line, each with the field it is about."""
    from django.core.exceptions import ValidationError

    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(getattr(error, "messages", [str(error)]))


@app.command(rich_help_panel=PANEL)
def createuser(
    username: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = UserRole.COMMITTEE_MEMBER.value,
    icp: Annotated[str | None, typer.Option(help="Home ICP code, e.g. NI-NOR-CA")] = None,
    organisation: Annotated[str | None, typer.Option(help="Organisation code")] = None,
    superuser: Annotated[bool, typer.Option(help="Give every permission")] = False,
    token: Annotated[bool, typer.Option(help="Also issue an API token and print it once")] = False,
) -> None:
    """Create a login. The password is read from ICP_PASSWORD or asked for. Audited.

    Example: [bold]icp createuser jo --role icp_manager --icp NI-NOR-CA[/bold]
    """
    if role not in UserRole.values:
        refuse(f"--role {role!r} is not a role; choose one of: {', '.join(UserRole.values)}")
    setup_django()
    from django.core.exceptions import ValidationError

    from icp.partnership.accounts import create_user, issue_api_token
    from icp.partnership.models import Area, Organisation, User

    if User.objects.filter(username=username).exists():
        refuse(f"A user called {username!r} already exists.")
    home = Area.objects.filter(code=icp).first() if icp else None
    if icp and home is None:
        refuse(f"--icp {icp!r}: no such area; run `icp load-structure` first?")
    org = Organisation.objects.filter(code=organisation).first() if organisation else None
    if organisation and org is None:
        refuse(f"--organisation {organisation!r}: no such organisation.")
    password = os.environ.get("ICP_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        user = create_user(
            username=username,
            password=password,
            role=role,
            by=None,
            home_area=home,
            organisation=org,
            superuser=superuser,
        )
    except ValidationError as error:
        if "password" in getattr(error, "error_dict", {}):
            refuse("Password refused: " + " ".join(error.message_dict["password"]))
        refuse(f"User not created: {_messages(error)}")
    console.print(f"[green]Created {username} ({user.get_role_display()}).[/green]")
    if token:
        issued = issue_api_token(user=user, name="created by icp createuser", by=None)
        console.print(f"API token (shown once): {issued.key}", soft_wrap=True)


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="An existing login")],
    name: Annotated[
        str, typer.Option(help="What the token is for (shown in the admin)")
    ] = "created by icp token",
) -> None:
    """Issue a new API token for an existing login and print it once, alone on the last line. Audited.

    Use it as `Authorization: Bearer <token>` on the JSON and FHIR APIs.

    Example: [bold]icp token create jo --name "practice system"[/bold]
    """
    setup_django()
    from django.core.exceptions import ValidationError

    from icp.partnership.accounts import issue_api_token
    from icp.partnership.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        refuse(f"No user called {username!r}; create one with `icp createuser {username}`.")
    try:
        issued = issue_api_token(user=user, name=name, by=None)
    except ValidationError as error:
        refuse(f"No token issued: {_messages(error)}")
    console.print(f"API token for {username} (shown once; only its hash is stored):")
    # Alone on the last line, unwrapped, so a script can take it with `tail -n 1`.
    console.print(issued.key, soft_wrap=True, highlight=False, markup=False)
