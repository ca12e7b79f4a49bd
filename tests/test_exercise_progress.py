"""The learner's progress file (lessonlib.exercises.progress) and the "Your progress" page.

A pass is recorded on the learner's machine; a corrupt, unreadable or read-only file never
breaks a check: one warning line, the readable entries kept, the check's verdict unchanged.
The tests run as any user (root included), so unreadable and read-only files are simulated
where permissions would not stop root.
"""

import datetime
import json
import os
import pathlib

import pytest

from lessonlib.exercises import ch01, ch04, progress

PASS = ch04.SOLUTIONS["step_decay_lr"]


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(progress, "_warned", set())


@pytest.fixture
def path(tmp_path, monkeypatch):
    p = tmp_path / "sub" / "progress.json"
    monkeypatch.setenv("LESSONLIB_PROGRESS", str(p))
    return p


def test_default_location_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("LESSONLIB_PROGRESS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert progress.progress_path() == tmp_path / "lessonlib" / "progress.json"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert progress.progress_path() == tmp_path / "home" / ".local" / "share" / "lessonlib" / "progress.json"


def test_env_override(path):
    assert progress.progress_path() == path


def test_a_pass_is_recorded_and_a_failure_is_not(path, capsys):
    assert ch04.step_decay_lr.check(lambda *a: 0.0).status == "wrong"
    assert not path.exists()
    assert ch04.step_decay_lr.check(PASS).ok
    data = json.loads(path.read_text())
    assert data["version"] == 1
    [entry] = data["passed"]
    assert entry["chapter"] == "ch04" and entry["exercise"] == "step_decay_lr"
    datetime.datetime.strptime(entry["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    assert progress.load_progress() == {("ch04", "step_decay_lr"): entry["timestamp"]}
    assert capsys.readouterr().err == ""


def test_the_first_pass_time_is_kept_and_entries_accumulate(path):
    t0 = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert progress.record_pass("ch01", "mse_gradient", now=t0)
    assert progress.record_pass("ch01", "mse_gradient", now=t0 + datetime.timedelta(days=1))
    assert progress.record_pass("ch02", "max_stable_lr", now=t0)
    assert progress.load_progress() == {("ch01", "mse_gradient"): "2026-01-02T03:04:05Z",
                                        ("ch02", "max_stable_lr"): "2026-01-02T03:04:05Z"}


def test_a_value_exercise_pass_is_recorded(path):
    assert ch01.steepest_slope.check(5.0).ok
    assert ("ch01", "steepest_slope") in progress.load_progress()


def test_corrupt_file_keeps_readable_entries_and_warns_once(path, capsys):
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "passed": [\n{"chapter": "ch01", "exercise": "mse_gradient", '
                    '"timestamp": "2026-01-01T00:00:00Z"},\n{"chapter": "ch01", "exerc')
    assert progress.load_progress() == {("ch01", "mse_gradient"): "2026-01-01T00:00:00Z"}
    assert progress.load_progress() == {("ch01", "mse_gradient"): "2026-01-01T00:00:00Z"}
    err = capsys.readouterr().err
    assert err.count("lessonlib progress:") == 1 and "not valid progress JSON" in err
    # the next pass works and rewrites a valid file with both entries
    assert ch04.step_decay_lr.check(PASS).ok
    entries = progress.load_progress()
    assert set(entries) == {("ch01", "mse_gradient"), ("ch04", "step_decay_lr")}
    json.loads(path.read_text())


@pytest.mark.parametrize("content", ["", "not json at all", "[1, 2, 3]", '{"passed": "x"}', "\x00\xff"])
def test_garbage_gives_no_entries_and_no_exception(path, content, capsys):
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="latin-1")
    assert progress.load_progress() == {}
    assert ch04.step_decay_lr.check(PASS).ok


def test_unreadable_file_warns_once_and_the_check_goes_on(path, capsys):
    path.mkdir(parents=True)                   # a directory where the file should be: unreadable, even for root
    assert progress.load_progress() == {}
    assert ch04.step_decay_lr.check(PASS).ok
    assert ch04.step_decay_lr.check(PASS).ok
    captured = capsys.readouterr()
    assert captured.out.count("✔ step_decay_lr") == 2
    assert captured.err.count("lessonlib progress:") == 2      # one for reading, one for writing, each once
    assert "cannot read" in captured.err and "cannot save" in captured.err


def test_permission_denied_on_read_is_reported(path, capsys, monkeypatch):
    path.parent.mkdir(parents=True)
    path.write_text("{}")

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(pathlib.Path, "read_text", denied)
    assert progress.load_progress() == {}
    assert "PermissionError" in capsys.readouterr().err


def test_read_only_file_or_directory_warns_once_and_keeps_the_file(path, capsys, monkeypatch):
    assert progress.record_pass("ch01", "mse_gradient")
    before = path.read_text()

    def read_only(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", read_only)
    assert ch04.step_decay_lr.check(PASS).ok
    assert ch04.cosine_lr.check(ch04.SOLUTIONS["cosine_lr"]).ok
    err = capsys.readouterr().err
    assert err.count("lessonlib progress:") == 1 and "cannot save" in err
    assert path.read_text() == before
    assert not path.with_name(path.name + ".tmp").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory_for_a_normal_user(path, capsys):
    path.parent.mkdir(parents=True)
    path.parent.chmod(0o500)
    try:
        assert ch04.step_decay_lr.check(PASS).ok
        assert "cannot save" in capsys.readouterr().err
    finally:
        path.parent.chmod(0o700)


# --- the "Your progress" page ---------------------------------------------------------------

def test_page_without_progress_says_run_it_locally_and_lists_every_exercise(path):
    table = progress.progress_table()
    html = table._repr_html_()
    assert "run it in your own copy" in html and "make lab" in html
    total = len(progress.all_exercises())
    assert total >= 17
    assert html.count("<tr>") == 1 + total and html.count("not yet") == total
    assert "<code>ch03.epoch_batches</code>" in html
    assert str(path) not in html                      # nothing machine-specific on the site
    assert "not yet" in repr(table)


def test_page_with_progress_shows_passes(path):
    progress.record_pass("ch01", "huber_gradient", now=datetime.datetime(2026, 5, 6, tzinfo=datetime.timezone.utc))
    table = progress.progress_table()
    html = table._repr_html_()
    total = len(progress.all_exercises())
    assert f"1 of {total} exercises passed" in html
    assert "passed (2026-05-06)" in html and html.count("not yet") == total - 1
    assert table.n_passed == 1


def test_page_ignores_entries_for_unknown_exercises(path):
    progress.record_pass("ch09", "removed_exercise")
    table = progress.progress_table()
    assert table.n_passed == 0
