"""Where things live: folders resolved against the project root named by the config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import CouncilConfig, load_config
from .errors import InputError

DEFAULT_CONFIG = Path("config/rotherham.yml")


def project_root_of(config_path: Path) -> Path:
    """The folder holding ``config/``: config paths are relative to it."""
    config_path = config_path.resolve()
    return config_path.parent.parent if config_path.parent.name == "config" else config_path.parent


@dataclass(frozen=True)
class Project:
    config_path: Path
    config: CouncilConfig
    root: Path

    @classmethod
    def load(cls, config_path: str | Path = DEFAULT_CONFIG) -> Project:
        path = Path(config_path)
        return cls(path, load_config(path), project_root_of(path))

    def folder(self, relative: str, field: str, must_exist: bool = True) -> Path:
        """A folder named in the config: relative paths must stay inside the project; absolute ones are explicit."""
        folder = (self.root / relative).resolve()
        if not Path(relative).is_absolute() and not folder.is_relative_to(self.root.resolve()):
            raise InputError(self.config_path, f"field 'paths.{field}' ('{relative}') points outside the project",
                             expected="a folder inside the project, or an absolute path")
        if must_exist and not folder.is_dir():
            raise InputError(self.config_path, f"field 'paths.{field}' names folder '{relative}', which does not exist",
                             expected="a folder relative to the project root")
        return folder

    @property
    def raw_dir(self) -> Path:
        return self.folder(self.config.paths.raw, "raw")

    @property
    def reference_dir(self) -> Path:
        return self.folder(self.config.paths.reference, "reference")

    @property
    def processed_dir(self) -> Path:
        return self.folder(self.config.paths.processed, "processed", must_exist=False)

    @property
    def narrative_dir(self) -> Path:
        return self.folder(self.config.paths.narrative, "narrative")

    def check_folders(self) -> None:
        """Fail early, naming the config field, if a configured folder is missing or outside the project."""
        _ = self.raw_dir, self.reference_dir, self.narrative_dir
        self.processed_dir  # noqa: B018 - checks it stays inside the project

    def raw_year_dir(self, year: int) -> Path:
        self.config.year(year, self.config_path)
        return self.raw_dir / str(year)
