r"""A multilayer perceptron with hand-written backpropagation, as an objective of one flat vector.

The network maps a sample :math:`x \in \mathbb{R}^{d_0}` (a row of ``X``) through layers
:math:`l = 1, \dots, D` (:math:`D - 1` hidden layers, then the output layer) with
weights :math:`W_l \in \mathbb{R}^{d_{l-1}\times d_l}` and
biases :math:`c_l \in \mathbb{R}^{d_l}` (:math:`c`, because :math:`b` is the momentum
buffer). For a mini-batch, rows are samples:

.. math::

    a_0 &= X_{\mathcal B} \\
    z_l &= a_{l-1} W_l + c_l, \qquad a_l = \phi(z_l) \quad (l < D) \\
    z_D &= a_{D-1} W_D + c_D \quad\text{(the logits)}, \qquad
    p = \mathrm{softmax}(z_D) \\
    J &= -\frac1B\sum_{i\in\mathcal B} \log p_{i, y_i}
         + \frac{\lambda_{\mathrm{wd}}}{2}\sum_l \lVert W_l\rVert^2

with :math:`z_l` the pre-activations, :math:`a_l` the activations and :math:`\phi` = ReLU
or tanh applied elementwise. The chain rule, applied from
the loss back to the input (backpropagation), gives with :math:`Y` the one-hot labels

.. math::

    \delta_D &= \frac{\partial J}{\partial z_D} = \frac1B\,(p - Y) \\
    \nabla_{W_l} J &= a_{l-1}^\top \delta_l + \lambda_{\mathrm{wd}} W_l, \qquad
    \nabla_{c_l} J = \textstyle\sum_i \delta_{l, i} \\
    \delta_{l-1} &= (\delta_l W_l^\top) \odot \phi'(z_{l-1}),

where :math:`\phi'` is read off the activation itself: :math:`[a > 0]` for ReLU and
:math:`1 - a^2` for tanh. The biases are not penalised (as in scikit-learn).

All parameters live in ONE flat vector ``theta`` (layer by layer, :math:`W_l` row by
row, then :math:`c_l`), so every optimizer of :mod:`lessonlib.optim` and the loops of
:mod:`lessonlib.train` train the network unchanged; :meth:`MLP.unpack` views it as
the list of :math:`(W_l, c_l)`. Chapter 9 derives the backward pass.
"""

import numpy as np

from ._validate import check_int, check_nonnegative

__all__ = ["MLP", "MLPStack", "log_softmax", "softmax", "cross_entropy"]


def log_softmax(z):
    r"""Row-wise :math:`\log\mathrm{softmax}(z) = z - \mathrm{logsumexp}(z)`, stably.

    :math:`\mathrm{logsumexp}(z) = m + \log\sum_k e^{z_k - m}` with :math:`m = \max_k z_k`:
    every exponent is :math:`\le 0`, so nothing overflows, and the largest term is 1,
    so the sum never underflows to 0.
    """
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(z):
    r"""Row-wise :math:`\mathrm{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}`, computed as :math:`e^{z - \max z}` normalised."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(z, y):
    r"""Mean cross-entropy :math:`-\frac1B\sum_i \log\mathrm{softmax}(z_i)_{y_i}` of logits ``z`` (B, k), labels ``y``."""
    return float(-np.mean(log_softmax(z)[np.arange(len(y)), y]))


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_slope(a):
    return a > 0


def _tanh_slope(a):
    return 1.0 - a * a


# name -> (phi, phi' as a function of the activation a = phi(z), initialisation)
_ACTIVATIONS = {"relu": (_relu, _relu_slope, "he"), "tanh": (np.tanh, _tanh_slope, "glorot")}


def _check_data(X, y, n_classes):
    """``X`` as floats, ``y`` as ints and the number of classes, or a ValueError that says what is wrong."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"X must be a 2-D array (n >= 1 samples, d features), got shape {X.shape}")
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X's {X.shape[0]} rows, got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
        raise ValueError(f"y must hold integer labels 0, 1, ..., k-1, got {y.dtype} values "
                         f"from {y.min()} to {y.max()}; map the classes to 0..k-1 first")
    k = int(y.max()) + 1 if n_classes is None else n_classes
    check_int("n_classes", k, 2)
    if y.max() >= k:
        raise ValueError(f"labels must be below n_classes={k}, got a label {y.max()}; "
                         f"raise n_classes or relabel y as 0..k-1")
    return X, y.astype(int), k


