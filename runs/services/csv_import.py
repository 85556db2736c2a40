"""The vouchers named in a CSV file that staff upload to end them: parsing and lookups, no writes.

The file is the spreadsheet staff already keep, saved as CSV: UTF-8 (with or without a BOM),
comma or semicolon separated (Excel's `sep=;` first line is understood), a header row naming a
`shop_id` column (Shopee's shop id) and a `voucher_id` (Shopee's voucher id) or `voucher_code`
column, in any case, with spaces and underscores ignored; other columns are ignored. When a row
gives both, the id decides and a code that disagrees is an error.

Every row that cannot be resolved to exactly one voucher of one of our shops is reported as
(line, message), with the file's line numbers as a text editor counts them (1 = the header; a
row's first line when a cell spans several). Empty rows are ignored. Ids are read by the
project's one rule (core.parsing: ASCII digits, 1 to 2**63 - 1). A file that cannot be read
at all (too big, too many rows, not UTF-8, NUL characters, an unusable separator, no header)
gets a single error and no vouchers.

Lookups are done in bulk, a few queries per thousand rows whatever the number of shops.
"""

import csv
import io
import itertools
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext

from core.parsing import TextError, check_text, is_digits, is_id, parse_id
from shops.models import Shop
from vouchers.models import Voucher

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
LOOKUP_CHUNK = 900  # values per IN (...): under SQLite's oldest limit of 999 parameters
WHOLE_FILE = 0  # the "line" of an error about the file as a whole
SHOWN_CHARS = 40
_SEPARATOR_HINT = re.compile(r'^"?sep=(.)"?[,;]*$', re.IGNORECASE)


@dataclass
class CsvImport:
    """The outcome of reading a file.

    `voucher_ids`: primary keys of the vouchers found, in file order, each once; `errors`:
    (line, message) in file order; `rows`: the non-empty data rows read (0 when the file as a
    whole was refused).
    """

    voucher_ids: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    rows: int = 0

    @property
    def summary(self) -> str:
        if not self.rows:
            if self.errors:
                return gettext("Nothing was imported: the file was refused for the reason below.")
            return gettext("The file has no rows below its header.")
        found = len(self.voucher_ids)
        rows = ngettext("%(n)s row read", "%(n)s rows read", self.rows) % {"n": f"{self.rows:,}"}
        vouchers = ngettext("%(n)s voucher found", "%(n)s vouchers found", found) % {
            "n": f"{found:,}"
        }
        if not self.errors:
            return gettext("%(rows)s: %(vouchers)s.") % {"rows": rows, "vouchers": vouchers}
        errors = ngettext("%(n)s row with errors", "%(n)s rows with errors", len(self.errors))
        return gettext("%(rows)s: %(vouchers)s, %(errors)s.") % {
            "rows": rows,
            "vouchers": vouchers,
            "errors": errors % {"n": f"{len(self.errors):,}"},
        }


@dataclass
class _Row:
    line: int
    shop_id: int | None = None
    voucher_id: int | None = None
    code: str = ""
    error: str = ""
    unknown_voucher: str = ""  # a voucher id of digits that no voucher can have (0, > 64 bits)


