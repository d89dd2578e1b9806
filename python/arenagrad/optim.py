"""Optimizers over lists of leaf ``Value`` parameters, with PyTorch's update rules.

Each optimizer keeps its per-parameter state in plain lists aligned with
``self.params``. The learning rate may be a float or a callable taking the
0-based step index and returning the rate for that step (a schedule), e.g.
``SGD(params, lr=lambda k: 1.0 - 0.9 * k / steps)``.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Callable, Union

from ._core import Value, sgd_step, zero_grads

LearningRate = Union[float, Callable[[int], float]]


def _real(name: str, value: object) -> float:
    # Any real number (numpy scalars, Fraction) is accepted; bool is an int but
    # never a meaningful rate.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__!r}")
    return float(value)


def _check_non_negative(name: str, value: object) -> float:
    number = _real(name, value)
    # "not >=" also rejects NaN.
    if not number >= 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return number


def _parameter_list(owner: str, params: object) -> list[Value]:
    """``params`` as a list, with the usual mistakes explained."""
    hint = "pass model.parameters()"
    if callable(params) and getattr(params, "__name__", "") == "parameters":
        raise TypeError(f"{owner} got the method model.parameters; call it: {hint}")
    if hasattr(params, "parameters") and callable(params.parameters):
        raise TypeError(f"{owner} got a model ({type(params).__name__}); {hint}")
    if isinstance(params, Value):
        raise TypeError(f"{owner} needs a list of parameters, not one Value; "
                        "pass [value] or model.parameters()")
    try:
        return list(params)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{owner} needs a list of parameters ({hint}), not "
                        f"{type(params).__name__!r}") from None


class Optimizer(ABC):
    """Shared parts: the parameter list, the schedule, the step counter."""

    def __init__(self, params: Iterable[Value], lr: LearningRate):
        self.params = _parameter_list(type(self).__name__, params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(
                    f"parameters must be arenagrad.Value, not {type(p).__name__!r}"
                )
        if len(set(self.params)) != len(self.params):
            # A repeated parameter would be updated twice per step.
            raise ValueError("a parameter appears more than once in the list")
        if not callable(lr):
            lr = _check_non_negative("lr", lr)
        self.lr = lr
        self.step_count = 0

    def current_lr(self) -> float:
        """The learning rate the next ``step()`` will use."""
        if not callable(self.lr):
            return float(self.lr)
        rate = self.lr(self.step_count)
        return _check_non_negative(f"lr schedule at step {self.step_count}", rate)

    def zero_grad(self) -> None:
        zero_grads(self.params)  # one C++ loop instead of a setattr per parameter

    def step(self) -> None:
        self._update(self.current_lr())
        self.step_count += 1

    @abstractmethod
    def _update(self, lr: float) -> None:
        """Applies one step with learning rate ``lr`` to every parameter."""


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and L2 weight decay."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: LearningRate,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        self.momentum = _check_non_negative("momentum", momentum)
        self.weight_decay = _check_non_negative("weight_decay", weight_decay)
        # None until the first step, then the velocity (torch's momentum_buffer).
        self.velocities: list[float | None] = [None] * len(self.params)

    def _update(self, lr: float) -> None:
        if not self.momentum:
            # The loop below without momentum, in C++: same arithmetic, same order.
            sgd_step(self.params, lr, self.weight_decay)
            return
        for i, p in enumerate(self.params):
            g = p.grad + self.weight_decay * p.data
            if self.momentum:
                v = self.velocities[i]
                # torch starts the buffer at the first gradient, not at zero.
                v = g if v is None else self.momentum * v + g
                self.velocities[i] = v
                g = v
            p.data -= lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba); ``weight_decay`` adds an L2 term to the gradient."""

    decoupled = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        beta1, beta2 = betas
        for name, beta in (("betas[0]", beta1), ("betas[1]", beta2)):
            if not 0.0 <= _real(name, beta) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        self.betas = (float(beta1), float(beta2))
        self.eps = _check_non_negative("eps", eps)
        self.weight_decay = _check_non_negative("weight_decay", weight_decay)
        self.first_moments = [0.0] * len(self.params)
        self.second_moments = [0.0] * len(self.params)

    def _update(self, lr: float) -> None:
        beta1, beta2 = self.betas
        t = self.step_count + 1
        correction1 = 1.0 - beta1**t
        correction2_sqrt = math.sqrt(1.0 - beta2**t)
        step_size = lr / correction1
        for i, p in enumerate(self.params):
            g = p.grad
            if self.decoupled:
                # AdamW: shrink the weight directly, outside the moments.
                p.data *= 1.0 - lr * self.weight_decay
            else:
                g = g + self.weight_decay * p.data
            m = beta1 * self.first_moments[i] + (1.0 - beta1) * g
            v = beta2 * self.second_moments[i] + (1.0 - beta2) * g * g
            self.first_moments[i] = m
            self.second_moments[i] = v
            # Bias corrections applied as torch does: one to the step size,
            # one to the denominator.
            denom = math.sqrt(v) / correction2_sqrt + self.eps
            p.data -= step_size * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter)."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ):
        super().__init__(params, lr, betas, eps, weight_decay)


