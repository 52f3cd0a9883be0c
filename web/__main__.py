"""`python -m web <command>`: the Flask CLI of this application (serve, tick, create-agency, create-user, …)."""

import sys

from flask.cli import FlaskGroup

from web import create_app
from web.config import ConfigError


def _app():
    try:
        return create_app()
    except ConfigError as exc:  # a refused configuration is a message, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


cli = FlaskGroup(create_app=_app, help="EnforceFlow web application")

if __name__ == "__main__":
    cli()
