"""The moons demo (arenagrad.demo) end to end and in parts."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import golden
import pytest
from arenagrad import demo
from arenagrad.demo import DemoConfig

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 2000  # a real picture, not an empty canvas


def test_demo_end_to_end_through_the_cli(tmp_path):
    out = tmp_path / "pictures"
    result = subprocess.run(
        [sys.executable, "-m", "arenagrad", "demo", "--steps", "5", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    # Not a terminal: one plain line per step.
    assert "step    1/5" in text and "step    5/5" in text
    assert "final accuracy:" in text
    assert "training wall time:" in text
    assert_png(out / "loss.png")
    assert_png(out / "decision_boundary.png")
    if golden.graphviz_works():
        assert (out / "graph.svg").read_text().lstrip().startswith("<?xml")
    else:
        assert "skipped graph.svg" in text


def test_quiet_prints_a_line_every_tenth_of_the_run(tmp_path, capsys):
    config = DemoConfig(steps=20, out=tmp_path, quiet=True, hidden=(4,))
    assert demo.run(config) == 0
    step_lines = [
        ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("step")
    ]
    assert len(step_lines) == 10
    assert step_lines[-1].startswith("step   20/20")


def test_missing_matplotlib_gives_install_hint(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes import fail
    assert demo.run(DemoConfig(steps=1, out=tmp_path)) == 1
    assert 'pip install "arenagrad[demo]"' in capsys.readouterr().err
    assert not (tmp_path / "loss.png").exists()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_fallback_without_tqdm(monkeypatch, capsys):
    import tqdm  # noqa: F401  (in the test extra: a missing install fails here)

    config = DemoConfig(steps=3)
    terminal = FakeTerminal()
    bar = demo._make_progress(config, terminal)
    assert isinstance(bar, demo._BarProgress)
    bar(0, 0.5, 0.75)
    bar.close()
    assert "loss=0.5000" in terminal.getvalue()

    monkeypatch.setitem(sys.modules, "tqdm", None)
    plain = demo._make_progress(config, FakeTerminal())
    assert isinstance(plain, demo._PlainProgress)
    assert 'pip install "arenagrad[demo]"' in capsys.readouterr().out


def test_plain_progress_when_not_a_terminal():
    assert isinstance(
        demo._make_progress(DemoConfig(), io.StringIO()), demo._PlainProgress
    )


@pytest.mark.parametrize("loss", ["hinge", "bce", "mse"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_every_loss_and_optimizer_trains(loss, optimizer):
    config = DemoConfig(steps=15, loss=loss, optimizer=optimizer, hidden=(8,))
    result = demo.train(config)
    assert len(result.losses) == 15
    assert result.losses[-1] < result.losses[0]
    assert result.accuracies[-1] >= 0.75


def test_training_is_reproducible():
    config = DemoConfig(steps=4, hidden=(6, 6))
    assert demo.train(config).losses == demo.train(config).losses


@pytest.mark.parametrize("loss", ["hinge", "bce", "mse"])
def test_compile_flag_gives_bit_identical_training(loss):
    config = DemoConfig(steps=4, points=30, hidden=(8, 8), loss=loss, optimizer="adam")
    compiled = demo.train(config)
    plain = demo.train(dataclasses.replace(config, compile=False))
    assert compiled.losses == plain.losses
    assert compiled.accuracies == plain.accuracies
    assert compiled.model.state_dict() == plain.model.state_dict()


def test_one_registry_serves_demo_and_cli():
    from arenagrad import cli

    parser = cli.build_parser()
    demo_parser = parser._subparsers._group_actions[0].choices["demo"]
    choices = {a.dest: a.choices for a in demo_parser._actions if a.choices}
    assert tuple(choices["loss"]) == tuple(demo.LOSSES)
    assert tuple(choices["optimizer"]) == tuple(demo.OPTIMIZERS)
    assert demo.LOSSES["bce"].targets([-1, 1]) == [0.0, 1.0]
    assert demo.LOSSES["hinge"].targets([-1, 1]) == [-1.0, 1.0]


def test_neuron_graph_shows_a_neuron_with_gradients():
    from arenagrad.viz import to_dot

    result = demo.train(DemoConfig(steps=3, hidden=(4,)))
    out = demo.neuron_graph(result.model, result.X)
    text = to_dot(out)
    for name in ("x0", "x1", "w0", "w1", "b", "out"):
        assert f"{{ {name} |" in text
    leaves = {v.label: v for v in _walk(out) if v.label}
    assert leaves["b"].grad == 1.0  # an active ReLU passes the gradient through
    assert leaves["w0"].grad == leaves["x0"].data and leaves["w0"].grad != 0.0


def test_neuron_graph_avoids_dead_relus():
    result = demo.train(DemoConfig(steps=1, hidden=(3,)))
    first = result.model.layers[0].neurons
    for n in first[:2]:  # kill two neurons for every point
        n.weights[0].data = n.weights[1].data = 0.0
        n.bias.data = -1.0
    out = demo.neuron_graph(result.model, result.X)
    assert out.data > 0.0


def _walk(root):
    seen, stack = [], [root]
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.append(v)
            stack.extend(v._prev)
    return seen


def test_unwritable_out_fails_before_training(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    started = []
    config = DemoConfig(steps=1, out=blocker / "sub")
    original = demo.train
    try:
        demo.train = lambda *a, **k: started.append(1)  # type: ignore[assignment]
        assert demo.run(config) == 2
    finally:
        demo.train = original
    assert started == []
    err = capsys.readouterr().err
    assert "cannot write to --out" in err and "Traceback" not in err


def test_missing_dot_is_a_one_line_hint(tmp_path, monkeypatch):
    pytest.importorskip("graphviz")
    result = demo.train(DemoConfig(steps=1, hidden=(3,)))
    monkeypatch.setenv("PATH", "")
    note = demo.write_graph(result.model, result.X, tmp_path / "graph.svg")
    assert note is not None and "\n" not in note
    assert "`dot`" in note and "apt install graphviz" in note


@pytest.mark.slow
def test_default_demo_reaches_full_accuracy():
    # micrograd's demo configuration: 100 steps, seed 1337 (about 3 s).
    result = demo.train(DemoConfig())
    assert demo.final_accuracy(result.model, result.X, result.labels) == 1.0