class MLP:
    r"""Softmax classifier with hidden layers, trained on ``X`` (n, d_0) and labels ``y`` in ``0..k-1``.

    Parameters
    ----------
    X : array (n, d_0)
        The samples, one per row (standardised, e.g. by :func:`lessonlib.data.load_digits`
        with ``bias=False``: the layers have their own biases).
    y : array (n,)
        Integer labels ``0..k-1``.
    hidden : tuple of int, default (64,)
        Widths :math:`d_1, \dots, d_{D-1}` of the hidden layers; ``()`` is softmax regression.
    activation : {"relu", "tanh"}
        The hidden layers' :math:`\phi`.
    l2 : float, default 0.0
        :math:`\lambda_{\mathrm{wd}} \ge 0`, the L2 penalty on the weights (not the biases).
    n_classes : int, optional
        :math:`k = d_D`, the number of classes; default ``max(y) + 1``.

    Attributes: ``sizes`` the widths :math:`(d_0, \dots, d_D)`, ``dim`` the number of
    parameters :math:`\sum_l (d_{l-1} + 1)\,d_l`, ``n`` the number of samples, ``k``.

    Like the objectives of :mod:`lessonlib.objectives` it has ``n``, ``dim``,
    ``loss``/``grad`` (all samples) and ``batch_loss``/``batch_grad`` (the rows ``idx``);
    :meth:`init` draws a starting ``theta``, :meth:`predict` gives labels and
    :meth:`on` the same network on other data (e.g. the test split).
    """

    def __init__(self, X, y, hidden=(64,), activation="relu", l2=0.0, n_classes=None):
        X, y, k = _check_data(X, y, n_classes)
        if activation not in _ACTIVATIONS:
            raise ValueError(f'activation must be "relu" or "tanh", got {activation!r}')
        hidden = tuple(hidden)
        for width in hidden:
            check_int("each hidden layer width", width, 1)
        check_nonnegative("l2", l2)
        self.X, self.y = X, y
        self.hidden, self.activation, self.l2, self.k = hidden, activation, float(l2), k
        self.sizes = (X.shape[1],) + hidden + (k,)
        self._phi, self._slope, self._init_rule = _ACTIVATIONS[activation]
        # Where each layer's W and c sit in theta: (start of W, shape of W, start of c, end of c).
        self._layout, start = [], 0
        for d_in, d_out in zip(self.sizes[:-1], self.sizes[1:]):
            self._layout.append((start, (d_in, d_out), start + d_in * d_out, start + (d_in + 1) * d_out))
            start += (d_in + 1) * d_out
        self.dim = start

    # ------------------------------------------------------------------ parameters

    @property
    def n(self):
        """Number of samples."""
        return self.X.shape[0]

    def unpack(self, theta):
        """The list of ``(W_l, c_l)``, views into ``theta`` (writing to them writes ``theta``)."""
        theta = np.asarray(theta)
        if theta.shape != (self.dim,):
            raise ValueError(f"theta must have shape ({self.dim},) for layer sizes {self.sizes}, "
                             f"got {theta.shape}; build it with init() or a flat vector of that length")
        return [(theta[w:c].reshape(shape), theta[c:end]) for w, shape, c, end in self._layout]

    def init(self, seed=0):
        r"""A starting ``theta``: biases 0, weights drawn with a generator seeded with ``seed``.

        ReLU layers use He initialisation, :math:`W \sim N(0, 2/d_{l-1})`, which keeps the
        mean square of the activations constant from layer to layer; tanh layers (and the
        output layer after them) use Glorot's uniform initialisation,
        :math:`W \sim U(\pm\sqrt{6/(d_{l-1} + d_l)})`, which balances the forward and the
        backward pass.
        """
        rng = np.random.default_rng(seed)
        theta = np.zeros(self.dim)
        for W, _ in self.unpack(theta):
            d_in, d_out = W.shape
            if self._init_rule == "he":
                W[...] = rng.normal(0.0, np.sqrt(2.0 / d_in), size=W.shape)
            else:
                bound = np.sqrt(6.0 / (d_in + d_out))
                W[...] = rng.uniform(-bound, bound, size=W.shape)
        return theta

    def on(self, X, y):
        """The same network (layers, activation, ``l2``, classes) on other data."""
        return MLP(X, y, self.hidden, self.activation, self.l2, self.k)

    # ------------------------------------------------------------------ forward and backward

    def forward(self, theta, X):
        r"""The hidden activations :math:`[a_0, \dots, a_{D-1}]` and the logits :math:`z_D` for the rows of ``X``."""
        layers = self.unpack(theta)
        activations = [X]
        for W, c in layers[:-1]:
            activations.append(self._phi(activations[-1] @ W + c))
        W, c = layers[-1]
        return activations, activations[-1] @ W + c

    def backward(self, theta, activations, delta):
        r"""The gradient, from :math:`\delta_D = \partial J/\partial z_D` back through every layer.

        ``activations`` are those of :meth:`forward`; returns a new flat vector laid out
        like ``theta``, with :math:`\nabla_{W_l} J = a_{l-1}^\top\delta_l + \lambda_{\mathrm{wd}} W_l`,
        :math:`\nabla_{c_l} J = \sum_i \delta_{l,i}` and
        :math:`\delta_{l-1} = (\delta_l W_l^\top) \odot \phi'(z_{l-1})`.
        """
        grad = np.empty(self.dim)
        layers, grads = self.unpack(theta), self.unpack(grad)
        for l in range(len(layers) - 1, -1, -1):
            (W, _), (grad_W, grad_c) = layers[l], grads[l]
            np.matmul(activations[l].T, delta, out=grad_W)
            if self.l2:
                grad_W += self.l2 * W
            np.sum(delta, axis=0, out=grad_c)
            if l > 0:
                delta = (delta @ W.T) * self._slope(activations[l])
        return grad

    def _penalty(self, theta):
        return 0.5 * self.l2 * sum(float(np.vdot(W, W)) for W, _ in self.unpack(theta)) if self.l2 else 0.0

    # ------------------------------------------------------------------ the objective

    def batch_loss(self, theta, idx):
        """The loss :math:`J` on the samples ``idx`` (indices, a mask or a slice)."""
        _, logits = self.forward(theta, self.X[idx])
        return cross_entropy(logits, self.y[idx]) + self._penalty(theta)

    def batch_grad(self, theta, idx):
        r"""The gradient of :meth:`batch_loss`: forward pass, :math:`\delta_D = (p - Y)/B`, backward pass."""
        activations, logits = self.forward(theta, self.X[idx])
        delta = softmax(logits)
        delta[np.arange(len(delta)), self.y[idx]] -= 1.0
        delta /= len(delta)
        return self.backward(theta, activations, delta)

    def loss(self, theta):
        """The loss on all ``n`` samples."""
        return self.batch_loss(theta, slice(None))

    def grad(self, theta):
        """The gradient on all ``n`` samples."""
        return self.batch_grad(theta, slice(None))

    def predict(self, theta, X=None):
        """Predicted class of each row of ``X`` (default: the training data)."""
        X = self.X if X is None else np.asarray(X, dtype=float)
        return np.argmax(self.forward(theta, X)[1], axis=1)

    def accuracy(self, theta):
        """Fraction of this data's samples classified correctly."""
        return float(np.mean(self.predict(theta) == self.y))

    def __repr__(self):
        return (f"MLP(n={self.n}, sizes={self.sizes}, activation={self.activation!r}, "
                f"l2={self.l2:g}, dim={self.dim})")


