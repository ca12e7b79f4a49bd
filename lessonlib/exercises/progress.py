"""The learner's progress: which exercises they have passed, on their own machine.

A pass is recorded by ``check()`` in a small JSON file, never sent anywhere:

- ``$LESSONLIB_PROGRESS`` if set (a file path), else
- ``$XDG_DATA_HOME/lessonlib/progress.json``, else ``~/.local/share/lessonlib/progress.json``.

The file holds one entry per passed exercise::

    {"version": 1, "passed": [
     {"chapter": "ch01", "exercise": "huber_gradient", "timestamp": "2026-12-03T09:14:05Z"},
     ...]}

A missing file means nothing passed yet. A corrupt, unreadable or read-only file never
breaks a notebook: the problem is reported once (one warning line on stderr), the
entries that can still be read are kept, and the check goes on. :func:`progress_table`
renders the "Your progress" page of the book.
"""

import datetime
import html
import json
import os
import pathlib
import re
import sys

__all__ = ["progress_path", "load_progress", "record_pass", "progress_table", "all_exercises"]

_warned = set()


def progress_path():
    """Where the progress file lives (see the module docstring); the file may not exist."""
    override = os.environ.get("LESSONLIB_PROGRESS")
    if override:
        return pathlib.Path(override).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return pathlib.Path(data_home) / "lessonlib" / "progress.json"


def _warn_once(key, text):
    if key in _warned:
        return
    _warned.add(key)
    print(f"lessonlib progress: {text}", file=sys.stderr)


def _valid(entry):
    return (isinstance(entry, dict) and isinstance(entry.get("chapter"), str)
            and isinstance(entry.get("exercise"), str) and isinstance(entry.get("timestamp"), str))


def load_progress(path=None):
    """The readable entries of the progress file: a dict ``(chapter, exercise) -> timestamp``.

    Never raises: a missing file gives ``{}``; a corrupt one gives the entries that can
    still be parsed and one warning line; an unreadable one gives ``{}`` and one warning.
    """
    path = pathlib.Path(path) if path is not None else progress_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        _warn_once((str(path), "read"), f"cannot read {path} ({type(exc).__name__}: {exc}); "
                                        "your progress is not shown and passes are not saved there. "
                                        "Set LESSONLIB_PROGRESS to a file you can write.")
        return {}
    entries = None
    try:
        data = json.loads(text)
        if isinstance(data, dict) and isinstance(data.get("passed"), list):
            entries = data["passed"]
    except ValueError:
        pass
    if entries is None:
        # Corrupt: keep every entry that still parses on its own ({...} without nesting).
        entries = []
        for chunk in re.findall(r"\{[^{}]*\}", text):
            try:
                entries.append(json.loads(chunk))
            except ValueError:
                continue
        _warn_once((str(path), "corrupt"), f"{path} is not valid progress JSON; kept the {sum(map(_valid, entries))} "
                                           "entries that could be read. The next pass rewrites the file.")
    result = {}
    for entry in entries:
        if _valid(entry):
            key = (entry["chapter"], entry["exercise"])
            result[key] = min(result.get(key, entry["timestamp"]), entry["timestamp"])
    return result


def record_pass(chapter, exercise, path=None, now=None):
    """Record that ``chapter``/``exercise`` was passed (the first pass's time is kept).

    Returns True when the file was written, False (after one warning line) when it
    could not be; never raises for a file problem.
    """
    path = pathlib.Path(path) if path is not None else progress_path()
    entries = load_progress(path)
    if (chapter, exercise) in entries:
        return True
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    entries[(chapter, exercise)] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    data = {"version": 1, "passed": [{"chapter": c, "exercise": e, "timestamp": t}
                                     for (c, e), t in sorted(entries.items())]}
    # One entry per line, so a damaged file still yields its other entries.
    text = '{"version": 1, "passed": [\n' + ",\n".join(json.dumps(e) for e in data["passed"]) + "\n]}\n"
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        _warn_once((str(path), "write"), f"cannot save to {path} ({type(exc).__name__}: {exc}); "
                                         "your work is fine, only this record of it is not kept. "
                                         "Set LESSONLIB_PROGRESS to a file you can write.")
        return False
    return True


def all_exercises():
    """Every exercise of the book in order: a list of ``(chapter, name, exercise)``."""
    import importlib
    import pkgutil

    from . import Exercise, __path__ as package_path

    found = []
    for info in sorted(pkgutil.iter_modules(package_path), key=lambda m: m.name):
        if not re.fullmatch(r"ch\d\d", info.name):
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if isinstance(obj, Exercise):
                found.append((info.name, obj.name, obj))
    return found


class ProgressTable:
    """The "Your progress" table: shows as HTML in a notebook, as text elsewhere."""

    def __init__(self, rows, entries, path):
        self.rows, self.entries, self.path = rows, entries, path

    @property
    def n_passed(self):
        return sum(1 for chapter, name, _ in self.rows if (chapter, name) in self.entries)

    def _summary(self):
        if not self.entries:
            return ("No exercise has been passed on this computer yet. On the website this page always "
                    "looks like this: run it in your own copy of the course (make lab) to see your progress.")
        return f"{self.n_passed} of {len(self.rows)} exercises passed (recorded in {self.path})."

    def __repr__(self):
        lines = [self._summary(), ""]
        for chapter, name, _ in self.rows:
            when = self.entries.get((chapter, name))
            lines.append(f"{chapter}  {name:<28} {'passed ' + when[:10] if when else 'not yet'}")
        return "\n".join(lines)

    def _repr_html_(self):
        parts = [f"<p>{html.escape(self._summary())}</p>",
                 "<table><thead><tr><th>chapter</th><th>exercise</th><th>status</th></tr></thead><tbody>"]
        for chapter, name, _ in self.rows:
            when = self.entries.get((chapter, name))
            status = f"passed ({when[:10]})" if when else "not yet"
            parts.append(f"<tr><td>{int(chapter[2:])}</td><td><code>{chapter}.{html.escape(name)}</code></td>"
                         f"<td>{html.escape(status)}</td></tr>")
        parts.append("</tbody></table>")
        return "\n".join(parts)


def progress_table(path=None):
    """The table of every exercise, passed or not, read from the progress file."""
    path = pathlib.Path(path) if path is not None else progress_path()
    return ProgressTable(all_exercises(), load_progress(path), path)
