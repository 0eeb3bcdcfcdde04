"""A sharded training step on 8 virtual CPU devices, in its own process (XLA_FLAGS is read once,
when JAX starts)."""

SHARDED = """
    import os
    assert "jax" not in __import__("sys").modules
    import jax, jax.numpy as jnp, numpy as np, optax
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    import lrsched

    devices = jax.devices()
    assert len(devices) == 8 and all(d.platform == "cpu" for d in devices), devices
    mesh = Mesh(np.array(devices).reshape(4, 2), ("data", "model"))
    spec = lrsched.ExponentialDecay(0.1, 3, 0.5, staircase=True)
    opt = optax.inject_hyperparams(optax.sgd)(learning_rate=lrsched.render(spec, "jax"))

    w_sharding = NamedSharding(mesh, P(None, "model"))  # a (16, 8) weight split over "model"
    x_sharding = NamedSharding(mesh, P("data", None))  # a (32, 16) batch split over "data"
    w = jax.device_put(jnp.zeros((16, 8)), w_sharding)
    x = jax.device_put(jnp.ones((32, 16)), x_sharding)
    state = jax.device_put(opt.init(w), NamedSharding(mesh, P()))

    def loss(w, x):
        return jnp.sum(x @ w) / x.shape[0]  # gradient: 1 for every weight

    @jax.jit
    def step(w, state, x):
        grads = jax.grad(loss)(w, x)
        updates, state = opt.update(grads, state, w)
        return optax.apply_updates(w, updates), state, updates

    f = lrsched.render(spec, "jax")
    for k in range(8):
        w, state, updates = step(w, state, x)
        assert updates.sharding.is_equivalent_to(w_sharding, 2), updates.sharding
        want = np.float32(f(k))
        lrs = {float(-np.asarray(shard.data).reshape(-1)[0]) for shard in updates.addressable_shards}
        assert len(updates.addressable_shards) == 8 and lrs == {float(want)}, (k, lrs, want)
        for shard in updates.addressable_shards:  # every element of every shard
            assert np.all(np.asarray(shard.data) == -want), (k, shard.device)
        assert float(state.hyperparams["learning_rate"]) == float(want)
    print("8 devices, 8 sharded steps: every device applied spec(k) at update k")

    # the schedule itself, sharded over steps: each device computes its own slice
    steps = jax.device_put(jnp.arange(8 * 1000, dtype=jnp.int32), NamedSharding(mesh, P(("data", "model"))))
    values = jax.jit(jax.vmap(f))(steps)
    assert len({s.device for s in values.addressable_shards}) == 8
    np.testing.assert_array_equal(np.asarray(values), np.asarray(f(np.arange(8000, dtype=np.int32))))
"""


def test_sharded_training_step_on_8_virtual_devices(python):
    env = {"XLA_FLAGS": "--xla_force_host_platform_device_count=8", "JAX_PLATFORMS": "cpu"}
    print(python(SHARDED, env=env))
