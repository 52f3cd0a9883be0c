"""Flask extensions, created unbound and initialised by the application factory."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy

from engine.models import Base

# Flask-SQLAlchemy on the engine's own declarative Base: the web app, the CLI and workers share one set of models.
db = SQLAlchemy(model_class=Base)
