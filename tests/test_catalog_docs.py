"""The problem catalog, its contract table and its user docs stay in step.

- every ID in dldoctor.catalog.PROBLEMS is in the contract table of tests/data/diagnoses.md (a copy of
  the shared catalog, so a clone alone can run this), and every ID of that table is in the catalog;
- every ID has docs/findings/<id>.md with the five sections, and the index links every page;
- every CAUSES edge names known IDs.
"""
import re
from pathlib import Path

from dldoctor import catalog

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO / "tests" / "data" / "diagnoses.md"
FINDINGS = REPO / "docs" / "findings"
SECTIONS = ("## Symptom", "## Why", "## Fix", "## Verify", "## Related")
ROW = re.compile(r"^\|\s*`([a-z0-9][a-z0-9.-]*)`\s*\|", re.M)
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def contract_ids():
    return ROW.findall(CONTRACT.read_text(encoding="utf-8"))


def test_contract_table_is_not_empty_and_has_no_duplicates():
    ids = contract_ids()
    assert len(ids) >= 40, "the contract table of %s was not found" % CONTRACT
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, "IDs listed twice in diagnoses.md: %s" % dupes


def test_every_catalog_id_is_in_the_contract():
    missing = sorted(set(catalog.PROBLEMS) - set(contract_ids()))
    assert not missing, "in catalog.PROBLEMS but not in diagnoses.md: %s" % missing


def test_every_contract_id_is_in_the_catalog():
    missing = sorted(set(contract_ids()) - set(catalog.PROBLEMS))
    assert not missing, "in diagnoses.md but not in catalog.PROBLEMS: %s" % missing


def test_every_id_has_a_findings_page_with_the_five_sections():
    problems = []
    for pid in sorted(catalog.PROBLEMS):
        page = FINDINGS / (pid + ".md")
        if not page.is_file():
            problems.append("%s: no %s" % (pid, page.relative_to(REPO)))
            continue
        text = page.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        if not first.startswith("# %s: " % pid):
            problems.append("%s: first line must be '# %s: <title>', got %r" % (pid, pid, first))
        lines = text.splitlines()
        positions = []
        for heading in SECTIONS:
            if heading not in lines:
                problems.append("%s: no '%s' heading" % (pid, heading))
            else:
                positions.append(lines.index(heading))
        if len(positions) == len(SECTIONS) and positions != sorted(positions):
            problems.append("%s: sections out of order (want %s)" % (pid, ", ".join(SECTIONS)))
    assert not problems, "\n".join(problems)


def test_no_findings_page_without_a_catalog_id():
    pages = {p.stem for p in FINDINGS.glob("*.md") if p.name != "README.md"}
    stray = sorted(pages - set(catalog.PROBLEMS))
    assert not stray, "docs/findings pages for unknown IDs: %s" % stray


def test_findings_links_resolve_and_the_index_links_every_page():
    broken = []
    for page in sorted(FINDINGS.glob("*.md")):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            if not (page.parent / target).is_file():
                broken.append("%s -> %s" % (page.name, target))
    assert not broken, "broken links: %s" % broken
    index = (FINDINGS / "README.md").read_text(encoding="utf-8")
    linked = set(LINK.findall(index))
    unlinked = sorted(pid for pid in catalog.PROBLEMS if pid + ".md" not in linked)
    assert not unlinked, "docs/findings/README.md does not link: %s" % unlinked


def test_causes_edges_name_known_ids():
    unknown = []
    for cause, effects in catalog.CAUSES.items():
        if cause not in catalog.PROBLEMS:
            unknown.append("cause %s" % cause)
        for effect in effects:
            if effect not in catalog.PROBLEMS:
                unknown.append("%s -> %s" % (cause, effect))
            if effect == cause:
                unknown.append("%s causes itself" % cause)
    assert not unknown, "CAUSES names unknown IDs: %s" % unknown


def test_a_preset_named_to_reach_nvidias_repository_mirrors_it():
    """apt.repo-unreachable's fix named `--mirror tuna` for an unreachable nvidia.github.io, but
    TUNA does not mirror libnvidia-container: the user followed it and the host stayed cut off."""
    from dldoctor.provision.mirrors import PRESETS

    nvidia = {p.name for p in PRESETS if p.nvidia_apt_base}
    named = []
    for pid, problem in catalog.PROBLEMS.items():
        page = (FINDINGS / (pid + ".md")).read_text(encoding="utf-8")
        fix_block = page.split("## Fix", 1)[1].split("\n## ", 1)[0]
        if "nvidia.github.io" not in problem.fix + fix_block:
            continue
        for text in (problem.fix, fix_block):
            named += [(pid, m) for m in re.findall(r"--mirror[ =]([a-z]+)", text)]
    assert named, "no fix names a preset to reach NVIDIA's repository"
    assert [(pid, m) for pid, m in named if m not in nvidia] == []
