"""The parsed-TOML cache: a start reads config files without tomllib, and never a stale parse."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import msgspec
import pytest
import tomli_w
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from readertui.config import paths, tomldata
from readertui.config.toml_cache import MAX_ENTRIES, TomlCache
from readertui.config.tomldata import read_toml


@pytest.fixture
def cache_file(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("READERTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(tomldata, "_caches", {})  # as in a new process
    return tmp_path / "cache" / "parsed-toml.msgpack"


def count_parses(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: calls.append(text) or real(text))
    return calls


def test_a_second_run_reads_the_file_without_parsing_it(tmp_path, cache_file, monkeypatch):
    config = tmp_path / "keymap.toml"
    config.write_text('extends = "default"\n[source]\ntoggle_bookmark = "m"\n', encoding="utf-8")
    parses = count_parses(monkeypatch)
    first, problems = read_toml(config)
    assert problems == [] and len(parses) == 1 and cache_file.is_file()
    monkeypatch.setattr(tomldata, "_caches", {})  # the next start
    second, problems = read_toml(config)
    assert problems == [] and len(parses) == 1
    assert second == first
    assert second.data == {"extends": "default", "source": {"toggle_bookmark": "m"}}


def test_an_edit_of_the_same_size_and_time_is_seen(tmp_path, cache_file, monkeypatch):
    config = tmp_path / "theme.toml"
    config.write_text('name = "aaaa"\n', encoding="utf-8")
    stamp = config.stat().st_mtime_ns
    assert read_toml(config)[0].data == {"name": "aaaa"}
    config.write_text('name = "bbbb"\n', encoding="utf-8")
    os.utime(config, ns=(stamp, stamp))  # timestamps and size cannot tell the two apart
    monkeypatch.setattr(tomldata, "_caches", {})
    assert read_toml(config)[0].data == {"name": "bbbb"}


def test_callers_may_change_what_they_get(tmp_path, cache_file):
    config = tmp_path / "c.toml"
    config.write_text("[view]\nwrap = true\n", encoding="utf-8")
    read_toml(config)[0].data["view"]["wrap"] = False
    assert read_toml(config)[0].data == {"view": {"wrap": True}}


def test_a_syntax_error_is_reported_the_same_and_never_cached(tmp_path, cache_file):
    config = tmp_path / "bad.toml"
    config.write_text("a = 1\nb = = 2\n", encoding="utf-8")
    for _ in range(2):
        document, problems = read_toml(config)
        assert document is None and problems[0].line == 2 and "invalid TOML" in problems[0].message
    assert not cache_file.exists()


@pytest.mark.parametrize("damage", [b"", b"\xc1 not msgpack", msgspec.msgpack.encode([1, 2]),
                                    msgspec.msgpack.encode({"/x.toml": ["raw", 3]})])
def test_a_damaged_cache_costs_only_the_parse(tmp_path, cache_file, damage):
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(damage)
    config = tmp_path / "c.toml"
    config.write_text("a = 1\n", encoding="utf-8")
    assert read_toml(config) == (tomldata.TomlDocument(config, "a = 1\n", {"a": 1}), [])
    assert TomlCache(cache_file).get(config, b"a = 1\n") == {"a": 1}  # and it was repaired


def test_an_unwritable_cache_dir_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("READERTUI_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(tomldata, "_caches", {})
    config = tmp_path / "c.toml"
    config.write_text("a = 1\n", encoding="utf-8")
    assert read_toml(config)[0].data == {"a": 1}


def test_values_msgpack_would_change_are_parsed_every_time(tmp_path, cache_file, monkeypatch):
    config = tmp_path / "dates.toml"
    config.write_text("day = 2026-11-29\nat = 07:30:00\nx = nan\n", encoding="utf-8")
    parses = count_parses(monkeypatch)
    for _ in range(2):
        monkeypatch.setattr(tomldata, "_caches", {})
        data = read_toml(config)[0].data
        assert data["day"] == datetime.date(2026, 11, 29) and data["at"] == datetime.time(7, 30)
    assert len(parses) == 2


def test_the_cache_keeps_the_newest_entries(tmp_path):
    cache = TomlCache(tmp_path / "cache.msgpack")
    for number in range(MAX_ENTRIES + 5):
        cache.put(Path(f"/f{number}.toml"), b"a = 1", {"a": number})
    fresh = TomlCache(tmp_path / "cache.msgpack")
    assert fresh.get(Path("/f0.toml"), b"a = 1") is None
    assert fresh.get(Path(f"/f{MAX_ENTRIES + 4}.toml"), b"a = 1") == {"a": MAX_ENTRIES + 4}
    assert len(msgspec.msgpack.decode((tmp_path / "cache.msgpack").read_bytes())) == MAX_ENTRIES


toml_keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(toml_keys, inner, max_size=4),
    max_leaves=12,
)


@hypothesis_settings(max_examples=120, deadline=None)
@given(st.dictionaries(toml_keys, toml_values, max_size=6))
def test_cold_and_warm_reads_equal_a_plain_parse(tmp_path_factory, document):
    folder = tmp_path_factory.mktemp("toml")
    os.environ["READERTUI_CACHE_DIR"] = str(folder / "cache")
    try:
        config = folder / "c.toml"
        config.write_text(tomli_w.dumps(document), encoding="utf-8")
        expected = tomllib.loads(config.read_text(encoding="utf-8"))
        tomldata._caches.clear()
        cold = read_toml(config)[0].data
        tomldata._caches.clear()
        warm = read_toml(config)[0].data
        assert cold == warm == expected
        assert all(type(a) is type(b) for a, b in zip(_leaves(warm), _leaves(expected)))
    finally:
        del os.environ["READERTUI_CACHE_DIR"]
        tomldata._caches.clear()


def _leaves(value):
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _leaves(value[key])
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def test_a_warm_start_never_imports_tomllib(tmp_path):
    """What the cache is for: the reader loads its settings, keymap and theme without tomllib."""
    env = {**os.environ, "READERTUI_CACHE_DIR": str(tmp_path / "cache"),
           "READERTUI_CONFIG_DIR": str(tmp_path / "config")}
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text('keymap = "vim"\ntheme = "light"\n', encoding="utf-8")
    script = (
        "import sys\n"
        "from readertui.config.keymap import load_keymap\n"
        "from readertui.config.settings import load_settings\n"
        "from readertui.config.theme import load_theme\n"
        "from readertui.ui.bindings import KEY_SLOTS\n"
        "settings, problems = load_settings()\n"
        "assert (settings.keymap, settings.theme, problems) == ('vim', 'light', []), settings\n"
        "load_keymap(settings.keymap, KEY_SLOTS); load_theme(settings.theme)\n"
        "print('tomllib' in sys.modules)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
            for _ in range(2)]
    assert [run.stderr for run in runs] == ["", ""]
    assert [run.stdout.strip() for run in runs] == ["True", "False"]  # cold, then warm
    assert paths.cache_dir() != tmp_path / "cache"  # the test's own process was left alone
