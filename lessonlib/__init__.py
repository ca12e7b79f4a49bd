"""lessonlib: the reference implementations behind the course.

One module per concept, each algorithm in one place with its formula in the
docstring:

- :mod:`lessonlib.optim`      optimizers (SGD, AdaGrad, RMSProp, Adam, AdamW)
- :mod:`lessonlib.momentum`   momentum in the velocity form (Keras's SGD)
- :mod:`lessonlib.averages`   exponential moving averages, their weights, window and bias
- :mod:`lessonlib.schedules`  learning-rate schedules ``t -> lr``
- :mod:`lessonlib.schedule_theory`  Robbins-Monro sums, exponential decay's reach
- :mod:`lessonlib.objectives` losses with analytic gradients
- :mod:`lessonlib.gradcheck`  finite-difference gradient checking
- :mod:`lessonlib.clipping`   gradient clipping by norm (and by value), as an optimizer wrapper
- :mod:`lessonlib.monitor`    the learning-rate range test, loss smoothing, the sharpness lambda_max
- :mod:`lessonlib.train`      the training loops (steps, or epochs of mini-batches) and their histories
- :mod:`lessonlib.nn`         a multilayer perceptron with hand-written backpropagation
- :mod:`lessonlib.theory`     closed-form rates of gradient descent and momentum
- :mod:`lessonlib.report`     theory next to measurement, printed without round-off digits
- :mod:`lessonlib.stochastic` mini-batch variance, noise floor, coverage of sampling
- :mod:`lessonlib.data`       seeded synthetic data and the digits data set
- :mod:`lessonlib.plots`      contour, loss-curve and schedule figures
- :mod:`lessonlib.widgets`    interactive explorers (ipywidgets)
- :mod:`lessonlib.exercises`  self-checking exercises
"""

__version__ = "0.1.0"