__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]


# --- Newton's method (issue 10): exact Hessians from arenagrad.grad(create_graph=True)


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """x with matrix @ x = rhs, by Gaussian elimination with partial pivoting."""
    n = len(rhs)
    rows = [list(r) + [b] for r, b in zip(matrix, rhs)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        if not abs(rows[pivot][col]) > 1e-300:  # also catches nan
            raise ValueError("Newton: the Hessian is singular here; try damping > 0")
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(col + 1, n):
            factor = rows[r][col] / rows[col][col]
            for c in range(col, n + 1):
                rows[r][c] -= factor * rows[col][c]
    x = [0.0] * n
    for r in reversed(range(n)):
        tail = sum(rows[r][c] * x[c] for c in range(r + 1, n))
        x[r] = (rows[r][n] - tail) / rows[r][r]
    return x


class Newton(Optimizer):
    """Newton's method: ``p -= lr * (H + damping * I)^-1 g`` with the exact Hessian.

    ``step(closure)`` calls ``closure()``, which rebuilds the loss from the
    parameters and returns it, differentiates it twice with ``arenagrad.grad``
    (one create_graph sweep, then one sweep per parameter) and returns the loss.
    ``.grad`` fields are not used, so ``zero_grad()`` is not needed. For a few
    parameters only: the Hessian is n x n and solved in Python.
    """

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1.0, damping: float = 0.0):
        super().__init__(params, lr)
        _check_non_negative("damping", damping)
        self.damping = float(damping)
        self._closure: Callable[[], Value] | None = None
        self._loss: Value | None = None

    def step(self, closure: Callable[[], Value] | None = None) -> Value:  # type: ignore[override]
        if closure is None or not callable(closure):
            raise TypeError("Newton.step needs a closure that returns the loss")
        self._closure = closure
        try:
            super().step()
        finally:
            self._closure = None
        loss, self._loss = self._loss, None
        assert loss is not None
        return loss

    def _update(self, lr: float) -> None:
        from .functional import grad  # functional imports nothing from here

        assert self._closure is not None
        loss = self._closure()
        if not isinstance(loss, Value):
            raise TypeError(f"the closure must return a Value, not {type(loss).__name__!r}")
        first = grad(loss, self.params, create_graph=True)
        hessian = [[h.data for h in grad(g, self.params)] for g in first]
        for i in range(len(hessian)):
            hessian[i][i] += self.damping
        direction = _solve(hessian, [g.data for g in first])
        for p, d in zip(self.params, direction):
            p.data -= lr * d
        self._loss = loss


__all__ += ["Newton"]
