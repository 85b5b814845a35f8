"""One model instance read (or saved) with one plain statement, at a fraction of a queryset's cost.

The reads every signed-in request makes (its session, its user) and those every autosave makes (the
report, then the report locked) are single rows by key. A queryset compiles its SQL on each use; a
raw queryset (`Model.objects.raw`) spares that, but still works out on each use which column is
which field and which converters each needs, about as much again as running the statement
(issue 21: measured with bench/profile_page.py). Here that is worked out once per model and
database, and the row becomes an instance through `Model.from_db`, as a queryset makes it: the
same values, converted as the ORM converts them.
"""

import functools

from django.db import DatabaseError, connections
from django.db.models.signals import post_save, pre_save


@functools.cache
def _plan(model, connection):
    """The model's columns in order (quoted, for a SELECT list), their attribute names, and the
    converters of each column that needs any (index, converters, expression), for `connection` (one
    per thread: the converters are its own)."""
    fields = model._meta.concrete_fields
    columns = ", ".join(f"t.{connection.ops.quote_name(field.column)}" for field in fields)
    converters = []
    for index, field in enumerate(fields):
        expression = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        if found:
            converters.append((index, found, expression))
    return columns, [field.attname for field in fields], converters


def read_row(model, where, params, *, extra=(), lock=False, using="default"):
    """The instance of `model` whose row matches `where` (SQL on the table aliased `t`), or None.

    `extra`: (name, SQL expression) pairs selected too, each set on the instance as an attribute
    under its name (unconverted). `lock`: the row is locked for the transaction (SELECT ... FOR
    UPDATE) where the database locks rows.
    """
    connection = connections[using]
    columns, names, converters = _plan(model, connection)
    more = "".join(f", ({sql}) AS {name}" for name, sql in extra)
    if lock and connection.features.has_select_for_update:
        lock = " FOR UPDATE OF t" if connection.features.has_select_for_update_of else " FOR UPDATE"
    else:
        lock = ""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}{more} FROM {table} t WHERE {where}{lock}", params)  # noqa: S608 - names from the model
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row[: len(names)])
    for index, functions, expression in converters:
        for convert in functions:
            values[index] = convert(values[index], expression, connection)
    instance = model.from_db(using, names, values)
    for (name, _), value in zip(extra, row[len(names) :], strict=True):
        setattr(instance, name, value)
    return instance


def save_fields(instance, names, *, using="default"):
    """`instance.save(update_fields=names)` for a row that exists, its UPDATE written out plainly.

    The same pre_save and post_save signals with the same arguments (so django-simple-history writes
    its row, and every other receiver runs), the same values prepared by each field for the
    database; only the queryset that a save compiles for its UPDATE is spared (issue 21: about
    0.3 ms of an autosave's CPU). Raises DatabaseError when no row was updated, as a save with
    update_fields does. For models without parents (no multi-table inheritance), inside a transaction.
    """
    model = type(instance)
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    update_fields = frozenset(names)
    pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=update_fields)
    values = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s",  # noqa: S608 - names from the model
            [*values, instance.pk],
        )
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    instance._state.adding, instance._state.db = False, using
    post_save.send(sender=model, instance=instance, created=False, update_fields=update_fields, raw=False, using=using)
