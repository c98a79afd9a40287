"""The code cites the design by section (docs/design.md §5.1): every citation names a section that
exists, so renumbering the design breaks this test rather than the references, and nothing cites the
brief outside the repository (DESIGN.md) any more."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "docs" / "design.md"
SOURCES = ("accounts", "audits", "config", "registry", "tooling", "templates", "tests", "docs")
SUFFIXES = {".py", ".html", ".md", ".txt"}
# "docs/design.md §1.3, §5.3–§5.6", "[design.md](design.md) §13": the sections after the name.
CITATION = re.compile(r"design\.md\)?((?:[ ,–]*§\d+(?:\.\d+)?)+)")
SECTION = re.compile(r"§(\d+(?:\.\d+)?)")


def _sections() -> set[str]:
    return set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", DESIGN.read_text(), flags=re.MULTILINE))


def _texts():
    yield ROOT / "README.md", (ROOT / "README.md").read_text()
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                yield path, path.read_text()


def test_it_cites_only_sections_the_design_has():
    sections = _sections()
    cited = {}
    for path, text in _texts():
        for group in CITATION.findall(text):
            for number in SECTION.findall(group):
                cited.setdefault(number, path.relative_to(ROOT))
        if path == DESIGN:  # the design's own cross-references: "(§9.1)"
            for number in SECTION.findall(text):
                cited.setdefault(number, path.relative_to(ROOT))
    assert cited, "no citation found: the pattern no longer matches how the code cites the design"
    missing = {number: str(path) for number, path in cited.items() if number not in sections}
    assert not missing


def test_it_cites_no_design_outside_the_repository():
    this = Path(__file__).resolve()
    outside = [str(path.relative_to(ROOT)) for path, text in _texts() if path != this and "DESIGN.md" in text]
    assert not outside
