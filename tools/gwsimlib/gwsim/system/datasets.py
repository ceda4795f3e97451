"""system.dataset: the two conversions between a Dataset and a PyDataSet. Every other
system.dataset function is not emulated and fails loudly (see notemulated.py).

  toPyDataSet(dataset) -> PyDataSet (a PyDataSet is returned as is)
  toDataSet(pyDataSet) or toDataSet(headers, data) -> Dataset
"""
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


def exports(gateway):
    return {"toPyDataSet": toPyDataSet, "toDataSet": toDataSet}
