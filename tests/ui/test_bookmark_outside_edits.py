"""The reader's bookmark edits (`m`, and rename and delete in the list) while another program
edits the bookmarks file, on a hand-commented file, and on labels with control characters.

`m` right after an `echo … >> bookmarks.toml` used to fail ("Bookmarks not saved … changed on
disk") and lose the bookmark; a rename dropped the file's final comment and the label's inline
comment; renaming a label shown with placeholders (␛ ␇) without editing it wrote the glyphs."""

from __future__ import annotations

from pathlib import Path

from readertui.core import notes
from tests.ui.conftest import make_app, notifications, open_file, settle
from tests.unit.test_bookmark_edits import OTHERS_MARK, QA_FILE


def _outside_write_before_rename(monkeypatch, text: str) -> list[int]:
    """Append `text` to the file (as a shell's `>>`) right before readertui's rename, once."""
    real, fired = notes._compare_and_rename, []

    def outside_first(target, temp, seen, result):
        if not fired and Path(target).name == "bookmarks.toml":
            fired.append(1)
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(text)
        return real(target, temp, seen, result)

    monkeypatch.setattr(notes, "_compare_and_rename", outside_first)
    return fired


async def _rename_last(pilot, keys: list[str]) -> None:
    await pilot.press("apostrophe")
    await pilot.pause()
    await pilot.press("end", "r")
    await pilot.pause()
    await pilot.press(*keys, "enter")
    await settle(pilot)


async def test_m_while_the_file_is_appended_to_keeps_both_and_shows_the_others(demo, monkeypatch):
    store = demo / "minillm/notes/bookmarks.toml"
    original = store.read_text()
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/model.py", 12)
        shown = notifications(app)
        await pilot.press("m")
        await pilot.pause()
        fired = _outside_write_before_rename(monkeypatch, "# x\n" + OTHERS_MARK)
        await pilot.press(*"mine", "enter")
        await settle(pilot)
        assert fired
        text = store.read_text()
        assert text.startswith(original + "# x\n" + OTHERS_MARK + "\n[[bookmark]]\n")
        assert 'label = "mine"' in text
        assert [mark.label for mark in screen.index.bookmarks] == [
            "per-head attention loop", "fused row softmax kernel", "theirs", "mine",
        ]
        assert not [message for message, severity in shown if severity == "error"]
        # delete in the list goes the same way: the outside line is kept, the mark goes
        _outside_write_before_rename(monkeypatch, "# y\n")
        await pilot.press("apostrophe")
        await pilot.pause()
        await pilot.press("end", "d", "d")
        await settle(pilot)
        text = store.read_text()
        assert 'label = "mine"' not in text and text.endswith("# y\n") and "# x\n" in text
        assert [mark.label for mark in screen.index.bookmarks][-1] == "theirs"


async def test_a_rename_in_the_list_keeps_every_comment(demo, monkeypatch):
    store = demo / "minillm/notes/bookmarks.toml"
    store.write_bytes(QA_FILE.encode("utf-8"))
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_file(pilot, "minillm/model.py", 12)
        fired = _outside_write_before_rename(monkeypatch, "# z\n")
        await _rename_last(pilot, [*" renamed"])
        assert fired
    assert store.read_bytes().decode("utf-8") == QA_FILE.replace(
        '"fused row softmax kernel"   # label comment', '"fused row softmax kernel renamed"   # label comment'
    ) + "# z\n"


async def test_an_unedited_label_with_control_characters_is_not_rewritten(demo):
    store = demo / "minillm/notes/bookmarks.toml"
    hostile = QA_FILE.replace('"fused row softmax kernel"', '"fused\\u001b[31m row\\u0007 \\u202esoftmax"')
    store.write_bytes(hostile.encode("utf-8"))
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/model.py", 12)
        await _rename_last(pilot, [])  # the prompt shows "fused␛[31m row␇ ␦softmax": Enter
        assert store.read_bytes() == hostile.encode("utf-8")
        assert screen.index.bookmarks[-1].label == "fused\x1b[31m row\x07 \u202esoftmax"
        await _rename_last(pilot, [*" more"])  # typed after it: the label's own text stays
    assert store.read_bytes().decode("utf-8") == hostile.replace(
        '"fused\\u001b[31m row\\u0007 \\u202esoftmax"', '"fused\\u001b[31m row\\u0007 \u202esoftmax more"'
    )


def test_edited_label_maps_the_shown_text_back_to_the_label() -> None:
    from readertui.ui.capture import edited_label

    label = "a\x1bb\tc\u202e"  # shown as "a␛b c␦"
    assert edited_label(label, "a␛b c␦") == label
    assert edited_label(label, "  a␛b c␦ ") == label
    assert edited_label(label, "a␛b c␦ more") == label + " more"
    assert edited_label(label, "new a␛b c␦") == "new " + label
    assert edited_label(label, "other") == "other"
    assert edited_label("plain", "  plain edited ") == "plain edited"
