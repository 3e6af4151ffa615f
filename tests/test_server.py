"""``ormlint server`` driven by a real LSP client (pytest-lsp) over stdio, on projects in
temporary folders: what it reports agrees with ``ormlint --output-format json``, and the
text its code actions produce is what ``ormlint --fix`` writes."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, List, Sequence, Tuple

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from ormlint.server_edits import Lines

#: Seconds any one exchange with the server (or a run of the command line) may take.
TIMEOUT = 60

MODELS = '''\
from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=100)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    status = models.CharField(max_length=20)
    shipper = models.CharField(max_length=20)
'''

#: ``shipper`` becomes a relation: the view's loop over orders is then an N+1 on it.
MODELS_WITH_SHIPPER = MODELS.replace(
    '    shipper = models.CharField(max_length=20)\n',
    '    shipper = models.ForeignKey("Shipper", on_delete=models.CASCADE)\n\n\n'
    'class Shipper(models.Model):\n    name = models.CharField(max_length=100)\n',
)

VIEW = '''\
from shop.models import Order


def names():
    return [order.customer.name for order in Order.objects.all()]


def shippers():
    return [order.shipper.name for order in Order.objects.filter(status="sent")]


def touch():
    for order in Order.objects.all():
        order.status = "seen"
        order.save()
'''


def make_shop(root: Path, view: str = VIEW, pyproject: str = "[project]\nname = 'shop'\n") -> Path:
    (root / "shop").mkdir(parents=True)
    (root / "pyproject.toml").write_text(pyproject)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "models.py").write_text(MODELS)
    (root / "shop" / "views.py").write_text(view)
    return root / "shop" / "views.py"


def ormlint(*args: str, cwd: Path, stdin: str = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, timeout=TIMEOUT,
    )


def command_line_findings(path: Path) -> List[Tuple]:
    """``ormlint --output-format json`` on the file, as LSP ranges (0-based)."""
    completed = ormlint("--output-format", "json", str(path), cwd=path.parent)
    assert completed.returncode in (0, 1), completed.stderr
    return sorted(
        (
            d["code"], d["message"],
            (d["location"]["row"] - 1, d["location"]["column"] - 1),
            (d["end_location"]["row"] - 1, d["end_location"]["column"] - 1),
        )
        for d in json.loads(completed.stdout)
    )


def fixed_by_command_line(path: Path, tmp_path: Path) -> str:
    """What ``ormlint --fix`` writes for the file, fixed in a copy of its project."""
    copy = Path(shutil.copytree(path.parents[1], tmp_path / "fixed-copy"))
    target = copy / path.relative_to(path.parents[1])
    ormlint("--fix", str(target), cwd=copy)
    return target.read_text()


def shown(diagnostics: Sequence[types.Diagnostic]) -> List[Tuple]:
    return sorted(
        (d.code, d.message, (d.range.start.line, d.range.start.character), (d.range.end.line, d.range.end.character))
        for d in diagnostics
    )


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP text edits to ``text`` (UTF-16 positions), as an editor does."""
    lines = text.splitlines(keepends=True) or [""]

    def offset(position: types.Position) -> int:
        before = sum(len(line) for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for index, character in enumerate(line):
            if units >= position.character:
                return before + index
            units += len(character.encode("utf-16-le")) // 2
        return before + len(line.rstrip("\r\n")) if position.line < len(lines) else before

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


async def wait_until(client: LanguageClient, condition: Callable[[], bool]) -> None:
    """Wait for diagnostics to be published until ``condition`` holds."""

    async def waiting() -> None:
        while not condition():
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    await asyncio.wait_for(waiting(), TIMEOUT)


async def open_file(client: LanguageClient, path: Path) -> List[types.Diagnostic]:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=path.read_text())
        )
    )
    await wait_until(client, lambda: uri in client.diagnostics)
    return list(client.diagnostics[uri])


async def change_file(client: LanguageClient, path: Path, text: str, version: int) -> List[types.Diagnostic]:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await wait_until(client, lambda: uri in client.diagnostics)
    return list(client.diagnostics[uri])


async def code_actions(
    client: LanguageClient, path: Path, diagnostic: types.Diagnostic, only: Sequence[str] = None
) -> List[types.CodeAction]:
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
        range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic], only=list(only) if only else None),
    )
    return await asyncio.wait_for(client.text_document_code_action_async(params), TIMEOUT)


def edits_of(action: types.CodeAction, path: Path) -> List[types.TextEdit]:
    assert action.edit is not None and action.edit.changes is not None
    return list(action.edit.changes[path.as_uri()])


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "ormlint", "server"]))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)

    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=tmp_path.as_uri()
    )
    await asyncio.wait_for(lsp_client.initialize_session(params), TIMEOUT)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


