"""The `passos` command's failures: a user's mistake is one line on stderr and status 2, a bug is not."""
import pytest

from passos import cli, train_command
from passos.data import fashion_mnist


def _one_line_error(capsys, status, prog):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert status == 2, captured
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"{prog}: error: ") and "Traceback" not in captured.err
    return lines[0]


def test_missing_data_is_one_line_naming_the_debian_package(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PASSOS_DATA", str(tmp_path))
    monkeypatch.setattr(fashion_mnist, "CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIR", str(tmp_path / "none"))
    monkeypatch.setattr(fashion_mnist, "_fetch", lambda url: (_ for _ in ()).throw(OSError("offline")))
    line = _one_line_error(capsys, cli.main(["train", "--epochs", "1"]), "passos train")
    assert "Fashion-MNIST is not in" in line and "apt-get install dataset-fashion-mnist" in line
    assert "offline" in line


def test_damaged_data_is_one_line(tmp_path, monkeypatch, capsys):
    for name in fashion_mnist.FILES:
        (tmp_path / name).write_bytes(b"\x00\x00")
    monkeypatch.setenv("PASSOS_DATA", str(tmp_path))
    line = _one_line_error(capsys, cli.main(["train", "--epochs", "1"]), "passos train")
    assert "read_idx: " in line and "train-images-idx3-ubyte" in line


@pytest.mark.parametrize("content, says", [(b"hello", "not a passos model file"),
                                           (None, "No such file or directory")])
def test_bad_or_missing_model_file_is_one_line(tmp_path, capsys, content, says):
    path = tmp_path / "model.passos"
    if content is not None:
        path.write_bytes(content)
    for command in ("evaluate", "graph"):
        line = _one_line_error(capsys, cli.main([command, str(path)]), f"passos {command}")
        assert str(path) in line and says in line


def test_a_folder_given_as_model_file_is_one_line(tmp_path, capsys):
    line = _one_line_error(capsys, cli.main(["graph", str(tmp_path)]), "passos graph")
    assert str(tmp_path) in line


@pytest.mark.parametrize("argv, says", [
    (["train", "--epochs", "x"], "argument --epochs: expected a whole number above 0, got 'x'"),
    (["train", "--epochs", "0"], "argument --epochs: expected a whole number above 0, got '0'"),
    (["train", "--lr", "-1"], "argument --lr: expected a number above 0, got '-1'"),
    (["train", "--validation-split", "1.5"], "argument --validation-split: expected a fraction"),
    (["train", "--model", "rnn"], "argument --model: invalid choice: 'rnn'"),
    (["explain", "nothing"], "argument topic: invalid choice: 'nothing'"),
    (["fly"], "argument command: invalid choice: 'fly'"),
])
def test_a_wrong_argument_is_one_line(capsys, argv, says):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    prog = "passos" if argv == ["fly"] else f"passos {argv[0]}"
    line = _one_line_error(capsys, exit_.value.code, prog)
    assert says in line and f"see `{prog} --help`" in line


def test_debug_shows_the_traceback_before_or_after_the_command(tmp_path, capsys):
    missing = str(tmp_path / "none.passos")
    for argv in (["--debug", "evaluate", missing], ["evaluate", missing, "--debug"]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert "Traceback" in err and "FileNotFoundError" in err
        assert err.strip().splitlines()[-1].startswith("passos evaluate: error: ")


def test_a_bug_keeps_its_traceback(monkeypatch, fake_fashion_mnist):
    fake_fashion_mnist(50, 20)

    def broken(*args, **kwargs):
        raise TypeError("a bug inside passos")
    monkeypatch.setattr(train_command.fashion, "prepare", broken)
    with pytest.raises(TypeError, match="a bug inside passos"):
        cli.main(["train", "--epochs", "1"])


def test_success_returns_zero(capsys):
    assert cli.main(["explain", "pool"]) == 0
    assert "max" in capsys.readouterr().out
