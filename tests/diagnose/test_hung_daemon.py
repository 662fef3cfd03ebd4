"""A daemon that does not answer is running: its fix is a restart ("start" would do nothing)."""
from dldoctor.checks.docker import check_daemon
from dldoctor.facts import Facts, Unknown
from dldoctor.host import Evidence


def test_hung_daemon_fix_is_a_restart():
    facts = Facts(raw={"docker-info.json": Evidence("docker-info.json", "", exit=124, timed_out=True)})
    facts.docker_info = Unknown("timed out", "docker-info.json")
    [finding] = check_daemon(facts)
    assert finding.problem == "docker.daemon-down"
    assert finding.fix.startswith("sudo systemctl restart docker")


def test_stopped_daemon_fix_is_a_start():
    facts = Facts(raw={})
    facts.docker_info = Unknown("cannot connect", "docker-info.json")
    facts.raw["docker-info"] = Evidence("docker-info", "Cannot connect to the Docker daemon at "
                                        "unix:///var/run/docker.sock. Is the docker daemon running?", exit=1)
    from dldoctor.parse.docker_info import parse_docker_info

    facts.docker_info = parse_docker_info(facts.raw["docker-info"].text)
    [finding] = check_daemon(facts)
    assert finding.problem == "docker.daemon-down"
    assert "systemctl start docker" in finding.fix
