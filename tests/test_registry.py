"""The plugin host: lazy discovery, isolation of broken plugins, duplicates, blocking, backends."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import lrsched
from lrsched.plugins import LrschedPluginWarning, PluginHost
from lrsched.spec import PositiveFloat


class Flat(lrsched.Schedule):
    lr: PositiveFloat

    def value(self, step, xp):
        return xp.zeros_like(step, dtype=lrsched.xp.xp_float_dtype(xp)) + self.lr


class OtherConstant(Flat):
    pass


def plugin(schedules=(), backends=(), raises=None):
    class Plugin:
        @lrsched.hookimpl
        def lrsched_register_schedules(self, register):
            for entry in schedules:
                register(*entry) if isinstance(entry, tuple) else register(entry)
            if raises:
                raise raises

        @lrsched.hookimpl
        def lrsched_register_backends(self, register):
            for backend in backends:
                register(backend)

    return Plugin()


def test_builtins_come_from_entry_points(fresh_host):
    infos = {info.name: info for info in lrsched.plugins.report()}
    assert infos["schedules"].schedules == [cls.__name__ for cls in lrsched.schedules.BUILTIN]
    assert infos["schedules"].distribution == "lrsched-xp"
    assert infos["numpy"].backends == ["numpy"]
    assert "numpy" in lrsched.backends()


def test_inline_plugin_registers_and_unregisters(fresh_host):
    name = fresh_host.register(plugin([Flat, (OtherConstant, "Other")]), name="mine")
    assert lrsched.schedules()["Flat"] is Flat
    assert lrsched.schedules()["Other"] is OtherConstant
    assert lrsched.deserialize({"class_name": "Other", "config": {"lr": 0.5}}) == OtherConstant(0.5)
    fresh_host.unregister(name)
    assert "Flat" not in lrsched.schedules()


def test_identical_reregistration_is_allowed(fresh_host):
    fresh_host.register(plugin([Flat]), name="a")
    fresh_host.register(plugin([Flat]), name="b")
    assert lrsched.schedules()["Flat"] is Flat


def test_conflicting_duplicate_names_both_sources_and_skips_the_newcomer(fresh_host):
    fresh_host.register(plugin([Flat]), name="first")
    fresh_host.register(plugin([(OtherConstant, "Flat")]), name="second")
    with pytest.warns(LrschedPluginWarning) as record:
        registry = fresh_host.registry
    message = str(record[0].message)
    assert "'second'" in message and "'first'" in message and "OtherConstant" in message
    assert registry.schedules["Flat"] is Flat
    assert {i.name: i.status for i in fresh_host.infos()}["second"] == "failed"


def test_builtin_names_cannot_be_shadowed(fresh_host):
    fresh_host.register(plugin([(Flat, "ExponentialDecay")]), name="shadow")
    with pytest.warns(
        LrschedPluginWarning, match=r"'ExponentialDecay' is already registered by plugin 'schedules'"
    ):
        assert lrsched.schedules()["ExponentialDecay"] is lrsched.ExponentialDecay


def test_a_raising_hook_skips_only_that_plugin_and_rolls_back_its_registrations(fresh_host):
    fresh_host.register(plugin([Flat], raises=RuntimeError("boom")), name="broken")
    with pytest.warns(LrschedPluginWarning, match=r"plugin 'broken'.*RuntimeError: boom"):
        names = lrsched.schedules()
    assert "Flat" not in names and "ExponentialDecay" in names
    info = {i.name: i for i in fresh_host.infos()}["broken"]
    assert info.status == "failed" and "boom" in info.reason


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ((int,), "subclass of lrsched.Schedule"),
        ((lrsched.Schedule,), "subclass of lrsched.Schedule"),
        ((type("NoValue", (lrsched.Schedule,), {"__module__": __name__}),), "does not implement value"),
        ((Flat, "my.dotted"), "no dots"),
        ((Flat, ""), "identifiers"),
    ],
)
def test_invalid_registrations_fail_the_plugin(fresh_host, entry, match):
    fresh_host.register(plugin([entry]), name="bad")
    with pytest.warns(LrschedPluginWarning, match=match):
        fresh_host.registry  # noqa: B018


def test_unknown_hooks_are_reported_with_a_suggestion(fresh_host):
    class Typo:
        @lrsched.hookimpl
        def lrsched_register_schedule(self, register):
            raise AssertionError("never called")

    with pytest.warns(LrschedPluginWarning, match="did you mean 'lrsched_register_schedules'"):
        fresh_host.register(Typo(), name="typo")


def test_strict_mode_makes_failures_fatal(fresh_host, monkeypatch):
    monkeypatch.setenv("LRSCHED_STRICT_PLUGINS", "1")
    fresh_host.register(plugin([Flat], raises=RuntimeError("boom")), name="broken")
    with pytest.raises(lrsched.PluginError, match="LRSCHED_STRICT_PLUGINS"):
        fresh_host.registry  # noqa: B018


def test_backends_missing_their_framework(fresh_host):
    backend = lrsched.Backend(
        "ghost", render=lambda spec: None, requires=("lrsched_no_such_module",), extra="ghost"
    )
    fresh_host.register(plugin(backends=[backend]), name="ghosts")
    assert "ghost" not in lrsched.backends()
    with pytest.raises(lrsched.BackendUnavailableError, match=r"pip install 'lrsched-xp\[ghost\]'"):
        lrsched.render(lrsched.ExponentialDecay(0.1, 1, 0.5), "ghost")


def test_backend_names_and_aliases_are_unique(fresh_host):
    a = lrsched.Backend("a", render=lambda spec: "a", aliases=("alpha",))
    fresh_host.register(plugin(backends=[a]), name="pa")
    assert lrsched.render(lrsched.ExponentialDecay(0.1, 1, 0.5), "alpha") == "a"
    fresh_host.register(plugin(backends=[lrsched.Backend("alpha", render=print)]), name="pb")
    with pytest.warns(LrschedPluginWarning, match="backend name 'alpha' is already registered"):
        assert lrsched.backends().count("a") == 1


def test_unknown_backend(fresh_host):
    with pytest.raises(lrsched.UnknownBackendError, match=r"did you mean 'numpy'\?"):
        lrsched.render(lrsched.ExponentialDecay(0.1, 1, 0.5), "nunpy")
    with pytest.raises(lrsched.LrschedError, match=r"expected an lrsched\.Schedule"):
        lrsched.render("ExponentialDecay", "numpy")


def test_a_host_without_entry_points_is_empty():
    host = PluginHost(entry_points=False)
    assert host.registry.schedules == {} and host.infos() == []


@pytest.fixture
def distributions(tmp_path, monkeypatch):
    """Unpacked distributions on sys.path: real entry points, found by importlib.metadata."""

    def make(name, entry_points, modules):
        info = tmp_path / f"{name}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(
            "[lrsched]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items())
        )
        for module, source in modules.items():
            (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))

    monkeypatch.syspath_prepend(str(tmp_path))
    return make


def test_a_plugin_that_fails_to_import_is_skipped(distributions):
    distributions(
        "broken-dist", {"broken": "lrsched_broken_mod"}, {"lrsched_broken_mod": "raise ImportError('nope')"}
    )
    with lrsched.plugins.isolated_host() as host, pytest.warns(LrschedPluginWarning) as record:
        assert "ExponentialDecay" in host.registry.schedules
    assert "'broken' (broken-dist 1.0)" in str(record[0].message) and "nope" in str(record[0].message)
    assert {i.name: i.status for i in host.infos()}["broken"] == "failed"


def test_disabled_plugins_are_not_imported(distributions, monkeypatch):
    distributions(
        "boom-dist", {"boom": "lrsched_boom_mod"}, {"lrsched_boom_mod": "raise SystemExit('imported!')"}
    )
    monkeypatch.setenv("LRSCHED_DISABLE_PLUGINS", "boom, numpy")
    with lrsched.plugins.isolated_host() as host:
        infos = {i.name: i for i in host.infos()}
        assert infos["boom"].status == "blocked" and infos["numpy"].status == "blocked"
        assert "numpy" not in lrsched.backends()
    assert "lrsched_boom_mod" not in sys.modules


def test_discovery_is_lazy_and_once():
    code = textwrap.dedent(
        """
        import sys, importlib.metadata as md
        calls = []
        real = md.entry_points
        md.entry_points = lambda **kw: (kw.get('group') == 'lrsched' and calls.append(kw)) or real(**kw)
        import lrsched
        assert calls == [], calls
        lrsched.schedules(); lrsched.backends(); lrsched.schedules()
        assert len(calls) == 1, calls
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_two_distributions_may_use_the_same_entry_point_name(distributions):
    """Identified by (distribution, name): the second does not replace the first."""
    for letter in "ab":
        distributions(
            f"same_{letter}",  # the directory name is `same_a-1.0.dist-info`, as a wheel writes it
            {"same": f"lrsched_same_{letter}"},
            {
                f"lrsched_same_{letter}": f"""
                import lrsched
                class Same{letter.upper()}(lrsched.Schedule):
                    def value(self, step, xp):
                        return step
                @lrsched.hookimpl
                def lrsched_register_schedules(register):
                    register(Same{letter.upper()})
                """
            },
        )
    with lrsched.plugins.isolated_host() as host:
        assert {"SameA", "SameB"} <= set(host.registry.schedules)
        same = sorted((i.distribution, i.key) for i in host.infos() if i.name == "same")
    assert same == [("same_a", "same"), ("same_b", "same@same_b")]


