"""``accordia users``, ``accordia tokens`` and ``accordia audit``: accounts, API tokens and the
audit trail from the command line.

Every command acts as ``--actor`` (default ``ACCORDIA_ACTOR``, ``cli``: the built-in local
administrator with the regulator role). Managing accounts and reading the audit trail needs
the regulator role; any account may create and revoke its own tokens. Exit statuses: 0 done,
1 refused (role or ownership), 2 no such account or token, 64 usage error.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer

ActorOption = typer.Option(
    None, "--actor", help="Act as this account (default: ACCORDIA_ACTOR, i.e. `cli`)."
)


def _fail(code: int, message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def _session_and_actor(actor: str | None, *, regulator: bool) -> tuple[Any, Any]:
    from accordia.db.session import default_engine, session_factory
    from accordia.services import authz
    from accordia.settings import get_settings

    session = session_factory(default_engine())()
    try:
        who = authz.resolve_actor(session, actor or get_settings().actor)
        if regulator:
            authz.require_regulator(who, "or manage accounts")
    except (authz.UnknownActor, authz.Forbidden) as exc:
        session.close()
        _fail(1, str(getattr(exc, "message", exc)))
    return session, who


def _account_error(exc: Any) -> NoReturn:
    _fail(2 if exc.code == "not_found" else 64, f"{exc.field}: {exc.message}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Accounts: add, list, enable, disable, set passwords.")
    tokens = typer.Typer(help="API tokens: create (secret shown once), list, revoke.")

    @users.command("add")
    def users_add(
        username: str = typer.Argument(..., help="Login name (a-z, 0-9, '.', '_', '-')."),
        role: str = typer.Option(
            ..., help="regulator, accreditation_body, cab, association or public."
        ),
        cab: str | None = typer.Option(None, help="Role cab: the CAB's registration number."),
        body: str | None = typer.Option(
            None,
            metavar="ACRONYM/ECONOMY",
            help="Roles accreditation_body and association: the body, e.g. CNAS/CN.",
        ),
        display_name: str = typer.Option("", help="Name shown to regulators."),
        password_stdin: bool = typer.Option(
            False, "--password-stdin", help="Read the password from the first line of stdin."
        ),
        no_password: bool = typer.Option(
            False, "--no-password", help="No password: the account uses API tokens only."
        ),
        actor: str | None = ActorOption,
    ) -> None:
        """Add an account with a role and the record it acts for (regulators only)."""
        from accordia.services import accounts

        acronym, economy = None, None
        if body:
            acronym, _, economy = body.rpartition("/")
            if not acronym or not economy:
                _fail(64, "--body is ACRONYM/ECONOMY, e.g. CNAS/CN")
        password = None if no_password else _read_password(password_stdin)
        session, who = _session_and_actor(actor, regulator=True)
        try:
            user = accounts.create_user(
                session,
                username=username,
                role=role,
                actor=who.name,
                display_name=display_name,
                password=password,
                cab=cab,
                body_acronym=acronym,
                body_economy=economy,
            )
            session.commit()
            typer.echo(f"added {user.username} ({user.role})")
        except accounts.AccountError as exc:
            session.rollback()
            _account_error(exc)
        finally:
            session.close()

    @users.command("list")
    def users_list(
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        actor: str | None = ActorOption,
    ) -> None:
        """List accounts (regulators only)."""
        from accordia.services import accounts

        session, _who = _session_and_actor(actor, regulator=True)
        with session:
            rows = [accounts.user_view(u) for u in accounts.list_users(session)]
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            binding = r["cab"] or "/".join(x for x in (r["body_acronym"], r["body_economy"]) if x)
            state = "" if r["active"] else " (disabled)"
            typer.echo(f"{r['username']}\t{r['role']}\t{binding}{state}")

    def _set_active(username: str, active: bool, actor: str | None) -> None:
        from accordia.services import accounts

        session, who = _session_and_actor(actor, regulator=True)
        try:
            accounts.set_active(session, username, active, who.name)
            session.commit()
            typer.echo(f"{username} {'enabled' if active else 'disabled'}")
        except accounts.AccountError as exc:
            session.rollback()
            _account_error(exc)
        finally:
            session.close()

    @users.command("disable")
    def users_disable(username: str = typer.Argument(...), actor: str | None = ActorOption) -> None:
        """Disable an account: it can no longer sign in, and its tokens stop working."""
        _set_active(username, False, actor)

    @users.command("enable")
    def users_enable(username: str = typer.Argument(...), actor: str | None = ActorOption) -> None:
        """Enable a disabled account again."""
        _set_active(username, True, actor)

    @users.command("passwd")
    def users_passwd(
        username: str = typer.Argument(...),
        password_stdin: bool = typer.Option(False, "--password-stdin"),
        actor: str | None = ActorOption,
    ) -> None:
        """Set an account's password (ends its page sessions)."""
        from accordia.services import accounts

        password = _read_password(password_stdin)
        session, who = _session_and_actor(actor, regulator=True)
        try:
            accounts.set_password(session, username, password, who.name)
            session.commit()
            typer.echo(f"password of {username} set")
        except accounts.AccountError as exc:
            session.rollback()
            _account_error(exc)
        finally:
            session.close()

    @tokens.command("create")
    def tokens_create(
        username: str = typer.Argument(..., help="The account the token acts for."),
        scope: str = typer.Option("read", help="read or write."),
        days: int | None = typer.Option(None, help="Lifetime in days (default: token_days)."),
        name: str = typer.Option("", help="What the token is for."),
        actor: str | None = ActorOption,
    ) -> None:
        """Create an API token and print its secret (shown once). Regulators create tokens for
        any account; other accounts for themselves."""
        from accordia.services import accounts
        from accordia.settings import get_settings

        session, who = _session_and_actor(actor, regulator=False)
        try:
            if who.name != username and not who.is_regulator:
                _fail(1, f"{who.describe()} may create tokens for itself only")
            user = accounts.get_user(session, username)
            issued = accounts.issue_token(
                session,
                user,
                name=name,
                scope=scope,
                days=days or get_settings().token_days,
                actor=who.name,
            )
            session.commit()
            typer.echo(issued.secret)
            typer.echo(
                f"token {issued.token.prefix} ({scope}) for {username}, expires "
                f"{issued.token.expires_at:%Y-%m-%d}; the secret is not shown again",
                err=True,
            )
        except accounts.AccountError as exc:
            session.rollback()
            _account_error(exc)
        finally:
            session.close()

    @tokens.command("list")
    def tokens_list(
        user: str | None = typer.Option(None, help="Only this account's tokens."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        actor: str | None = ActorOption,
    ) -> None:
        """List tokens (never their secrets): id, account, scope, expiry, revocation, last use."""
        from accordia.services import accounts

        session, who = _session_and_actor(actor, regulator=False)
        if not who.is_regulator:
            user = who.name
        with session:
            rows = accounts.list_tokens(session, user)
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            state = "revoked" if r["revoked_at"] else f"expires {r['expires_at'][:10]}"
            typer.echo(f"{r['id']}\t{r['user']}\t{r['scope']}\t{state}\t{r['name']}")

    @tokens.command("revoke")
    def tokens_revoke(
        token_id: str = typer.Argument(..., help="The token's id (from `tokens list`)."),
        actor: str | None = ActorOption,
    ) -> None:
        """Revoke a token at once (regulators: any token; others: their own)."""
        from accordia.services import accounts

        session, who = _session_and_actor(actor, regulator=False)
        try:
            owner = None if who.is_regulator else who.name
            accounts.revoke_token(session, token_id, who.name, owner=owner)
            session.commit()
            typer.echo(f"token {token_id} revoked")
        except accounts.AccountError as exc:
            session.rollback()
            _account_error(exc)
        finally:
            session.close()

    app.add_typer(users, name="users")
    app.add_typer(tokens, name="tokens")

    @app.command("audit")
    def audit_cmd(
        entity: str | None = typer.Option(None, help="Record kind, e.g. certificate."),
        key: str | None = typer.Option(None, help="Natural key as recorded, e.g. 'R-1 / C-9'."),
        who_wrote: str | None = typer.Option(None, "--actor", help="Only writes by this actor."),
        limit: int = typer.Option(100, min=1, max=100_000, help="At most this many entries."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON Lines."),
        actor: str | None = typer.Option(
            None, "--as", help="Read as this account (default: ACCORDIA_ACTOR, i.e. `cli`)."
        ),
    ) -> None:
        """Read the audit trail, newest first: per record (--entity, --key) or per actor
        (--actor). Regulators only."""
        from accordia.services import accounts

        session, _who = _session_and_actor(actor, regulator=True)
        with session:
            total, items = accounts.read_audit(
                session, entity=entity, key=key, actor=who_wrote, limit=limit
            )
        for item in items:
            if as_json:
                typer.echo(json.dumps(item, ensure_ascii=False, default=str))
            else:
                typer.echo(
                    f"{item['at'][:19]}  {item['actor']}  {item['action']}  "
                    f"{item['entity']}  {item['key']}  {item['operation'] or ''}"
                )
        if not as_json:
            typer.echo(f"{len(items)} of {total} entries", err=True)
