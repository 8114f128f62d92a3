"""The diff of two plan revisions: lines inserted, deleted and changed in order, word-level
segments inside a changed line, and long unchanged stretches folded to a few lines of context.
(How fast it is belongs to bench/, not here.)"""

import random

from collab.plans.service import DiffLine, diff


def kinds(lines: list[DiffLine]) -> list[str]:
    return [line.kind for line in lines]


def old_text(lines: list[DiffLine]) -> str:
    """The old text as the diff tells it (unchanged, deleted and the old side of changes)."""
    return "".join(text for line in lines if line.kind != "skip"
                   for op, text in line.segments if op in "=-")


def new_text(lines: list[DiffLine]) -> str:
    return "".join(text for line in lines if line.kind != "skip"
                   for op, text in line.segments if op in "=+")


# ---------------------------------------------------------------- small examples


def test_identical_texts_have_no_change():
    lines = diff("satu\ndua", "satu\ndua")
    assert all(line.kind in ("equal", "skip") for line in lines)


def test_an_inserted_line_sits_between_its_neighbours():
    assert diff("a\nb\nc", "a\nb\nx\nc") == [
        DiffLine("equal", [("=", "a")]),
        DiffLine("equal", [("=", "b")]),
        DiffLine("insert", [("+", "x")]),
        DiffLine("equal", [("=", "c")]),
    ]


def test_a_deleted_line_is_shown_where_it_was():
    assert diff("a\nb\nc", "a\nc") == [
        DiffLine("equal", [("=", "a")]),
        DiffLine("delete", [("-", "b")]),
        DiffLine("equal", [("=", "c")]),
    ]


def test_a_changed_line_shows_the_changed_words_only():
    [line] = diff("Siswa membaca teks.", "Siswa membaca dua teks pendek.")
    assert line.kind == "change"
    assert line.segments == [("=", "Siswa membaca "), ("+", "dua "), ("=", "teks"),
                             ("+", " pendek"), ("=", ".")]


def test_a_replaced_word_is_removed_then_added():
    [line] = diff("Waktu: 30 menit", "Waktu: 45 menit")
    assert line.segments == [("=", "Waktu: "), ("-", "30"), ("+", "45"), ("=", " menit")]


def test_words_with_indonesian_and_other_letters_are_whole_tokens():
    [line] = diff("Guru memberi pertanyaan pemantik", "Guru memberikan pertanyaan pemantik")
    assert ("-", "memberi") in line.segments
    assert ("+", "memberikan") in line.segments


def test_from_nothing_everything_is_inserted_and_to_nothing_everything_deleted():
    assert kinds(diff("", "a\nb")) == ["insert", "insert"]
    assert kinds(diff("a\nb", "")) == ["delete", "delete"]
    assert diff("", "") == []


def test_both_sides_can_be_read_back_from_a_diff_without_folding():
    old = "## Tujuan\n1. membaca\n2. menulis\n## Asesmen\n- lisan"
    new = "## Tujuan pembelajaran\n1. membaca\n## Asesmen\n- lisan\n- tertulis"
    lines = diff(old, new, context=100)
    assert "skip" not in kinds(lines)
    # Segments of one changed block join its lines with newlines; whole lines are separate.
    assert old_text(lines).replace("\n", "") == old.replace("\n", "")
    assert new_text(lines).replace("\n", "") == new.replace("\n", "")


def test_an_unchanged_stretch_between_two_changes_is_folded_to_context_lines():
    old = [f"baris {n}" for n in range(40)]
    new = list(old)
    new[2] = "baris dua diubah"
    new[25] = "baris dua puluh lima diubah"
    lines = diff("\n".join(old), "\n".join(new), context=3)
    assert kinds(lines) == (["equal"] * 2 + ["change"] + ["equal"] * 3 + ["skip"]
                            + ["equal"] * 3 + ["change"] + ["equal"] * 3 + ["skip"])
    skips = [int(line.segments[0][1]) for line in lines if line.kind == "skip"]
    # 22 unchanged lines between the changes, 3 shown on each side; 14 after, 3 shown.
    assert skips == [22 - 6, 14 - 3]
    assert lines[5].segments == [("=", "baris 5")]
    assert lines[7].segments == [("=", "baris 22")]
    assert lines[-2].segments == [("=", "baris 28")]


def test_a_fold_hides_at_least_two_lines():
    old = [f"baris {n}" for n in range(8)]
    new = ["diubah", *old[1:]]
    # After the change 7 unchanged lines remain: 3 shown, and a fold of 4.
    assert kinds(diff("\n".join(old), "\n".join(new))) == ["change", *["equal"] * 3, "skip"]
    # With 4 lines after the change, folding would hide one line behind a note: shown.
    assert kinds(diff("\n".join(old[:5]), "\n".join(new[:5]))) == ["change", *["equal"] * 4]


