"""``.gitignore`` is respected: what git ignores is not checked, the way git decides it."""

from __future__ import annotations

import re

from repos import git_repository, git_unignored, ormlint

#: One ORM301 finding (no ``timeout=``), so every checked file shows in the output.
HANGS = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"

LAYOUT = {
    "pyproject.toml": "[project]\nname = 'app'\n",
    ".gitignore": "vendor/\n*_generated.py\n/scratch.py\n",
    "app/views.py": HANGS,
    "app/api_generated.py": HANGS,
    "app/scratch.py": HANGS,  # `/scratch.py` is anchored to the top: this one is checked
    "scratch.py": HANGS,
    "vendor/requests_toolbelt/adapters.py": HANGS,
    # A nested .gitignore, relative to its own folder, with a re-include below it.
    "app/proto/.gitignore": "*.py\n!__init__.py\n",
    "app/proto/__init__.py": HANGS,
    "app/proto/orders_pb2.py": HANGS,
    "app/proto/deep/.gitignore": "!keep.py\n",
    "app/proto/deep/keep.py": HANGS,
    "app/proto/deep/other.py": HANGS,
    # Nothing below an ignored folder comes back, whatever a deeper file says.
    "vendor/.gitignore": "!*.py\n",
    "vendor/pkg/.gitignore": "!*.py\n",
    "vendor/pkg/mod.py": HANGS,
    # Ignored through the repository's own exclude file, not a .gitignore.
    "app/local_settings.py": HANGS,
}


def checked_files(output: str) -> set:
    return set(re.findall(r"^(\S+?\.py):\d+:\d+: ORM301", output, re.MULTILINE))


def make_repository(tmp_path):
    root = git_repository(tmp_path / "repo", LAYOUT)
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("local_settings.py\n")
    return root


def test_the_files_checked_are_the_python_files_git_does_not_ignore(tmp_path):
    root = make_repository(tmp_path)
    result = ormlint(root, ".")
    expected = {name for name in git_unignored(root) if name.endswith(".py")}
    assert expected == {"app/views.py", "app/scratch.py", "app/proto/__init__.py", "app/proto/deep/keep.py"}
    assert checked_files(result.stdout) == expected
    assert result.returncode == 1


def test_no_respect_gitignore_checks_everything(tmp_path):
    root = make_repository(tmp_path)
    result = ormlint(root, "--no-respect-gitignore", ".")
    assert checked_files(result.stdout) == {name for name in LAYOUT if name.endswith(".py")}


def test_respect_gitignore_false_in_the_configuration_and_the_flag_over_it(tmp_path):
    root = make_repository(tmp_path)
    (root / "pyproject.toml").write_text("[tool.ormlint]\nrespect-gitignore = false\n")
    assert "vendor/pkg/mod.py" in checked_files(ormlint(root, ".").stdout)
    assert "vendor/pkg/mod.py" not in checked_files(ormlint(root, "--respect-gitignore", ".").stdout)


def test_an_ignored_file_named_on_the_command_line_stays_excluded(tmp_path):
    root = make_repository(tmp_path)
    result = ormlint(root, "app/api_generated.py", "vendor/pkg/mod.py", "app/views.py")
    assert checked_files(result.stdout) == {"app/views.py"}
    ignored_only = ormlint(root, "vendor", "app/proto/orders_pb2.py")
    assert ignored_only.returncode == 0
    assert checked_files(ignored_only.stdout) == set()
    # Said, as ruff says it, so that it does not pass for a clean run.
    assert "no Python files found under the given paths" in ignored_only.stderr
    assert "no Python files found" not in result.stderr


def test_a_check_from_a_subfolder_reads_the_gitignore_files_above_it(tmp_path):
    root = make_repository(tmp_path)
    result = ormlint(root / "app", ".")
    assert checked_files(result.stdout) == {"views.py", "scratch.py", "proto/__init__.py", "proto/deep/keep.py"}


def test_outside_a_git_work_tree_a_gitignore_file_means_nothing(tmp_path):
    root = tmp_path / "plain"
    root.mkdir()
    (root / ".gitignore").write_text("*.py\n")
    (root / "views.py").write_text(HANGS)
    assert checked_files(ormlint(root, ".").stdout) == {"views.py"}


def test_models_in_an_ignored_folder_are_still_the_projects_models(tmp_path):
    """Generated or vendored model modules are not checked, but code that loops over
    their rows is, and needs to know their relations."""
    root = git_repository(
        tmp_path / "repo",
        {
            "manage.py": "",
            ".gitignore": "generated/\n",
            "generated/__init__.py": "",
            "generated/models.py": (
                "from django.db import models\n\n\n"
                "class Customer(models.Model):\n    name = models.CharField(max_length=10)\n\n\n"
                "class Order(models.Model):\n"
                "    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n"
                "    # a loop in the ignored folder itself, never reported\n"
                "    def names(self):\n        return [o.customer.name for o in Order.objects.all()]\n"
            ),
            "shop/__init__.py": "",
            "shop/views.py": (
                "from generated.models import Order\n\n\n"
                "def names():\n    return [order.customer.name for order in Order.objects.all()]\n"
            ),
        },
    )
    result = ormlint(root, ".")
    assert result.stdout.splitlines()[0].startswith("shop/views.py:5:12: ORM001")
    assert "generated/" not in result.stdout
