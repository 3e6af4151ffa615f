"""ormlint: find and fix the ORM mistakes that make Django and SQLAlchemy applications slow."""

__version__ = "0.1.0"
