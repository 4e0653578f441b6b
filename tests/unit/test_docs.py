"""The project's reference in docs/ names only things the project has: every dbt var, path and
model it mentions exists, and every `(docs/<page>.md, "Section")` reference in the code points at
a heading of that page."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from orchestration.core.contract import PROJECT_DIR

DOCS = PROJECT_DIR / "docs"
REFERENCE_PAGES = ("contract.md", "models.md", "costs-and-signals.md", "design.md")


def _page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    return [p for p in listed if (PROJECT_DIR / p).is_file()]


def _headings(name: str) -> set[str]:
    return {m.strip() for m in re.findall(r"^#+ (.+)$", _page(name), flags=re.MULTILINE)}


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_every_var_a_page_names_is_a_dbt_var(page):
    project_vars = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    named = set(re.findall(r"\bvar\s+`([a-z_]+)`", _page(page)))
    assert named, f"docs/{page} names no var"
    missing = sorted(named - set(project_vars))
    assert not missing, f"docs/{page} names vars dbt_project.yml does not have: {missing}"


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_every_path_a_page_names_exists(page):
    roots = "seeds|macros|models|orchestration|tests|expectations|benchmarks|docs"
    paths = set(re.findall(rf"`((?:{roots})/[^`<>* ]*)`", _page(page)))
    missing = sorted(p for p in paths if not (PROJECT_DIR / p).exists())
    assert not missing, f"docs/{page} names paths that do not exist: {missing}"


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_every_model_a_page_names_exists(page):
    models = {p.stem for p in (PROJECT_DIR / "models").rglob("*.sql")}
    python = " ".join(p.read_text(encoding="utf-8") for p in (PROJECT_DIR / "orchestration").rglob("*.py"))
    named = set(re.findall(r"`((?:int|fct|dim|stg|base)_[a-z0-9_]+)`", _page(page)))
    missing = sorted(n for n in named if n not in models and n not in python)
    assert not missing, f"docs/{page} names models the project does not build: {missing}"


def test_every_section_reference_names_a_heading():
    headings = {page: _headings(page) for page in REFERENCE_PAGES}
    reference = re.compile(r"docs/([a-z-]+\.md)(?:'s)?,?\s*\(?((?:\"[^\"\n]+\"(?:,\s*|\s+and\s+)?)+)")
    wrong = []
    for path in _tracked_files():
        if not path.endswith((".py", ".sql", ".yml", ".yaml", ".md", ".json")):
            continue
        text = (PROJECT_DIR / path).read_text(encoding="utf-8")
        for match in reference.finditer(text):
            page = match.group(1)
            if page not in headings:
                continue
            for section in re.findall(r"\"([^\"]+)\"", match.group(2)):
                if section.rstrip(".,") not in headings[page]:
                    wrong.append(f"{path}: docs/{page}, {section!r}")
    assert not wrong, "references to sections the page does not have:\n" + "\n".join(wrong)


# The reference the project grew from is not in the repository; how its names map to docs/.
OUTSIDE = {
    "../" + "shared": "docs/ (contract.md, models.md, costs-and-signals.md, design.md)",
    "extract-" + "contract": "docs/contract.md",
    "attribution-" + "spec": 'docs/models.md; its "Money", "Cost per close", "Investment signals" '
    "go to docs/costs-and-signals.md",
    "DESIGN" + ".md": "docs/design.md",
}


def test_nothing_points_outside_the_repository():
    hits = []
    for path in _tracked_files():
        try:
            lines = (PROJECT_DIR / path).read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        hits += [f"{path}:{n}: {name}" for n, line in enumerate(lines, 1) for name in OUTSIDE if name in line]
    mapping = "\n".join(f"  {old} -> {new}" for old, new in OUTSIDE.items())
    assert not hits, (
        "references to files a clone does not have:\n" + "\n".join(hits) + f"\npoint them at:\n{mapping}"
    )
