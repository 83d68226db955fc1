"""The update rules: SGD (momentum, Nesterov), RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam,
Ftrl.

Keras 2's formulas and defaults (epsilon 1e-7), updating each parameter array in place; Ftrl
is TF1's FTRL-Proximal (Keras 2.2.4 has none).
"""
import numpy as np

from .base import Optimizer

EPSILON = 1e-7


def _moving_average(average, rate, value):
    """average = rate * average + (1 - rate) * value, in place."""
    average *= rate
    average += (1 - rate) * value


class SGD(Optimizer):
    """p -= lr * g; with momentum m: v = m v - lr g, p += v (Nesterov: p += m v - lr g).

    Option momentum_of_gradients (TF1's MomentumOptimizer): a = m a + g, p -= lr a (Nesterov:
    p -= lr (g + m a)); the same steps while lr stays constant.
    """

    defaults = {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}
    options = {"momentum_of_gradients": False}

    def folds_learning_rate(self):
        return not self.hyper["momentum"]

    def create_slots(self, p):
        state = {"scratch": np.empty_like(p)}
        if self.hyper["momentum"]:
            state["velocity"] = np.zeros_like(p)
        return state

    def update(self, p, g, state, lr):
        momentum, scratch = self.hyper["momentum"], state["scratch"]
        if momentum and self.options["momentum_of_gradients"]:
            a = state["velocity"]
            a *= momentum
            a += g
            np.multiply(a, lr * momentum if self.hyper["nesterov"] else lr, out=scratch)
            if self.hyper["nesterov"]:
                scratch += lr * g
            p -= scratch
            return
        np.multiply(g, lr, out=scratch)
        if not momentum:
            p -= scratch
            return
        v = state["velocity"]
        v *= momentum
        v -= scratch
        if self.hyper["nesterov"]:
            p -= scratch
            np.multiply(v, momentum, out=scratch)
            p += scratch
        else:
            p += v


class RMSprop(Optimizer):
    """a = rho a + (1 - rho) g²;  p -= lr g / (sqrt(a) + eps).

    TF1's RMSPropOptimizer options: a starts at initial_accumulator_value; epsilon_inside_sqrt
    divides by sqrt(a + eps); centered subtracts the squared moving mean of g from a; momentum
    m steps by u = m u + lr g / denominator.
    """

    defaults = {"learning_rate": 0.001, "rho": 0.9, "epsilon": EPSILON}
    options = {"initial_accumulator_value": 0.0, "epsilon_inside_sqrt": False, "centered": False,
               "momentum": 0.0}

    def create_slots(self, p):
        state = {"accumulator": np.full_like(p, self.options["initial_accumulator_value"])}
        if self.options["centered"]:
            state["mean_grad"] = np.zeros_like(p)
        if self.options["momentum"]:
            state["moment"] = np.zeros_like(p)
        return state

    def update(self, p, g, state, lr):
        rho, eps, a = self.hyper["rho"], self.hyper["epsilon"], state["accumulator"]
        _moving_average(a, rho, np.square(g))
        if not any(self.options.values()):  # Keras 2's rule
            p -= lr * g / (np.sqrt(a) + eps)
            return
        denominator = a
        if self.options["centered"]:
            mg = state["mean_grad"]
            _moving_average(mg, rho, g)
            denominator = a - np.square(mg)
        denominator = (np.sqrt(denominator + eps) if self.options["epsilon_inside_sqrt"]
                       else np.sqrt(denominator) + eps)
        step = lr * g / denominator
        if self.options["momentum"]:
            u = state["moment"]
            u *= self.options["momentum"]
            u += step
            step = u
        p -= step


class Adagrad(Optimizer):
    """a += g²;  p -= lr g / (sqrt(a) + eps); a starts at initial_accumulator_value (TF1: 0.1)."""

    defaults = {"learning_rate": 0.01, "epsilon": EPSILON}
    options = {"initial_accumulator_value": 0.0}

    def create_slots(self, p):
        return {"accumulator": np.full_like(p, self.options["initial_accumulator_value"])}

    def update(self, p, g, state, lr):
        a = state["accumulator"]
        a += np.square(g)
        p -= lr * g / (np.sqrt(a) + self.hyper["epsilon"])


class Adadelta(Optimizer):
    """a = rho a + (1-rho) g²; u = g sqrt(d + eps) / sqrt(a + eps); p -= lr u; d = rho d + (1-rho) u²."""

    defaults = {"learning_rate": 1.0, "rho": 0.95, "epsilon": EPSILON}

    def create_slots(self, p):
        return {"accumulator": np.zeros_like(p), "delta": np.zeros_like(p)}

    def update(self, p, g, state, lr):
        rho, eps = self.hyper["rho"], self.hyper["epsilon"]
        a, d = state["accumulator"], state["delta"]
        _moving_average(a, rho, np.square(g))
        u = g * np.sqrt(d + eps) / np.sqrt(a + eps)
        p -= lr * u
        _moving_average(d, rho, np.square(u))


