"""The argv of a probe that two layers start: the evidence table names it, and the prefetch in
main starts it before the rest of dldoctor is imported (so this module imports nothing)."""

DOCKER_INFO = ("docker", "info", "--format", "{{json .}}")
