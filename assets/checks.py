"""Asset checks for the consistency rules C1–C4 of SPEC.md.

Official reports contain real arithmetic errors, so a failing report is a finding,
not a pipeline error: the check reports how many reports pass, lists those that
fail, and warns rather than blocks.
"""

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)
from dagster_duckdb import DuckDBResource

RULES = {
    "balance": ("C1", "check_balance", "new + carried_over = total + carried_forward, per column"),
    "results_sum": ("C2", "check_results_sum", "total = sum of all outcome rows, per column"),
    "row_totals": ("C3", "check_row_totals", "总计 = sum of the six applicant columns, per row"),
    "table4_totals": (
        "C4",
        "check_table4_totals",
        "总计 = 维持 + 纠正 + 其他 + 尚未审结, per block",
    ),
}


def _rule_check(rule: str) -> AssetChecksDefinition:
    code, column, text = RULES[rule]

    @asset_check(
        asset="dim_report", name=f"{code.lower()}_{rule}", description=f"{code} {rule}: {text}"
    )
    def _check(warehouse: DuckDBResource) -> AssetCheckResult:
        with warehouse.get_connection() as con:
            passed, failed, unknown = con.execute(
                f"SELECT count(*) FILTER ({column}), count(*) FILTER (NOT {column}),"
                f" count(*) FILTER ({column} IS NULL) FROM dim_report WHERE status <> 'failed'"
            ).fetchone()
            failing = con.execute(
                f"""
                SELECT r.report_id, coalesce(r.agency, '?') AS agency, r.year, r.file_name,
                       string_agg(f.location || ': printed ' || f.printed || ', computed ' || f.computed, '; ')
                FROM dim_report r
                LEFT JOIN report_findings f ON f.report_id = r.report_id AND f.check_name = ?
                WHERE NOT r.{column}
                GROUP BY ALL ORDER BY 3, 2
                """,
                [rule],
            ).fetchall()
        lines = [
            f"| {rid} | {agency} | {year} | {name} | {detail} |"
            for rid, agency, year, name, detail in failing
        ]
        table = (
            "| report | agency | year | file | failing cells |\n|---|---|---|---|---|\n"
            + "\n".join(lines)
        )
        return AssetCheckResult(
            passed=failed == 0,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "reports_passing": passed,
                "reports_failing": failed,
                "reports_not_checkable": unknown,
                "failing_reports": MetadataValue.md(table if lines else "none"),
            },
        )

    return _check


consistency_checks = [_rule_check(rule) for rule in RULES]


@asset_check(
    asset="check_carry_chain",
    name="c5_carry_chain",
    description="C5 carry_chain: 上年结转 (year Y) = 结转下年度 (year Y−1) for the same agency",
)
def carry_chain_check(warehouse: DuckDBResource) -> AssetCheckResult:
    with warehouse.get_connection() as con:
        passed, failed, unknown = con.execute(
            "SELECT count(*) FILTER (passed), count(*) FILTER (NOT passed),"
            " count(*) FILTER (passed IS NULL) FROM check_carry_chain"
        ).fetchall()[0]
        failing = con.execute(
            "SELECT agency, previous_year, year, carried_forward_previous, carried_over"
            " FROM check_carry_chain WHERE NOT passed ORDER BY agency, year"
        ).fetchall()
    lines = [f"| {a} | {py} → {y} | {cf} | {co} |" for a, py, y, cf, co in failing]
    table = "| agency | years | 结转下年度 (Y−1) | 上年结转 (Y) |\n|---|---|---|---|\n" + "\n".join(
        lines
    )
    return AssetCheckResult(
        passed=failed == 0,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "year_pairs_passing": passed,
            "year_pairs_failing": failed,
            "year_pairs_not_checkable": unknown,
            "failing_pairs": MetadataValue.md(table if lines else "none"),
        },
    )


consistency_checks.append(carry_chain_check)
