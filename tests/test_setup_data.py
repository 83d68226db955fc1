"""`make run`'s data set-up (scripts/setup_data.py), with apt-get stood in for: never run for real."""
import importlib.util
import io
import pathlib
import subprocess

import pytest

from passos.data import fashion_mnist

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("setup_data", ROOT / "scripts" / "setup_data.py")
setup_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(setup_data)


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    """Fashion-MNIST nowhere; returns the stand-in for Debian's folder."""
    monkeypatch.delenv("PASSOS_DATA", raising=False)
    monkeypatch.setattr(fashion_mnist, "CACHE_DIR", str(tmp_path / "cache"))
    system = tmp_path / "usr-share"
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIR", str(system))
    return system


def _install(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in fashion_mnist.FILES:
        (folder / (name + ".gz")).write_bytes(b"")


class FakeApt:
    """subprocess.run's stand-in: records each command; 'install' puts the files in place."""

    def __init__(self, folder, fail=None):
        self.folder, self.fail, self.commands = folder, fail, []

    def __call__(self, command, env=None):
        self.commands.append(command)
        assert env["DEBIAN_FRONTEND"] == "noninteractive"
        status = 100 if command[1] == self.fail else 0
        if command[1] == "install" and not status:
            _install(self.folder)
        return subprocess.CompletedProcess(command, status)


def _main(apt, is_root, has_apt):
    out = io.StringIO()
    status = setup_data.main(run=apt, which=lambda name: "/usr/bin/apt-get" if has_apt else None,
                             is_root=is_root, out=out)
    return status, out.getvalue().splitlines()


def test_files_present_does_nothing(no_data):
    _install(no_data)
    apt = FakeApt(no_data)
    assert _main(apt, True, True) == (0, []) and apt.commands == []


def test_root_with_apt_installs_the_package_saying_so_first(no_data):
    apt = FakeApt(no_data)
    status, lines = _main(apt, True, True)
    assert status == 0 and len(lines) == 1
    assert "installing the Debian package dataset-fashion-mnist" in lines[0]
    assert apt.commands == [["apt-get", "update"], ["apt-get", "install", "-y", "dataset-fashion-mnist"]]
    assert setup_data.present()


@pytest.mark.parametrize("fail", ["update", "install"])
def test_a_failing_apt_get_stops_with_one_line(no_data, fail):
    apt = FakeApt(no_data, fail=fail)
    status, lines = _main(apt, True, True)
    assert status == 2 and len(lines) == 2
    assert f"`apt-get {fail}" in lines[1] and "exit status 100" in lines[1]
    assert len(apt.commands) == (1 if fail == "update" else 2)


def test_installed_package_without_the_files_says_where_it_looked(no_data):
    apt = FakeApt(no_data / "elsewhere")
    status, lines = _main(apt, True, True)
    assert status == 2 and str(no_data) in lines[-1]


def test_not_root_says_the_one_command(no_data):
    apt = FakeApt(no_data)
    status, lines = _main(apt, False, True)
    assert status == 2 and apt.commands == []
    assert lines == ["make run: Fashion-MNIST is missing: run `sudo apt-get install "
                     "dataset-fashion-mnist`, then `make run` again"]


def test_without_apt_get_passos_train_downloads(no_data):
    apt = FakeApt(no_data)
    status, lines = _main(apt, True, False)
    assert status == 0 and apt.commands == [] and len(lines) == 1
    assert "will download" in lines[0] and fashion_mnist.CACHE_DIR in lines[0]


def test_apt_get_found_on_path_and_run_as_a_program(no_data, tmp_path, monkeypatch):
    bin_dir, log = tmp_path / "bin", tmp_path / "apt.log"
    bin_dir.mkdir()
    stub = bin_dir / "apt-get"
    stub.write_text(f'#!/bin/sh\necho "$@" >> {log}\n'
                    f'if [ "$1" = install ]; then mkdir -p {no_data} && '
                    + " && ".join(f"touch {no_data}/{n}.gz" for n in fashion_mnist.FILES) + "; fi\n")
    stub.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")  # the stub comes first
    out = io.StringIO()
    assert setup_data.main(is_root=True, out=out) == 0
    assert log.read_text().splitlines() == ["update", "install -y dataset-fashion-mnist"]


def test_make_run_sets_up_the_data_before_training():
    recipe = (ROOT / "Makefile").read_text().split("\nrun:")[1].split("\n\n")[0]
    assert recipe.index("scripts/setup_data.py") < recipe.index("passos train")
