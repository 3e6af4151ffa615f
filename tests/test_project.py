"""The project a long-lived host keeps: an unsaved text reuses the index while it changes
no fact of its module, and a saved change is seen once the project is told."""

from pathlib import Path

from harness import make_project

from ormlint.project import Project
from ormlint.source import SourceFile

VIEW = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.count() > 0\n"


def unsaved(path: Path, text: str) -> SourceFile:
    return SourceFile(str(path), text, "utf-8", text.encode("utf-8"))


def test_an_edit_that_changes_no_fact_keeps_the_index(tmp_path):
    view = make_project(tmp_path, {"shop/views.py": VIEW}) / "shop" / "views.py"
    project = Project()
    index, _, _ = project.index_for(str(view))
    edited = VIEW.replace("    return", "    # a comment typed in the body\n    return")
    assert project.index_for(str(view), unsaved(view, edited))[0] is index


def test_an_edit_that_changes_a_fact_gets_its_own_index_kept_while_it_holds(tmp_path):
    view = make_project(tmp_path, {"shop/views.py": VIEW}) / "shop" / "views.py"
    project = Project()
    index, _, _ = project.index_for(str(view))
    with_model = VIEW + "\n\nclass Note(models.Model):\n    order = models.ForeignKey(Order, on_delete=models.CASCADE)\n"
    with_model = "from django.db import models\n" + with_model
    overlaid, module, _ = project.index_for(str(view), unsaved(view, with_model))
    assert overlaid is not index
    assert f"{module}.Note" in overlaid.models and f"{module}.Note" not in index.models
    again = with_model.replace("> 0", ">  0")
    assert project.index_for(str(view), unsaved(view, again))[0] is overlaid


def test_forget_reads_a_saved_change_of_another_file(tmp_path):
    root = make_project(tmp_path, {"shop/views.py": VIEW})
    project = Project(use_cache=True)
    before, _, _ = project.index_for(str(root / "shop" / "views.py"))
    models = root / "shop" / "models.py"
    models.write_text(models.read_text() + "\n\nclass Shipper(models.Model):\n    name = models.CharField(max_length=9)\n")
    assert project.index_for(str(root / "shop" / "views.py"))[0] is before, "kept until told"
    project.forget(project.root_of(str(models)))
    after, _, _ = project.index_for(str(root / "shop" / "views.py"))
    assert "shop.models.Shipper" in after.models and "shop.models.Shipper" not in before.models


def test_a_saved_file_with_the_same_facts_keeps_the_index_and_one_with_new_facts_drops_it(tmp_path):
    root = make_project(tmp_path, {"shop/views.py": VIEW})
    view, models = root / "shop" / "views.py", root / "shop" / "models.py"
    project = Project(use_cache=True)
    index, _, _ = project.index_for(str(view))
    view.write_text(VIEW.replace("> 0", "!= 0"))
    project.file_changed(str(view))
    assert project.index_for(str(view))[0] is index
    models.write_text(models.read_text() + "\n\nclass Shipper(models.Model):\n    name = models.CharField(max_length=9)\n")
    project.file_changed(str(models))
    assert "shop.models.Shipper" in project.index_for(str(view))[0].models
    new_file = root / "shop" / "extra.py"
    new_file.write_text("from django.db import models\n\n\nclass Depot(models.Model):\n    pass\n")
    project.file_changed(str(new_file))
    assert "shop.extra.Depot" in project.index_for(str(view))[0].models


def test_a_package_made_by_a_new_init_file_renames_its_modules(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "shop").mkdir()
    models = tmp_path / "shop" / "models.py"
    models.write_text("from django.db import models\n\n\nclass Order(models.Model):\n    pass\n")
    project = Project()
    index, module, _ = project.index_for(str(models))
    assert module == "models" and "models" in index.modules
    init = tmp_path / "shop" / "__init__.py"
    init.write_text("")  # no facts of its own, yet every module of the folder is renamed
    project.file_changed(str(init))
    index, module, _ = project.index_for(str(models))
    assert module == "shop.models" and "shop.models" in index.modules and "models" not in index.modules
