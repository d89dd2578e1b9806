"""The moons demo (arenagrad.demo) end to end and in parts."""

from __future__ import annotations

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


def test_train_accepts_another_step_function():
    calls = []

    def counting_step(model, optimizer, X, targets, config):
        calls.append(len(X))
        return demo.train_step(model, optimizer, X, targets, config)

    demo.train(DemoConfig(steps=3, hidden=(4,)), step_fn=counting_step)
    assert calls == [100, 100, 100]


def test_targets_for_each_loss():
    assert demo.targets_for("hinge", [-1, 1]) == [-1.0, 1.0]
    assert demo.targets_for("bce", [-1, 1]) == [0.0, 1.0]
    with pytest.raises(ValueError):
        demo.make_optimizer("rmsprop", [demo.Value(1.0)], 10)


def test_neuron_graph_has_labelled_inputs_and_gradients():
    from arenagrad.viz import to_dot

    result = demo.train(DemoConfig(steps=1, hidden=(4,)))
    text = to_dot(demo.neuron_graph(result.model, [0.5, -0.25]))
    for name in ("x0", "x1", "w0", "w1", "b", "out"):
        assert f"{{ {name} |" in text
    assert "grad 1.0000" in text


@pytest.mark.slow
def test_default_demo_reaches_full_accuracy():
    # micrograd's demo configuration: 100 steps, seed 1337 (about 3 s).
    result = demo.train(DemoConfig())
    assert demo.final_accuracy(result.model, result.X, result.labels) == 1.0