def vouchers_from_csv(*, data: bytes, shops=None) -> CsvImport:
    """Read `data` (a whole CSV file) and find its vouchers among `shops` (a queryset: the
    user's shops; default every shop). Reads the database, writes nothing."""
    if len(data) > MAX_BYTES:
        return _refused(
            WHOLE_FILE,
            gettext("The file is larger than %(mb)s MB: split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)},
        )
    text = _decode(data)
    if isinstance(text, tuple):
        return _refused(*text)
    records = _records(text)
    header = next(records, None)
    if header is None:
        return _refused(
            1, gettext("The file is empty: it needs a header row and one row per voucher.")
        )
    if isinstance(header[1], str):
        return _refused(*header)
    columns = _columns(header[1])
    if isinstance(columns, str):
        return _refused(header[0], columns)
    rows = []
    for line, record in records:
        if isinstance(record, str):
            return _refused(line, record)
        if len(rows) == MAX_ROWS:
            return _refused(
                line,
                gettext("The file has more than %(rows)s rows: split it into smaller files.")
                % {"rows": f"{MAX_ROWS:,}"},
            )
        rows.append(_parse(line, record, columns))
    return _resolve(rows, shops)


def _refused(line: int, message: str) -> CsvImport:
    return CsvImport(errors=[(line, message)])


def _decode(data: bytes) -> str | tuple[int, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return check_text(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return line, (
            gettext(
                "The file is not UTF-8 text (line %(line)s has bytes that are not UTF-8). Save "
                "it from your spreadsheet as “CSV UTF-8” and upload it again."
            )
            % {"line": line}
        )
    except TextError:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return line, (
            gettext(
                "The file is not CSV text (line %(line)s has a NUL character). Save it from "
                "your spreadsheet as “CSV UTF-8” and upload it again."
            )
            % {"line": line}
        )


def _records(text: str):
    """(line, cells) of each non-empty record, the first being the header; (line, error) stops."""
    lines = io.StringIO(text, newline="")
    first = lines.readline()
    hint = _SEPARATOR_HINT.match(first.strip())
    if hint:
        delimiter, offset = hint.group(1), 1
    else:
        header = next((line for line in itertools.chain([first], lines) if line.strip()), "")
        delimiter, offset = (";" if header.count(";") > header.count(",") else ","), 0
        lines.seek(0)
    try:
        reader = csv.reader(lines, delimiter=delimiter)
    except (TypeError, ValueError):
        yield (
            1,
            gettext("The first line names the separator %(separator)s, which CSV cannot use.")
            % {"separator": repr(delimiter)},
        )
        return
    while True:
        line = reader.line_num + offset + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield (
                line,
                gettext("Line %(line)s is not valid CSV (%(error)s).")
                % {
                    "line": line,
                    "error": error,
                },
            )
            return
        if any(cell.strip() for cell in record):
            yield line, record


def _columns(header: list[str]) -> dict[str, int] | str:
    """{"shopid": i, "voucherid": j, "vouchercode": k} (the last two optional), or an error."""
    names = [re.sub(r"[\s_]+", "", cell).lower() for cell in header]
    columns = {}
    for wanted in ("shopid", "voucherid", "vouchercode"):
        if names.count(wanted) > 1:
            return gettext("The header names the column %(column)s more than once.") % {
                "column": wanted
            }
        if wanted in names:
            columns[wanted] = names.index(wanted)
    if "shopid" not in columns or len(columns) == 1:
        found = ", ".join(cell.strip() for cell in header) or gettext("nothing")
        return gettext(
            "The first row must be a header naming a shop_id column and a voucher_id or "
            "voucher_code column (found: %(found)s)."
        ) % {"found": found}
    return columns


def _parse(line: int, record: list[str], columns: dict[str, int]) -> _Row:
    def cell(name):
        index = columns.get(name)
        return record[index].strip() if index is not None and index < len(record) else ""

    row = _Row(line=line, code=cell("vouchercode"))
    shop_id, voucher_id = cell("shopid"), cell("voucherid")
    if not shop_id:
        row.error = gettext("The shop id is missing.")
    elif not is_digits(shop_id):
        row.error = gettext("The shop id “%(value)s” is not a whole number.") % {
            "value": _shown(shop_id)
        } + _hint(shop_id)
    elif voucher_id and not is_digits(voucher_id):
        row.error = gettext("The voucher id “%(value)s” is not a whole number.") % {
            "value": _shown(voucher_id)
        } + _hint(voucher_id)
    elif not voucher_id and not row.code:
        row.error = gettext("The voucher id and code are missing.")
    elif not is_id(shop_id):  # 0, or beyond 64 bits: no shop has that id
        row.error = gettext("Shop %(shop)s is not one of our shops.") % {"shop": _shown(shop_id)}
    else:
        row.shop_id = parse_id(shop_id)
        if voucher_id and not is_id(voucher_id):
            row.unknown_voucher = _shown(voucher_id)
        elif voucher_id:
            row.voucher_id = parse_id(voucher_id)
    return row


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…"


def _hint(value: str) -> str:
    if "e+" in value.lower():
        return " " + gettext(
            "The spreadsheet shortened it: format the column as text and save again."
        )
    return ""


def _resolve(rows: list[_Row], allowed=None) -> CsvImport:
    """Look up shops and vouchers in bulk, then decide each row in file order."""
    everywhere = _shops({row.shop_id for row in rows if not row.error}, Shop.objects.all())
    shops = everywhere if allowed is None else _shops(everywhere, allowed)
    by_id = _vouchers_by_id({row.voucher_id for row in rows if row.voucher_id is not None})
    by_code = _vouchers_by_code({row.code for row in rows if row.voucher_id is None and row.code})
    result = CsvImport(rows=len(rows))
    first_line = {}
    for row in rows:
        pk, error = None, row.error
        shop = shops.get(row.shop_id)
        if not error and shop is None and row.shop_id in everywhere:
            error = gettext("Shop %(shop)s is not one of your teams' shops.") % {
                "shop": row.shop_id
            }
        elif not error and shop is None:
            error = gettext("Shop %(shop)s is not one of our shops.") % {"shop": row.shop_id}
        elif not error and row.unknown_voucher:
            error = gettext("Voucher %(voucher)s was not found in shop %(shop)s.") % {
                "voucher": row.unknown_voucher,
                "shop": row.shop_id,
            }
        elif not error and row.voucher_id is not None:
            pk, code = by_id.get((shop, row.voucher_id), (None, ""))
            if pk is None:
                error = gettext("Voucher %(voucher)s was not found in shop %(shop)s.") % {
                    "voucher": row.voucher_id,
                    "shop": row.shop_id,
                }
            elif row.code and row.code != code:
                error = gettext("Voucher %(voucher)s has the code “%(code)s”, not “%(given)s”.") % {
                    "voucher": row.voucher_id,
                    "code": code,
                    "given": row.code,
                }
        elif not error:
            matches = by_code.get((shop, row.code), [])
            if not matches:
                error = gettext("No voucher with the code “%(code)s” in shop %(shop)s.") % {
                    "code": row.code,
                    "shop": row.shop_id,
                }
            elif len(matches) > 1:
                error = gettext(
                    "The code “%(code)s” matches %(count)s vouchers of shop %(shop)s; use the "
                    "voucher id."
                ) % {"code": row.code, "count": len(matches), "shop": row.shop_id}
            else:
                pk = matches[0]
        if not error and pk in first_line:
            error = gettext("Same voucher as line %(line)s.") % {"line": first_line[pk]}
        if error:
            result.errors.append((row.line, error))
        else:
            first_line[pk] = row.line
            result.voucher_ids.append(pk)
    return result


def _chunks(values):
    values = sorted(value for value in values if value is not None)
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


def _shops(shop_ids, shops) -> dict[int, int]:
    """{Shopee shop id: Shop pk} of `shops` (a queryset) among `shop_ids`."""
    found = {}
    for chunk in _chunks(shop_ids):
        found.update(shops.filter(shop_id__in=chunk).values_list("shop_id", "pk"))
    return found


def _vouchers_by_id(voucher_ids) -> dict[tuple[int, int], tuple[int, str]]:
    """{(Shop pk, Shopee voucher id): (Voucher pk, code)}, across all shops."""
    found = {}
    for chunk in _chunks(voucher_ids):
        rows = Voucher.objects.filter(voucher_id__in=chunk).values_list(
            "shop_id", "voucher_id", "pk", "voucher_code"
        )
        found.update({(shop, voucher_id): (pk, code) for shop, voucher_id, pk, code in rows})
    return found


def _vouchers_by_code(codes) -> dict[tuple[int, str], list[int]]:
    """{(Shop pk, code): [Voucher pk, ...]}: codes are reused, so one may match several."""
    found = {}
    for chunk in _chunks(codes):
        rows = Voucher.objects.filter(voucher_code__in=chunk).values_list(
            "shop_id", "voucher_code", "pk"
        )
        for shop, code, pk in rows:
            found.setdefault((shop, code), []).append(pk)
    return found
