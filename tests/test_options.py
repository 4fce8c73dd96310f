"""Options are declared once: every flag, variable and keyword derives from the declaration."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer import LLMSettings, RunOptions, summarize
from summarizer.cli.options import DECLARATIONS, resolved
from summarizer.cli.parser import build_parser
from summarizer.core.errors import ConfigError
from summarizer.core.options import INTERNAL, SPEC, declared, environment_values

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = ROOT / "fixtures" / "operation-sunflower"
PUBLIC = (LLMSettings, RunOptions)
#: Never on a command line (``ps`` and shell history would show it): environment only.
SECRETS = {"api_key"}


@pytest.mark.parametrize("cls", PUBLIC)
def test_every_field_is_declared_as_an_option_or_marked_internal(cls: type) -> None:
    for f in dataclasses.fields(cls):
        assert (SPEC in f.metadata) != (INTERNAL in f.metadata), f.name


@pytest.mark.parametrize("cls", PUBLIC)
def test_every_option_has_a_variable_and_a_flag_except_secrets(cls: type) -> None:
    for d in declared(cls):
        assert d.spec.env, d.name
        assert d.spec.help, d.name
        if d.name in SECRETS:
            assert d.spec.secret and not d.spec.flags, d.name
        else:
            assert not d.spec.secret and d.spec.flags, d.name


def test_secrets_have_no_flag_on_any_command() -> None:
    flags = {flag for parser in _parsers(build_parser()) for flag in _flags(parser)}
    assert not any("key" in flag for flag in flags)


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict(action._name_parser_map).values():
                found.extend(_parsers(sub))
    return found


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


def test_no_command_declares_an_option_of_its_own() -> None:
    """Every optional argument of every (sub)command is a declared field, with its flags."""
    declared_flags = {
        (d.name, d.spec.flags) for cls in (*PUBLIC, *DECLARATIONS) for d in declared(cls)
    }
    builtin = {"help", "version"}
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            if not action.option_strings or action.dest in builtin:
                continue
            assert (action.dest, tuple(action.option_strings)) in declared_flags, (
                f"{parser.prog}: {action.option_strings} is not a declared option"
            )


def test_flags_are_added_in_one_module_only() -> None:
    """No ``add_argument("-...")`` outside cli/options.py (positionals are not options)."""
    for path in sorted((ROOT / "summarizer").rglob("*.py")):
        if path.name == "options.py" and path.parent.name == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_argument"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and str(node.args[0].value).startswith("-")
                and node.args[0].value != "--version"
            ):
                raise AssertionError(f"{path}:{node.lineno}: an option declared ad hoc")


def test_flags_environment_and_keywords_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same value reaches the same field from a flag, a variable and a keyword."""
    for var in ("SUMMARIZER_CONCURRENCY", "SUMMARIZER_MAX_WORDS", "SUMMARIZER_CACHE"):
        monkeypatch.delenv(var, raising=False)
    args = build_parser().parse_args(["summarize", "x.txt", "--concurrency", "3", "--no-cache"])
    by_flag = resolved(args, LLMSettings)
    monkeypatch.setenv("SUMMARIZER_CONCURRENCY", "3")
    monkeypatch.setenv("SUMMARIZER_CACHE", "off")
    by_env = LLMSettings.resolve()
    monkeypatch.delenv("SUMMARIZER_CONCURRENCY")
    monkeypatch.delenv("SUMMARIZER_CACHE")
    by_keyword = LLMSettings.resolve(concurrency=3, cache=False)
    assert by_flag == by_env == by_keyword
    assert (by_flag.concurrency, by_flag.cache) == (3, False)
    # A flag wins over the variable; an untyped flag leaves the variable in charge.
    monkeypatch.setenv("SUMMARIZER_CONCURRENCY", "5")
    assert resolved(args, LLMSettings).concurrency == 3
    plain = build_parser().parse_args(["summarize", "x.txt"])
    assert resolved(plain, LLMSettings).concurrency == 5


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("SUMMARIZER_MAX_WORDS", "many"),
        ("SUMMARIZER_WRITER", "poet"),
        ("SUMMARIZER_CACHE", "perhaps"),
        ("SUMMARIZER_BACKOFF_BASE", "-1"),
    ],
)
def test_a_bad_variable_is_named(monkeypatch: pytest.MonkeyPatch, var: str, value: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError, match=f"^{var}: .*, got '{value}'$"):
        environment_values(RunOptions if "WORD" in var or "WRITER" in var else LLMSettings)


def test_a_bad_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["summarize", "x.txt", "--prices", "{bad"])
    assert caught.value.code == 2
    assert "argument --prices: not JSON" in capsys.readouterr().err


def test_an_unknown_keyword_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="'max_word'"):
        summarize([CLUSTER], model="builtin", max_word=100)


def test_keywords_override_given_objects() -> None:
    options = RunOptions(max_sentences=3)
    few = summarize([CLUSTER], model="builtin", options=options)
    fewer = summarize([CLUSTER], model="builtin", options=options, max_sentences=1)
    assert len(few.sentences) == 3 and len(fewer.sentences) == 1
    with pytest.raises(ConfigError, match=r"^concurrency=0: must be positive$"):
        summarize([CLUSTER], settings=LLMSettings(model="builtin"), concurrency=0)


def test_a_wrong_literal_keyword_is_named() -> None:
    with pytest.raises(ConfigError, match=r"^writer='poet': must be one of llm, extractive$"):
        summarize([CLUSTER], model="builtin", writer="poet")


def test_declarations_import_without_pydantic_or_the_llm_stack() -> None:
    """The CLI reads them before any command runs, so they must stay standard-library only."""
    probe = (
        "import sys; import summarizer.core.options, summarizer.core.settings, "
        "summarizer.cli.parser; "
        "print(sorted(m for m in ('pydantic', 'openai', 'instructor') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_declared_chunk_size_is_the_extractors_default() -> None:
    from summarizer.extract.with_llm import DEFAULT_CHUNK_CHARS

    assert RunOptions().chunk_chars == DEFAULT_CHUNK_CHARS
