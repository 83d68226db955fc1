"""`make run`'s set-up step: make sure the Fashion-MNIST files are there before `passos train`.

    python scripts/setup_data.py

Where they are missing: as root with apt-get, install the Debian package dataset-fashion-mnist
(saying so in one line first); with apt-get but not root, say in one line the command to run
and stop (status 2); without apt-get, say that `passos train` will download them.
It lives here, called by the Makefile, not in the `passos` command or passos.data: installing
system packages is setting up the machine, which `make run` promises to do, while a library
or a pip-installed command should never run apt-get as root behind its user's back.
"""
import os
import shutil
import subprocess
import sys

from passos.data import fashion_mnist

PACKAGE = "dataset-fashion-mnist"
COMMANDS = (["apt-get", "update"], ["apt-get", "install", "-y", PACKAGE])
WHO = "make run"


def present():
    """True when load_data would find all four files without downloading."""
    return fashion_mnist.local_files() is not None


def plan(is_present, is_root, has_apt):
    """What to do: 'ready', 'install' (root with apt-get), 'tell' (apt-get, not root) or
    'download' (no apt-get: passos train downloads them)."""
    if is_present:
        return "ready"
    if not has_apt:
        return "download"
    return "install" if is_root else "tell"


def main(run=subprocess.run, which=shutil.which, is_root=None, out=sys.stdout):
    """Set up the data; returns the exit status (0: go on and train, 2: the user must act).
    run, which and is_root stand for subprocess.run, shutil.which and "uid is 0" in tests."""
    is_root = os.geteuid() == 0 if is_root is None else is_root
    step = plan(present(), is_root, which("apt-get") is not None)
    if step == "ready":
        return 0
    if step == "download":
        print(f"{WHO}: Fashion-MNIST is missing and apt-get is not here: passos train will download "
              f"it into {fashion_mnist.CACHE_DIR}", file=out, flush=True)
        return 0
    if step == "tell":
        print(f"{WHO}: Fashion-MNIST is missing: run `sudo apt-get install {PACKAGE}`, then "
              f"`make run` again", file=out, flush=True)
        return 2
    print(f"{WHO}: Fashion-MNIST is missing: installing the Debian package {PACKAGE} "
          f"(apt-get update, then apt-get install -y {PACKAGE})", file=out, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in COMMANDS:
        status = run(command, env=env).returncode
        if status != 0:
            print(f"{WHO}: `{' '.join(command)}` failed (exit status {status}); fix that, or put "
                  f"the four files in a folder and run `PASSOS_DATA=that_folder make run`", file=out)
            return 2
    if not present():
        print(f"{WHO}: {PACKAGE} is installed but the files are not in "
              f"{fashion_mnist.SYSTEM_DIR}; {fashion_mnist.HOW_TO_GET}", file=out)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
