"""Kill an index run at every file step it takes, and check what is left (issue #17).

Run as ``python tests/faults.py SCENARIO WORKDIR``; prints one JSON object. The steps
counted are the calls that change the index folder: opening a file for writing,
``fsync``, ``rename``/``replace`` and ``unlink``/``remove``/``rmtree``. For the run of
SCENARIO (see :data:`SCENARIOS`), the program first counts the steps of a clean run,
then for each step K runs it again in a forked child killed by SIGKILL just before step
K and, separately, just after it. After each kill it checks that the index answers a
fixed set of searches exactly as before the run or exactly as after a clean run, that
the owner's files in the index folder are untouched, and that the next ordinary run
brings the index to the clean run's answers. This process runs no other thread, so
forking is safe.
"""

from __future__ import annotations

import builtins
import json
import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from searcher.index import Index  # noqa: E402
from searchutil import post, write_corpus  # noqa: E402

OWNER_FILES = {"README.md": "本目录存放搜索索引。\n", ".gitignore": "*\n"}
QUERIES = ["量子", "城市", "新闻", ""]


def _site(root: Path) -> Path:
    posts = {
        f"_posts/2024-01-{i + 1:02d}-p{i}.md": post(
            f"第{i}篇",
            ("量子芯片研究。" if i % 2 else "城市建设新闻。") + f"编号{i}。",
            date=f"2024-01-{i + 1:02d} 00:30:00 +0800",
            extra=f"tags: [标签{i % 3}]\n",
        )
        for i in range(12)
    }
    return write_corpus(root, posts)


def _change_posts(corpus: Path) -> dict[str, Any]:
    for i in range(4):  # deleted: every post holding 量子 among the first four
        (corpus / f"_posts/2024-01-{i + 1:02d}-p{i}.md").unlink()
    (corpus / "_posts/2024-01-05-p4.md").write_text(
        post("改写", "量子城市新闻。", "2024-01-05 00:30:00 +0800"), encoding="utf-8"
    )
    (corpus / "_posts/2024-02-01-new.md").write_text(
        post("新增", "新的量子新闻。", "2024-02-01 00:30:00 +0800"), encoding="utf-8"
    )
    return {}


def _change_timezone(corpus: Path) -> dict[str, Any]:
    (corpus / "_config.yml").write_text("timezone: America/New_York\n", encoding="utf-8")
    return {}


def _change_dictionary(corpus: Path) -> dict[str, Any]:
    words = corpus.parent / "words.txt"
    words.write_text("量子芯片 10 n\n城市建设 10 n\n", encoding="utf-8")
    (corpus / "_posts/2024-01-06-p5.md").unlink()
    return {"user_dict": str(words)}


def _change_rebuild(corpus: Path) -> dict[str, Any]:
    (corpus / "_posts/2024-01-07-p6.md").unlink()
    return {"rebuild": True}


#: Each scenario: what changes in the site, and the extra arguments of ``Index.build``.
SCENARIOS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "posts": _change_posts,
    "timezone": _change_timezone,
    "dictionary": _change_dictionary,
    "rebuild": _change_rebuild,
}


def answers(folder: Path) -> Any:
    """What a reader sees: each query's total, ids in order and facets, the time zone
    and the user dictionary's words."""
    with Index.open(folder) as index:
        out: list[Any] = [str(index.timezone.key), [w.word for w in index.user_words]]
        for query in QUERIES:
            results = index.search(query, limit=50)
            out.append([results.total, [h.id for h in results.hits], results.facets])
    return json.loads(json.dumps(out, ensure_ascii=False))


class Steps:
    """Counts the calls that change files, and kills this process at one of them."""

    def __init__(self, kill_at: int | None = None, after: bool = False) -> None:
        self.count = 0
        self.kill_at = kill_at
        self.after = after

    def wrap(self, real: Callable[..., Any], is_step: Callable[..., bool]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if not is_step(*args, **kwargs):
                return real(*args, **kwargs)
            self.count += 1
            if self.count == self.kill_at and not self.after:
                os.kill(os.getpid(), signal.SIGKILL)
            result = real(*args, **kwargs)
            if self.count == self.kill_at and self.after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return call

    def install(self) -> None:
        def writes(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> bool:
            return any(c in mode for c in "wax+")

        always = lambda *args, **kwargs: True  # noqa: E731
        builtins.open = self.wrap(builtins.open, writes)
        for name in ("fsync", "rename", "replace", "unlink", "remove"):
            setattr(os, name, self.wrap(getattr(os, name), always))
        shutil.rmtree = self.wrap(shutil.rmtree, always)  # type: ignore[assignment]


def _run(folder: Path, corpus: Path, extra: dict[str, Any], steps: Steps | None) -> int:
    """Run ``Index.build`` in a forked child (counting or killed by ``steps``); its exit
    status, or minus the signal that ended it; the count of steps is written to a file."""
    counted = folder.parent / "steps.txt"
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            if steps is not None:
                steps.install()
            Index.build(folder, corpus, **extra)
        except BaseException as exc:  # noqa: BLE001
            print(f"child failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            code = 1
        finally:
            if steps is not None:
                with open(counted, "w") as out:  # counted as a step only past the last
                    out.write(str(steps.count))
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main(scenario: str, work: Path) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    corpus = _site(work)
    before_folder = work / "before"
    before_folder.mkdir()
    for name, text in OWNER_FILES.items():
        (before_folder / name).write_text(text, encoding="utf-8")
    Index.build(before_folder, corpus)
    before = answers(before_folder)
    extra = SCENARIOS[scenario](corpus)
    extra_next = {k: v for k, v in extra.items() if k != "rebuild"}

    clean = work / "clean"
    shutil.copytree(before_folder, clean)
    counter = Steps()
    assert _run(clean, corpus, extra, counter) == 0
    total = int((work / "steps.txt").read_text()) - 1  # less the counting file itself
    after = answers(clean)
    assert after != before, "the scenario changes nothing a reader sees"

    tried, outcomes, failures = 0, {"before": 0, "after": 0}, []
    for k in range(1, total + 1):
        for when in (False, True):
            folder = work / "index"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(before_folder, folder)
            status = _run(folder, corpus, extra, Steps(k, when))
            tried += 1
            point = f"{'after' if when else 'before'} step {k}"
            if status != -signal.SIGKILL:
                failures.append(f"{point}: the run ended with {status}, not killed")
                continue
            try:
                seen = answers(folder)
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{point}: cannot search: {type(exc).__name__}: {exc}")
                continue
            if seen == before:
                outcomes["before"] += 1
            elif seen == after:
                outcomes["after"] += 1
            else:
                failures.append(f"{point}: neither before nor after: {seen}")
            for name, text in OWNER_FILES.items():
                if not (folder / name).is_file() or (folder / name).read_text("utf-8") != text:
                    failures.append(f"{point}: {name} changed or lost")
            if _run(folder, corpus, extra_next, None) != 0:
                failures.append(f"{point}: the next run failed")
            elif answers(folder) != after:
                failures.append(f"{point}: the next run did not reach the after state")
            leftovers = sorted(
                p.name for p in folder.iterdir() if p.name.endswith(".tmp") or ".toc." in p.name
            )
            if leftovers:
                failures.append(f"{point}: leftovers after the next run: {leftovers}")
    return {
        "scenario": scenario,
        "steps": total,
        "tried": tried,
        "outcomes": outcomes,
        "failures": failures,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], Path(sys.argv[2])), ensure_ascii=False))
