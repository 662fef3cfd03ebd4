"""Remediation steps. Each step plans (pure: facts + options -> Plan); only the executor writes.

Step names are the values of --only/--skip and equal the module names with '_' -> '-'.
"""


def steps() -> tuple:
    """The step objects in the order they are applied (each with `name` and `plan(facts, options)`,
    some with `prepare(host, facts, options)`): the repositories before the packages they serve,
    the docker group once the docker package made it, daemon.json last (it points at the runtime
    the packages installed, and ends with a reload of dockerd). Imported lazily, so `dldoctor check`
    never pays for them; a module not written yet is skipped."""
    import importlib

    out = []
    for mod in ("apt_repos", "packages", "docker_group", "daemon_json"):
        try:
            module = importlib.import_module("dldoctor.provision." + mod)
        except ImportError as exc:
            if getattr(exc, "name", None) != "dldoctor.provision." + mod:
                raise
            continue
        out.append(module.step)
    return tuple(out)
