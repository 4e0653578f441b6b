"""The dbt models as Dagster assets; dbt tests become asset checks (error severity blocks)."""

from collections.abc import Mapping
from datetime import date
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.dbt_args import build_args
from orchestration.dbt_project import closecredit_project
from orchestration.defs.partitions import extract_dates


class CloseCreditTranslator(DagsterDbtTranslator):
    """Sources are the raw tables the landing writes; models are grouped by layer folder."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec.replace_attributes(key=spec.key.with_prefix("raw"))
        layer = props["fqn"][1] if len(props["fqn"]) > 2 else "dbt"
        return spec.replace_attributes(group_name=layer)


@dbt_assets(
    manifest=closecredit_project.manifest_path,
    project=closecredit_project,
    partitions_def=extract_dates,
    dagster_dbt_translator=CloseCreditTranslator(),
)
def closecredit_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """dbt build for the partition's night: as_of_date is the extract date."""
    as_of = date.fromisoformat(context.partition_key)
    yield from dbt.cli(build_args(as_of), context=context).stream()
