"""Specs ``tox -e fuzz`` found failing, each for a reason since fixed (in the schedules or the
kit): ``tests/test_backends.py`` runs the kit on each in every backend of the env.
"""

FOUND_BY_FUZZ = [
    # (1 + 255) ** 128 is inf in float64; times a span of 0 it was nan, not 0
    "PolynomialDecayWithOffset(255, initial_learning_rate=0.0, decay_steps=1, end_learning_rate=0.0, power=128.0)",
    # a float32 part of 5.9e-54 is 0: so is the product (exactly 5.6e-45)
    "Product([Constant(5.892043170746255e-54), Clip(Constant(951315817.0))])",
    # a subnormal factor: the product of its float64 value (5e-324) is 3 spacings off exact
    "Product([Clip(Constant(6.0)), NoamDecay(d_model=1, warmup_steps=1, factor=5e-324)])",
    # 813 ** 112 is inf in float64, the product's other parts 4.6e-242: exactly 3.9e84
    "Product([Clip(Constant(3.9326354576420706e-258)), Clip(StepCosineDecayWithOffset(boundaries=[0, 1], offset=93, "
    "values=[0.0, 1.1668488042202558e16])), ExponentialDecay(1.0, 1, 813.0)])",
    # a boundary of a subnormal jump (1.5e-323 to 0), which a part rounds away in float64
    "Scale(CosineAnnealing(initial_learning_rate=5e-324, T_max=2, eta_min=0.0), factor=6.0)",
    # float32: exact 3.40282351e38, within an ulp of 2**128 (inf)
    "Scale(ExponentialDecay(1.5917626910576594e16, 1, 171.0), factor=1.0)",
    # 200 ** 127 * 1.06e16 is beyond float64, half of it is not: int8 steps
    "Scale(ExponentialDecay(1.0565890622713306e16, 1, 200.0), factor=0.5)",
    # float32 InverseTimeDecay was held at 2**-100 of its start past 2**100 / rate: 2.4e3 times
    # its value where the warm-up's peak is 1/3.4e17 of the start; with a rate of 2**100 at step 1
    "PolynomialWarmUp(InverseTimeDecay(9.0, 1, 3.400103867666145e17), warmup_steps=1, power=1.0)",
    "PolynomialWarmUp(InverseTimeDecay(1.0, 1, 1.2676506002282294e30), warmup_steps=2, power=0.0)",
    # an exponential ramp from 1.5e-295 to 2.7e13: the ratio overflows float64 (it gave inf)
    "Warmup(StepCosineDecayWithOffset(boundaries=[0, 1], values=[27184285715810.0, 0.0]), 2, "
    "start_value=1.512176087710981e-295, shape='exponential')",
    # two factors' product overflows float64 (2.5e36 * 3e272), the third brings it back: 8.6e307
    "Product([Clip(Constant(2.4964803376795657e36)), ExponentialDecayWithOffset(0, "
    "initial_learning_rate=3.7890708768369786e36, decay_steps=40529, decay_rate=8.34535521901889e36), "
    "Constant(0.125)])",
    # three factors' product underflows to 0 before a fourth of 1e644 (inf in float64): inf, not 0
    "Product([Clip(Constant(3.9326354576420706e-258)), Clip(StepCosineDecayWithOffset(boundaries=[0, 1], "
    "offset=6394, values=[0.0, 1.0])), LinearWarmup(Constant(2.823172023508243e-131), 0, 0.0), "
    "ExponentialDecay(1.0, 34, 1027.0)])",
    # a subnormal part is held to two spacings: one off, times 5, is five off the exact value
    "Product([Product([Constant(5.0), OneCycle(max_lr=5e-324, total_steps=10, pct_start=0.3)])])",
    # a peak beyond float32 (4.5e59): a millionth of it keeps its own ulp, not float32's max's;
    # and a part's allowed error times 6.6e33 is inf in float32 where the exact value is 0
    "Scale(CosineAnnealing(initial_learning_rate=1.3847860390817225e29, T_max=169, eta_min=0.0), "
    "factor=3.228045767125404e30)",
    "Scale(CosineAnnealing(initial_learning_rate=2.8360418080393677e32, T_max=169, eta_min=0.0), "
    "factor=6.611037112102809e33)",
    # a rise from 1.0 to 5.5e-309 at its exact end: 1.0 + (5.5e-309 - 1.0) took the last precision
    "CosineAnnealing(initial_learning_rate=5.53459936911841e-309, T_max=1, eta_min=1.0)",
    # m_mul**32 of 8.5e9 overflows float64 where a long cycle's tail brings the value back (4e296)
    "CosineDecayRestarts(3.0, 2097153, t_mul=2.0, m_mul=8478313938.0, alpha=0.0)",
    # m_mul of 1.8e19: inf times a fraction of 0 (nan, and numpy's warning) where the value is 0
    "CosineDecayRestarts(1.0, 1, t_mul=0.875, m_mul=1.8446744073709552e19, alpha=0.0)",
    # int8 steps: the ratio's fourth root needs 4 * num, beyond int8 (it gave inf at step 127)
    "Warmup(Clip(Constant(1.0)), 128, start_value=5e-324, shape='exponential')",
    # 5e-324 * (1 - alpha) rounds to 0 in float64, and m_mul**i would magnify what is left (0 from
    # step 1 on, 4e-323 exactly at step 15); float32: the span below its range gave 0 * inf = nan
    "CosineDecayRestarts(5e-324, 1, t_mul=2.0, m_mul=2.0, alpha=0.5)",
    "CosineDecayRestarts(5e-324, 1, t_mul=2.0, m_mul=1.8446744073709552e19, alpha=0.5)",
    # a factor of 2**-149 times d_model**-0.5 was rounded into float32's subnormals before the
    # warm-up line before -1 (Offset: |n| = 16) multiplied it: 75 ulps off at float32 step 0
    "Offset(Product([NoamDecay(d_model=1, warmup_steps=1, factor=1.0), NoamDecay(d_model=2, warmup_steps=1, "
    "factor=1.401298464324817e-45)]), 17)",
    # float32 InverseTimeDecay: 1 / (1 + y) below float32's normal range, then times 139 (68
    # subnormal spacings off); the start is now divided within
    "Product([InverseTimeDecay(139.0, 1, 5.996441099194341e32), Join([Constant(0.0), Constant(0.0), "
    "Constant(1.0)], boundaries=[0, 1])])",
    # 2**k at a restart near 10**18 has an exponent past the exact namespace's old sentinels
    "Product([CosineDecayRestarts(1.0, 37, t_mul=300100.0, m_mul=1.0, alpha=0.0), Product([CosineAnnealing("
    "initial_learning_rate=1.0, T_max=1, eta_min=0.0), ExponentialDecay(1.0, 1, 2.0)])])",
    # before the offset, (1 + 5.08e7) ** 40 passes float64's max; times 0.9999 it does not (1.7975e308)
    "PolynomialDecayWithOffset(67636224, initial_learning_rate=1.0, decay_steps=1, end_learning_rate=0.0001, "
    "power=40.0)",
    # float32: a start of 4.5e-156 is 0, times the extension's power (1 + 7e12)**3, inf: nan
    "PolynomialDecayWithOffset(6981463588253, initial_learning_rate=4.545634364568587e-156, decay_steps=1, "
    "end_learning_rate=0.0, power=3.0)",
    # a start of 0 with m_mul**i beyond float32: its power's pieces gave inf * 0 (numpy's warning)
    "Join([CosineDecayRestarts(0.0, 1, t_mul=2.0, m_mul=16777217.0, alpha=0.0)], boundaries=[])",
    # a rise by a power of 2.2e-311 from q = 1 - 1/16777218: 1 - q**power (3.7e-310) took the
    # exact namespace's last precision; -expm1(power log q) settles at once
    "Offset(PolynomialDecayWithOffset(0, initial_learning_rate=0.0, decay_steps=2, end_learning_rate=0.0001, "
    "power=2.225073858507e-311, cycle=True, name='PolynomialDecay'), 0)",
    # min(x, 0) for x clearly above 0 kept x's error bound: spec(2**24 + 1) took the last precision
    "Offset(Clip(CosineAnnealing(1.0, T_max=8388608, eta_min=0.0), maximum=0.0), offset=0)",
]