def test_a_backend_given_as_strings_imports_on_first_use(fresh_host, tmp_path, monkeypatch):
    (tmp_path / "lrsched_lazy_backend_mod.py").write_text(
        "def render(spec, *, scale=1.0):\n    return ('rendered', scale)\n"
        "def evaluate(spec, steps):\n    return [float(s) for s in steps]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    backend = lrsched.Backend(
        "lazy", render="lrsched_lazy_backend_mod:render", evaluate="lrsched_lazy_backend_mod:evaluate"
    )
    fresh_host.register(plugin(backends=[backend]), name="lazy")
    assert "lazy" in lrsched.backends() and "lrsched_lazy_backend_mod" not in sys.modules
    spec = lrsched.ExponentialDecay(0.1, 1, 0.5)
    assert lrsched.render(spec, "lazy", scale=2.0) == ("rendered", 2.0)
    assert lrsched.evaluate(spec, [1, 2], "lazy") == [1.0, 2.0]
    with pytest.raises(lrsched.ConfigError, match=r"lazy backend: unknown option `foo`.*accepts: scale"):
        lrsched.render(spec, "lazy", foo=1)  # options read from render's signature


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"render": "no_colon"}, "'module:function'"),
        ({"render": "a.b:"}, "'module:function'"),
        ({"render": 42}, "render must be a callable"),
        ({"render": print, "options": {"dtype": ["float32"]}}, "options maps option names"),
    ],
)
def test_bad_backend_declarations(kwargs, match):
    with pytest.raises(lrsched.PluginError, match=match):
        lrsched.Backend("bad", **kwargs)


