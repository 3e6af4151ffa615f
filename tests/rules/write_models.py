"""Models for the write-loop rules' tests (ORM201-ORM204): one per precondition of the
bulk-write fixes. Written to ``shop/billing.py`` of each test project."""

from pathlib import Path
from typing import List

from harness import check, fix, make_project

from ormlint.diagnostics import Diagnostic

BILLING_MODELS = '''
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver


class Invoice(models.Model):
    number = models.CharField(max_length=20)
    paid = models.BooleanField(default=False)
    total = models.IntegerField(default=0)
    customer = models.ForeignKey("shop.Customer", on_delete=models.CASCADE, related_name="invoices")
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)

    @property
    def label(self):
        return self.number


class Audited(models.Model):
    name = models.CharField(max_length=20)
    touched = models.DateTimeField(auto_now=True)

    def save(self, *args, **kwargs):
        self.name = self.name.strip()
        super().save(*args, **kwargs)


class AuditedChild(Audited):
    extra = models.CharField(max_length=20)


class Stamped(models.Model):
    name = models.CharField(max_length=20)
    updated = models.DateTimeField(auto_now=True)
    created = models.DateTimeField(auto_now_add=True)


class Signalled(models.Model):
    name = models.CharField(max_length=20)


@receiver(post_save, sender=Signalled)
def remember(sender, instance, **kwargs):
    pass


class Coded(models.Model):
    code = models.CharField(max_length=10, primary_key=True)
    name = models.CharField(max_length=20)


class ActiveManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(active=True)


class Filtered(models.Model):
    name = models.CharField(max_length=20)
    active = models.BooleanField(default=True)

    objects = ActiveManager()
    everything = models.Manager()


class InvoiceLine(Invoice):
    quantity = models.IntegerField(default=1)
'''


def check_billing(root: Path, code: str, select: str, name: str = "shop/views.py") -> List[Diagnostic]:
    make_project(root, {"shop/billing.py": BILLING_MODELS})
    return check(root, code, select, name=name)


def fix_billing(root: Path, code: str, select: str, unsafe: bool = True) -> str:
    make_project(root, {"shop/billing.py": BILLING_MODELS})
    return fix(root, code, select, unsafe=unsafe)
