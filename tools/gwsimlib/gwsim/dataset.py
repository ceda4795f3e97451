"""PyDataSet: the query result type of system.db.runPrepQuery / runQuery.

Values are kept exactly as the JDBC driver's getObject returned them (Jython turns Integer into
int, Long into long, String into unicode, Boolean into bool, Double into float; Timestamp,
BigDecimal, UUID and driver objects stay Java objects), which is what Ignition delivers.
"""


class PyRow(object):
    """One row: indexable by column index or column name, iterable, sized."""
    __slots__ = ("_dataset", "_values")

    def __init__(self, dataset, values):
        self._dataset = dataset
        self._values = values

    def __getitem__(self, key):
        if isinstance(key, basestring):
            return self._values[self._dataset.getColumnIndex(key)]
        return self._values[key]

    def __len__(self):
        return len(self._values)

    def __iter__(self):
        return iter(self._values)

    def __eq__(self, other):
        if isinstance(other, PyRow):
            other = other._values
        return list(self._values) == list(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __repr__(self):
        return repr(list(self._values))


class PyDataSet(object):
    """A read-only table with Ignition's PyDataSet API."""

    def __init__(self, columns, rows):
        self._columns = list(columns)
        self._rows = rows
        self._index = {}
        for i, name in enumerate(self._columns):
            self._index.setdefault(name, i)

    def getColumnIndex(self, name):
        """Index of column name; an exact match first, then case-insensitive.

        Raises KeyError naming the missing column and the available ones.
        """
        index = self._index.get(name)
        if index is not None:
            return index
        lowered = name.lower()
        for i, column in enumerate(self._columns):
            if column.lower() == lowered:
                return i
        raise KeyError("Column %r not found; columns are %s" % (name, self._columns))

    def getColumnNames(self):
        return list(self._columns)

    def getColumnName(self, index):
        return self._columns[index]

    def getColumnCount(self):
        return len(self._columns)

    def getRowCount(self):
        return len(self._rows)

    def getValueAt(self, row, column):
        if isinstance(column, basestring):
            column = self.getColumnIndex(column)
        return self._rows[row][column]

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, key):
        if isinstance(key, tuple):
            return self.getValueAt(key[0], key[1])
        if isinstance(key, slice):
            return [PyRow(self, values) for values in self._rows[key]]
        return PyRow(self, self._rows[key])

    def __iter__(self):
        for values in self._rows:
            yield PyRow(self, values)

    def __repr__(self):
        return "<PyDataSet rows:%d cols:%d>" % (len(self._rows), len(self._columns))


def from_result_set(rs):
    """Read a whole java.sql.ResultSet into a PyDataSet (the caller closes rs)."""
    meta = rs.getMetaData()
    count = meta.getColumnCount()
    columns = [meta.getColumnLabel(i) for i in range(1, count + 1)]
    indexes = range(1, count + 1)
    rows = []
    while rs.next():
        rows.append(tuple([rs.getObject(i) for i in indexes]))
    return PyDataSet(columns, rows)


def basic_from_result_set(rs):
    """Read a whole java.sql.ResultSet into a Java-style Dataset (what named queries and stored
    procedure calls return, unlike runPrepQuery's PyDataSet)."""
    table = from_result_set(rs)
    return BasicDataset(table.getColumnNames(), table._rows)


class BasicDataset(object):
    """A Java Dataset as some system.* functions return it (e.g.
    system.db.getConnectionInfo), not wrapped in a PyDataSet: it has the
    Dataset methods and the ``rowCount``/``columnCount`` bean properties,
    but no len(), iteration or indexing (convert it with
    system.dataset.toPyDataSet on a real gateway)."""

    def __init__(self, columns, rows):
        self._table = PyDataSet(columns, rows)

    @property
    def rowCount(self):
        return self._table.getRowCount()

    @property
    def columnCount(self):
        return self._table.getColumnCount()

    def getRowCount(self):
        return self._table.getRowCount()

    def getColumnCount(self):
        return self._table.getColumnCount()

    def getColumnNames(self):
        return self._table.getColumnNames()

    def getColumnName(self, index):
        return self._table.getColumnName(index)

    def getColumnIndex(self, name):
        """Index of column name, or -1 (Java's Dataset does not raise here)."""
        try:
            return self._table.getColumnIndex(name)
        except KeyError:
            return -1

    def getValueAt(self, row, column):
        return self._table.getValueAt(row, column)

    def __repr__(self):
        return "Dataset [%dR x %dC]" % (self.getRowCount(), self.getColumnCount())
