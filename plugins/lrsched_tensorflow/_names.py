"""The names Keras writes for lrsched's schedules: strings only, so reading them imports nothing.

A leaf module (no imports): :mod:`lrsched_tensorflow.keras_schedule` imports it even while the
package is still initializing (the post-import hook for keras may run then).
"""

#: The Keras registered name of a rendered schedule; its config holds the lrsched form under
#: "schedule".
KERAS_REGISTERED_NAME = "lrsched>Schedule"
#: The module Keras writes for it.
KERAS_MODULE = "lrsched_tensorflow.keras_schedule"
#: What Keras writes as ``module`` for its built-in schedules.
KERAS_BUILTINS_MODULE = "keras.optimizers.schedules"