def test_a_lazy_function_that_cannot_import_makes_the_backend_unavailable(fresh_host):
    backend = lrsched.Backend("gone", render="lrsched_no_such_module_at_all:render", extra="gone")
    fresh_host.register(plugin(backends=[backend]), name="gone")
    with pytest.raises(
        lrsched.BackendUnavailableError, match=r"'gone' backend could not import.*lrsched-xp\[gone\]"
    ):
        lrsched.render(lrsched.ExponentialDecay(0.1, 1, 0.5), "gone")
    missing_function = lrsched.Backend("nofunc", render="math:no_such_function")
    fresh_host.register(plugin(backends=[missing_function]), name="nofunc")
    with pytest.raises(lrsched.PluginError, match=r"'math:no_such_function' does not name a callable"):
        lrsched.render(lrsched.ExponentialDecay(0.1, 1, 0.5), "nofunc")


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (
            {"foo": 1},
            r"numpy backend: unknown option `foo` \(received foo=1\); the options it accepts: dtype",
        ),
        ({"dtype": ["float32"]}, r"numpy backend: option `dtype` must be one of \['float64', "),
        (
            {"dtype": 32},
            r"option `dtype` must be one of .*; received dtype=32 \(the options it accepts: dtype\)",
        ),
    ],
)
def test_unknown_and_ill_typed_options_are_config_errors(options, match):
    with pytest.raises(lrsched.ConfigError, match=match) as info:
        lrsched.render(lrsched.ExponentialDecay(0.1, 1, 0.5), "numpy", **options)
    assert isinstance(info.value, TypeError)  # as Python's own unexpected keyword argument


def test_a_config_error_from_render_names_the_backend(fresh_host):
    def render(spec, *, lr):
        raise lrsched.ConfigError(f"lr must be > 0; received {lr}")

    fresh_host.register(plugin(backends=[lrsched.Backend("strict", render=render)]), name="strict")
    with pytest.raises(lrsched.ConfigError, match=r"^strict backend: lr must be > 0; received -1$"):
        lrsched.render(lrsched.ExponentialDecay(0.1, 1, 0.5), "strict", lr=-1)