class MLPStack:
    r"""``copies`` independent copies of one :class:`MLP`, as one objective of one flat vector.

    ``theta`` holds the copies one after the other (``copies * mlp.dim`` entries); every
    copy sees the same mini-batch, and the gradient of the stack is the copies' gradients
    side by side (the copies share nothing). With a per-coordinate learning rate
    (``np.repeat(rates, mlp.dim)``) one optimizer trains a whole learning-rate sweep at
    once: the layers' products become batched matrix products over the copies, one numpy
    call for all of them instead of one per copy (chapter 9).
    """

    def __init__(self, mlp, copies):
        check_int("copies", copies, 1)
        self.mlp, self.copies = mlp, copies
        self.dim = copies * mlp.dim

    @property
    def n(self):
        """Number of samples."""
        return self.mlp.n

    def unpack(self, theta):
        """The list of ``(W_l, c_l)`` with a leading copy axis: shapes (K, d_{l-1}, d_l) and (K, d_l)."""
        theta = np.asarray(theta)
        if theta.shape != (self.dim,):
            raise ValueError(f"theta must have shape ({self.dim},) = {self.copies} copies x {self.mlp.dim} "
                             f"parameters, got {theta.shape}; build it with init() or np.tile(mlp_theta, copies)")
        rows = theta.reshape(self.copies, self.mlp.dim)
        return [(rows[:, w:c].reshape((self.copies,) + shape), rows[:, c:end])
                for w, shape, c, end in self.mlp._layout]

    def init(self, seed=0):
        """Every copy starts from ``mlp.init(seed)``: a sweep compares rates, not starting points."""
        return np.tile(self.mlp.init(seed), self.copies)

    def split(self, theta):
        """The copies' parameter vectors, as the rows of a (K, mlp.dim) view."""
        return np.asarray(theta).reshape(self.copies, self.mlp.dim)

    def forward(self, theta, X):
        """As :meth:`MLP.forward`, every array with a leading copy axis (K, B, d_l)."""
        layers = self.unpack(theta)
        activations = [X]
        for W, c in layers[:-1]:
            activations.append(self.mlp._phi(np.matmul(activations[-1], W) + c[:, None, :]))
        W, c = layers[-1]
        return activations, np.matmul(activations[-1], W) + c[:, None, :]

    def backward(self, theta, activations, delta):
        """As :meth:`MLP.backward` for every copy at once; ``delta`` has shape (K, B, k)."""
        grad = np.empty(self.dim)
        layers, grads = self.unpack(theta), self.unpack(grad)
        for l in range(len(layers) - 1, -1, -1):
            (W, _), (grad_W, grad_c) = layers[l], grads[l]
            a = activations[l]
            a_T = a.T if a.ndim == 2 else a.transpose(0, 2, 1)
            grad_W[...] = np.matmul(a_T, delta)
            if self.mlp.l2:
                grad_W += self.mlp.l2 * W
            grad_c[...] = delta.sum(axis=1)
            if l > 0:
                delta = np.matmul(delta, W.transpose(0, 2, 1)) * self.mlp._slope(a)
        return grad

    def batch_losses(self, theta, idx):
        """The loss of each copy on the samples ``idx``: an array of K numbers."""
        _, logits = self.forward(theta, self.mlp.X[idx])
        y = self.mlp.y[idx]
        picked = np.take_along_axis(log_softmax(logits.reshape(-1, self.mlp.k)).reshape(logits.shape),
                                    np.broadcast_to(y[None, :, None], logits.shape[:2] + (1,)), axis=2)
        losses = -picked[..., 0].mean(axis=1)
        if self.mlp.l2:
            losses += 0.5 * self.mlp.l2 * sum(np.sum(W * W, axis=(1, 2)) for W, _ in self.unpack(theta))
        return losses

    def batch_grad(self, theta, idx):
        """The copies' gradients on the samples ``idx``, side by side in one flat vector."""
        activations, logits = self.forward(theta, self.mlp.X[idx])
        delta = softmax(logits.reshape(-1, self.mlp.k)).reshape(logits.shape)
        delta[:, np.arange(logits.shape[1]), self.mlp.y[idx]] -= 1.0
        delta /= logits.shape[1]
        return self.backward(theta, activations, delta)

    def losses(self, theta):
        """Each copy's loss on all ``n`` samples."""
        return self.batch_losses(theta, slice(None))

    def loss(self, theta):
        """The sum of the copies' losses (whose gradient is :meth:`grad`)."""
        return float(np.sum(self.losses(theta)))

    def grad(self, theta):
        """The copies' gradients on all ``n`` samples."""
        return self.batch_grad(theta, slice(None))

    def accuracies(self, theta, X=None, y=None):
        """Each copy's fraction of correctly classified samples (default: the training data)."""
        X = self.mlp.X if X is None else np.asarray(X, dtype=float)
        y = self.mlp.y if y is None else np.asarray(y)
        return np.mean(np.argmax(self.forward(theta, X)[1], axis=2) == y, axis=1)

    def __repr__(self):
        return f"MLPStack({self.mlp!r}, copies={self.copies})"
