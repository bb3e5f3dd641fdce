"""Fixed-step RK4 and the predator-prey model of the lecture on ODE derivatives.

u = (prey, predators) obeys u' = f(u, p): the prey grow at rate p1 and are
eaten at rate p2 per predator; the predators die at rate p3 and grow at rate
p4 per prey. The initial prey population p5 is a parameter too; the initial
number of predators is 1. The loss compares the state at T with observations.
"""

import numpy as np


# --8<-- [start:rk4]
def rk4(f, u0, p, T, N):
    """N steps of classical Runge-Kutta for u' = f(u, p, t) on [0, T].

    Returns the N + 1 states u_0, ..., u_N as the rows of an array.
    """
    h = T / N
    us = [np.asarray(u0, dtype=float)]
    for k in range(N):
        u, t = us[-1], k * h
        k1 = f(u, p, t)
        k2 = f(u + h / 2 * k1, p, t + h / 2)
        k3 = f(u + h / 2 * k2, p, t + h / 2)
        k4 = f(u + h * k3, p, t + h)
        us.append(u + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4))
    return np.array(us)
# --8<-- [end:rk4]


# --8<-- [start:model]
def f(u, p, t):  # the right-hand side, n = 2 states, P = 5 parameters
    x, y = u
    return np.array([p[0] * x - p[1] * x * y, p[3] * x * y - p[2] * y])


def f_u(u, p, t):  # the 2 x 2 Jacobian in the state
    x, y = u
    return np.array([[p[0] - p[1] * y, -p[1] * x],
                     [p[3] * y, p[3] * x - p[2]]])


def f_p(u, p, t):  # the 2 x 5 Jacobian in the parameters
    x, y = u
    return np.array([[x, -x * y, 0.0, 0.0, 0.0],
                     [0.0, 0.0, -y, x * y, 0.0]])


def u0(p):  # the initial state depends on p5
    return np.array([p[4], 1.0])


du0_dp = np.array([[0.0, 0.0, 0.0, 0.0, 1.0],
                   [0.0, 0.0, 0.0, 0.0, 0.0]])
p = np.array([1.0, 0.5, 0.8, 0.3, 2.0])
T, N = 4.0, 80
observed = np.array([1.0, 2.0])  # the observed state at time T


def loss(p, N=N):  # L = g(u(T)) = ||u_N - observed||^2 / 2
    uN = rk4(f, u0(p), p, T, N)[-1]
    return 0.5 * np.sum((uN - observed) ** 2)
# --8<-- [end:model]


if __name__ == "__main__":
    us = rk4(f, u0(p), p, T, N)
    print("u(0) =", us[0], "  u(T) =", np.round(us[-1], 4))
    print(f"L = {loss(p):.4f}")
    print("largest prey population on the way:", np.round(us[:, 0].max(), 3))
    assert us.shape == (N + 1, 2)