@pytest.mark.asyncio
async def test_diagnostics_on_open_are_the_command_line_json(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path)
    diagnostics = await open_file(client, view)
    expected = command_line_findings(view)
    assert [code for code, *_ in expected] == ["ORM001", "ORM201"]
    assert shown(diagnostics) == expected
    assert {d.source for d in diagnostics} == {"ormlint"}
    assert {d.severity for d in diagnostics} == {types.DiagnosticSeverity.Warning}
    assert all(d.code_description.href.endswith(f"/docs/rules/{d.code}.md") for d in diagnostics)


@pytest.mark.asyncio
async def test_an_edit_is_checked_as_typed_without_saving(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path)
    await open_file(client, view)
    edited = VIEW + "\n\ndef any_orders():\n    return Order.objects.count() > 0\n"
    diagnostics = await change_file(client, view, edited, version=2)
    assert view.read_text() == VIEW, "the server never writes the file"
    expected = ormlint("--output-format", "json", "-", "--stdin-filename", str(view), cwd=tmp_path, stdin=edited)
    rows = sorted((d["code"], d["location"]["row"] - 1, d["message"]) for d in json.loads(expected.stdout))
    assert sorted((d.code, d.range.start.line, d.message) for d in diagnostics) == rows
    assert [code for code, *_ in rows] == ["ORM001", "ORM101", "ORM201"]


@pytest.mark.asyncio
async def test_a_model_saved_in_another_file_changes_an_open_view(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path)
    models = tmp_path / "shop" / "models.py"
    before = await open_file(client, view)
    assert "`order.shipper`" not in " ".join(d.message for d in before)
    await open_file(client, models)
    models.write_text(MODELS_WITH_SHIPPER)
    client.diagnostics.pop(view.as_uri(), None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=models.as_uri(), version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=MODELS_WITH_SHIPPER)],
        )
    )
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=models.as_uri())))
    await wait_until(client, lambda: view.as_uri() in client.diagnostics)
    after = client.diagnostics[view.as_uri()]
    assert any("`order.shipper`" in d.message for d in after)
    assert shown(after) == command_line_findings(view)


@pytest.mark.asyncio
async def test_a_watched_file_changed_outside_the_editor_refreshes_the_index(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path)
    await open_file(client, view)
    (watching,) = client.registrations
    assert watching.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert "**/*.py" in [w["globPattern"] for w in watching.register_options["watchers"]]
    models = tmp_path / "shop" / "models.py"
    models.write_text(MODELS_WITH_SHIPPER)
    client.diagnostics.pop(view.as_uri(), None)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=models.as_uri(), type=types.FileChangeType.Changed)])
    )
    await wait_until(client, lambda: view.as_uri() in client.diagnostics)
    assert any("`order.shipper`" in d.message for d in client.diagnostics[view.as_uri()])


@pytest.mark.asyncio
async def test_the_quick_fix_writes_what_the_command_line_writes(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path, view=VIEW.split("\n\ndef shippers")[0] + "\n")
    diagnostics = await open_file(client, view)
    (n_plus_one,) = diagnostics
    actions = await code_actions(client, view, n_plus_one)
    fixes = [a for a in actions if a.title.startswith("Add")]
    assert [(a.title, a.kind, a.is_preferred) for a in fixes] == [
        ("Add `.select_related('customer')`", types.CodeActionKind.QuickFix, True)
    ]
    assert fixes[0].diagnostics[0].code == "ORM001"
    assert apply(view.read_text(), edits_of(fixes[0], view)) == fixed_by_command_line(view, tmp_path)


@pytest.mark.asyncio
async def test_an_unsafe_fix_is_offered_labelled_and_not_preferred(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path)
    diagnostics = await open_file(client, view)
    save_in_loop = next(d for d in diagnostics if d.code == "ORM201")
    actions = await code_actions(client, view, save_in_loop)
    (fix,) = [a for a in actions if "bulk_update" in a.title]
    assert fix.title.endswith("(unsafe: may change behaviour)")
    assert not fix.is_preferred
    fixed = apply(view.read_text(), edits_of(fix, view))
    assert "Order.objects.bulk_update(" in fixed and "order.save()" not in fixed


@pytest.mark.asyncio
async def test_fix_all_applies_the_safe_fixes_as_the_command_line_does(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path)
    diagnostics = await open_file(client, view)
    actions = await code_actions(client, view, diagnostics[0], only=[types.CodeActionKind.Source])
    (fix_all,) = actions
    assert (fix_all.title, fix_all.kind) == ("Fix all ormlint findings in this file", "source.fixAll.ormlint")
    fixed = apply(view.read_text(), edits_of(fix_all, view))
    assert fixed == fixed_by_command_line(view, tmp_path)
    assert "order.save()" in fixed, "the unsafe bulk_update fix is not applied"
    assert not await code_actions(client, view, diagnostics[0], only=[types.CodeActionKind.Refactor])


