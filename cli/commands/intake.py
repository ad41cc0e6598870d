"""`accel666 import`: bulk docking from a bureau's spreadsheet, all rows or none."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from accel666.cli import output
from accel666.cli.context import acting, actor_from, json_option, with_engine
from accel666.errors import InvalidInput, NotPermitted, Refused

if TYPE_CHECKING:
    from accel666.workflow.intake.bulk import ImportResult

# Exit code of a rejected import: the gravest kind among its rows.
EXIT_FOR = {"invalid": InvalidInput.exit_code, "not_permitted": NotPermitted.exit_code,
            "refused": Refused.exit_code}


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--batch", default=None, metavar="KEY",
              help="The batch, e.g. 2020-1. Default: the batch whose docking window is open now.")
@click.option("--dry-run", is_flag=True, help="Check every row and say what would be docked; "
                                               "write nothing.")
@click.option("--encoding", default=None, metavar="NAME",
              help="The CSV file's encoding (utf-8 or gb18030). Default: decided for the whole "
                   "file: UTF-8 (with or without BOM) when all of it is, GB18030 (as Excel "
                   "saves CSV on a Chinese Windows) when all of it is; a file mixing the two "
                   "is refused, naming the line.")
@acting
@json_option
def import_(file: str, batch: str | None, dry_run: bool, encoding: str | None, as_: str,
            actor: str, as_json: bool) -> None:
    """Dock every project of a spreadsheet in one transaction, or none.

    FILE is .xlsx (the first sheet) or .csv. The headings are in the first row that names
    three of the fields (title rows above it, merged or not, are skipped, and said), in
    Chinese or English, in any order, any case, a note in brackets allowed; other columns are
    ignored:

    
      title        项目名称 项目 申报项目 申报项目名称 project | project name | project title
      enterprise   企业名称 申报单位 申报企业 单位名称 企业 company | applicant | enterprise name
      credit_code  统一社会信用代码 社会信用代码 信用代码 credit code | uscc
                   | unified social credit code
      region       地区 所属地区 所在地区 所属地市 所在地市 地市 设区市 城市 city
                   (the cell: code, Chinese name or pinyin)
      category     类别 项目类别 申报类别 类型 项目类型 申报方向 type
                   (the cell: key, Chinese name or 云基地 / 骨干企业 / 示范企业)

    Every row obeys what `dock` obeys (who may dock it, the registration region, the docking
    window, one live project per enterprise, category and batch, in the database and within
    the file). If any row fails, nothing is written and each failing row is listed with its
    row and cell as Excel shows them (D6), column, value and reason; the exit code is 2 if any row is invalid,
    else 5 if any is not permitted, else 4. An `export` file imports again. A file of more
    than 100,000 rows, or past a bound no spreadsheet comes near, is refused with exit 2.

    \b
    Examples:
      accel666 import 苏州-2020-1.xlsx --as city:suzhou --dry-run
      accel666 import candidates.csv --as tencent --batch 2020-1 --json
    """
    with _progress() as advance:
        result, _policy = with_engine(lambda engine: engine.import_projects(
            actor_from(as_, actor), file, batch=batch, dry_run=dry_run, encoding=encoding,
            progress=advance))
    if as_json:
        output.emit_json(result.to_dict())
    else:
        _text(result)
    if result.errors:
        kinds = {e.kind for e in result.errors}
        raise click.exceptions.Exit(next(EXIT_FOR[k] for k in EXIT_FOR if k in kinds))


def _text(result: ImportResult) -> None:
    from accel666.views.labels import _

    if result.header_row != 1:
        click.echo(_("the headings are in row {row}; the rows above were taken for titles")
                   .format(row=result.header_row), err=True)
    if result.errors:
        from accel666.views.refusals import reason

        output.table(("row", "cell", "column", "value", "reason"),
                     ((e.row, e.cell or "", e.column, e.value, reason(e.reason))
                      for e in result.errors))
        click.echo(_("{n} problem(s): nothing was imported").format(n=len(result.errors)),
                   err=True)
    elif result.dry_run:
        click.echo(_("dry run: {n} project(s) would be docked in batch {batch}; nothing was "
                     "written").format(n=result.imported, batch=result.batch), err=True)
    else:
        click.echo(_("imported {n} project(s) into batch {batch}: ids {first}..{last}").format(
            n=result.imported, batch=result.batch, first=result.first_id, last=result.last_id),
            err=True)


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal (stderr) while the rows are written; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("docking", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
