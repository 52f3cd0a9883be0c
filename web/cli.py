"""Commands: create-agency, create-user, create-token, seed-demo, tick, serve (`python -m web <command>`)."""

from __future__ import annotations

import os
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from engine.errors import EngineError
from engine.models import User
from engine.roles import ROLES
from web import accounts, scheduler
from web.extensions import db
from web.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo


def _fail(exc: EngineError) -> None:
    db.session.rollback()
    raise click.ClickException(exc.message)


@click.command("create-agency")
@click.option("--code", required=True, help="机关代字, e.g. X市监 (prefix of every 文号)")
@click.option("--name", required=True, help="full name of the agency")
@click.option("--parent-government", required=True, help="本级人民政府 named in 行政复议 notices")
@click.option("--court", required=True, help="court for 行政诉讼 and 申请强制执行")
@click.option("--address", default="")
@click.option("--phone", default="")
@with_appcontext
def create_agency(code, name, parent_government, court, address, phone):
    """Create an enforcement agency."""
    try:
        agency = accounts.create_agency(db.session, code=code, name=name, parent_government=parent_government,
                                        court=court, address=address, phone=phone)
        db.session.commit()
    except EngineError as exc:
        _fail(exc)
    click.echo(f"created agency {agency.id}: {agency.code} {agency.name}")


@click.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="the person's name as documents print it")
@click.option("--agency", "agency_code", required=True, help="机关代字 of the user's agency")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(list(ROLES)))
@click.password_option(help="at least 8 characters (asked for when not given)")
@with_appcontext
def create_user(username, display_name, agency_code, roles, password):
    """Create a user of an agency with one or more roles."""
    try:
        agency = accounts.agency_by_code(db.session, agency_code)
        user = accounts.create_user(db.session, username=username, display_name=display_name, password=password,
                                    agency=agency, roles=list(roles))
        db.session.commit()
    except EngineError as exc:
        _fail(exc)
    click.echo(f"created user {user.username} ({user.display_name}) roles={user.roles}")


@click.command("create-token")
@click.argument("username")
@click.option("--name", default="CLI", help="a label to recognise the token by")
@with_appcontext
def create_token(username, name):
    """Issue an API token for a user and print it (shown once)."""
    user = db.session.scalars(select(User).where(User.username == username.lower())).first()
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    _token, secret = accounts.issue_token(db.session, user, name)
    db.session.commit()
    click.echo(secret)


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Create the demo agencies, users and cases that are missing (idempotent)."""
    created = seed_demo(db.session, current_app.extensions["enforceflow.runtime"])
    click.echo(f"demo data: {created}")


@click.command("tick")
@click.option("--loop", is_flag=True, help="keep ticking every --interval seconds")
@click.option("--interval", default=60.0, show_default=True)
@with_appcontext
def tick_command(loop, interval):
    """Fire due BPMN timers and record passed deadlines; safe beside other tickers."""
    app = current_app._get_current_object()
    while True:
        click.echo(f"tick: {scheduler.tick(app)}")
        if not loop:
            return
        time.sleep(interval)


@click.command("serve")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int, show_default="5000")
@click.option("--demo/--no-demo", default=True, help="seed the demo agencies, users and cases first")
@click.option("--threads", default=8, show_default=True)
@with_appcontext
def serve(host, port, demo, threads):
    """Run the web application with its scheduler (waitress, a production WSGI server)."""
    from waitress import serve as waitress_serve

    app = current_app._get_current_object()
    if demo:
        seed_demo(db.session, app.extensions["enforceflow.runtime"])
    scheduler.start(app)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    click.echo(f"\nEnforceFlow 执法文书流转引擎 is running at {url}")
    click.echo(f"database: {db.engine.url.render_as_string(hide_password=True)}")
    if demo:
        click.echo(f"demo logins (password {DEMO_PASSWORD}):")
        for username, name, agency, roles in DEMO_USERS:
            click.echo(f"  {username:<14} {name}  {agency}  {'、'.join(ROLES[r] for r in roles)}")
    click.echo("Press Ctrl+C to stop.\n")
    waitress_serve(app, host=host, port=port, threads=threads, ident="EnforceFlow")


def register_cli(app: Flask) -> None:
    for command in (create_agency, create_user, create_token, seed_demo_command, tick_command, serve):
        app.cli.add_command(command)
