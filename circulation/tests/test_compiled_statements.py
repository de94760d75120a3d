"""core.compiled: the desk's statements compiled once per connection must give exactly what the
ORM gives (the same rows, the same model instances with their select_related objects, the same
saves with their signals and auto_now fields), only without compiling them on every call."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from catalog.models import Item, ItemStatus
from circulation import locks
from circulation.models import Hold, Loan, LoanEvent, Notice
from circulation.selectors import next_hold_to_fill
from circulation.states import HoldState
from core.compiled import CompiledQuery, insert, update

pytestmark = pytest.mark.django_db


def _compiles(query: CompiledQuery) -> bool:
    return getattr(connection, "_pustaka_compiled", {}).get(query._key) is not None


def test_a_compiled_read_gives_the_rows_and_related_objects_the_orm_gives(make_item, branches):
    first, second = make_item(), make_item(branch=branches[1])
    query = CompiledQuery(
        lambda pk: (
            Item.objects.select_related("record", "branch").defer("record__marc").filter(pk=pk)
        ),
        pk=int,
    )
    assert query.get(pk=first.pk).barcode == first.barcode
    assert _compiles(query)  # stand-ins found: later calls skip the compiler
    with CaptureQueriesContext(connection) as queries:
        got = query.get(pk=second.pk)  # new values land where the old ones were
    assert len(queries) == 1
    expected = Item.objects.select_related("record", "branch").get(pk=second.pk)
    assert (got.pk, got.barcode, got.branch_id, got.status) == (
        expected.pk,
        expected.barcode,
        expected.branch_id,
        expected.status,
    )
    with CaptureQueriesContext(connection) as queries:
        assert got.branch.code == "cabang"  # came with the row
        assert got.record.title == "Laskar pelangi"
    assert len(queries) == 0
    assert got.record.get_deferred_fields() == {"marc"}
    assert not got._state.adding and got._state.db == "default"
    with pytest.raises(Item.DoesNotExist):
        query.get(pk=second.pk + 1000)
    assert query.first(pk=second.pk + 1000) is None


@pytest.mark.django_db(transaction=True)
def test_a_row_lock_outside_a_transaction_is_refused_as_by_the_orm(item):
    with transaction.atomic():
        locks.item_for_update(item.pk)  # compiled inside a transaction
    with pytest.raises(TransactionManagementError):
        locks.item_for_update(item.pk)


def test_dates_in_a_compiled_read_are_compared_as_dates(record, make_member, branches):
    waiting = [make_member(), make_member()]
    for n, who in enumerate(waiting, 1):
        Hold.objects.create(
            record=record,
            member=who,
            pickup_branch=branches[0],
            queue_number=n,
            placed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            suspended_until=dt.date(2026, 12, 1) if n == 1 else None,
        )
    # The first in line is suspended until 1 December: the second is filled before then, and
    # the first again from 2 December; the statement is compiled once for all three.
    assert next_hold_to_fill(record.pk, on=dt.date(2026, 11, 23)).member == waiting[1]
    assert next_hold_to_fill(record.pk, on=dt.date(2026, 12, 2)).member == waiting[0]
    assert next_hold_to_fill(record.pk, on=dt.date(2026, 12, 1)).member == waiting[1]
    Hold.objects.update(state=HoldState.CANCELLED)
    assert next_hold_to_fill(record.pk, on=dt.date(2026, 12, 2)) is None


def test_a_value_the_orm_transforms_falls_back_to_the_orm_and_stays_right(make_item):
    make_item(), make_item()
    query = CompiledQuery(lambda text: Item.objects.filter(barcode__icontains=text), text=str)
    assert [i.barcode for i in query.all(text="i00002")] == ["I00002"]
    assert not _compiles(query)  # '%…%' is not the value passed: the ORM builds it each time
    assert [i.barcode for i in query.all(text="00001")] == ["I00001"]


def test_insert_saves_like_save_with_signals_and_the_new_key(item, member, branches):
    seen = []

    def pre(sender, instance, **kwargs):
        seen.append(("pre", instance.pk, kwargs["update_fields"]))

    def post(sender, instance, created, **kwargs):
        seen.append(("post", instance.pk, created))

    pre_save.connect(pre, sender=Loan)
    post_save.connect(post, sender=Loan)
    try:
        at = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
        loan = insert(
            Loan(
                item=item,
                member=member,
                member_category="general",
                branch=branches[0],
                checked_out_at=at,
                due_at=at + dt.timedelta(days=7),
                rules={"loan_days": 7, "fine_per_day": 500},
            )
        )
    finally:
        pre_save.disconnect(pre, sender=Loan)
        post_save.disconnect(post, sender=Loan)
    assert loan.pk is not None and not loan._state.adding
    assert seen == [("pre", None, None), ("post", loan.pk, True)]
    stored = Loan.objects.get(pk=loan.pk)
    assert stored.rules == {"loan_days": 7, "fine_per_day": 500}  # JSON as the ORM stores it
    assert stored.updated_at == loan.updated_at is not None  # auto_now filled in before insert
    assert (stored.item_id, stored.member_id, stored.state) == (item.pk, member.pk, "on_loan")
    second = insert(
        LoanEvent(loan=loan, kind="checkout", from_state="on_loan", to_state="on_loan", at=at)
    )
    assert LoanEvent.objects.get(pk=second.pk).details == {}


def test_insert_unless_exists_writes_nothing_for_a_taken_key_and_the_transaction_goes_on(
    member,
):
    def notice(body: str) -> Notice:
        return Notice(member=member, kind="hold_ready", key="hold_ready:hold:1:x", body=body)

    seen = []

    def post(sender, instance, created, **kwargs):
        seen.append(instance.body)

    post_save.connect(post, sender=Notice)
    try:
        with transaction.atomic():
            first = insert(notice("first"), unless_exists=True)
            again = insert(notice("second"), unless_exists=True)
            # No savepoint was needed: the transaction is still usable after the conflict.
            assert Notice.objects.filter(key="hold_ready:hold:1:x").count() == 1
    finally:
        post_save.disconnect(post, sender=Notice)
    assert first is not None and first.pk is not None
    assert again is None
    assert seen == ["first"]  # no post_save for the row that was not written
    assert Notice.objects.get().body == "first"
    # Without unless_exists a taken key still raises.
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(notice("third"))


def test_insert_of_a_row_keyed_by_uuid_keeps_its_key():
    row = insert(
        DBTaskResult(
            id=uuid.uuid4(),
            args_kwargs={"args": [[1, 2]], "kwargs": {}},
            task_path="search.tasks.index_records_task",
            backend_name="default",
            run_after=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
        )
    )
    stored = DBTaskResult.objects.get(pk=row.pk)
    assert stored.args_kwargs == {"args": [[1, 2]], "kwargs": {}}
    assert stored.enqueued_at is not None  # auto_now_add


def test_update_writes_only_the_named_fields_and_moves_auto_now(item):
    before = Item.objects.get(pk=item.pk).updated_at
    Item.objects.filter(pk=item.pk).update(call_number="899.221 HIR l")  # someone else's edit
    seen = []
    post_save.connect(
        lambda sender, instance, created, update_fields, **kw: seen.append(
            (created, update_fields)
        ),
        sender=Item,
        weak=False,
        dispatch_uid="test-compiled-update",
    )
    try:
        item.status = ItemStatus.ON_LOAN
        update(item, ["status", "updated_at"])
    finally:
        post_save.disconnect(sender=Item, dispatch_uid="test-compiled-update")
    stored = Item.objects.get(pk=item.pk)
    assert stored.status == ItemStatus.ON_LOAN
    assert stored.call_number == "899.221 HIR l"  # not written back from the stale instance
    assert stored.updated_at > before
    assert seen == [(False, frozenset({"status", "updated_at"}))]
    Item.objects.filter(pk=item.pk).delete()
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        update(item, ["status", "updated_at"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_on_postgresql_the_scan_statements_are_prepared_with_their_states_written_in(item):
    """After a few scans PostgreSQL keeps the lock and the loan read prepared (no parsing or
    planning per scan), and the loan states are literals in them, so that the prepared plan
    can use the partial index of unreturned loans."""
    from circulation import services

    with transaction.atomic():
        for _ in range(7):
            locks.item_for_update(item.pk)
            assert services._OPEN_LOAN_FOR_UPDATE.first(item=item.pk) is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FOR UPDATE OF "catalog_item"' in sql for sql in prepared)
    (loan_read,) = [sql for sql in prepared if 'FROM "circulation_loan"' in sql]
    assert "IN ('claimed_returned', 'lost', 'on_loan')" in loan_read
    assert "$1" in loan_read  # the copy stays a parameter
