"""`python -m web <command>`: the Flask CLI of this application (serve, tick, create-agency, create-user, …)."""

from flask.cli import FlaskGroup

from web import create_app

cli = FlaskGroup(create_app=lambda: create_app(), help="EnforceFlow web application")

if __name__ == "__main__":
    cli()