@pytest.mark.asyncio
async def test_ignore_on_this_line_adds_a_noqa_that_silences_the_finding(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path)
    diagnostics = await open_file(client, view)
    n_plus_one = next(d for d in diagnostics if d.code == "ORM001")
    actions = await code_actions(client, view, n_plus_one)
    (ignore,) = [a for a in actions if a.title == "Ignore ORM001 on this line"]
    text = apply(view.read_text(), edits_of(ignore, view))
    assert text.splitlines()[n_plus_one.range.start.line].endswith("Order.objects.all()]  # noqa: ORM001")
    after = await change_file(client, view, text, version=2)
    assert [d.code for d in after] == ["ORM201"]


@pytest.mark.asyncio
async def test_ignore_extends_an_existing_noqa(client: LanguageClient, tmp_path: Path):
    line = "x = [o.customer for o in Order.objects.all() if len(Order.objects.all()) > 0]  # noqa: ORM102"
    view = make_shop(tmp_path, view=f"from shop.models import Order\n\n{line}\n")
    diagnostics = await open_file(client, view)
    assert sorted(d.code for d in diagnostics) == ["ORM001", "ORM101"]
    n_plus_one = next(d for d in diagnostics if d.code == "ORM001")
    (ignore,) = [a for a in await code_actions(client, view, n_plus_one) if a.title == "Ignore ORM001 on this line"]
    text = apply(view.read_text(), edits_of(ignore, view))
    assert text.rstrip().endswith("# noqa: ORM102, ORM001")
    assert [d.code for d in await change_file(client, view, text, version=2)] == ["ORM101"]


@pytest.mark.asyncio
async def test_hover_on_a_finding_shows_its_rule(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path)
    diagnostics = await open_file(client, view)
    n_plus_one = next(d for d in diagnostics if d.code == "ORM001")
    params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=view.as_uri()), position=n_plus_one.range.start)
    hover = await asyncio.wait_for(client.text_document_hover_async(params), TIMEOUT)
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.startswith("# ORM001: n-plus-one-forward")
    assert "## Why is this bad?" in hover.contents.value
    elsewhere = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=view.as_uri()), position=types.Position(line=0, character=0))
    assert await asyncio.wait_for(client.text_document_hover_async(elsewhere), TIMEOUT) is None


@pytest.mark.asyncio
async def test_a_broken_configuration_is_logged_and_the_server_goes_on(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path, pyproject="[tool.ormlint]\nselect = 5\n")
    diagnostics = await open_file(client, view)
    errors = [m.message for m in client.log_messages if m.type == types.MessageType.Error]
    assert any(str(tmp_path / "pyproject.toml") in m and "select" in m for m in errors), errors
    assert any("select" in m.message for m in client.messages), "an error is shown to the user too"
    assert sorted(d.code for d in diagnostics) == ["ORM001", "ORM201"], "checked with the defaults meanwhile"
    (tmp_path / "pyproject.toml").write_text("[tool.ormlint]\nignore = ['ORM201']\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(tmp_path / "pyproject.toml").as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    client.diagnostics.pop(view.as_uri(), None)
    await wait_until(client, lambda: view.as_uri() in client.diagnostics)
    assert [d.code for d in client.diagnostics[view.as_uri()]] == ["ORM001"], "the mended file is read again"


@pytest.mark.asyncio
async def test_a_file_that_does_not_parse_gets_orm000_and_the_server_goes_on(client: LanguageClient, tmp_path: Path):
    view = make_shop(tmp_path, view="from shop.models import Order\n\nprint 'hello'\n")
    (error,) = await open_file(client, view)
    assert (error.code, error.severity) == ("ORM000", types.DiagnosticSeverity.Error)
    assert shown([error]) == command_line_findings(view)
    after = await change_file(client, view, VIEW, version=2)
    assert sorted(d.code for d in after) == ["ORM001", "ORM201"]


def test_positions_are_counted_in_utf16_units_as_the_protocol_says():
    from ormlint.diagnostics import Location

    lines = Lines("s = '\U0001f600é'; x = 1\n")
    # The emoji is one code point (column 6 to 7) and two UTF-16 units.
    assert lines.position(Location(1, 8)) == types.Position(line=0, character=8)
    assert Lines("a\r\nb\rc\n", types.PositionEncodingKind.Utf8).end() == types.Position(line=3, character=0)


def test_without_the_server_extra_the_command_says_how_to_install_it(tmp_path):
    hide_pygls = "import sys; sys.modules['pygls'] = None; from ormlint.cli import main; main(['server'])"
    completed = subprocess.run([sys.executable, "-c", hide_pygls], capture_output=True, text=True, timeout=TIMEOUT)
    assert completed.returncode == 2
    assert "pip install 'ormlint[server]'" in completed.stderr
    assert "pygls" in completed.stderr