def test_leading_and_trailing_unchanged_stretches_keep_context_only_towards_the_change():
    old = [f"baris {n}" for n in range(20)]
    new = [*old[:10], "baris baru", *old[10:]]
    lines = diff("\n".join(old), "\n".join(new), context=2)
    assert kinds(lines) == ["skip", "equal", "equal", "insert", "equal", "equal", "skip"]
    assert lines[0].segments == [("=", "8")]
    assert [line.segments[0][1] for line in lines[1:6]] == [
        "baris 8", "baris 9", "baris baru", "baris 10", "baris 11"]
    assert lines[-1].segments == [("=", "8")]


def test_lines_added_at_the_end_keep_context_above_them():
    old = [f"baris {n}" for n in range(10)]
    lines = diff("\n".join(old), "\n".join([*old, "", "baris baru"]), context=3)
    assert kinds(lines) == ["skip", "equal", "equal", "equal", "insert", "insert"]
    assert lines[0].segments == [("=", "7")]
    assert [line.segments[0][1] for line in lines[1:]] == [
        "baris 7", "baris 8", "baris 9", "", "baris baru"]


def test_a_short_unchanged_stretch_is_not_folded():
    old = "a\nb\nc\nd\ne\nf\ng\nh"
    new = "A\nb\nc\nd\ne\nf\ng\nH"
    # Six equal lines between two changes with context 3: folding would hide nothing.
    assert "skip" not in kinds(diff(old, new, context=3))


# ---------------------------------------------------------------- two 2 000-line texts


def long_plan(seed: int, lines: int = 2000) -> list[str]:
    words = ["siswa", "guru", "membaca", "menulis", "kelompok", "diskusi", "soal", "pecahan",
             "refleksi", "asesmen", "lembar", "kerja", "menit", "tujuan", "kegiatan"]
    rng = random.Random(seed)
    return [f"{n}. " + " ".join(rng.choice(words) for _ in range(8)) for n in range(lines)]


def test_two_long_revisions_diff_into_folded_stretches_and_the_edits_in_order():
    old = long_plan(1)
    new = list(old)
    words = new[100].split(" ")
    words[1] = "peserta"  # not in long_plan's vocabulary: a replaced word
    new[100] = " ".join(words) + " (diubah)"
    new.insert(900, "baris baru di tengah")
    del new[1500]  # old line 1499
    new.append("baris baru di akhir")
    lines = diff("\n".join(old), "\n".join(new))

    changed = [line for line in lines if line.kind not in ("equal", "skip")]
    assert kinds(changed) == ["change", "insert", "delete", "insert"]
    assert ("+", " (diubah)") in changed[0].segments
    assert ("+", "peserta") in changed[0].segments
    assert ("-", old[100].split(" ")[1]) in changed[0].segments
    assert changed[1].segments == [("+", "baris baru di tengah")]
    assert changed[2].segments == [("-", old[1499])]
    assert changed[3].segments == [("+", "baris baru di akhir")]

    skips = [int(line.segments[0][1]) for line in lines if line.kind == "skip"]
    # Before the first edit, then between each two edits (the fourth appends at the end).
    assert skips == [100 - 3, 900 - 101 - 6, 1499 - 900 - 6, 2000 - 1500 - 6]
    assert kinds(lines)[0] == "skip", "no context above the unchanged beginning"
    shown_equal = kinds(lines).count("equal")
    assert shown_equal == 3 + 3 * 6, "three lines of context on each side of an edit"
    # Every old line is either shown or counted in a fold.
    deleted_or_changed = 2
    assert shown_equal + sum(skips) + deleted_or_changed == len(old)
    assert len(lines) < 40, "two thousand lines fold into a page a teacher can read"


def test_two_entirely_different_texts_still_diff_completely():
    old, new = long_plan(2, 60), long_plan(3, 60)
    lines = diff("\n".join(old), "\n".join(new))
    assert "skip" not in kinds(lines)
    assert old_text(lines).replace("\n", "") == "".join(old)
    assert new_text(lines).replace("\n", "") == "".join(new)


def test_a_huge_changed_block_is_shown_as_whole_lines_instead_of_word_by_word():
    old, new = long_plan(4, 400), long_plan(5, 400)
    lines = diff("\n".join(old), "\n".join(new))
    assert set(kinds(lines)) == {"delete", "insert"}
    assert [line.segments[0][1] for line in lines if line.kind == "delete"] == old
    assert [line.segments[0][1] for line in lines if line.kind == "insert"] == new


def test_a_crafted_text_of_few_distinct_lines_still_diffs_correctly():
    rng = random.Random(6)
    old = [rng.choice("ab") for _ in range(3000)]
    new = [rng.choice("ab") for _ in range(3000)]
    lines = diff("\n".join(old), "\n".join(new), context=10_000)
    assert old_text(lines).replace("\n", "") == "".join(old)
    assert new_text(lines).replace("\n", "") == "".join(new)
