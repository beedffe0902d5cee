"""`icp createuser` and `icp token create|list|revoke`: logins and API tokens, through audited actions.

The actions live in `icp.partnership.accounts`; run from the command line they act as the
server's operator (`by=None`) and each leaves an audit event.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

import typer

from icp.cli.help import Typer
from icp.cli.output import console, refuse
from icp.django_setup import setup_django
from icp.partnership.roles import UserRole

app = Typer()
token_app = Typer(
    help="API tokens for the JSON and FHIR APIs.\n\n"
    'Example: [bold]icp token create jo --name "practice system"[/bold] (prints the token once).',
    no_args_is_help=True,
)
PANEL = "Logins"
app.add_typer(token_app, name="token", rich_help_panel=PANEL)
two_factor_app = Typer(
    help="Two-factor sign-in (authenticator apps).\n\n"
    "Example: [bold]icp two-factor reset jo[/bold] (a lost phone: the next sign-in sets up a new app).",
    no_args_is_help=True,
)
app.add_typer(two_factor_app, name="two-factor", rich_help_panel=PANEL)

ROLE_HELP = "Login role, one of: " + ", ".join(f"{role.value} ({role.label})" for role in UserRole)


def _messages(error: Exception) -> str:
    """A ValidationError's messages as one line, each with the field it is about."""
    from django.core.exceptions import ValidationError

    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(getattr(error, "messages", [str(error)]))


@app.command(rich_help_panel=PANEL)
def createuser(
    username: Annotated[str, typer.Argument(help="Login name", metavar="USERNAME")],
    role: Annotated[str, typer.Option(help=ROLE_HELP, metavar="ROLE")] = UserRole.COMMITTEE_MEMBER.value,
    icp: Annotated[str | None, typer.Option(help="Home ICP code, e.g. NI-NOR-CA", metavar="ICP")] = None,
    organisation: Annotated[str | None, typer.Option(help="Organisation code", metavar="CODE")] = None,
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


EXPIRES_HELP = (
    "When the token stops working: a number of days (30 or 30d) or a date (2027-03-31: the token works "
    "to the end of that day). Default: ICP_API_TOKEN_DAYS (90 days); at most a year."
)


def parse_expiry(value: str, *, now: datetime) -> datetime:
    """`--expires` as an aware datetime: N or Nd days from `now`, or the end of a calendar day (in the
    site's time zone). Raises ValueError saying what was expected."""
    from django.utils import timezone

    text = value.strip().lower()
    days = text[:-1] if text.endswith("d") else text
    if days.isdigit():
        if int(days) < 1:
            raise ValueError(f"--expires {value!r}: a token must live at least one day")
        return now + timedelta(days=int(days))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"--expires {value!r} is neither a number of days (30, 30d) nor a date (YYYY-MM-DD)"
        ) from None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _user_or_refuse(username: str) -> Any:
    from icp.partnership.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        refuse(f"No user called {username!r}; create one with `icp createuser {username}`.")
    return user


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="An existing login", metavar="USERNAME")],
    name: Annotated[
        str, typer.Option(help="What the token is for (shown in the admin)", metavar="NAME")
    ] = "created by icp token",
    expires: Annotated[str | None, typer.Option(help=EXPIRES_HELP, metavar="DAYS|DATE")] = None,
) -> None:
    """Issue a new API token for an existing login and print it once, alone on the last line. Audited.

    Use it as `Authorization: Bearer <token>` on the JSON and FHIR APIs. Every token expires.

    Example: [bold]icp token create jo --name "practice system" --expires 30[/bold]
    """
    setup_django()
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from icp.partnership.accounts import issue_api_token

    user = _user_or_refuse(username)
    try:
        until = parse_expiry(expires, now=timezone.now()) if expires else None
    except ValueError as error:
        refuse(str(error))
    try:
        issued = issue_api_token(user=user, name=name, by=None, expires=until)
    except ValidationError as error:
        refuse(f"No token issued: {_messages(error)}")
    expiry = timezone.localtime(issued.token.expires).strftime("%d %b %Y %H:%M")
    console.print(
        f"API token {issued.token.pk} for {username}, expires {expiry} (shown once; only its hash is stored):"
    )
    # Alone on the last line, unwrapped, so a script can take it with `tail -n 1`.
    console.print(issued.key, soft_wrap=True, highlight=False, markup=False)


@token_app.command("list")
def token_list(
    username: Annotated[str, typer.Argument(help="An existing login", metavar="USERNAME")],
) -> None:
    """List a login's API tokens: number, name, when made, last used, expiry and state. Audited.

    Keys are never shown (only their hashes are kept). Revoke one with `icp token revoke`.

    Example: [bold]icp token list jo[/bold]
    """
    setup_django()
    from django.utils import timezone
    from rich.table import Table

    from icp.partnership.accounts import list_api_tokens

    user = _user_or_refuse(username)
    tokens = list_api_tokens(user=user, by=None)
    if not tokens:
        console.print(f"{username} has no API tokens.")
        return

    def when(moment: datetime | None) -> str:
        return timezone.localtime(moment).strftime("%d %b %Y %H:%M") if moment else "never"

    table = Table(title=f"API tokens of {username}")
    for column in ("Number", "Name", "Created", "Last used", "Expires", "State"):
        table.add_column(column)
    for token in tokens:
        state = token.status + (f" {when(token.revoked)}" if token.revoked else "")
        table.add_row(
            str(token.pk), token.name, when(token.created), when(token.last_used), when(token.expires), state
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    username: Annotated[str, typer.Argument(help="The login the token belongs to", metavar="USERNAME")],
    number: Annotated[
        int | None, typer.Argument(help="The token's number, from `icp token list`", metavar="NUMBER")
    ] = None,
    all_tokens: Annotated[bool, typer.Option("--all", help="Revoke every token of the login")] = False,
) -> None:
    """Revoke an API token now: it answers 401 from then on. Audited.

    Name the login and the token's number (from `icp token list`), or `--all`.

    Example: [bold]icp token revoke jo 12[/bold]   or   [bold]icp token revoke jo --all[/bold]
    """
    if (number is None) == (not all_tokens):
        refuse("Give a token number or --all (not both).")
    setup_django()
    from icp.partnership.accounts import revoke_api_token
    from icp.partnership.models import ApiToken

    user = _user_or_refuse(username)
    tokens = ApiToken.objects.filter(user=user)
    if number is not None:
        tokens = tokens.filter(pk=number)
        if not tokens.exists():
            refuse(f"{username} has no token number {number}; see `icp token list {username}`.")
    else:
        tokens = tokens.filter(revoked__isnull=True)
    revoked = [revoke_api_token(token=token, by=None) for token in tokens]
    console.print(f"Revoked {len(revoked)} token{'s' if len(revoked) != 1 else ''} of {username}.")


@two_factor_app.command("reset")
def two_factor_reset(
    username: Annotated[str, typer.Argument(help="An existing login", metavar="USERNAME")],
) -> None:
    """Remove a login's authenticator apps (a lost or replaced phone). Audited.

    At their next sign-in, after the password, they set up an app again.

    Example: [bold]icp two-factor reset jo[/bold]
    """
    setup_django()
    from icp.site.two_factor import reset_two_factor

    user = _user_or_refuse(username)
    removed = reset_two_factor(user=user, by=None)
    console.print(
        f"Removed {removed} authenticator app{'s' if removed != 1 else ''} of {username}; "
        "they set one up again at their next sign-in."
    )
