"""The YAML reader refuses what PyYAML would silently accept, and says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.source.diagnostics import IvrError
from ivr.source.raw_text import MAX_FILE_BYTES
from ivr.source.reader import read_yaml


def problems(path: Path) -> list[str]:
    with pytest.raises(IvrError) as info:
        read_yaml(path)
    return [d.format() for d in info.value.diagnostics]


def test_values_and_positions(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\nb:\n  c: [x, 2.5, true, null]\n  d: 2026-12-25\n")
    data, source = read_yaml(path)
    assert data == {"a": 1, "b": {"c": ["x", 2.5, True, None], "d": "2026-12-25"}}
    assert source.where(("b", "c", 1)) == (3, 10)
    assert source.where(("b", "d")) == (4, 3)
    assert source.where(("b", "missing", "deeper")) == (2, 1)


def test_keys_stay_as_written(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    path.write_text("1: one\nyes: y\n'2': two\n")
    data, _ = read_yaml(path)
    assert data == {"1": "one", "yes": "y", "2": "two"}


def test_duplicate_keys_are_all_reported_with_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text('options:\n  "1": a\n  "2": b\n  1: c\nother: x\nother: y\n')
    found = problems(path)
    assert found[0].startswith(f"{path}:4:3: error: duplicate key '1' (first at line 2)")
    assert len(found) == 2
    assert "duplicate key 'other' (first at line 5)" in found[1] and ":6:1:" in found[1]


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    found = problems(path)
    assert "alias bomb" in found[0]


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    path.write_text("a: &x [1, *x]\n")
    assert "refers to the value that contains it" in problems(path)[0]


def test_merge_keys_work_and_do_not_count_as_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "merge.yaml"
    path.write_text("base: &b {timeout: 5, max_no_input: 2}\nnode:\n  <<: *b\n  timeout: 7\n")
    data, _ = read_yaml(path)
    assert data["node"] == {"timeout": 7, "max_no_input": 2}


def test_deep_nesting_is_refused_not_crashed(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "nesting is deeper than" in problems(path)[0]


def test_python_tags_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "tag.yaml"
    path.write_text("a: !!python/object/apply:os.system ['echo hi']\n")
    found = problems(path)
    assert "not allowed" in found[0] and ":1:4:" in found[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"   \n# only a comment\n", "only comments"),
        (b"\x00\x01\x02binary", "not a text file"),
        (b"a: 1\nb: \xff\xfe\n", "not valid UTF-8"),
        (b"a: [1, 2\n", "YAML syntax"),
        (b"just text\n", "expected a mapping"),
        (b"a: 1\n---\nb: 2\n", "more than one YAML document"),
        (b"*: back\n", "quote keys"),
    ],
)
def test_bad_files_get_a_located_message(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    found = "\n".join(problems(path))
    assert message in found
    assert found.startswith(f"{path}:")


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    assert "the limit is" in problems(path)[0]


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot read file" in problems(tmp_path / "nope.yaml")[0]


def test_a_name_typed_in_nfc_or_nfd_is_one_name(tmp_path: Path) -> None:
    """Issue 12: `café` with é as one character and as e + combining accent were two different names."""
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    path = tmp_path / "names.yaml"
    path.write_text(f"nodes:\n  {composed}: {{next: {decomposed}}}\n  other: {{say: {decomposed}}}\n")
    data, _ = read_yaml(path)
    assert list(data["nodes"]) == [composed, "other"]
    assert data["nodes"][composed]["next"] == composed and data["nodes"]["other"]["say"] == composed
    path.write_text(f"{composed}: 1\n{decomposed}: 2\n")
    assert f"duplicate key '{composed}' (first at line 1)" in problems(path)[0]
