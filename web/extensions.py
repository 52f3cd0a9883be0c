"""Flask extensions, created unbound and initialised by the application factory."""

from __future__ import annotations

from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from engine.models import Base

# Flask-SQLAlchemy on the engine's own declarative Base: the web app, the CLI and workers share one set of models.
db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
