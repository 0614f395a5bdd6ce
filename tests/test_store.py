"""The store: real tinydb catalog and files in tmp_path, locks, refs, damage."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import filelock
import pytest

from driftwatch import files, registry
from driftwatch import snapshot as snap
from driftwatch import store as store_module
from driftwatch.errors import InputError, RefNotFoundError, StoreError
from driftwatch.store import Store, load_file

ACCOUNT = "111122223333"
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent


def make_snapshot(name: str, minutes: int = 0) -> snap.Snapshot:
    """A small snapshot whose one security group is tagged ``name``."""
    group = snap.Resource(
        ACCOUNT,
        "eu-west-1",
        registry.SECURITY_GROUP,
        "sg-0123456789abcdef0",
        {
            "GroupId": "sg-0123456789abcdef0",
            "IpPermissions": [],
            "IpPermissionsEgress": [],
            "Tags": [{"Key": "Name", "Value": name}],
        },
    )
    coverage = [
        snap.Coverage(ACCOUNT, "eu-west-1", type_name, "ok")
        for type_name in registry.TYPE_NAMES
    ]
    return snap.build(
        [group], coverage, taken_at=START + timedelta(minutes=minutes), label=name
    )


def tag_of(loaded: store_module.Loaded) -> str:
    """The Name tag of the one security group of a stored snapshot."""
    [group] = loaded.snapshot.resources
    value: str = group.properties["Tags"][0]["Value"]
    return value


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """An empty store under tmp_path."""
    return Store(tmp_path / "store")


def test_approve_writes_the_baseline_file_and_its_first_version(store: Store) -> None:
    taken = make_snapshot("a")
    store.add_snapshot(taken)

    version = store.approve(store.resolve("latest"), "prod", approved_by="alice")

    assert version == 1
    baseline = store.root / "prod.json"
    assert baseline.read_bytes() == snap.dumps(taken)
    assert (store.root / "versions" / "prod" / "1.json").read_bytes() == (
        snap.dumps(taken)
    )
    [row] = store.baselines()
    assert (row["name"], row["version"], row["approved_by"]) == ("prod", 1, "alice")
    assert row["snapshot_id"] == taken.snapshot_id
    assert row["sha256"] == snap.sha256(snap.dumps(taken))
    assert row["counts"] == {registry.SECURITY_GROUP: 1}


def test_older_versions_stay_resolvable_by_name_at_version(store: Store) -> None:
    for minutes, name in enumerate(("first", "second", "third")):
        store.add_snapshot(make_snapshot(name, minutes))
        store.approve(store.resolve("latest"), "prod", approved_by=None)

    assert [row["version"] for row in store.baselines()] == [1, 2, 3]
    assert tag_of(store.resolve("prod@1")) == "first"
    assert tag_of(store.resolve("prod@2")) == "second"
    assert tag_of(store.resolve("prod@3")) == "third"
    assert tag_of(store.resolve("prod")) == "third"
    with pytest.raises(RefNotFoundError, match=r"its versions are 1, 2, 3"):
        store.resolve("prod@4")


def test_a_ref_is_a_file_then_a_baseline_then_a_snapshot_id_then_latest(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = make_snapshot("older", 0)
    newer = make_snapshot("newer", 5)
    store.add_snapshot(older)
    store.add_snapshot(newer)
    store.approve(store.resolve(older.snapshot_id), "prod", approved_by=None)
    # A baseline named like a snapshot id wins over the snapshot.
    store.approve(store.resolve(newer.snapshot_id), older.snapshot_id, approved_by=None)

    assert tag_of(store.resolve("latest")) == "newer"
    assert tag_of(store.resolve(newer.snapshot_id)) == "newer"
    assert tag_of(store.resolve(older.snapshot_id)) == "newer"
    assert tag_of(store.resolve("prod")) == "older"

    # A file in the working directory wins over the baseline of the same name.
    monkeypatch.chdir(tmp_path)
    snap.write(tmp_path / "prod", make_snapshot("a file"))
    assert tag_of(store.resolve("prod")) == "a file"
    assert store.resolve("prod").source == "prod"


def test_a_ref_that_names_nothing_says_where_it_looked(store: Store) -> None:
    store.add_snapshot(make_snapshot("a"))

    with pytest.raises(RefNotFoundError, match=r"'nothing' is not a file, a baseline"):
        store.resolve("nothing")
    with pytest.raises(RefNotFoundError):
        Store(store.root / "missing").resolve("latest")


@pytest.mark.parametrize(
    "damage", [b'{"snapshots": {"1": ', b"\xff\xfe not utf-8", b"[1, 2, 3]\n"]
)
def test_a_damaged_catalog_is_a_store_error_and_is_left_untouched(
    store: Store, damage: bytes
) -> None:
    store.add_snapshot(make_snapshot("a"))
    catalog = store.root / store_module.CATALOG
    catalog.write_bytes(damage)
    files_before = sorted(store.root.rglob("*"))

    with pytest.raises(StoreError, match=r"catalog"):
        store.snapshots()
    with pytest.raises(StoreError, match=r"catalog"):
        store.add_snapshot(make_snapshot("b", 1))
    with pytest.raises(StoreError, match=r"catalog"):
        store.approve(load_file(files_before[-1]), "prod", approved_by=None)

    assert catalog.read_bytes() == damage
    assert sorted(store.root.rglob("*")) == files_before


def test_a_hand_edited_valid_baseline_is_accepted_as_it_stands(store: Store) -> None:
    store.add_snapshot(make_snapshot("a"))
    store.approve(store.resolve("latest"), "prod", approved_by=None)
    baseline = store.root / "prod.json"
    document = json.loads(baseline.read_text())
    document["resources"][0]["properties"]["Tags"][0]["Value"] = "edited by hand"
    baseline.write_text(json.dumps(document, indent=4))

    loaded = store.resolve("prod")

    assert tag_of(loaded) == "edited by hand"
    assert loaded.sha256 != store.baselines()[0]["sha256"]
    assert loaded.sha256 == snap.sha256(baseline.read_bytes())
    assert tag_of(store.resolve("prod@1")) == "a"


def test_a_hand_edit_that_breaks_the_json_names_the_file(store: Store) -> None:
    store.add_snapshot(make_snapshot("a"))
    store.approve(store.resolve("latest"), "prod", approved_by=None)
    (store.root / "prod.json").write_text('{"format": "driftwatch-snapshot",')

    with pytest.raises(InputError, match=r"prod\.json: is not valid JSON \(line 1"):
        store.resolve("prod")


def test_snapshots_are_written_and_read_as_json_gz(
    store: Store, tmp_path: Path
) -> None:
    taken = make_snapshot("zipped")

    path = store.add_snapshot(taken, compress=True)

    assert path.name == f"{taken.snapshot_id}.json.gz"
    assert gzip.decompress(path.read_bytes()) == snap.dumps(taken)
    loaded = store.resolve(taken.snapshot_id)
    assert loaded.snapshot == taken
    assert loaded.sha256 == store.snapshots()[0]["sha256"]
    store.approve(loaded, "prod", approved_by=None)
    assert (store.root / "prod.json").read_bytes() == snap.dumps(taken)

    out = tmp_path / "out.json.gz"
    snap.write(out, taken)
    assert store.resolve(str(out)).snapshot == taken


def test_a_store_that_is_not_a_directory_is_a_store_error(tmp_path: Path) -> None:
    not_a_store = tmp_path / "file"
    not_a_store.write_text("hello")

    with pytest.raises(StoreError, match=r"is not a directory"):
        Store(not_a_store).snapshots()
    with pytest.raises(StoreError, match=r"cannot be used"):
        Store(not_a_store).add_snapshot(make_snapshot("a"))


def test_a_catalog_that_cannot_be_read_is_a_store_error(store: Store) -> None:
    (store.root / store_module.CATALOG).mkdir(parents=True)

    with pytest.raises(StoreError, match=r"cannot be read"):
        store.baselines()


def test_a_store_locked_by_another_run_is_a_store_error(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "LOCK_TIMEOUT_SECONDS", 0.2)
    store.root.mkdir(parents=True)
    held = filelock.FileLock(str(store.root / store_module.LOCK))
    ready, release = threading.Event(), threading.Event()

    def hold() -> None:
        with held:
            ready.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    ready.wait(10)
    try:
        with pytest.raises(StoreError, match=r"is locked by another driftwatch run"):
            store.add_snapshot(make_snapshot("a"))
    finally:
        release.set()
        holder.join()
    assert store.snapshots() == []


@pytest.mark.parametrize("name", ["latest", "catalog", "../prod", "", "a b"])
def test_a_bad_baseline_name_is_refused(store: Store, name: str) -> None:
    store.add_snapshot(make_snapshot("a"))

    with pytest.raises(InputError, match=r"cannot be a baseline name"):
        store.approve(store.resolve("latest"), name, approved_by=None)


def test_concurrent_writers_in_threads_corrupt_nothing(store: Store) -> None:
    def writer(worker: int) -> None:
        for index in range(5):
            taken = make_snapshot(f"w{worker}-{index}", worker * 10 + index)
            store.add_snapshot(taken)
            store.approve(store.resolve(taken.snapshot_id), "prod", approved_by=None)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    _assert_whole(store, snapshots=20, versions=20)


WRITER = """
import sys
from datetime import timedelta
sys.path[:0] = [{repo!r}, {tests!r}]
from test_store import make_snapshot
from driftwatch.store import Store
store = Store(__import__("pathlib").Path({root!r}))
for index in range(8):
    taken = make_snapshot(f"p{{sys.argv[1]}}-{{index}}", int(sys.argv[1]) * 10 + index)
    store.add_snapshot(taken)
    store.approve(store.resolve(taken.snapshot_id), "prod", approved_by=None)
