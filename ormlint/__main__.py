"""Allow ``python -m ormlint``."""

from ormlint.cli import main

if __name__ == "__main__":
    main()
