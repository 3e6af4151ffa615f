"""A constant the call passes (or the default it leaves) decides the callee's branches.

``describe(order, detailed=True)`` reads what ``if detailed:`` reads; ``describe(order)``
with ``detailed=False`` by default does not, and neither does ``ticket.check(fast=True)``
behind ``if not fast:``. Only the value at the call decides: an argument ormlint cannot
read may take any branch."""

from harness import check, make_project, marked_rows, rows

HELPERS = '''
def describe(order, detailed=False):
    text = order.number
    if detailed:
        text += order.customer.name
    return text


def summary(order, *, quick=True):
    if not quick:
        return order.customer.name
    return order.number


def pick(order, customer=None, verbose=False):
    if customer is None:
        if verbose:
            return order.customer.name
    return order.number


def either(order, short):
    if short:
        return order.customer.name[:3]
    else:
        return order.customer.name
'''

TICKETS = '''
from django.db import models

from shop.models import Customer


class Ticket(models.Model):
    owner = models.ForeignKey(Customer, on_delete=models.CASCADE)
    title = models.CharField(max_length=50)

    def can_close(self, fast=False):
        if not fast:
            return self.owner.name != ""
        return bool(self.title)
'''


def _check(tmp_path, code):
    make_project(tmp_path, {"shop/helpers.py": HELPERS, "shop/tickets.py": TICKETS})
    return check(tmp_path, code, "ORM001")


def test_a_true_flag_takes_its_branch(tmp_path):
    code = """
    from shop.helpers import describe
    from shop.models import Order

    def view(flag):
        for order in Order.objects.all():  # error: ORM001
            describe(order, detailed=True)
        for order in Order.objects.all():  # error: ORM001
            describe(order, True)
        for order in Order.objects.all():  # error: ORM001
            describe(order, 1)
        for order in Order.objects.all():  # error: ORM001
            describe(order, flag)
    """
    assert rows(_check(tmp_path, code)) == sorted(marked_rows(code))


def test_a_false_flag_or_its_default_skips_its_branch(tmp_path):
    code = """
    from shop.helpers import describe
    from shop.models import Order

    def view():
        for order in Order.objects.all():
            describe(order)
        for order in Order.objects.all():
            describe(order, detailed=False)
        for order in Order.objects.all():
            describe(order, False)
        for order in Order.objects.all():
            describe(order, 0)
        for order in Order.objects.all():
            describe(order, "")
    """
    assert _check(tmp_path, code) == []


def test_a_keyword_only_flag_tested_with_not(tmp_path):
    code = """
    from shop.helpers import summary
    from shop.models import Order

    def view():
        for order in Order.objects.all():
            summary(order)
        for order in Order.objects.all():
            summary(order, quick=True)
        for order in Order.objects.all():  # error: ORM001
            summary(order, quick=False)
    """
    assert rows(_check(tmp_path, code)) == sorted(marked_rows(code))


def test_nested_branches_run_only_when_every_guard_holds(tmp_path):
    code = """
    from shop.helpers import pick
    from shop.models import Customer, Order

    def view(pk):
        customer = Customer.objects.get(pk=pk)
        for order in Order.objects.all():
            pick(order)
        for order in Order.objects.all():
            pick(order, None, False)
        for order in Order.objects.all():
            pick(order, customer, True)
        for order in Order.objects.all():  # error: ORM001
            pick(order, None, True)
        for order in Order.objects.all():  # error: ORM001
            pick(order, verbose=True)
    """
    assert rows(_check(tmp_path, code)) == sorted(marked_rows(code))


def test_a_read_on_both_arms_runs_whatever_the_flag(tmp_path):
    code = """
    from shop.helpers import either
    from shop.models import Order

    def view():
        for order in Order.objects.all():  # error: ORM001
            either(order, True)
        for order in Order.objects.all():  # error: ORM001
            either(order, False)
    """
    assert rows(_check(tmp_path, code)) == sorted(marked_rows(code))


def test_unpacked_arguments_may_take_any_branch(tmp_path):
    code = """
    from shop.tickets import Ticket

    def view(flags, options):
        closable = [t for t in Ticket.objects.all() if t.can_close(*flags)]  # error: ORM001
        closable = [t for t in Ticket.objects.all() if t.can_close(**options)]  # error: ORM001
        return closable
    """
    assert rows(_check(tmp_path, code)) == sorted(marked_rows(code))


def test_a_model_method_called_with_a_constant_flag(tmp_path):
    code = """
    from shop.tickets import Ticket

    def view(fast):
        closable = [t for t in Ticket.objects.all() if t.can_close(fast=True)]
        closable = [t for t in Ticket.objects.all() if t.can_close(True)]
        closable = [t for t in Ticket.objects.all() if t.can_close()]  # error: ORM001
        closable = [t for t in Ticket.objects.all() if t.can_close(False)]  # error: ORM001
        closable = [t for t in Ticket.objects.all() if t.can_close(fast)]  # error: ORM001
        return closable
    """
    found = _check(tmp_path, code)
    assert rows(found) == sorted(marked_rows(code))
    assert all("owner" in finding.message for finding in found)