"""


def test_concurrent_writers_in_two_processes_corrupt_nothing(store: Store) -> None:
    script = WRITER.format(
        repo=str(REPO), tests=str(REPO / "tests"), root=str(store.root)
    )
    writers = [subprocess.Popen([sys.executable, "-c", script, str(n)]) for n in (1, 2)]

    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    _assert_whole(store, snapshots=16, versions=16)


def _assert_whole(store: Store, *, snapshots: int, versions: int) -> None:
    """Every write is in the catalog once, and every file it names loads."""
    rows = store.snapshots()
    assert len(rows) == snapshots
    assert len({row["snapshot_id"] for row in rows}) == snapshots
    for row in rows:
        assert snap.sha256(snap.read_bytes(store.root / row["path"])) == row["sha256"]
    baselines = store.baselines()
    assert [row["version"] for row in baselines] == list(range(1, versions + 1))
    for row in baselines:
        loaded = store.resolve(f"prod@{row['version']}")
        assert loaded.snapshot.snapshot_id == row["snapshot_id"]
        assert loaded.sha256 == row["sha256"]
    latest = store.resolve("prod").snapshot.snapshot_id
    assert latest == baselines[-1]["snapshot_id"]


def test_store_files_get_the_umask_mode_and_keep_the_mode_they_had(
    store: Store, tmp_path: Path
) -> None:
    loaded = store_module.Loaded(make_snapshot("a"), "0" * 64, "test")
    store.approve(loaded, "prod", approved_by="test")
    baseline = store.root / "prod.json"
    expected = 0o666 & ~files._UMASK
    assert baseline.stat().st_mode & 0o777 == expected

    baseline.chmod(0o640)
    store.approve(loaded, "prod", approved_by="test")
    assert baseline.stat().st_mode & 0o777 == 0o640
