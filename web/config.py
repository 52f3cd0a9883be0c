"""Configuration from the environment, with documented defaults; production refuses the development secret."""

from __future__ import annotations

import os
from typing import Any

from engine.db import database_url

DEV_SECRET = "enforceflow-development-secret-not-for-production"


class ConfigError(RuntimeError):
    """The application must not start with this configuration."""


def load_config(test_config: dict[str, Any] | None = None) -> dict[str, Any]:
    """SECRET_KEY, DATABASE_URL, ENFORCEFLOW_ENV (development|production), ENFORCEFLOW_MAX_UPLOAD_MB."""
    production = os.environ.get("ENFORCEFLOW_ENV", "development") == "production"
    config: dict[str, Any] = {
        "ENFORCEFLOW_ENV": "production" if production else "development",
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET),
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": int(float(os.environ.get("ENFORCEFLOW_MAX_UPLOAD_MB", "20")) * 1024 * 1024),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "REVIEW_WARNING_WORKDAYS": int(os.environ.get("ENFORCEFLOW_WARN_WD", "3")),
        "SCHEDULER_INTERVAL": float(os.environ.get("ENFORCEFLOW_TICK_SECONDS", "60")),
        "JSON_AS_ASCII": False,
    }
    if test_config:
        config.update(test_config)
    if config["ENFORCEFLOW_ENV"] == "production" and config["SECRET_KEY"] in (DEV_SECRET, "", None):
        raise ConfigError("ENFORCEFLOW_ENV=production needs its own SECRET_KEY (the development secret is refused)")
    if config["ENFORCEFLOW_ENV"] == "production" and len(str(config["SECRET_KEY"])) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")
    return config
