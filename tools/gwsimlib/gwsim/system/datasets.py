"""system.dataset: conversions and the row/column edits real projects use (IA manual 8.1/8.3,
system.dataset.*; signatures as in the 8.3 API stubs). Datasets are immutable: every edit
returns a new Dataset. A PyDataSet is accepted wherever a Dataset is (in Ignition it is one).

  toPyDataSet(dataset) -> PyDataSet (a PyDataSet is returned as is)
  toDataSet(pyDataSet) or toDataSet(headers, data) -> Dataset
  getColumnHeaders(dataset) -> list of names
  addRow(dataset, [rowIndex], row), addRows(dataset, [rowIndex], rows)
  deleteRow(dataset, rowIndex), deleteRows(dataset, rowIndices)
  setValue(dataset, rowIndex, columnNameOrIndex, value), updateRow(dataset, rowIndex, changes)
  filterColumns(dataset, columns), clearDataset(dataset), appendDataset(dataset1, dataset2)
  sort(dataset, keyColumn, ascending=True)
  toCSV(dataset, showHeaders=True, forExport=False, localized=False)
The rest (addColumn, fromCSV, formatDates, the export/Excel/HTML functions, toCSV's forExport
and localized forms, sort's naturalOrdering) is not emulated and fails loudly.
"""
from java.lang import IllegalArgumentException, IndexOutOfBoundsException

from gwsim import notemulated
from gwsim.dataset import BasicDataset, PyDataSet


def _columns_and_rows(dataset):
    if isinstance(dataset, BasicDataset):
        dataset = dataset._table
    if isinstance(dataset, PyDataSet):
        return list(dataset.getColumnNames()), [tuple(row) for row in dataset]
    # Any other Java-style Dataset: column names, row count, getValueAt.
    columns = list(dataset.getColumnNames())
    rows = [tuple([dataset.getValueAt(r, c) for c in range(len(columns))])
            for r in range(dataset.getRowCount())]
    return columns, rows


def toPyDataSet(dataset):
    if isinstance(dataset, PyDataSet):
        return dataset
    columns, rows = _columns_and_rows(dataset)
    return PyDataSet(columns, rows)


def toDataSet(*args):
    if len(args) == 1:
        columns, rows = _columns_and_rows(args[0])
        return BasicDataset(columns, rows)
    if len(args) == 2:
        headers, data = args
        headers = [unicode(h) for h in headers]
        rows = [tuple(row) for row in data]
        for row in rows:
            if len(row) != len(headers):
                raise ValueError("system.dataset.toDataSet: a row has %d values for %d headers"
                                 % (len(row), len(headers)))
        return BasicDataset(headers, rows)
    raise TypeError("system.dataset.toDataSet takes (pyDataSet) or (headers, data), not %d arguments"
                    % len(args))


def getColumnHeaders(dataset):
    return [unicode(name) for name in _columns_and_rows(dataset)[0]]


def _row_index(rows, index, allow_end=False):
    limit = len(rows) + (1 if allow_end else 0)
    if not isinstance(index, (int, long)) or not 0 <= index < limit:
        raise IndexOutOfBoundsException("Row index %s out of range (0..%d)" % (index, limit - 1))
    return index


def _column_index(columns, key):
    if isinstance(key, basestring):
        for i, name in enumerate(columns):
            if name == key:
                return i
        for i, name in enumerate(columns):
            if name.lower() == key.lower():
                return i
        raise IllegalArgumentException("Column '%s' not found; columns are %s" % (key, columns))
    if not 0 <= key < len(columns):
        raise IndexOutOfBoundsException("Column index %s out of range (0..%d)" % (key, len(columns) - 1))
    return key


def _checked_row(columns, row):
    row = tuple(row)
    if len(row) != len(columns):
        raise IllegalArgumentException("Row has %d values; the dataset has %d columns" % (len(row), len(columns)))
    return row


