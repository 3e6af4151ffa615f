import sys
from pathlib import Path

# The harness lives beside the tests; make it importable without installing anything.
sys.path.insert(0, str(Path(__file__).parent))