class Adam(Optimizer):
    """m, v: moving averages of g and g²; p -= lr sqrt(1-b2^t)/(1-b1^t) m / (sqrt(v) + eps)."""

    defaults = {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": EPSILON,
                "amsgrad": False}

    def create_slots(self, p):
        state = {"m": np.zeros_like(p), "v": np.zeros_like(p)}
        if self.hyper["amsgrad"]:
            state["v_max"] = np.zeros_like(p)
        return state

    def bias_correction(self):
        """sqrt(1 - beta_2^t) / (1 - beta_1^t) at this step t (TF1 keeps the powers instead)."""
        t = self.iterations
        return np.sqrt(1 - self.hyper["beta_2"]**t) / (1 - self.hyper["beta_1"]**t)

    def update(self, p, g, state, lr):
        b1, b2, eps = self.hyper["beta_1"], self.hyper["beta_2"], self.hyper["epsilon"]
        lr_t = lr * self.bias_correction()
        m, v = state["m"], state["v"]
        _moving_average(m, b1, g)
        _moving_average(v, b2, np.square(g))
        if self.hyper["amsgrad"]:
            np.maximum(state["v_max"], v, out=state["v_max"])
            v = state["v_max"]
        p -= lr_t * m / (np.sqrt(v) + eps)


class Adamax(Optimizer):
    """Adam with the infinity norm: u = max(b2 u, |g|); p -= lr/(1-b1^t) m / (u + eps)."""

    defaults = {"learning_rate": 0.002, "beta_1": 0.9, "beta_2": 0.999, "epsilon": EPSILON}

    def create_slots(self, p):
        return {"m": np.zeros_like(p), "u": np.zeros_like(p)}

    def update(self, p, g, state, lr):
        b1, b2, eps = self.hyper["beta_1"], self.hyper["beta_2"], self.hyper["epsilon"]
        m, u = state["m"], state["u"]
        _moving_average(m, b1, g)
        np.maximum(u * b2, np.abs(g), out=u)
        p -= lr / (1 - b1**self.iterations) * m / (u + eps)


class Nadam(Optimizer):
    """Adam with Nesterov momentum, Keras 2.2.4's rule with its warming momentum schedule.

    mu_t = b1 (1 - 0.5 * 0.96^(t * schedule_decay)) at step t (from 1); M_t = mu_1 ... mu_t.
    m, v as in Adam; p -= lr m_bar / (sqrt(v / (1 - b2^t)) + eps), where
    m_bar = (1 - mu_t) g / (1 - M_t) + mu_(t+1) m / (1 - M_t mu_(t+1)).
    """

    defaults = {"learning_rate": 0.002, "beta_1": 0.9, "beta_2": 0.999, "epsilon": EPSILON,
                "schedule_decay": 0.004}

    def __init__(self, **hyper):
        super().__init__(**hyper)
        self._schedule = (0, 1.0)  # (iterations, M at that count): one product per step

    def _momentum(self, t):
        return self.hyper["beta_1"] * (1 - 0.5 * 0.96 ** (t * self.hyper["schedule_decay"]))

    def step(self, params, grads):
        # the step's coefficients, shared by every parameter: computed once, before the updates
        t = self.iterations + 1
        done, product = self._schedule
        if done != self.iterations:  # iterations set from outside (a loaded model): start over
            product = float(np.prod([self._momentum(i) for i in range(1, t)]))
        mu, mu_next = self._momentum(t), self._momentum(t + 1)
        self._schedule = (t, product * mu)
        self._coefficients = ((1 - mu) / (1 - product * mu),
                              mu_next / (1 - product * mu * mu_next),
                              1 - self.hyper["beta_2"] ** t)
        super().step(params, grads)

    def create_slots(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    def update(self, p, g, state, lr):
        b1, b2, eps = self.hyper["beta_1"], self.hyper["beta_2"], self.hyper["epsilon"]
        gradient_weight, moment_weight, v_correction = self._coefficients
        m, v = state["m"], state["v"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * np.square(g)
        p -= lr * (gradient_weight * g + moment_weight * m) / (np.sqrt(v / v_correction) + eps)


class Ftrl(Optimizer):
    """TF1's FTRL-Proximal, per coordinate: with s = l2_shrinkage and p the learning_rate_power,
    a' = a + g²;  z += g + 2 s w - (a'^-p - a^-p) / lr w;
    w = (sign(z) l1 - z) / (a'^-p / lr + 2 l2) where |z| > l1, else 0;  a = a'.
    """

    defaults = {"learning_rate": 0.001, "learning_rate_power": -0.5,
                "initial_accumulator_value": 0.1, "l1_regularization_strength": 0.0,
                "l2_regularization_strength": 0.0, "l2_shrinkage_regularization_strength": 0.0}
    ranges = {**Optimizer.ranges, "learning_rate_power": (-np.inf, 0, True),
              "initial_accumulator_value": (0, np.inf), "l1_regularization_strength": (0, np.inf),
              "l2_regularization_strength": (0, np.inf),
              "l2_shrinkage_regularization_strength": (0, np.inf)}

    def create_slots(self, p):
        return {"accumulator": np.full_like(p, self.hyper["initial_accumulator_value"]),
                "linear": np.zeros_like(p)}

    def update(self, p, g, state, lr):
        h = self.hyper
        a, z, power = state["accumulator"], state["linear"], -h["learning_rate_power"]
        new_a = a + np.square(g)
        shrunk = g + 2 * h["l2_shrinkage_regularization_strength"] * p if \
            h["l2_shrinkage_regularization_strength"] else g
        new_a_power = np.sqrt(new_a) if power == 0.5 else np.power(new_a, power)
        a_power = np.sqrt(a) if power == 0.5 else np.power(a, power)
        z += shrunk - (new_a_power - a_power) / lr * p
        l1 = h["l1_regularization_strength"]
        quadratic = new_a_power / lr + 2 * h["l2_regularization_strength"]
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 / 0 only where w becomes 0
            p[...] = np.where(np.abs(z) > l1, (np.sign(z) * l1 - z) / quadratic, 0)
        a[...] = new_a