def addRows(dataset, *args):
    """addRows(dataset, [rowIndex], rows): the rows inserted at rowIndex (appended without)."""
    columns, rows = _columns_and_rows(dataset)
    if len(args) == 1:
        index, new_rows = len(rows), args[0]
    elif len(args) == 2:
        index, new_rows = _row_index(rows, args[0], allow_end=True), args[1]
    else:
        raise TypeError("addRows takes (dataset, [rowIndex], rows)")
    new_rows = [_checked_row(columns, row) for row in new_rows]
    return BasicDataset(columns, rows[:index] + new_rows + rows[index:])


def addRow(dataset, *args):
    """addRow(dataset, [rowIndex], row): the row inserted at rowIndex (appended without)."""
    if len(args) not in (1, 2):
        raise TypeError("addRow takes (dataset, [rowIndex], row)")
    return addRows(dataset, *(args[:-1] + ([args[-1]],)))


def deleteRows(dataset, rowIndices):
    columns, rows = _columns_and_rows(dataset)
    drop = set(_row_index(rows, i) for i in rowIndices)
    return BasicDataset(columns, [row for i, row in enumerate(rows) if i not in drop])


def deleteRow(dataset, rowIndex):
    return deleteRows(dataset, [rowIndex])


def updateRow(dataset, rowIndex, changes):
    """A copy with the row's columns named in `changes` (a dict) set to their new values."""
    columns, rows = _columns_and_rows(dataset)
    index = _row_index(rows, rowIndex)
    row = list(rows[index])
    for key, value in changes.items():
        row[_column_index(columns, key)] = value
    rows[index] = tuple(row)
    return BasicDataset(columns, rows)


def setValue(dataset, rowIndex, columnNameOrIndex, value):
    columns, _ = _columns_and_rows(dataset)
    return updateRow(dataset, rowIndex, {columns[_column_index(columns, columnNameOrIndex)]: value})


def filterColumns(dataset, columns):
    """Only the given columns (names or indexes), in the order given."""
    names, rows = _columns_and_rows(dataset)
    keep = [_column_index(names, key) for key in columns]
    return BasicDataset([names[i] for i in keep], [tuple([row[i] for i in keep]) for row in rows])


def clearDataset(dataset):
    return BasicDataset(_columns_and_rows(dataset)[0], [])


def appendDataset(dataset1, dataset2):
    columns1, rows1 = _columns_and_rows(dataset1)
    columns2, rows2 = _columns_and_rows(dataset2)
    if len(columns1) != len(columns2):
        raise IllegalArgumentException("Datasets must have the same number of columns (%d and %d)"
                                       % (len(columns1), len(columns2)))
    return BasicDataset(columns1, rows1 + rows2)


def sort(dataset, keyColumn, ascending=True, naturalOrdering=None):
    if naturalOrdering:
        raise notemulated.record("system.dataset.sort(naturalOrdering=...)")
    columns, rows = _columns_and_rows(dataset)
    index = _column_index(columns, keyColumn)
    # Nulls first when ascending, as Java's null-safe comparators in Ignition's sort put them.
    ordered = sorted(rows, key=lambda row: (row[index] is not None, row[index]))
    return BasicDataset(columns, ordered if ascending else ordered[::-1])


def _csv_field(value):
    text = u"" if value is None else unicode(value)
    return u'"%s"' % text.replace(u'"', u'""')


def toCSV(dataset, showHeaders=True, forExport=False, localized=False):
    """Every field double-quoted (quotes doubled), a null as "", one line per row."""
    if forExport:
        raise notemulated.record("system.dataset.toCSV(forExport=True)")
    if localized:
        raise notemulated.record("system.dataset.toCSV(localized=True)")
    columns, rows = _columns_and_rows(dataset)
    lines = [u",".join([_csv_field(name) for name in columns])] if showHeaders else []
    lines.extend(u",".join([_csv_field(value) for value in row]) for row in rows)
    return u"\n".join(lines) + (u"\n" if lines else u"")


def exports(gateway):
    return {"toPyDataSet": toPyDataSet, "toDataSet": toDataSet,
            "getColumnHeaders": getColumnHeaders, "addRow": addRow, "addRows": addRows,
            "deleteRow": deleteRow, "deleteRows": deleteRows, "updateRow": updateRow,
            "setValue": setValue, "filterColumns": filterColumns, "clearDataset": clearDataset,
            "appendDataset": appendDataset, "sort": sort, "toCSV": toCSV}
