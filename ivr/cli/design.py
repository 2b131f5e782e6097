"""Commands for menu designers: check, graph, schema and speak."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from ivr.cli.common import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    _escape,
    err,
    fail,
    load_or_exit,
    out,
    pacing_or_exit,
    print_diagnostics,
    voices_option,
    write_output,
)
from ivr.source.diagnostics import Diagnostic, IvrError, MenuError
from ivr.source.reader import display_path


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--disable", multiple=True, metavar="RULE", help="Switch a lint rule off (repeatable).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--rules", "list_rules", is_flag=True, help="List the lint rules and exit.")
@click.option("--timing", is_flag=True, help="Also show how long callers listen before each destination.")
@click.option(
    "--voices",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder written by `ivr speak`: use its WAV lengths (else estimated from the words).",
)
def check(
    files: tuple[Path, ...],
    fmt: str,
    disable: tuple[str, ...],
    strict: bool,
    list_rules: bool,
    timing: bool,
    voices: Path | None,
) -> None:
    """Validate and lint menu FILES.

    Exit status: 0 clean (warnings allowed), 1 lint errors, 2 a file is invalid or unreadable.
    """
    from ivr.menu import load_menu
    from ivr.menu.lint import RULES, lint_menu
    from ivr.menu.timing import reach_summary
    from ivr.render.reports import timing_table

    if list_rules:
        for rule, (severity, text) in RULES.items():
            out.print(f"{rule:22} {severity:8} {text}")
        return
    unknown = [r for r in disable if r not in RULES]
    if unknown:
        fail(f"unknown lint rule {unknown[0]!r}", "list them with `ivr check --rules`")
    results: list[dict[str, Any]] = []
    worst = EXIT_OK
    centre_files: list[Path] = []
    for path in files:
        try:
            menu = load_menu(path)
        except IvrError as exc:
            if isinstance(exc, MenuError) and exc.centre_file:  # never a valid menu
                centre_files.append(path)  # checked with the menus that name it: see below
                continue
            results.append({"path": str(path), "valid": False, "diagnostics": exc.diagnostics})
            worst = EXIT_INVALID
            continue
        found = lint_menu(menu, set(disable))
        if strict:
            found = [Diagnostic(**{**d.as_dict(), "severity": "error"}) for d in found]  # type: ignore[arg-type]
        if any(d.severity == "error" for d in found):
            worst = max(worst, EXIT_FAILED)
        centre = menu.sources[-1].path if len(menu.sources) > 1 and menu.centre is not None else None
        results.append(
            {"path": str(path), "valid": True, "diagnostics": found, "nodes": len(menu.nodes), "centre": centre}
        )
        if timing:
            pacing = pacing_or_exit(voices)
            spoken = pacing.seconds_for  # (prompt id, language, text) -> seconds
            results[-1]["timing"] = reach_summary(menu, spoken, measured=bool(pacing.by_id))
    for path in centre_files:
        named_by = [r["path"] for r in results if r.get("centre") and Path(r["centre"]).resolve() == path.resolve()]
        found_here: list[Diagnostic] = []
        if not named_by:
            found_here.append(
                Diagnostic(
                    display_path(path),
                    1,
                    1,
                    "a centre file (agents, queues, traffic), not a menu: it is checked with the menu that "
                    "names it under `centre:`, and no menu checked here does",
                    "warning",
                    "check the menu that names it, e.g. `ivr check menu.yaml`",
                    "centre-file",
                )
            )
        results.append(
            {"path": str(path), "valid": True, "kind": "centre", "checked_with": named_by, "diagnostics": found_here}
        )
    errors = sum(d.severity == "error" for r in results for d in r["diagnostics"])
    warnings = sum(d.severity == "warning" for r in results for d in r["diagnostics"])
    if fmt == "json":
        payload = {
            "files": [{**r, "diagnostics": [d.as_dict() for d in r["diagnostics"]]} for r in results],
            "errors": errors,
            "warnings": warnings,
            "exit_status": worst,
        }
        out.print(json.dumps(payload, ensure_ascii=False, indent=2), markup=False)
    else:
        for r in results:
            print_diagnostics(r["diagnostics"], out)
            if r.get("checked_with"):
                out.print(f"[dim]{r['path']}: a centre file, checked with {', '.join(r['checked_with'])}[/]")
            for language, reaches in r.get("timing", {}).items():
                out.print(timing_table(r["path"], language, reaches))
        colour = "red" if errors else "yellow" if warnings else "green"
        checked = f"{len(files)} file{'s' * (len(files) != 1)} checked"
        out.print(f"[{colour}]{checked}: {errors} error(s), {warnings} warning(s)[/]")
    sys.exit(worst)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", help="Diagram language.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def graph(file: Path, fmt: str, output: Path | None) -> None:
    """Draw the menu in FILE, with no-input, no-match and attempts-used-up paths."""
    from ivr.menu.graph import render

    text = render(load_or_exit(str(file)), fmt)
    write_output(text, output)


@click.command()
@click.argument("kind", type=click.Choice(["menu", "script"]), default="menu")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def schema(kind: str, output: Path | None) -> None:
    """Print the JSON Schema of menu files (or of call scripts), for editors."""
    from ivr.menu.model import MenuFileSchema
    from ivr.replay.model import ScriptFile

    model = MenuFileSchema if kind == "menu" else ScriptFile
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(by_alias=True),
        "title": f"ivr {kind} file",
    }
    write_output(json.dumps(document, indent=2, ensure_ascii=False) + "\n", output)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder.")
@click.option("--language", "languages", multiple=True, help="Only these languages (repeatable).")
def speak(file: Path, output: Path, languages: tuple[str, ...]) -> None:
    """Write every prompt of FILE, in every language, to WAV files with a manifest.json (cached by text)."""
    from ivr.voice.library import SpeakFailed, prompts_to_speak, speak_menu

    menu = load_or_exit(str(file))
    unknown = [lang for lang in languages if lang not in menu.languages]
    if unknown:
        fail(f"--language {unknown[0]!r} is not one of the menu's languages: {', '.join(menu.languages)}")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create {output}: {exc.strerror or exc}")
    prompts = prompts_to_speak(menu, languages)
    try:
        with err.status(f"speaking {len(prompts)} prompts…") if err.is_terminal else contextlib.nullcontext():
            library = speak_menu(menu, output, prompts)
    except SpeakFailed as exc:
        fail(str(exc), code=EXIT_FAILED)
    out.print(
        f"{len(library.entries)} prompts ({library.made} new, {library.cached} cached), "
        f"{library.seconds / 60:.1f} minutes of speech, in {output}; manifest: {output / 'manifest.json'}"
    )


@click.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--scripts",
    "script_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Scripts (or folders) to replay on both versions (default: ./scripts when it exists).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@voices_option
def diff(old: Path, new: Path, script_paths: tuple[Path, ...], fmt: str, voices: Path | None) -> None:
    """What changed from menu OLD to menu NEW: nodes, options, prompts and queues; destinations whose key
    path or time to reach changed; and the scripted calls for OLD that fail on NEW.

    Exit status: 0 no change, 1 behaviour changed, 2 a menu is invalid.
    """
    from ivr.menu.diff import diff_menus
    from ivr.render.diff import diff_json, render_diff
    from ivr.replay.impact import calls_broken

    before, after = load_or_exit(str(old)), load_or_exit(str(new))
    pacing = pacing_or_exit(voices)
    changes = diff_menus(before, after, pacing.seconds_for)
    paths = list(script_paths) or ([Path("scripts")] if Path("scripts").is_dir() else [])
    impact = calls_broken(paths, old, new) if paths else None
    if fmt == "json":
        out.print(diff_json(str(old), str(new), changes, impact), markup=False)
    else:
        out.print(render_diff(str(old), str(new), changes, impact))
    sys.exit(EXIT_FAILED if changes or (impact is not None and impact.broken) else EXIT_OK)


@click.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the menu here.")
@click.option("--context", help="Asterisk: the dialplan context the call comes in to (default: the first with a menu).")
def import_(file: Path, output: Path | None, context: str | None) -> None:
    """A flow from another platform as an ivr menu: Twilio Studio flow JSON (or that JSON in a JS
    module), Amazon Connect flow language JSON (also wrapped in {Name, Type, Content}), FreeSWITCH IVR
    menus XML, VoiceXML 2.1 and Asterisk dialplans (extensions.conf); FreeSWITCH callcenter.conf and
    Asterisk queues.conf become a centre file.

    What the platform has and ivr cannot carry is marked in the menu and named in a warning. Exit 0 when
    imported (warnings allowed), 2 when the file cannot be read as a flow.
    """
    from ivr.menu.foreign import FORMATS, importer_for
    from ivr.menu.imported import ImportProblem

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}", code=EXIT_INVALID)
    try:
        importer = importer_for(text, context)
    except ImportProblem as exc:
        hint = "leave --context out" if context is not None else f"ivr imports {FORMATS}"
        fail(f"{file}: {exc}", hint, EXIT_INVALID)
    try:
        imported = importer(text, file.name)
    except ImportProblem as exc:
        fail(f"{file}: {exc}", code=EXIT_INVALID)
    for warning in imported.warnings:
        err.print(f"[yellow]warning:[/] {_escape(warning)}")
    write_output(imported.text, output)
    err.print(f"{imported.nodes} nodes from {file} ({len(imported.warnings)} warning(s)); check it with `ivr check`")


@click.command(name="export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--to",
    "platform",
    required=True,
    type=click.Choice(["asterisk", "freeswitch", "voicexml", "studio", "connect"]),
    help="The platform to write for.",
)
@click.option(
    "-o",
    "--output",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder the platform's files and export-report.md go to (made if missing).",
)
def export(file: Path, platform: str, folder: Path) -> None:
    """A menu as the files another platform loads: Asterisk extensions.conf (and queues.conf when the menu
    has a floor), FreeSWITCH IVR menus (and callcenter.conf.xml), one VoiceXML 2.1 document, a Twilio
    Studio flow definition (NAME.studio.json) or an Amazon Connect flow (NAME.connect.json). What the
    platform cannot express is listed, with how it was approximated, on the screen and in
    export-report.md. Exit 0 when written, 2 when the menu does not load or the platform cannot take it
    (a Connect flow over 250 actions)."""
    from ivr.menu.export import export_menu
    from ivr.menu.export_common import ExportRefused

    menu = load_or_exit(str(file))
    try:
        exported = export_menu(menu, platform)
    except ExportRefused as exc:
        fail(f"{file}: {exc}", code=EXIT_INVALID)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot make the folder {folder}: {exc.strerror or exc}", code=EXIT_INVALID)
    for name, text in {**exported.files, "export-report.md": exported.report(str(file))}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write_output(text, folder / name)
    for item in exported.lossy:
        err.print(f"[yellow]lossy:[/] {_escape(item.line())}")
    count = f"{len(exported.files)} file(s) for {exported.platform}"
    err.print(f"{count} in {folder} ({len(exported.lossy)} lossy)")