def unwrapping_plugin(*entries):
    class Plugin:
        @lrsched.hookimpl
        def lrsched_register_unwrappers(self, register):
            for entry in entries:
                register(*entry)

    return Plugin()


def test_an_unwrapper_reads_a_foreign_form(fresh_host):
    fresh_host.register(
        unwrapping_plugin(("my_framework.saving", "mine>Wrapper", lambda p: p["config"]["inner"]))
    )
    payload = {
        "module": "my_framework.saving",
        "class_name": "Wrapper",
        "registered_name": "mine>Wrapper",
        "config": {"inner": lrsched.serialize(lrsched.ExponentialDecay(0.1, 1, 0.5))},
    }
    assert lrsched.deserialize(payload) == lrsched.ExponentialDecay(0.1, 1, 0.5)
    with pytest.raises(
        lrsched.ConfigError, match=r"refusing module 'my_framework.saving' with registered_name 'x>y'"
    ):
        lrsched.deserialize({**payload, "registered_name": "x>y"})
    assert "my_framework" not in sys.modules


def test_unwrappers_are_checked_and_unique(fresh_host):
    fresh_host.register(unwrapping_plugin(("m", None, dict)), name="first")
    fresh_host.register(unwrapping_plugin(("m", None, dict)), name="second")
    fresh_host.register(unwrapping_plugin(("", None, dict)), name="empty")
    fresh_host.register(unwrapping_plugin(("m2", None, "not callable")), name="notcallable")
    with pytest.warns(LrschedPluginWarning) as record:
        fresh_host.registry  # noqa: B018
    messages = " | ".join(str(w.message) for w in record)
    assert "module 'm' with registered_name None is already registered by plugin 'first'" in messages
    assert "non-empty str" in messages and "callable unwrap" in messages


def checking_plugin(*entries, then_raise=None):
    class Plugin:
        @lrsched.hookimpl
        def lrsched_register_checks(self, register):
            for args, kwargs in entries:
                register(*args, **kwargs)
            if then_raise:
                raise then_raise

    return Plugin()


def test_checks_are_checked_and_unique(fresh_host):
    def check(spec):
        pass

    fresh_host.register(checking_plugin((("mine", check), {"variant": "a-1.x"})), name="first")
    fresh_host.register(checking_plugin((("mine", check), {"variant": "a-1.x"})), name="second")
    fresh_host.register(checking_plugin((("my.check", check), {})), name="dotted")
    fresh_host.register(checking_plugin((("mine", check), {"variant": "a b"})), name="spaced")
    fresh_host.register(checking_plugin((("mine", check), {"backend": "no.such"})), name="badbackend")
    fresh_host.register(checking_plugin((("mine", check), {"requires": "torch"})), name="requires")
    fresh_host.register(checking_plugin((("mine", 42), {})), name="notcallable")
    fresh_host.register(checking_plugin((("mine", "no_colon"), {"variant": "lazy"})), name="badlazy")
    fresh_host.register(
        checking_plugin((("other", check), {}), then_raise=RuntimeError("boom")), name="raising"
    )
    with pytest.warns(LrschedPluginWarning) as record:
        registry = fresh_host.registry
    messages = " | ".join(str(w.message) for w in record)
    assert "check 'mine[a-1.x]' is already registered by plugin 'first'; plugin 'second' tried" in messages
    assert "check names must be identifiers (letters, digits, '_'; no dots); received 'my.check'" in messages
    assert (
        "check variants are letters, digits, '_', '.' and '-' (not first); received variant='a b'" in messages
    )
    assert "backend names must be identifiers (letters, digits, '_'; no dots); received 'no.such'" in messages
    assert "requires as a tuple of module names; received requires='torch'" in messages
    assert "check(spec) as a callable or a 'module:function' string; received 42" in messages
    assert "check 'mine[lazy]': a lazy function is 'module:function'; received 'no_colon'" in messages
    assert "RuntimeError: boom" in messages
    assert {i for i in registry.checks if i.startswith(("mine", "my", "other"))} == {"mine[a-1.x]"}
    assert registry.check_sources["mine[a-1.x]"] == "plugin 'first'"
    infos = {info.name: info for info in fresh_host.infos()}
    assert infos["first"].checks == ["mine[a-1.x]"]
    assert infos["raising"].status == "failed" and infos["raising"].checks == []
    assert lrsched.plugins.registered_checks()["mine[a-1.x]"].check is check
